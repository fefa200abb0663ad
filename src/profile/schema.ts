import profileSchema from '../../schemas/profile.schema.json';

/** The profile schema: keys, types, defaults, descriptions and the Key Vault name of every secret key. */
export const PROFILE_SCHEMA = profileSchema as Record<string, any>;

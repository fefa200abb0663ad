import { PROFILE_SCHEMA } from './schema';
import type { PathSegment } from './errors';

/**
 * Key Vault secret names come from the `x-key-vault-secret` annotations of the profile schema.
 * Placeholders: {key:N} is the path segment N levels above the key, {sibling:F} the value of
 * field F next to it (for list items, such as a user's name).
 */
export function keyVaultSecretName(template: string, path: readonly PathSegment[], root: unknown): string {
  const parent = path.slice(0, -1).reduce<any>((node, seg) => node?.[seg], root);
  const name = template
    .replace(/\{key:(\d+)\}/g, (_, n: string) => String(path[path.length - 1 - Number(n)] ?? ''))
    .replace(/\{sibling:([a-z_]+)\}/g, (_, f: string) => String(parent?.[f] ?? 'unnamed'));
  // Key Vault allows letters, digits and dashes only.
  return name.replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase();
}

/** The Key Vault secret that holds the value of a secret profile key ('genesys.secret'), or of `kv:<name>`. */
export function keyVaultSecretFor(dottedKey: string): string {
  if (dottedKey.startsWith('kv:')) return dottedKey.slice(3);
  let node: any = PROFILE_SCHEMA;
  for (const seg of dottedKey.split('.')) node = node?.properties?.[seg];
  const template = node?.['x-key-vault-secret'];
  if (typeof template !== 'string') throw new Error(`${dottedKey} is not a secret key of the profile schema`);
  return keyVaultSecretName(template, dottedKey.split('.'), {});
}

/** The Key Vault secret of a management-page user's password (backoffice_users.<list>[].password). */
export function backofficePasswordSecret(list: string, user: string): string {
  const template = PROFILE_SCHEMA.definitions.backofficeUser.properties.password['x-key-vault-secret'] as string;
  return keyVaultSecretName(template, ['backoffice_users', list, 0, 'password'], { backoffice_users: { [list]: [{ name: user }] } });
}

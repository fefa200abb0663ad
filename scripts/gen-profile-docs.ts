// Generates docs/profile-reference.md from the descriptions of schemas/profile.schema.json.
import { writeFileSync } from 'node:fs';
import { PROFILE_REFERENCE_FILE, renderProfileReference } from './profile-reference';

writeFileSync(PROFILE_REFERENCE_FILE, renderProfileReference());
console.log(`wrote ${PROFILE_REFERENCE_FILE}`);

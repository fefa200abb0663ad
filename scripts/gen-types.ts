// Generates src/profile/config.generated.ts from schemas/profile.schema.json.
// The type describes a profile after validation: keys with a default are always present.
import { writeFileSync } from 'node:fs';
import { renderConfigTypes, CONFIG_TYPES_FILE } from '../src/profile/types-codegen';

renderConfigTypes().then((source) => {
  writeFileSync(CONFIG_TYPES_FILE, source);
  console.log(`wrote ${CONFIG_TYPES_FILE}`);
});

// Regenerates schemas/strict/*.json and schemas/kubernetes-api-removals.json from ../shared/upstream
// (see src/checks/strict-schemas.ts and src/checks/api-removals.ts).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_REMOVALS_FILE, buildApiRemovals, serializeApiRemovals } from '../src/checks/api-removals';
import { buildAllStrictSchemas, serializeSchemaFile, STRICT_SCHEMA_DIR } from '../src/checks/strict-schemas';
import { API_DEFAULTS_FILE, buildApiDefaults, serializeApiDefaults } from '../src/review/api-defaults';

rmSync(STRICT_SCHEMA_DIR, { recursive: true, force: true });
mkdirSync(STRICT_SCHEMA_DIR, { recursive: true });
for (const [name, file] of Object.entries(buildAllStrictSchemas())) {
  writeFileSync(join(STRICT_SCHEMA_DIR, `${name}.json`), serializeSchemaFile(file));
  console.log(`wrote schemas/strict/${name}.json (${Object.keys(file.kinds).length} kinds)`);
}
const removals = buildApiRemovals();
writeFileSync(API_REMOVALS_FILE, serializeApiRemovals(removals));
console.log(`wrote schemas/kubernetes-api-removals.json (${removals.length} removals)`);
const defaults = buildApiDefaults();
writeFileSync(API_DEFAULTS_FILE, serializeApiDefaults(defaults));
console.log(`wrote schemas/kubernetes-defaults.json (${Object.keys(defaults.kinds).length} kinds with defaults)`);

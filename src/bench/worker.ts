// One measured run in a fresh process (node bin/compiled.js src/bench/worker.ts ...), so that peak memory is this run's alone.
// Prints one JSON line: { label, objects, ms, maxRssMiB }.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildProfile, CheckError, renderFiles } from '../build';
import { checkInvariants } from '../checks/invariants';
import { checkSchemas } from '../checks/schema';
import { DEFAULT_PROFILES_DIR, REPOSITORY_ROOT } from '../profile/repository';
import { compileConfig } from '../compile';
import { writeProfiles } from '../output/write';
import { listProfiles, loadProfile } from '../profile/load';
import { validateProfile } from '../profile/validate';
import { scaledCatalog } from './scale';

const [mode, arg] = process.argv.slice(2);
const started = performance.now();
// Output goes where dist/ lives: on some machines the system temp folder is far slower at creating files.
const scratch = join(REPOSITORY_ROOT, '.cache/bench');
mkdirSync(scratch, { recursive: true });
const out = mkdtempSync(join(scratch, 'worker-'));
let objects = 0;
let label: string;

if (mode === 'scale') {
  // de-pro multiplied: the whole pipeline, checks and rendering included.
  const factor = Number(arg);
  const config = validateProfile(loadProfile('de-pro', DEFAULT_PROFILES_DIR));
  const compiled = compileConfig(config, { catalog: scaledCatalog(factor) });
  const problems = [...checkSchemas(compiled), ...checkInvariants(compiled)];
  if (problems.length) throw new CheckError(`de-pro x${factor}`, problems);
  writeProfiles(out, [{ name: `de-pro-x${factor}`, files: renderFiles('de-pro', compiled) }]);
  objects = compiled.length;
  label = `de-pro x${factor}`;
} else {
  const built = listProfiles(DEFAULT_PROFILES_DIR).map((p) => buildProfile(p, DEFAULT_PROFILES_DIR));
  writeProfiles(out, built);
  objects = built.reduce((n, b) => n + b.objects.length, 0);
  label = `all ${built.length} shipped profiles`;
}
const ms = performance.now() - started;
rmSync(out, { recursive: true, force: true });
console.log(JSON.stringify({ label, objects, ms: Math.round(ms), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));

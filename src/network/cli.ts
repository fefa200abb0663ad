import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_PROFILES_DIR } from '../cli';
import type { Manifest } from '../compile';
import { MANIFESTS_FOLDER } from '../output/layout';
import { formatDiagnostic, ProfileError } from '../profile/errors';
import { loadProfile } from '../profile/load';
import { validateProfile } from '../profile/validate';
import { verifyProfileNetwork } from './operators';
import { formatMatrix } from './verify';

const USAGE = 'usage: npm run verify:network -- --profile NAME [--json] [--out DIR]';

/** Every object of the compiled YAML files under a folder: the verifier reads what users apply. */
export function readManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.yaml') && entry !== 'kustomization.yaml') for (const doc of parseAllDocuments(readFileSync(full, 'utf8'))) if (doc.contents) out.push(doc.toJS());
    }
  };
  walk(dir);
  return out;
}

/** Prints who reaches which protected port in a compiled profile, and checks it against network/expected-flows.yaml. */
export function main(argv: string[], io = { out: console.log, err: console.error }): number {
  let opts;
  try {
    opts = parseArgs({ args: argv, options: { profile: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string', default: 'dist' } }, strict: true }).values;
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!opts.profile) {
    io.err(`error: name a profile with --profile\n${USAGE}`);
    return 2;
  }
  try {
    const loaded = loadProfile(opts.profile, DEFAULT_PROFILES_DIR);
    const config = validateProfile(loaded);
    const dir = resolve(opts.out!, loaded.name, MANIFESTS_FOLDER);
    let manifests: Manifest[];
    try {
      manifests = readManifests(dir);
    } catch {
      io.err(`✗ ${dir} not found: run npm run synth -- --profile ${loaded.name} first`);
      return 1;
    }
    const v = verifyProfileNetwork(manifests, config);
    io.out(opts.json ? JSON.stringify(v, null, 2) : formatMatrix(v));
    if (v.problems.length) {
      io.err(`✗ ${v.problems.length} flow(s) differ from network/expected-flows.yaml:\n${v.problems.map((p) => `  ${p}`).join('\n')}`);
      return 1;
    }
    if (!opts.json) io.out(`✓ every flow into a protected workload of ${loaded.name} is as expected`);
    return 0;
  } catch (e) {
    if (e instanceof ProfileError) {
      io.err(`✗ ${e.diagnostics.map(formatDiagnostic).join('\n  ')}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

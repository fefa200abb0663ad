import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_PROFILES_DIR, describeInvalid, profileReadRules } from '../../cli';
import { EnvironmentError, takeDebugFlag, UsageError, withBoundary } from '../../util/errors';
import type { Manifest } from '../../compile';
import { MANIFESTS_FOLDER } from '../../output/layout';
import { loadProfile } from '../../profile/load';
import { validateProfile } from '../../profile/validate';
import { verifyProfileNetwork } from './operators';
import { formatMatrix } from './verify';
import { helpOrVersion } from '../../util/command-line';

const USAGE = 'usage: npm run verify:network -- --profile NAME [--json] [--out DIR] [--allow-outside-repo] [--debug]';

/** Every object of the compiled YAML files under a folder: the verifier reads what users apply. */
export function readManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.yaml') && entry !== 'kustomization.yaml')
        for (const doc of parseAllDocuments(readFileSync(full, 'utf8'))) {
          // The yaml library's messages quote the file: a broken file is named, not quoted.
          if (doc.errors.length) throw new EnvironmentError(`${full}: not valid YAML (was it edited by hand? run npm run synth)`);
          if (doc.contents) out.push(doc.toJS({ maxAliasCount: 100 }));
        }
    }
  };
  walk(dir);
  return out;
}

/** Prints who reaches which protected port in a compiled profile, and checks it against network/expected-flows.yaml. */
export function main(rawArgv: string[], io = { out: console.log, err: console.error }): number {
  const { argv, debug } = takeDebugFlag(rawArgv);
  const early = helpOrVersion(argv, USAGE, io);
  if (early !== undefined) return early;
  return withBoundary(io, { usage: USAGE, debug, invalid: describeInvalid }, () => {
    const opts = parseArgs({ args: argv, options: { profile: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string', default: 'dist' }, 'allow-outside-repo': { type: 'boolean' } }, strict: true }).values;
    if (!opts.profile) throw new UsageError('name a profile with --profile');
    const loaded = loadProfile(opts.profile, DEFAULT_PROFILES_DIR, profileReadRules(DEFAULT_PROFILES_DIR, opts['allow-outside-repo']));
    const config = validateProfile(loaded);
    const dir = resolve(opts.out!, loaded.name, MANIFESTS_FOLDER);
    if (!existsSync(dir)) {
      io.err(`✗ ${dir} not found: run npm run synth -- --profile ${loaded.name} first`);
      return 1;
    }
    const manifests = readManifests(dir);
    const v = verifyProfileNetwork(manifests, config);
    io.out(opts.json ? JSON.stringify(v, null, 2) : formatMatrix(v));
    if (v.problems.length) {
      io.err(`✗ ${v.problems.length} flow(s) differ from network/expected-flows.yaml:\n${v.problems.map((p) => `  ${p}`).join('\n')}`);
      return 1;
    }
    if (!opts.json) io.out(`✓ every flow into a protected workload of ${loaded.name} is as expected`);
    return 0;
  });
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

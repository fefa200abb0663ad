import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Manifest } from '../compile';
import { MANIFESTS_FOLDER } from '../output/layout';
import { parseBackYaml, readBackText } from '../output/read-back';
import { readBackObject } from '../review/objects';
import { DEFAULT_PROFILES_DIR, profileReadRules } from '../profile/repository';
import { loadValidProfile } from '../profile/validate';
import { verifyProfileNetwork } from '../checks/network/operators';
import { formatMatrix } from '../checks/network/verify';
import { printable } from '../util/printable';
import { type CommandContext, defineCommand, EnvironmentError, UsageError, type Values } from './command';

/** A compiled file is a page of YAML; a larger one was not written by the tool. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Every object of the compiled YAML files under a folder: the verifier reads what users apply.
 * Read back as untrusted input (src/output/read-back.ts): never through a symlink, bounded, and a
 * file that is not YAML, an alias bomb or not a plain object is an error naming it, exit 1.
 */
export function readManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const full = join(d, entry);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full);
      else if (entry.endsWith('.yaml') && entry !== 'kustomization.yaml')
        for (const doc of parseBackYaml(readBackText(full, MAX_MANIFEST_BYTES, 'a compiled manifest'), printable(full), { allowEmpty: true })) out.push(readBackObject(full, doc));
    }
  };
  walk(dir);
  return out;
}

const OPTIONS = {
  profile: { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string', default: 'dist' },
  'allow-outside-repo': { type: 'boolean' },
} as const;

export const command = defineCommand({
  name: 'verify network',
  summary: 'verify the network policies of a compiled profile: who can reach whom',
  synopsis: '--profile NAME [--json] [--out DIR] [--allow-outside-repo]',
  help: `  Prints who reaches which protected port in the compiled profile (<out>/<profile>/manifests) and
  checks it against network/expected-flows.yaml.

  --profile NAME   a profile in profiles/ or a path to a YAML file
  --json           the reachability as one JSON document
  --out DIR        where the compiled profiles are (default: dist)
  --allow-outside-repo  read profile files outside the repository`,
  options: OPTIONS,
  run: verifyNetwork,
});

export const main = command.main;

function verifyNetwork(opts: Values<typeof OPTIONS>, io: CommandContext): number {
  if (!opts.profile) throw new UsageError('name a profile with --profile');
  // Every problem of the profile at once: its secrets' and its schema's.
  const { loaded, config } = loadValidProfile(opts.profile, DEFAULT_PROFILES_DIR, profileReadRules(DEFAULT_PROFILES_DIR, opts['allow-outside-repo']));
  const dir = resolve(opts.out!, loaded.name, MANIFESTS_FOLDER);
  if (!existsSync(dir)) {
    io.err(`✗ ${printable(dir)} not found: run npm run synth -- --profile ${loaded.name} first`);
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
}

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BuiltProfile, buildProfile, CheckError, renderApplicationSet } from './build';
import { APPLICATIONSET_FILE } from './delivery/gitops';
import { MANIFESTS_FOLDER } from './output/layout';
import { diffTree, readTree, writeFileAtomic, writeProfiles } from './output/write';
import { ProfileError } from './profile/errors';
import { listProfiles } from './profile/load';

export const DEFAULT_PROFILES_DIR = join(__dirname, '..', 'profiles');

const USAGE = `usage: npm run synth -- (--profile NAME|PATH ... | --all) [--out DIR] [--check] [--profiles DIR]

  --profile NAME   a profile in profiles/ (de-pro) or a path to a YAML file; repeatable
  --all            every profile in profiles/
  --out DIR        output folder (default: dist); each profile goes to DIR/<profile>/
  --check          compile in memory and fail if DIR differs from the result
  --profiles DIR   where profile names are looked up (default: profiles/)`;

class UsageError extends Error {}

/** Files listed per stale profile by --check; the rest are counted. */
const MAX_LISTED = 20;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs the CLI and returns the exit code: 0 success, 1 invalid input or failed checks, 2 usage. */
export function main(argv: string[], io: Io = { out: console.log, err: console.error }): number {
  try {
    const [command, ...rest] = argv;
    if (command !== 'synth') throw new UsageError(command ? `unknown command ${command}` : 'missing command');
    return synth(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

function synth(args: string[], io: Io): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        profile: { type: 'string', multiple: true, short: 'p' },
        all: { type: 'boolean' },
        out: { type: 'string', default: 'dist' },
        check: { type: 'boolean' },
        profiles: { type: 'string', default: DEFAULT_PROFILES_DIR },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.help) {
    io.out(USAGE);
    return 0;
  }
  const profilesDir = resolve(parsed.profiles!);
  const refs = [...(parsed.profile ?? []), ...(parsed.all ? listProfiles(profilesDir) : [])];
  if (!refs.length) throw new UsageError(parsed.all ? `no profiles in ${profilesDir}` : 'name a profile with --profile, or use --all');
  const outDir = resolve(parsed.out!);

  const started = performance.now();
  const built: BuiltProfile[] = [];
  let failed = 0;
  for (const ref of [...new Set(refs)]) {
    const t0 = performance.now();
    try {
      const b = buildProfile(ref, profilesDir, { outDir });
      built.push(b);
      io.out(`  ${b.name}: ${b.objects.length} objects (${ms(t0)})`);
    } catch (e) {
      if (!(e instanceof ProfileError || e instanceof CheckError)) throw e;
      failed++;
      io.err(`✗ ${e.message}`);
    }
  }
  let applicationSet = '';
  if (!failed) {
    try {
      applicationSet = renderApplicationSet(built);
    } catch (e) {
      if (!(e instanceof CheckError)) throw e;
      failed++;
      io.err(`✗ ${e.message}`);
    }
  }
  if (failed) {
    io.err(`${failed} of ${refs.length} profile(s) failed; nothing was written to ${parsed.out}`);
    return 1;
  }
  const objects = built.reduce((n, b) => n + b.objects.length, 0);
  const files = built.reduce((n, b) => n + b.files.size, 0);

  // With --all, dist/ holds exactly the shipped profiles: a folder left by a deleted profile would still be deployed.
  const orphans = parsed.all ? orphanProfileFolders(outDir, new Set(built.map((b) => b.name))) : [];

  if (parsed.check) {
    let stale = 0;
    for (const name of orphans) {
      stale++;
      io.err(`✗ ${parsed.out}/${name} belongs to no profile in ${relative(process.cwd(), profilesDir) || '.'}; run: npm run synth -- --all (removes it)`);
    }
    if (readFileOr(join(outDir, APPLICATIONSET_FILE)) !== applicationSet) {
      stale++;
      io.err(`✗ ${parsed.out}/${APPLICATIONSET_FILE} is stale`);
    }
    for (const b of built) {
      const d = diffTree(b.files, readTree(join(outDir, b.name)));
      const lines = [...d.added.map((p) => `    missing   ${p}`), ...d.removed.map((p) => `    extra     ${p}`), ...d.changed.map((p) => `    differs   ${p}`)];
      if (lines.length) {
        stale++;
        const shown = lines.length > MAX_LISTED ? [...lines.slice(0, MAX_LISTED), `    ... and ${lines.length - MAX_LISTED} more`] : lines;
        io.err(`✗ ${parsed.out}/${b.name} is stale (${lines.length} file(s)):\n${shown.join('\n')}`);
      }
    }
    if (stale) {
      io.err(`${stale} profile(s) differ from the compiled output; run: npm run synth -- --all`);
      return 1;
    }
    io.out(`✓ ${built.length} profile(s) up to date in ${parsed.out}: ${objects} objects, ${files} files (${ms(started)})`);
    return 0;
  }
  const changed = writeProfiles(outDir, built);
  if (writeFileAtomic(join(outDir, APPLICATIONSET_FILE), applicationSet)) io.out(`  wrote ${parsed.out}/${APPLICATIONSET_FILE}`);
  for (const name of orphans) {
    rmSync(join(outDir, name), { recursive: true, force: true });
    io.out(`  removed ${parsed.out}/${name} (no such profile any more)`);
  }
  const unchanged = built.length - changed.length;
  io.out(`✓ compiled ${built.length} profile(s) into ${parsed.out}: ${objects} objects, ${files} files${unchanged ? ` (${unchanged} unchanged, not rewritten)` : ''} (${ms(started)})`);
  return 0;
}

const readFileOr = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

const ms = (t0: number) => `${Math.round(performance.now() - t0)} ms`;

/** Output folders of profiles that no longer exist: ours by their manifests/ folder, never anything else. */
function orphanProfileFolders(outDir: string, profiles: Set<string>): string[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !profiles.has(e.name) && existsSync(join(outDir, e.name, MANIFESTS_FOLDER)))
    .map((e) => e.name)
    .sort();
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

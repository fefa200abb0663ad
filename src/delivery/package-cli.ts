import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildProfile } from '../build';
import { DEFAULT_PROFILES_DIR, describeInvalid, profileReadRules } from '../cli';
import { asEnvironmentError, EnvironmentError, takeDebugFlag, UsageError, withBoundary } from '../util/errors';
import { HelmError, runHelm } from '../tools/helm';
import { CHART_FOLDER } from './helm-chart';
import { helpOrVersion } from '../util/command-line';

const USAGE = `usage: npm run package -- --profile NAME|PATH [--destination DIR] [--dist DIR] [--profiles DIR]

  Compiles the profile and packages its Helm chart with \`helm package\` into DIR (default: packages/).
  The chart's version continues from the chart committed in --dist (default: dist).
  --allow-outside-repo  read profile files outside the repository;  --debug  print the stack of an internal error`;

/** `npm run package`: the profile's chart as a .tgz. Returns the exit code. */
export function main(rawArgv: string[], io = { out: console.log, err: console.error }): number {
  const { argv, debug } = takeDebugFlag(rawArgv);
  const early = helpOrVersion(argv, USAGE, io);
  if (early !== undefined) return early;
  return withBoundary(io, { usage: USAGE, debug, invalid: (e) => describeInvalid(e) ?? (e instanceof HelmError ? `✗ ${e.message}` : undefined) }, () => {
    const args = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string', short: 'p' },
        destination: { type: 'string', default: 'packages' },
        dist: { type: 'string', default: 'dist' },
        profiles: { type: 'string', default: DEFAULT_PROFILES_DIR },
        'allow-outside-repo': { type: 'boolean' },
      },
      strict: true,
    }).values;
    if (!args.profile) throw new UsageError('name a profile with --profile');
    const profilesDir = resolve(args.profiles!);
    const destination = resolve(args.destination!);
    if (existsSync(destination) && !statSync(destination).isDirectory()) throw new EnvironmentError(`${destination}: --destination must be a folder, and this is a file`);
    const built = buildProfile(args.profile, profilesDir, { outDir: resolve(args.dist!) }, profileReadRules(profilesDir, args['allow-outside-repo']));
    const work = mkdtempSync(join(tmpdir(), 'aura-chart-'));
    try {
      // The chart is packaged from what was just compiled, not from dist/, which may be stale.
      for (const [path, content] of built.files) {
        if (!path.startsWith(`${CHART_FOLDER}/`)) continue;
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      try {
        mkdirSync(destination, { recursive: true });
      } catch (e) {
        throw asEnvironmentError(e, destination);
      }
      io.out(runHelm(['package', join(work, CHART_FOLDER), '--destination', destination]).trim());
      return 0;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

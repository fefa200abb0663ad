import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildProfile, CheckError } from '../build';
import { DEFAULT_PROFILES_DIR } from '../cli';
import { ProfileError } from '../profile/errors';
import { HelmError, runHelm } from '../tools/helm';
import { CHART_FOLDER } from './helm-chart';

const USAGE = `usage: npm run package -- --profile NAME|PATH [--destination DIR] [--dist DIR] [--profiles DIR]

  Compiles the profile and packages its Helm chart with \`helm package\` into DIR (default: packages/).
  The chart's version continues from the chart committed in --dist (default: dist).`;

/** `npm run package`: the profile's chart as a .tgz. Returns the exit code. */
export function main(argv: string[], io = { out: console.log, err: console.error }): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { profile: { type: 'string', short: 'p' }, destination: { type: 'string', default: 'packages' }, dist: { type: 'string', default: 'dist' }, profiles: { type: 'string', default: DEFAULT_PROFILES_DIR } },
      strict: true,
    }).values;
    if (!args.profile) throw new Error('name a profile with --profile');
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'aura-chart-'));
  try {
    const built = buildProfile(args.profile, resolve(args.profiles!), { outDir: resolve(args.dist!) });
    // The chart is packaged from what was just compiled, not from dist/, which may be stale.
    for (const [path, content] of built.files) {
      if (!path.startsWith(`${CHART_FOLDER}/`)) continue;
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), content);
    }
    const destination = resolve(args.destination!);
    mkdirSync(destination, { recursive: true });
    io.out(runHelm(['package', join(work, CHART_FOLDER), '--destination', destination]).trim());
    return 0;
  } catch (e) {
    if (!(e instanceof ProfileError || e instanceof CheckError || e instanceof HelmError)) throw e;
    io.err(`✗ ${e.message}`);
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

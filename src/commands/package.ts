import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadCompiler } from '../incremental/run';
import { DEFAULT_PROFILES_DIR, profileReadRules } from '../profile/repository';
import { asEnvironmentError } from '../util/errors';
import { printable } from '../util/printable';
import { HelmError, runHelm } from '../tools/helm';
import { CHART_FOLDER } from '../delivery/helm-chart';
import { type CommandContext, defineCommand, EnvironmentError, UsageError, type Values } from './command';

const OPTIONS = {
  profile: { type: 'string', short: 'p' },
  destination: { type: 'string', default: 'packages' },
  out: { type: 'string', default: 'dist' },
  profiles: { type: 'string', default: DEFAULT_PROFILES_DIR },
  'allow-outside-repo': { type: 'boolean' },
} as const;

export const command = defineCommand({
  name: 'package',
  summary: "package a profile's Helm chart with helm package",
  synopsis: '--profile NAME|PATH [--destination DIR] [--out DIR] [--profiles DIR]',
  help: `  Compiles the profile and packages its Helm chart with \`helm package\` into DIR (default: packages/).

  --profile NAME   a profile in profiles/ or a path to a YAML file
  --destination DIR  where the .tgz goes (default: packages)
  --out DIR        the output folder whose committed chart the version continues from (default: dist)
  --profiles DIR   where profile names are looked up (default: profiles/)
  --allow-outside-repo  read profile files outside the repository`,
  options: OPTIONS,
  // helm refusing the compiled chart is exit 1 with helm's words; a helm missing or unusable is exit 3.
  invalid: (e) => (e instanceof HelmError ? `✗ ${e.message}` : undefined),
  run: packageChart,
});

/** `aura-manifests package`: the profile's chart as a .tgz. Returns the exit code. */
export const main = command.main;

function packageChart(args: Values<typeof OPTIONS>, io: CommandContext): number {
  if (!args.profile) throw new UsageError('name a profile with --profile');
  const profilesDir = resolve(args.profiles!);
  const destination = resolve(args.destination!);
  if (existsSync(destination) && !statSync(destination).isDirectory()) throw new EnvironmentError(`${printable(destination)}: --destination must be a folder, and this is a file`);
  const built = loadCompiler().buildProfile(args.profile, profilesDir, { outDir: resolve(args.out!) }, profileReadRules(profilesDir, args['allow-outside-repo']));
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
}

import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sync as execaSync } from 'execa';
import { parseAllDocuments } from 'yaml';
import { buildProfile, CheckError } from '../build';
import { DEFAULT_PROFILES_DIR, describeInvalid, profileReadRules } from '../cli';
import { EnvironmentError, takeDebugFlag, UsageError, withBoundary } from '../util/errors';
import type { Manifest } from '../compile';
import { GITOPS_FOLDER, MANIFESTS_FOLDER } from '../output/layout';
import { diffTree } from '../output/write';
import { environmentName } from '../platform/naming';
import { ProfileError } from '../profile/errors';
import { kubernetesVersionProblem, targetKubernetesVersion } from '../model/kubernetes-versions';
import { upgradeHazards, type UpgradeHazard } from './upgrade-safety';
import { diffObjects, replaceEnvironment, formatMarkdown, withoutEnvironment, formatTerminal, type ObjectDiff } from './diff';

const USAGE = `usage: npm run diff -- --profile NAME (--against GIT_REF | --with OTHER | --kubernetes-version V) [--format terminal|markdown] [--exit-code]

  --against REF   compare the compiled profile with its committed output (dist/<profile>) at REF
  --with OTHER    compare the compiled profile with another compiled profile
  --kubernetes-version V
                  compare the profile compiled for its own Kubernetes version with the same
                  profile compiled for V (what npm run synth -- --kubernetes-version V writes)
  --format        terminal (default) or markdown, for a pull request comment
  --exit-code     exit 1 when there are differences, like git diff --exit-code
  --fail-on-hazards  exit 1 when a change will not apply cleanly (refused by the API server, or
                  losing data); such changes are always listed first
  --dist DIR      the output folder (default: dist)
  --profiles DIR  where profile names are looked up (default: profiles/)
  --allow-outside-repo  read profile files outside the repository
  --debug         print the stack of an internal error`;

/** Files of a profile folder that hold deployed objects: the manifests and the GitOps objects. */
const isObjectFile = (path: string) =>
  (path.startsWith(`${MANIFESTS_FOLDER}/`) || path.startsWith(`${GITOPS_FOLDER}/`)) && path.endsWith('.yaml') && !path.endsWith('kustomization.yaml');

const parseObjects = (files: Iterable<[string, string]>): Manifest[] =>
  [...files]
    .filter(([p]) => isObjectFile(p))
    .flatMap(([path, text]) =>
      parseAllDocuments(text).map((d) => {
        // The yaml library's messages quote the file: a broken file is named, not quoted.
        if (d.errors.length) throw new EnvironmentError(`${path}: not valid YAML`);
        return d.toJS({ maxAliasCount: 100 }) as Manifest;
      }),
    )
    .filter(Boolean);

/** The profile folder as committed at a Git ref, read in one `git cat-file --batch` call. */
export function filesAtRef(ref: string, distDir: string, profile: string): Map<string, string> {
  const inRepo = existsSync(distDir) ? distDir : dirname(distDir);
  const top = git(['rev-parse', '--show-toplevel'], false, inRepo)!.toString().trim();
  const prefix = relative(top, join(distDir, profile)).split('\\').join('/');
  if (git(['cat-file', '-t', `${ref}^{commit}`], true, top) === undefined) throw new UsageError(`unknown git ref ${ref}`);
  const paths = git(['ls-tree', '-r', '--name-only', '-z', ref, '--', `${prefix}/`], false, top)!.toString().split('\0').filter(Boolean);
  const out = new Map<string, string>();
  if (!paths.length) return out;
  const batch = git(['cat-file', '--batch'], false, top, paths.map((p) => `${ref}:${p}`).join('\n') + '\n')!;
  let at = 0;
  for (const path of paths) {
    const eol = batch.indexOf(0x0a, at);
    const size = Number(batch.subarray(at, eol).toString().split(' ')[2]);
    out.set(path.slice(prefix.length + 1), batch.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return out;
}

function git(args: string[], allowFailure = false, cwd?: string, input?: string): Buffer | undefined {
  const r = execaSync('git', args, { cwd, input, encoding: null, reject: false });
  if (r.exitCode !== 0) {
    if (allowFailure) return undefined;
    throw new EnvironmentError(`git ${args[0]} failed: ${r.stderr.toString().trim().split('\n').pop()}`);
  }
  return r.stdout as unknown as Buffer;
}

/** Runs the command and returns the exit code. */
export function main(rawArgv: string[], io?: { out: (s: string) => void; err: (s: string) => void }): number {
  const color = !io && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const { out, err } = io ?? { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(`${s}\n`) };
  const { argv, debug } = takeDebugFlag(rawArgv);
  return withBoundary({ out, err }, { usage: USAGE, debug, invalid: describeInvalid }, () => {
    const args = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string', short: 'p' },
        against: { type: 'string' },
        with: { type: 'string' },
        'kubernetes-version': { type: 'string' },
        format: { type: 'string', default: 'terminal' },
        'exit-code': { type: 'boolean' },
        'fail-on-hazards': { type: 'boolean' },
        dist: { type: 'string', default: 'dist' },
        profiles: { type: 'string', default: DEFAULT_PROFILES_DIR },
        'allow-outside-repo': { type: 'boolean' },
      },
      strict: true,
    }).values;
    if (!args.profile) throw new UsageError('name a profile with --profile');
    const target = args['kubernetes-version'];
    if ([args.against, args.with, target].filter((a) => a !== undefined).length !== 1)
      throw new UsageError('give exactly one of --against REF, --with PROFILE and --kubernetes-version V');
    if (target !== undefined && kubernetesVersionProblem(target)) throw new UsageError(`--kubernetes-version ${kubernetesVersionProblem(target)}`);
    if (args.format !== 'terminal' && args.format !== 'markdown') throw new UsageError(`unknown format ${args.format}: terminal or markdown`);
    if (args.against && !/^[A-Za-z0-9][A-Za-z0-9._\/@{}~^-]*$/.test(args.against)) throw new UsageError('--against takes a git ref (branch, tag or commit)');
    const profilesDir = resolve(args.profiles!);
    const readRules = profileReadRules(profilesDir, args['allow-outside-repo']);
    const current = buildProfile(args.profile, profilesDir, {}, readRules);
    let diff: ObjectDiff;
    let title: string;
    let hazards: UpgradeHazard[] = [];
    if (args.against) {
      const committed = parseObjects(filesAtRef(args.against, resolve(args.dist!), current.name));
      const compiled = parseObjects(current.files);
      diff = diffObjects(committed, compiled);
      // Only an upgrade of one profile applies over live objects; two profiles are two clusters.
      hazards = upgradeHazards(committed, compiled);
      title = `${current.name}: ${args.against} → working tree`;
    } else if (target !== undefined) {
      const retargeted = buildProfile(args.profile, profilesDir, { kubernetesVersion: target });
      diff = diffObjects(parseObjects(current.files), parseObjects(retargeted.files));
      // The version also reaches files that hold no objects: the Bicep parameters, the chart's kubeVersion.
      const tree = diffTree(retargeted.files, current.files);
      // (The chart's templates restate the manifests' objects, already compared above.)
      const others = [...tree.added, ...tree.removed, ...tree.changed].filter((p) => !isObjectFile(p) && !p.startsWith('chart/templates/')).sort();
      title = `${current.name}: Kubernetes ${targetKubernetesVersion(current.config)} → ${target}${others.length ? ` (other files that differ: ${others.join(', ')})` : ''}`;
    } else {
      const other = buildProfile(args.with!, profilesDir, {}, readRules);
      // Each side's environment name becomes $ENV, in names and values: the same object of both is
      // compared, and what is left is what differs beyond the name.
      const [envA, envB] = [environmentName(current.config), environmentName(other.config)];
      diff = diffObjects(withoutEnvironment(parseObjects(current.files), replaceEnvironment(envA)), withoutEnvironment(parseObjects(other.files), replaceEnvironment(envB)));
      title = `${current.name} → ${other.name} (environment names shown as $ENV: ${envA}, ${envB})`;
    }
    out(args.format === 'markdown' ? formatMarkdown(diff, title, undefined, hazards) : formatTerminal(diff, title, color, hazards));
    const differs = diff.added.length + diff.removed.length + diff.changed.length > 0;
    return (args['exit-code'] && differs) || (args['fail-on-hazards'] && hazards.length) ? 1 : 0;
  });
}

if (require.main === module) {
  // Piped into head or less that quit early: not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : Promise.reject(e)));
  process.exitCode = main(process.argv.slice(2));
}

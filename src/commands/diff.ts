import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sync as execaSync } from 'execa';
import { loadCompiler } from '../incremental/run';
import { diffTree } from '../output/write';
import { environmentName } from '../platform/naming';
import { listProfiles } from '../profile/load';
import { DEFAULT_PROFILES_DIR, profileReadRules } from '../profile/repository';
import {
  diffObjects,
  replaceEnvironment,
  formatMarkdown,
  formatMarkdownGrouped,
  formatTerminalGrouped,
  groupAcrossProfiles,
  withoutEnvironment,
  formatTerminal,
  MAX_COMMENT,
  type ObjectDiff,
  type ProfileDiff,
  truncateMarkdown,
} from '../review/diff';
import { kubernetesVersionProblem, targetKubernetesVersion } from '../model/kubernetes-versions';
import { isObjectFile, parseObjects } from '../review/objects';
import { upgradeHazards, type UpgradeHazard } from '../review/upgrade-safety';
import { printable } from '../util/printable';
import { type CommandContext, defineCommand, EnvironmentError, UsageError, type Values } from './command';

const OPTIONS = {
  profile: { type: 'string', short: 'p', multiple: true },
  all: { type: 'boolean' },
  against: { type: 'string' },
  with: { type: 'string' },
  'kubernetes-version': { type: 'string' },
  'show-derived': { type: 'boolean' },
  json: { type: 'boolean' },
  'exit-code': { type: 'boolean' },
  'max-length': { type: 'string' },
  'full-diff-link': { type: 'string' },
  truncate: { type: 'string' },
  'fail-on-hazards': { type: 'boolean' },
  out: { type: 'string', default: 'dist' },
  profiles: { type: 'string', default: DEFAULT_PROFILES_DIR },
  'allow-outside-repo': { type: 'boolean' },
} as const;

export const command = defineCommand({
  name: 'diff',
  summary: 'semantic diff of compiled objects: against a Git ref, another profile or a Kubernetes version',
  synopsis: ['(--profile NAME ... | --all) (--against GIT_REF | --with OTHER | --kubernetes-version V) [options]', '--truncate FILE [--max-length N] [--full-diff-link URL]'],
  help: `  --against REF      compare each compiled profile with its committed output (<out>/<profile>) at REF;
                     with several profiles, a change they share is shown once ("same in N profiles")
  --with OTHER       compare one compiled profile with another compiled profile
  --kubernetes-version V
                     compare the profile compiled for its own Kubernetes version with the same
                     profile compiled for V (what aura-manifests synth --kubernetes-version V writes)
  --all              every profile in profiles/ (with --against)
  --format F         text (default), markdown (for a pull request comment), or github (text that
                     GitHub Actions cannot read as a workflow command; automatic under GitHub Actions)
  --show-derived     also show derived fields (config checksums), hidden by default
  --json             the diff as one JSON document (added, removed, changed fields; shared changes)
  --exit-code        exit 1 when there are differences, like git diff --exit-code
  --max-length N     cut Markdown at a block boundary to at most N characters (default 60000, 0: never)
  --full-diff-link   where the full diff is (a CI artifact), named in the notice of a cut comment
  --truncate FILE    only cut an existing Markdown diff (as --max-length says) and print it
  --out DIR          the output folder whose committed content --against reads (default: dist)
  --profiles DIR     where profile names are looked up (default: profiles/)
  --fail-on-hazards  exit 1 when a change will not apply cleanly (refused by the API server, or
                     losing data); such changes are always listed first
  --allow-outside-repo  read profile files outside the repository`,
  options: OPTIONS,
  formats: ['markdown'],
  run: diff,
});

/** Runs the command (the arguments after \`diff\`) and returns the exit code. */
export const main = command.main;

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
  // A git that cannot be run is the environment's fault, never an answer (exit 3).
  if ((r as { code?: string }).code === 'ENOENT' || r.exitCode === undefined) throw new EnvironmentError('git is not installed or not on PATH; install git (https://git-scm.com)');
  if (r.exitCode !== 0) {
    if (allowFailure) return undefined;
    throw new EnvironmentError(`git ${args[0]} failed: ${printable(r.stderr.toString().trim().split('\n').pop() ?? '')}`);
  }
  return r.stdout as unknown as Buffer;
}

function diff(args: Values<typeof OPTIONS>, ctx: CommandContext): number {
  const color = ctx.color;
  // The texts end in a newline; a line of output does not carry its own.
  const out = (text: string) => ctx.out(text.replace(/\n$/, ''));
  {
    const maxLength = args['max-length'] === undefined ? MAX_COMMENT : Number(args['max-length']);
    if (!Number.isInteger(maxLength) || maxLength < 0) throw new UsageError(`--max-length takes a number of characters, 0 for no limit`);
    if (args.truncate) {
      let text: string;
      try {
        text = readFileSync(args.truncate, 'utf8');
      } catch (e) {
        throw new EnvironmentError(`${printable(args.truncate)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      out(truncateMarkdown(text, maxLength || Infinity, args['full-diff-link']));
      return 0;
    }
    const { buildProfile } = loadCompiler();
    const profilesDir = resolve(args.profiles!);
    const refs = [...new Set([...(args.profile ?? []), ...(args.all ? listProfiles(profilesDir) : [])])];
    if (!refs.length) throw new UsageError('name a profile with --profile, or use --all');
    const target = args['kubernetes-version'];
    if ([args.against, args.with, target].filter((a) => a !== undefined).length !== 1)
      throw new UsageError('give exactly one of --against REF, --with PROFILE and --kubernetes-version V');
    if (refs.length > 1 && !args.against) throw new UsageError('several profiles are compared with --against REF only: give one --profile');
    if (target !== undefined && kubernetesVersionProblem(target)) throw new UsageError(`--kubernetes-version ${kubernetesVersionProblem(target)}`);
    if (args.against && !/^[A-Za-z0-9][A-Za-z0-9._\/@{}~^-]*$/.test(args.against)) throw new UsageError('--against takes a git ref (branch, tag or commit)');
    const readRules = profileReadRules(profilesDir, args['allow-outside-repo']);
    const options = { showDerived: args['show-derived'] };
    if (refs.length > 1) {
      const diffs: ProfileDiff[] = refs.map((ref) => {
        const b = buildProfile(ref, profilesDir, {}, readRules);
        return { profile: b.name, env: environmentName(b.config), diff: diffObjects(parseObjects(filesAtRef(args.against!, resolve(args.out!), b.name)), parseObjects(b.files), options) };
      });
      const changed = diffs.filter((d) => d.diff.added.length + d.diff.removed.length + d.diff.changed.length > 0);
      const title = `${changed.length} of ${diffs.length} profiles change: ${args.against} → working tree`;
      if (args.json) {
        const { shared, own } = groupAcrossProfiles(changed);
        out(`${JSON.stringify({ title, profiles: diffs, shared, own: Object.fromEntries(own) }, null, 2)}\n`);
        return args['exit-code'] && changed.length ? 1 : 0;
      }
      const text = ctx.format === 'markdown' ? formatMarkdownGrouped(changed.length ? changed : diffs, title) : formatTerminalGrouped(changed, title, color);
      out(ctx.format === 'markdown' && maxLength ? truncateMarkdown(text, maxLength, args['full-diff-link']) : text);
      return args['exit-code'] && changed.length ? 1 : 0;
    }
    const profile = refs[0]!;
    const current = buildProfile(profile, profilesDir, {}, readRules);
    let diff: ObjectDiff;
    let title: string;
    let hazards: UpgradeHazard[] = [];
    if (args.against) {
      const committed = parseObjects(filesAtRef(args.against, resolve(args.out!), current.name));
      const compiled = parseObjects(current.files);
      diff = diffObjects(committed, compiled, options);
      // Only an upgrade of one profile applies over live objects; two profiles are two clusters.
      hazards = upgradeHazards(committed, compiled);
      title = `${current.name}: ${args.against} → working tree`;
    } else if (target !== undefined) {
      const retargeted = buildProfile(profile, profilesDir, { kubernetesVersion: target }, readRules);
      diff = diffObjects(parseObjects(current.files), parseObjects(retargeted.files), options);
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
      diff = diffObjects(withoutEnvironment(parseObjects(current.files), replaceEnvironment(envA)), withoutEnvironment(parseObjects(other.files), replaceEnvironment(envB)), options);
      title = `${current.name} → ${other.name} (environment names shown as $ENV: ${envA}, ${envB})`;
    }
    if (args.json) out(`${JSON.stringify({ title, profile: current.name, ...diff, hazards }, null, 2)}\n`);
    else out(ctx.format === 'markdown' ? formatMarkdown(diff, title, maxLength || Infinity, hazards) : formatTerminal(diff, title, color, hazards));
    const differs = diff.added.length + diff.removed.length + diff.changed.length > 0;
    return (args['exit-code'] && differs) || (args['fail-on-hazards'] && hazards.length) ? 1 : 0;
  }
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
import { committedOutput } from '../review/committed';
import { diffProfileSets, profileSetTitle } from '../review/profile-sets';
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

/** The profile folder as committed at a Git ref (src/review/committed.ts reads it NUL-safe). */
export const filesAtRef = (ref: string, distDir: string, profile: string): Map<string, string> => committedOutput(ref, distDir).files(profile);

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
    if ((refs.length > 1 || args.all) && !args.against) throw new UsageError('several profiles are compared with --against REF only: give one --profile');
    if (target !== undefined && kubernetesVersionProblem(target)) throw new UsageError(`--kubernetes-version ${kubernetesVersionProblem(target)}`);
    if (args.against && !/^[A-Za-z0-9][A-Za-z0-9._\/@{}~^-]*$/.test(args.against)) throw new UsageError('--against takes a git ref (branch, tag or commit)');
    const readRules = profileReadRules(profilesDir, args['allow-outside-repo']);
    const options = { showDerived: args['show-derived'] };
    if (refs.length > 1 || args.all) {
      // diff --all compares the profiles of both sides: removed and renamed ones are changes too.
      const current = refs.map((ref) => buildProfile(ref, profilesDir, {}, readRules)).map((b) => ({ name: b.name, env: environmentName(b.config), files: b.files }));
      const set = diffProfileSets(committedOutput(args.against!, resolve(args.out!)), current, !!args.all, options);
      const { diffs, changed } = set;
      const title = profileSetTitle(set, args.against!);
      if (args.json) {
        const { shared, own } = groupAcrossProfiles(changed);
        out(`${JSON.stringify({ title, profiles: diffs, removed: set.removed, renamed: set.renamed, shared, own: Object.fromEntries(own) }, null, 2)}\n`);
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

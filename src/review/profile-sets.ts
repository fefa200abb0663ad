import type { Manifest } from '../model/manifest';
import { describeObject } from '../checks/describe';
import { ENVIRONMENT_FILE } from '../infra/environment';
import type { CommittedOutput } from './committed';
import { type DiffOptions, diffObjects, type ProfileDiff } from './diff';
import { parseObjects } from './objects';

/** A profile as compiled now: its name, environment and files. */
export interface CurrentProfile {
  name: string;
  env: string;
  files: ReadonlyMap<string, string>;
}

/** What changes between the profiles of a ref and the profiles of the working tree. */
export interface ProfileSetDiff {
  /** Every profile of either side, in order: today's (renamed ones under their new name), then the removed ones. */
  diffs: ProfileDiff[];
  /** The ones that change: objects differ, or the profile is removed or renamed. */
  changed: ProfileDiff[];
  removed: string[];
  renamed: { from: string; to: string }[];
}

/**
 * A renamed profile keeps its objects (their names come from the environment, not from the file
 * name): an added and a removed profile are one rename when at least this share of the larger
 * one's objects are the same objects.
 */
export const RENAME_SIMILARITY = 0.5;

/**
 * Compares each profile compiled now with its committed folder at the ref. With `everyProfile`
 * (diff --all), the ref's own profiles count too: a profile folder committed at the ref whose
 * profile is gone is removed (its objects are shown as removed: GitOps prunes them), and a removed
 * and a new profile holding mostly the same objects are a rename (shown as the diff between the
 * old folder and the new compile). Either is a change, even when no object differs.
 */
export function diffProfileSets(committed: CommittedOutput, current: readonly CurrentProfile[], everyProfile: boolean, options: DiffOptions = {}): ProfileSetDiff {
  const now = new Set(current.map((p) => p.name));
  const before = everyProfile ? committed.profiles() : [];
  const gone = before.filter((name) => !now.has(name));
  const committedFiles = new Map<string, Map<string, string>>();
  const filesAt = (name: string) => {
    if (!committedFiles.has(name)) committedFiles.set(name, committed.files(name));
    return committedFiles.get(name)!;
  };
  const committedObjects = new Map<string, Manifest[]>();
  const objectsAt = (name: string) => {
    if (!committedObjects.has(name)) committedObjects.set(name, parseObjects(filesAt(name)));
    return committedObjects.get(name)!;
  };
  const newObjects = new Map(current.map((p) => [p.name, parseObjects(p.files)]));
  const added = everyProfile ? current.filter((p) => !before.includes(p.name)).map((p) => p.name) : [];
  const renames = pairRenames(
    gone.map((name) => ({ name, keys: new Set(objectsAt(name).map(describeObject)) })),
    added.map((name) => ({ name, keys: new Set(newObjects.get(name)!.map(describeObject)) })),
  );
  const renamedFrom = new Map(renames.map((r) => [r.to, r.from]));
  const renamedAway = new Set(renames.map((r) => r.from));

  const diffs: ProfileDiff[] = current.map((p) => {
    const from = renamedFrom.get(p.name);
    return {
      profile: p.name,
      env: p.env,
      diff: diffObjects(objectsAt(from ?? p.name), newObjects.get(p.name)!, options),
      ...(from ? { status: 'renamed' as const, from } : {}),
    };
  });
  const removed = gone.filter((name) => !renamedAway.has(name));
  for (const name of removed)
    diffs.push({ profile: name, env: committedEnvironment(filesAt(name)), diff: diffObjects(objectsAt(name), [], options), status: 'removed' });
  const changed = diffs.filter((d) => d.status !== undefined || d.diff.added.length + d.diff.removed.length + d.diff.changed.length > 0);
  return { diffs, changed, removed, renamed: renames };
}

/** The one line that says what changed across profiles, renames and removals named. */
export function profileSetTitle(set: ProfileSetDiff, ref: string): string {
  const notes = [
    ...(set.removed.length ? [`removed: ${set.removed.join(', ')}`] : []),
    ...(set.renamed.length ? [`renamed: ${set.renamed.map((r) => `${r.from} → ${r.to}`).join(', ')}`] : []),
  ];
  return `${set.changed.length} of ${set.diffs.length} profiles change${notes.length ? ` (${notes.join('; ')})` : ''}: ${ref} → working tree`;
}

interface KeyedProfile {
  name: string;
  keys: Set<string>;
}

/** Best matches first (most shared objects), each profile in one pair at most; ties by name, so the pairing is the same on every run. */
export function pairRenames(gone: readonly KeyedProfile[], added: readonly KeyedProfile[]): { from: string; to: string }[] {
  const candidates: { from: string; to: string; similarity: number }[] = [];
  for (const g of gone)
    for (const a of added) {
      const shared = [...g.keys].filter((k) => a.keys.has(k)).length;
      const similarity = shared / Math.max(g.keys.size, a.keys.size, 1);
      if (similarity >= RENAME_SIMILARITY) candidates.push({ from: g.name, to: a.name, similarity });
    }
  candidates.sort((x, y) => y.similarity - x.similarity || (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : 1));
  const used = new Set<string>();
  const pairs: { from: string; to: string }[] = [];
  for (const c of candidates) {
    if (used.has(`-${c.from}`) || used.has(`+${c.to}`)) continue;
    used.add(`-${c.from}`).add(`+${c.to}`);
    pairs.push({ from: c.from, to: c.to });
  }
  return pairs.sort((x, y) => (x.to < y.to ? -1 : 1));
}

/** A removed profile's environment name, from its committed environment facts (to find its changes shared with others); none otherwise (nothing is then replaced by $ENV). */
function committedEnvironment(files: ReadonlyMap<string, string>): string {
  const text = files.get(ENVIRONMENT_FILE);
  try {
    const env = text && text.length < 1_000_000 ? (JSON.parse(text) as { environment?: unknown }).environment : undefined;
    if (typeof env === 'string' && /^[a-z0-9][a-z0-9-]{0,62}$/.test(env)) return env;
  } catch {
    // A committed file is input: an unreadable one leaves the profile's name.
  }
  return '';
}

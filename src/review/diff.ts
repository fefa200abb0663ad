import { structuredPatch } from 'diff';
import type { Manifest } from '../model/manifest';
import { describeObject } from '../checks/describe';
import { escapeRegExp } from '../util/regexp';
import { hazardLines, hazardMarkdown, type UpgradeHazard } from './upgrade-safety';

/** One changed field: its path in the object and both values (undefined: absent on that side). */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface ObjectDiff {
  added: string[];
  removed: string[];
  changed: { key: string; fields: FieldChange[] }[];
  unchanged: number;
  /** Objects whose only changes are derived fields (config checksums), left out of `changed` unless asked for. */
  derivedOnly?: number;
}

export interface DiffOptions {
  /** Show derived fields (a config checksum that changes because a ConfigMap did) too. */
  showDerived?: boolean;
}

/**
 * Fields computed from other fields: a pod template's `checksum/config` changes whenever its
 * ConfigMap does, which the diff already shows. Hidden by default as noise.
 */
export const isDerived = (path: string) => /\["checksum\/[^"]*"\]$/.test(path);

/** Replaces an environment name where it stands as a word: aura-de-pro and aura-es-pro both become aura-$ENV. */
export const replaceEnvironment = (env: string) => {
  if (!env) return (text: string) => text; // no environment known: nothing to replace
  const token = new RegExp(`(?<![a-z0-9])${escapeRegExp(env)}(?![a-z0-9])`, 'g');
  return (text: string) => text.replace(token, '$ENV');
};

/** Every string of an object, environment name replaced: what is left to compare is what really differs. */
export function withoutEnvironment<T>(value: T, replace: (s: string) => string): T {
  if (typeof value === 'string') return replace(value) as T;
  if (Array.isArray(value)) return value.map((v) => withoutEnvironment(v, replace)) as T;
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [replace(k), withoutEnvironment(v, replace)])) as T;
  return value;
}

/** Compares two sets of objects keyed by kind/namespace/name. */
export function diffObjects(before: readonly Manifest[], after: readonly Manifest[], options: DiffOptions = {}): ObjectDiff {
  const a = new Map(before.map((m) => [describeObject(m), m]));
  const b = new Map(after.map((m) => [describeObject(m), m]));
  const diff: ObjectDiff = { added: [], removed: [], changed: [], unchanged: 0, derivedOnly: 0 };
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [x, y] = [a.get(key), b.get(key)];
    if (!x) diff.added.push(key);
    else if (!y) diff.removed.push(key);
    else {
      const all = diffValues(x, y, '');
      const fields = options.showDerived ? all : all.filter((f) => !isDerived(f.path));
      if (fields.length) diff.changed.push({ key, fields });
      else if (all.length) diff.derivedOnly!++;
      else diff.unchanged++;
    }
  }
  return diff;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Keys that read better than brackets: `a.b`, but `labels["app.kubernetes.io/name"]`. */
const child = (path: string, key: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`);
/**
 * Fields that identify a list item, in order of preference: containers, env and volumes by
 * `name`, secretObjects data by `key` or `objectName`, ports by `port` or `containerPort`.
 */
export const NATURAL_KEYS = ['name', 'key', 'objectName', 'port', 'containerPort'] as const;
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * The natural key both lists' items are matched by: the first field every item has as a scalar,
 * unique within each list. Undefined when there is none (items are then compared by position).
 */
export function naturalKey(x: readonly unknown[], y: readonly unknown[]): string | undefined {
  if (!x.length && !y.length) return undefined;
  return NATURAL_KEYS.find((k) => {
    const unique = (list: readonly unknown[]) => new Set(list.map((v) => (isObject(v) ? JSON.stringify(v[k]) : undefined))).size === list.length;
    return [...x, ...y].every((v) => isObject(v) && v[k] !== undefined && isScalar(v[k])) && unique(x) && unique(y);
  });
}

function diffValues(x: unknown, y: unknown, path: string): FieldChange[] {
  if (isObject(x) && isObject(y)) {
    return [...new Set([...Object.keys(x), ...Object.keys(y)])].sort().flatMap((k) => diffValues(x[k], y[k], child(path, k)));
  }
  if (Array.isArray(x) && Array.isArray(y)) {
    const key = naturalKey(x, y);
    if (key) {
      // Matched by natural key, so an insertion is one change, not a cascade.
      const itemKey = (v: unknown) => (v as Record<string, unknown>)[key] as string | number;
      const xs = new Map(x.map((v) => [itemKey(v), v]));
      const ys = new Map(y.map((v) => [itemKey(v), v]));
      const keys = [...new Set([...ys.keys(), ...xs.keys()])];
      const order = x.map(itemKey).filter((n) => ys.has(n)).join() !== y.map(itemKey).filter((n) => xs.has(n)).join();
      return [
        ...keys.flatMap((n) => diffValues(xs.get(n), ys.get(n), `${path}[${key}=${n}]`)),
        ...(order ? [{ path: `${path} (order)`, before: x.map(itemKey), after: y.map(itemKey) }] : []),
      ];
    }
    if (x.every(isScalar) && y.every(isScalar)) return scalarListChanges(x, y, path);
    return Array.from({ length: Math.max(x.length, y.length) }, (_, i) => diffValues(x[i], y[i], `${path}[${i}]`)).flat();
  }
  if (JSON.stringify(x) === JSON.stringify(y)) return [];
  return [{ path, ...(x === undefined ? {} : { before: x }), ...(y === undefined ? {} : { after: y }) }];
}

/**
 * A list of scalars (container args, hosts) item by item: each removed and each added item on
 * its own line, and the order said once when only the order changed.
 */
function scalarListChanges(x: readonly unknown[], y: readonly unknown[], path: string): FieldChange[] {
  if (JSON.stringify(x) === JSON.stringify(y)) return [];
  const count = (list: readonly unknown[]) => list.reduce<Map<string, number>>((m, v) => m.set(JSON.stringify(v), (m.get(JSON.stringify(v)) ?? 0) + 1), new Map());
  const [cx, cy] = [count(x), count(y)];
  const removed = x.filter((v) => {
    const k = JSON.stringify(v);
    const left = cy.get(k) ?? 0;
    if (left > 0) return cy.set(k, left - 1), false;
    return true;
  });
  const added = y.filter((v) => {
    const k = JSON.stringify(v);
    const left = cx.get(k) ?? 0;
    if (left > 0) return cx.set(k, left - 1), false;
    return true;
  });
  if (!removed.length && !added.length) return [{ path: `${path} (order)`, before: x, after: y }];
  return [...removed.map((before) => ({ path: `${path}[]`, before })), ...added.map((after) => ({ path: `${path}[]`, after }))];
}

/**
 * Text changes as unified hunks with three lines of context (jsdiff): a ConfigMap's file shows
 * where it changed, not two walls of text.
 */
export function textHunks(before: string, after: string, maxLines = 60): string[] {
  const patch = structuredPatch('before', 'after', before, after, '', '', { context: 3 });
  // `- old`, `+ new`, `  context`: the sign apart from the text, as the other changes are shown.
  const out = patch.hunks.flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines.filter((l) => !l.startsWith('\\')).map((l) => `${l[0]} ${l.slice(1)}`)]);
  return out.length > maxLines ? [...out.slice(0, maxLines), `… ${out.length - maxLines} more lines of this diff`] : out;
}

/** Text changes by line: a ConfigMap's file shows the lines that differ, not two walls of text. */
export function lineChanges(before: string, after: string, max = 20): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence: files here are at most a few thousand lines.
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) return [`- (${n} lines)`, `+ (${m} lines)`];
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let [i, j] = [0, 0];
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) [i, j] = [i + 1, j + 1];
    else if (j < m && (i === n || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out.length > max ? [...out.slice(0, max), `… ${out.length - max} more changed lines`] : out;
}

const MAX_SHOWN = 200;
const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? '(absent)';
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
};
const multiline = (c: FieldChange) => (typeof c.before === 'string' && c.before.includes('\n')) || (typeof c.after === 'string' && c.after.includes('\n'));

/** A field change as lines: `path: before → after`, or the changed lines of a text. */
function fieldLines(c: FieldChange): string[] {
  if (multiline(c) && typeof c.before === 'string' && typeof c.after === 'string') return [`${c.path}:`, ...textHunks(c.before, c.after).map((l) => `    ${l}`)];
  if (c.before === undefined) return [`${c.path}: added ${show(c.after)}`];
  if (c.after === undefined) return [`${c.path}: removed (was ${show(c.before)})`];
  return [`${c.path}: ${show(c.before)} → ${show(c.after)}`];
}

const summary = (d: ObjectDiff) =>
  `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged${d.derivedOnly ? `, ${d.derivedOnly} with derived changes only (--show-derived)` : ''}`;

/** The diff for a terminal; changes that will not apply cleanly come first. */
export function formatTerminal(d: ObjectDiff, title: string, color = false, hazards: readonly UpgradeHazard[] = []): string {
  const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines = [`${title}: ${summary(d)}`, ...hazardLines(hazards).map((l) => (l ? paint(91, l) : l))];
  for (const k of d.added) lines.push(paint(32, `+ ${k}`));
  for (const k of d.removed) lines.push(paint(31, `- ${k}`));
  for (const { key, fields } of d.changed) {
    lines.push(paint(33, `~ ${key}`));
    for (const f of fields) for (const l of fieldLines(f)) lines.push(`    ${l}`);
  }
  return `${lines.join('\n')}\n`;
}

/** GitHub refuses comments over 65,536 characters; the rest is left to `npm run diff` locally. */
export const MAX_COMMENT = 60_000;

/** For a pull request comment: a summary table, then each change, changed objects folded. */
export function formatMarkdown(d: ObjectDiff, title: string, maxLength = MAX_COMMENT, hazards: readonly UpgradeHazard[] = []): string {
  const out = [`### ${title}`, '', ...hazardMarkdown(hazards), '| added | removed | changed | unchanged |', '|---:|---:|---:|---:|', `| ${d.added.length} | ${d.removed.length} | ${d.changed.length} | ${d.unchanged} |`, ''];
  if (!d.added.length && !d.removed.length && !d.changed.length) return `${[...out, 'No object changes.'].join('\n')}\n`;
  if (d.added.length) out.push('**Added**', '', ...d.added.map((k) => `- \`${k}\``), '');
  if (d.removed.length) out.push('**Removed**', '', ...d.removed.map((k) => `- \`${k}\``), '');
  if (d.changed.length) {
    out.push('**Changed**', '');
    let length = out.join('\n').length;
    for (const [i, { key, fields }] of d.changed.entries()) {
      const before = out.length;
      out.push(`<details><summary><code>${key}</code> (${fields.length} field${fields.length === 1 ? '' : 's'})</summary>`, '', '```diff');
      for (const f of fields) out.push(...fieldLines(f).map((l) => l.replace(/^(\s*)([-+]) /, '$2$1 ')));
      out.push('```', '', '</details>', '');
      length += out.slice(before).join('\n').length + 1;
      if (length > maxLength) {
        out.splice(before, out.length - before, `… and ${d.changed.length - i} more changed objects: run \`npm run diff\` locally for all of them.`, '');
        break;
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/** One profile's diff, and its environment name (replaced by $ENV to find the same change elsewhere). */
export interface ProfileDiff {
  profile: string;
  env: string;
  diff: ObjectDiff;
  /** With diff --all --against: the profile is gone at the working tree, or was committed under another name (`from`). */
  status?: 'removed' | 'renamed';
  from?: string;
}

/** A profile as a grouped diff names it: with its removal or rename. */
export const profileLabel = (d: Pick<ProfileDiff, 'profile' | 'status' | 'from'>): string =>
  d.status === 'removed' ? `${d.profile} (removed)` : d.status === 'renamed' ? `${d.profile} (renamed from ${d.from})` : d.profile;

/** An object change found in one or more profiles: how it reads (with $ENV when shared) and where. */
export interface GroupedChange {
  change: 'added' | 'removed' | 'changed';
  key: string;
  fields: FieldChange[];
  profiles: string[];
}

/**
 * Groups identical changes across profiles: an image bump in the global layer is one change
 * "same in 10 profiles", not ten copies. Two changes are the same when they are equal once each
 * profile's environment name is replaced by $ENV. What is left is listed per profile.
 */
export function groupAcrossProfiles(diffs: readonly ProfileDiff[]): { shared: GroupedChange[]; own: Map<string, GroupedChange[]> } {
  const bySignature = new Map<string, { shared: GroupedChange; originals: Map<string, GroupedChange> }>();
  for (const { profile, env, diff } of diffs) {
    const replace = replaceEnvironment(env);
    const changes: GroupedChange[] = [
      ...diff.added.map((key) => ({ change: 'added' as const, key, fields: [], profiles: [profile] })),
      ...diff.removed.map((key) => ({ change: 'removed' as const, key, fields: [], profiles: [profile] })),
      ...diff.changed.map(({ key, fields }) => ({ change: 'changed' as const, key, fields, profiles: [profile] })),
    ];
    for (const c of changes) {
      const normal = { ...c, key: replace(c.key), fields: withoutEnvironment(c.fields, replace) };
      const signature = JSON.stringify([normal.change, normal.key, normal.fields]);
      const entry = bySignature.get(signature) ?? { shared: { ...normal, profiles: [] as string[] }, originals: new Map<string, GroupedChange>() };
      entry.shared.profiles.push(profile);
      entry.originals.set(profile, c);
      bySignature.set(signature, entry);
    }
  }
  const shared: GroupedChange[] = [];
  const own = new Map<string, GroupedChange[]>(diffs.map((d) => [d.profile, []]));
  for (const { shared: s, originals } of bySignature.values()) {
    if (s.profiles.length > 1) shared.push(s);
    else own.get(s.profiles[0]!)!.push(originals.get(s.profiles[0]!)!);
  }
  return { shared, own };
}

/** Separates the blocks of a Markdown diff: truncation cuts only here, never inside a block. */
export const BLOCK_END = '<!-- aura-diff: end of block -->';

const markdownBlock = (c: GroupedChange, note: string) => {
  const sign = { added: '+', removed: '-', changed: '~' }[c.change];
  if (c.change !== 'changed') return [`${sign} \`${c.key}\` (${c.change}${note})`, ''];
  return [
    `<details><summary><code>${c.key}</code> (${c.fields.length} field${c.fields.length === 1 ? '' : 's'}${note})</summary>`,
    '',
    '```diff',
    ...c.fields.flatMap((f) => fieldLines(f).map((l) => l.replace(/^(\s*)([-+]) /, '$2$1 '))),
    '```',
    '',
    '</details>',
    '',
  ];
};

/**
 * The pull request comment for several profiles: a table of counts, the changes shared by
 * several profiles once each, then each profile's own. Blocks end with BLOCK_END so that
 * truncateMarkdown can cut between them.
 */
export function formatMarkdownGrouped(diffs: readonly ProfileDiff[], title: string): string {
  const { shared, own } = groupAcrossProfiles(diffs);
  const head = [
    `### ${title}`,
    '',
    '| profile | added | removed | changed | unchanged |',
    '|---|---:|---:|---:|---:|',
    ...diffs.map((p) => `| ${profileLabel(p)} | ${p.diff.added.length} | ${p.diff.removed.length} | ${p.diff.changed.length} | ${p.diff.unchanged} |`),
    '',
  ];
  const blocks: string[] = [head.join('\n')];
  if (!shared.length && [...own.values()].every((l) => !l.length)) blocks.push('No object changes.\n');
  if (shared.length) {
    blocks.push(`#### Same change in several profiles (environment names shown as $ENV)\n`);
    for (const c of shared) blocks.push(markdownBlock(c, `, same in ${c.profiles.length} profiles: ${c.profiles.join(', ')}`).join('\n'));
  }
  for (const [profile, changes] of own) {
    if (!changes.length) continue;
    blocks.push(`#### ${profile} only\n`);
    for (const c of changes) blocks.push(markdownBlock(c, '').join('\n'));
  }
  return blocks.map((b) => `${b}\n${BLOCK_END}\n`).join('');
}

/**
 * Cuts a Markdown diff to at most maxLength characters at a block boundary, never inside a
 * <details> or code block, and says so visibly, with a link to the full diff when given.
 */
export function truncateMarkdown(markdown: string, maxLength: number, fullDiffLink?: string): string {
  if (markdown.length <= maxLength) return markdown;
  const blocks = markdown.split(`${BLOCK_END}\n`).filter((b) => b.length);
  const where = fullDiffLink ? `the full diff: ${fullDiffLink}` : 'run `npm run diff` locally for the full diff';
  const notice = (n: number) => `\n> [!WARNING]\n> Cut to fit a comment: ${n} more block${n === 1 ? '' : 's'} of changes not shown; ${where}\n`;
  let out = '';
  for (const [i, block] of blocks.entries()) {
    const rest = blocks.length - i - 1;
    if (out.length + block.length + notice(rest + 1).length > maxLength) return `${out}${notice(blocks.length - i)}`;
    out += `${block}${BLOCK_END}\n`;
  }
  return out;
}

/** The terminal form of a grouped diff: shared changes once, with the profiles they are in, then each profile's own. */
export function formatTerminalGrouped(diffs: readonly ProfileDiff[], title: string, color = false): string {
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const { shared, own } = groupAcrossProfiles(diffs);
  const lines = [title, ...diffs.map((p) => `  ${profileLabel(p)}: ${summary(p.diff)}`)];
  const show = (c: GroupedChange, note: string) => {
    const [sign, code] = ({ added: ['+', 32], removed: ['-', 31], changed: ['~', 33] } as const)[c.change];
    lines.push(paint(code, `${sign} ${c.key}${note}`));
    for (const f of c.fields) for (const l of fieldLines(f)) lines.push(`    ${l}`);
  };
  if (shared.length) lines.push('', 'Same change in several profiles (environment names shown as $ENV):');
  for (const c of shared) show(c, `  (same in ${c.profiles.length} profiles: ${c.profiles.join(', ')})`);
  for (const [profile, changes] of own) {
    if (!changes.length) continue;
    lines.push('', `${profile} only:`);
    for (const c of changes) show(c, '');
  }
  return `${lines.join('\n')}\n`;
}

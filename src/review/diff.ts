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
}

/** Replaces an environment name where it stands as a word: aura-de-pro and aura-es-pro both become aura-$ENV. */
export const replaceEnvironment = (env: string) => {
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
export function diffObjects(before: readonly Manifest[], after: readonly Manifest[]): ObjectDiff {
  const a = new Map(before.map((m) => [describeObject(m), m]));
  const b = new Map(after.map((m) => [describeObject(m), m]));
  const diff: ObjectDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [x, y] = [a.get(key), b.get(key)];
    if (!x) diff.added.push(key);
    else if (!y) diff.removed.push(key);
    else {
      const fields = diffValues(x, y, '');
      if (fields.length) diff.changed.push({ key, fields });
      else diff.unchanged++;
    }
  }
  return diff;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Keys that read better than brackets: `a.b`, but `labels["app.kubernetes.io/name"]`. */
const child = (path: string, key: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`);
/** List items with a name (containers, ports, env) are matched by it, so an insertion is one change, not a cascade. */
const itemName = (v: unknown) => (isObject(v) && typeof v.name === 'string' ? v.name : undefined);

function diffValues(x: unknown, y: unknown, path: string): FieldChange[] {
  if (isObject(x) && isObject(y)) {
    return [...new Set([...Object.keys(x), ...Object.keys(y)])].sort().flatMap((k) => diffValues(x[k], y[k], child(path, k)));
  }
  if (Array.isArray(x) && Array.isArray(y)) {
    const named = [...x, ...y].every((v) => itemName(v) !== undefined) && new Set(x.map(itemName)).size === x.length && new Set(y.map(itemName)).size === y.length;
    if (named) {
      const xs = new Map(x.map((v) => [itemName(v)!, v]));
      const ys = new Map(y.map((v) => [itemName(v)!, v]));
      const names = [...new Set([...ys.keys(), ...xs.keys()])];
      const order = x.map(itemName).filter((n) => ys.has(n!)).join() !== y.map(itemName).filter((n) => xs.has(n!)).join();
      return [
        ...names.flatMap((n) => diffValues(xs.get(n), ys.get(n), `${path}[name=${n}]`)),
        ...(order ? [{ path: `${path} (order)`, before: x.map(itemName), after: y.map(itemName) }] : []),
      ];
    }
    if (x.every((v) => !isObject(v) && !Array.isArray(v)) && y.every((v) => !isObject(v) && !Array.isArray(v))) {
      return JSON.stringify(x) === JSON.stringify(y) ? [] : [{ path, before: x, after: y }];
    }
    return Array.from({ length: Math.max(x.length, y.length) }, (_, i) => diffValues(x[i], y[i], `${path}[${i}]`)).flat();
  }
  if (JSON.stringify(x) === JSON.stringify(y)) return [];
  return [{ path, ...(x === undefined ? {} : { before: x }), ...(y === undefined ? {} : { after: y }) }];
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

const MAX_SHOWN = 100;
const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? '(absent)';
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
};
const multiline = (c: FieldChange) => (typeof c.before === 'string' && c.before.includes('\n')) || (typeof c.after === 'string' && c.after.includes('\n'));

/** A field change as lines: `path: before → after`, or the changed lines of a text. */
function fieldLines(c: FieldChange): string[] {
  if (multiline(c) && typeof c.before === 'string' && typeof c.after === 'string') return [`${c.path}:`, ...lineChanges(c.before, c.after).map((l) => `    ${l}`)];
  if (c.before === undefined) return [`${c.path}: added ${show(c.after)}`];
  if (c.after === undefined) return [`${c.path}: removed (was ${show(c.before)})`];
  return [`${c.path}: ${show(c.before)} → ${show(c.after)}`];
}

const summary = (d: ObjectDiff) => `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged`;

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

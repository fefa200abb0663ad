/**
 * A YAML emitter for JSON data (maps, lists, strings, numbers, booleans, null), in block style
 * with two-space indents. It replaces the general `yaml` stringifier on the hot path: building
 * a document tree per object made rendering most of the compile time at scale. Tests parse
 * every emitted object back with the `yaml` library and compare.
 */

const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~|)$/i;
const NUMBER_LIKE = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|\.inf|\.nan|[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/i;
const DATE_LIKE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
/**
 * Words of safe characters joined by single spaces or by colons not followed by a space. The
 * first character is stricter: * ? , ! % and a lone dash only mean something at the start.
 */
const PLAIN = /^(?:[A-Za-z0-9_./]|-(?=[A-Za-z0-9_./-]))[A-Za-z0-9_./@+=*?,!%-]*(?:(?: |:)[A-Za-z0-9_./@+=*?,!%-]+)*$/;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot emit ${value}`);
    return String(value);
  }
  const s = String(value);
  return PLAIN.test(s) && !RESERVED.test(s) && !NUMBER_LIKE.test(s) && !DATE_LIKE.test(s) ? s : quoted(s);
}

/** Characters YAML does not allow unescaped (JSON.stringify leaves them as they are). */
const NON_PRINTABLE = /[\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/g;

/** A YAML double-quoted scalar: JSON's escapes, plus the ones YAML needs beyond JSON. */
export function quoted(s: string): string {
  return JSON.stringify(s).replace(NON_PRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Multi-line text as a literal block, when it can be one exactly. */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || /[\r\t\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/.test(s) || s.startsWith(' ') || s.startsWith('\n')) return undefined;
  let header: string;
  let body = s;
  if (s.endsWith('\n\n')) return undefined;
  if (s.endsWith('\n')) {
    header = '|';
    body = s.slice(0, -1);
  } else header = '|-';
  const lines = body.split('\n');
  if (lines.some((l) => l.length && /\s$/.test(l))) return undefined;
  return `${header}\n${lines.map((l) => (l ? `${indent}${l}` : '')).join('\n')}`;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function emitValue(value: unknown, indent: string, out: string[]): void {
  if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      emitEntry(`${indent}${scalar(k)}:`, v, indent, out);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) emitItem(item, indent, out);
  } else out.push(`${indent}${scalar(value)}`);
}

/** A key's value: inline when scalar or empty, below and indented otherwise. */
function emitEntry(head: string, v: unknown, indent: string, out: string[]): void {
  const inner = `${indent}  `;
  if (isMap(v)) {
    if (!Object.keys(v).length) out.push(`${head} {}`);
    else out.push(head), emitValue(v, inner, out);
  } else if (Array.isArray(v)) {
    if (!v.length) out.push(`${head} []`);
    else out.push(head), emitValue(v, inner, out);
  } else {
    const block = typeof v === 'string' ? literalBlock(v, inner) : undefined;
    out.push(`${head} ${block ?? scalar(v)}`);
  }
}

/** A list item; a map item starts on the dash line. */
function emitItem(item: unknown, indent: string, out: string[]): void {
  const inner = `${indent}  `;
  if (isMap(item) && Object.keys(item).length) {
    const lines: string[] = [];
    emitValue(item, inner, lines);
    out.push(`${indent}- ${lines[0]!.slice(inner.length)}`, ...lines.slice(1));
  } else if (Array.isArray(item) && item.length) {
    out.push(`${indent}-`);
    emitValue(item, inner, out);
  } else if (isMap(item)) out.push(`${indent}- {}`);
  else if (Array.isArray(item)) out.push(`${indent}- []`);
  else {
    const block = typeof item === 'string' ? literalBlock(item, inner) : undefined;
    out.push(`${indent}- ${block ?? scalar(item)}`);
  }
}

/** One YAML document (no leading `---`), ending in a newline. */
export function emitYaml(value: unknown): string {
  const out: string[] = [];
  emitValue(value, '', out);
  return `${out.join('\n')}\n`;
}

/**
 * The part of Jinja the installer's config.yml uses in its values: `{{ name }}` and filters
 * (`replace('.', '')`, `lower`, `upper`, `trim`, `default('x')`, `string`), as Ansible renders
 * them before the installer reads a value. Anything else is not guessed: the caller is told the
 * value cannot be resolved, and says so in the report.
 */
export type JinjaVariables = Readonly<Record<string, string | number | boolean | undefined>>;

export type JinjaResult = { value: string } | { unresolved: string };

const EXPRESSION = /\{\{(.*?)\}\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A string literal in single or double quotes, without escapes. */
const LITERAL = /^(?:'([^'\\]*)'|"([^"\\]*)")$/;

export const hasJinja = (s: string): boolean => s.includes('{{') || s.includes('{%');

/** Resolves every `{{ }}` of a value; statements (`{% %}`) are never resolved. */
export function resolveJinja(text: string, vars: JinjaVariables): JinjaResult {
  if (text.includes('{%')) return { unresolved: 'a Jinja statement ({% %})' };
  let problem: string | undefined;
  const value = text.replace(EXPRESSION, (_, body: string) => {
    const r = evaluate(body, vars);
    if ('unresolved' in r) problem ??= r.unresolved;
    return 'value' in r ? r.value : '';
  });
  if (problem) return { unresolved: problem };
  if (value.includes('{{') || value.includes('}}')) return { unresolved: 'an unclosed {{' };
  return { value };
}

function evaluate(body: string, vars: JinjaVariables): JinjaResult {
  const [head, ...filters] = splitFilters(body);
  let current: string | undefined;
  const h = head!.trim();
  const literal = LITERAL.exec(h);
  if (literal) current = literal[1] ?? literal[2]!;
  else if (NAME.test(h)) current = vars[h] === undefined ? undefined : String(vars[h]);
  else return { unresolved: `the expression ${shown(h)}` };
  for (const f of filters) {
    const m = /^\s*([a-z_]+)\s*(?:\((.*)\))?\s*$/.exec(f);
    if (!m) return { unresolved: `the filter ${shown(f.trim())}` };
    const args = m[2] === undefined ? [] : splitArgs(m[2]);
    if (args === undefined) return { unresolved: `the arguments of ${m[1]}` };
    switch (m[1]) {
      case 'default':
        if (current === undefined) current = args[0] ?? '';
        break;
      case 'replace':
        if (args.length !== 2) return { unresolved: 'replace with other than two arguments' };
        if (current !== undefined) current = current.split(args[0]!).join(args[1]!);
        break;
      case 'lower':
        current = current?.toLowerCase();
        break;
      case 'upper':
        current = current?.toUpperCase();
        break;
      case 'trim':
        current = current?.trim();
        break;
      case 'string':
        break;
      default:
        return { unresolved: `the filter ${m[1]}` };
    }
  }
  if (current === undefined) return { unresolved: `the variable ${shown(h)}, which the config does not set` };
  return { value: current };
}

/** Splits `a | f(x) | g` at the pipes outside quotes. */
function splitFilters(body: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '|') {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out;
}

/** `'.', ''` → ['.', '']: string literals only. */
function splitArgs(text: string): string[] | undefined {
  const out: string[] = [];
  const re = /\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*(,|$)/y;
  let at = 0;
  if (!text.trim()) return [];
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    out.push(m[1] ?? m[2]!);
    at = re.lastIndex;
    if (m[3] === '') break;
  }
  return out;
}

/** A name or expression as it may be printed: the user's own config text, but bounded and plain. */
const shown = (s: string) => (/^[A-Za-z0-9_. ()'",-]{1,60}$/.test(s) ? s : '(an expression)');

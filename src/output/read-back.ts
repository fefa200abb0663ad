/**
 * Reading back what a checkout's output folder holds: the committed Chart.yaml, the objects of a
 * committed dist/ at a git ref. It is input like any other, and a hostile or broken file must be
 * a one-line error naming it (exit 1), never a hang, a memory blow-up, a stack trace, or the
 * file's text quoted back.
 */
import { lstatSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../util/errors';
import { readBounded } from './bounded-read';

/** Aliases a read-back document may expand (the tool's own output has none). */
const MAX_ALIASES = 100;

/** Git's conflict markers at the start of a line: a merge left both sides in the file. */
export const CONFLICT_MARKERS = /^(<{7}|={7}|>{7})(?: |$)/m;

/** The text of a file of the output folder: lstat first (no symlink, no pipe, no device), then a bounded read. */
export function readBackText(file: string, maxBytes: number, what: string): string {
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) throw new InputError(`${file}: missing (${what})`);
  if (st.isSymbolicLink()) throw new InputError(`${file} is a symlink; the tool writes a regular file there (${what}): remove it and run npm run synth`);
  if (!st.isFile()) throw new InputError(`${file} is not a regular file (${what}): remove it and run npm run synth`);
  if (st.size > maxBytes) throw new InputError(`${file} is larger than ${Math.round(maxBytes / 1024)} KiB, far more than the tool writes there (${what})`);
  const bytes = readBounded(file, maxBytes);
  if (!bytes) throw new InputError(`${file} changed while it was read, or is not a regular file (${what})`);
  return bytes.toString('utf8');
}

/**
 * The YAML documents of a read-back file, as data. A syntax error, conflict markers, an alias
 * bomb or an empty file is an InputError naming the file (`name`), in our words (the yaml
 * library's messages quote the text).
 */
export function parseBackYaml(text: string, name: string, opts: { allowEmpty?: boolean } = {}): unknown[] {
  if (CONFLICT_MARKERS.test(text)) throw new InputError(`${name} has git conflict markers (a merge left both sides in it): resolve the conflict, then run npm run synth`);
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const d of list) {
    if (d.errors.length) throw new InputError(`${name}: not valid YAML (line ${d.errors[0]!.linePos?.[0]?.line ?? '?'})`);
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: MAX_ALIASES });
    } catch {
      throw new InputError(`${name}: its YAML aliases expand to too much data (an alias bomb?)`);
    }
    if (value !== null && value !== undefined) out.push(value);
  }
  if (!out.length && !opts.allowEmpty) throw new InputError(`${name}: empty (no YAML document)`);
  return out;
}

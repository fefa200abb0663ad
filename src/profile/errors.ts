import { printable } from '../util/printable';

/** Where a problem is: a file, and for a key its 1-based line and column. */
export interface SourcePosition {
  file: string;
  line?: number;
  col?: number;
}

/** One problem with a profile, written for the person reading CI logs. */
export interface Diagnostic extends SourcePosition {
  /** Key path such as backoffice_users.dashboards[0].name; empty for the whole file. */
  path: string;
  message: string;
}

export type PathSegment = string | number;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

/** One line: a file name or a message with a newline (a committed name) never starts another. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line ? `${d.file}:${d.line}:${d.col ?? 1}` : d.file;
  return printable(d.path ? `${where}: ${d.path}: ${d.message}` : `${where}: ${d.message}`);
}

/** A profile that cannot be compiled; carries every problem found, not just the first. */
export class ProfileError extends Error {
  constructor(
    readonly profile: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(`profile ${printable(profile)} is invalid:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`);
    this.name = 'ProfileError';
  }
}

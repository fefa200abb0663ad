import { printable } from './printable';

/**
 * The errors every layer may throw, by exit code: 0 success, 1 invalid input (a profile, a failed
 * check), 2 usage, 3 environment or I/O (a tool missing or failing). The command layer's boundary
 * (src/commands/command.ts) prints each as one line: never a stack trace, never a profile's text.
 */

/** The command line is wrong: exit 2 with the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Input the tool refuses (a profile file that is not one, a bad option value naming a file): exit 1. */
export class InputError extends Error {
  override name = 'InputError';
}

/** The machine is in the way (disk full, read-only, locked, not ours to remove): exit 3. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

export const EXIT = { ok: 0, invalid: 1, usage: 2, environment: 3 } as const;

/** File system failures, each said in one line by the path it concerns. */
const FS_CODES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'name too long for the file system',
  ELOOP: 'too many levels of symbolic links (a symlink loop)',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty (another run may be writing here)',
  EBUSY: 'resource busy',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EXDEV: 'cannot rename across file systems',
};

export function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).code! in FS_CODES;
}

/** `path: what went wrong (CODE)`, one line; the path is the one the system call named. */
export function describeFsError(e: NodeJS.ErrnoException, fallbackPath?: string): string {
  const path = printable(e.path ?? fallbackPath ?? 'a file');
  const target = (e as { dest?: string }).dest;
  const dest = target ? ` -> ${printable(target)}` : '';
  return `${path}${dest}: ${FS_CODES[e.code!] ?? e.code} (${e.code})`;
}

/** Makes an I/O failure an EnvironmentError that names its path. */
export function asEnvironmentError(e: unknown, path?: string): unknown {
  return isFsError(e) ? new EnvironmentError(describeFsError(e, path)) : e;
}

import { optionHint } from './command-line';

/**
 * The one error boundary every command runs in. Exit codes: 0 success, 1 invalid input (a
 * profile, a failed check), 2 usage, 3 environment or I/O. Whatever escapes is printed as one
 * line: never a stack trace (unless --debug), never the text of a profile.
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
  const path = e.path ?? fallbackPath ?? 'a file';
  const target = (e as { dest?: string }).dest;
  const dest = target ? ` -> ${target}` : '';
  return `${path}${dest}: ${FS_CODES[e.code!] ?? e.code} (${e.code})`;
}

/** Makes an I/O failure an EnvironmentError that names its path. */
export function asEnvironmentError(e: unknown, path?: string): unknown {
  return isFsError(e) ? new EnvironmentError(describeFsError(e, path)) : e;
}

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface BoundaryOptions {
  usage: string;
  /** Print the stack of an unexpected error. */
  debug?: boolean;
  /** Errors of the command's own kinds (ProfileError, CheckError, ...): exit 1 with their message. */
  invalid?: (e: unknown) => string | undefined;
}

/** The exit code and lines for an error that reached the top of a command. */
export function reportError(e: unknown, io: CommandIo, opts: BoundaryOptions): number {
  const invalid = opts.invalid?.(e);
  if (invalid !== undefined) {
    io.err(invalid);
    return EXIT.invalid;
  }
  if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    io.err(`error: ${optionHint(e, opts.usage) ?? (e as Error).message}\n${opts.usage}`);
    return EXIT.usage;
  }
  if (e instanceof InputError) {
    io.err(`✗ ${e.message}`);
    return EXIT.invalid;
  }
  if (e instanceof EnvironmentError) {
    io.err(`✗ ${e.message}`);
    return EXIT.environment;
  }
  if (isFsError(e)) {
    io.err(`✗ ${describeFsError(e)}`);
    return EXIT.environment;
  }
  // A bug of ours: its message may carry anything (a library may quote its input), so it is not shown.
  const kind = e instanceof Error ? e.name : typeof e;
  io.err(`✗ internal error (${kind}); please report it to the aura-manifests team with the command you ran${opts.debug ? '' : ' (run again with --debug for details)'}`);
  if (opts.debug) io.err(e instanceof Error ? (e.stack ?? e.message) : String(e));
  return EXIT.environment;
}

/** Runs a command body inside the boundary. */
export function withBoundary(io: CommandIo, opts: BoundaryOptions, body: () => number): number {
  try {
    return body();
  } catch (e) {
    return reportError(e, io, opts);
  }
}

export async function withBoundaryAsync(io: CommandIo, opts: BoundaryOptions, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    return reportError(e, io, opts);
  }
}

/** Removes `--debug` from argv; the boundary reads it before the command's own parser does. */
export function takeDebugFlag(argv: readonly string[]): { argv: string[]; debug: boolean } {
  const rest = argv.filter((a) => a !== '--debug');
  return { argv: rest, debug: rest.length !== argv.length || process.env.AURA_DEBUG === '1' };
}

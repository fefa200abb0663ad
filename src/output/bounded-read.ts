import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { asEnvironmentError } from '../util/errors';

/**
 * Reads a regular file without following a symlink and without blocking on a pipe, at most
 * `maxBytes` (one more is read to tell a file that grew); undefined when it is not a regular
 * file of at most that size.
 */
export function readBounded(file: string, maxBytes: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOENT' || code === 'ENXIO' || code === 'EISDIR') return undefined;
    throw asEnvironmentError(e, file);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    return n > maxBytes ? undefined : buf.subarray(0, n);
  } catch (e) {
    throw asEnvironmentError(e, file);
  } finally {
    closeSync(fd);
  }
}


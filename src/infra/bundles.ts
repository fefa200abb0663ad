import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { InputError } from '../util/errors';

/**
 * The libraries of local_modules/, npm pack bundles (.tgz): read bounded, each identified by the
 * package.json inside it, never unpacked here. What the image build is given is exactly what the
 * profile declares, or the build is refused.
 */
export interface Bundle {
  file: string;
  name: string;
  version: string;
  sha256: string;
  path: string;
}

/** A library may be large; a bundle beyond this is not a library. */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
/** package/package.json is among the first entries npm pack writes: only the head is inflated. */
const HEAD_COMPRESSED = 4 * 1024 * 1024;
const HEAD_INFLATED = 16 * 1024 * 1024;

/** The .tgz files of a folder, each read and identified. */
export function readBundles(folder: string): Bundle[] {
  let entries: string[];
  try {
    const st = lstatSync(folder);
    if (!st.isDirectory()) throw new InputError(`--bundles ${folder}: not a folder`);
    entries = readdirSync(folder);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`--bundles ${folder}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'}); name the local_modules folder of the libraries' bundles`);
  }
  return entries
    .filter((f) => f.endsWith('.tgz'))
    .sort()
    .map((file) => readBundle(join(folder, file), file));
}

function readBundle(path: string, file: string): Bundle {
  if (!/^[A-Za-z0-9._@+-]{1,200}\.tgz$/.test(file)) throw new InputError(`a bundle of local_modules has a file name npm pack does not write; rename it as <name>-<version>.tgz`);
  const st = lstatSync(path);
  if (!st.isFile()) throw new InputError(`${file}: not a regular file (a symlink or folder is not read)`);
  if (st.size > MAX_BUNDLE_BYTES) throw new InputError(`${file}: larger than ${MAX_BUNDLE_BYTES / 1024 / 1024} MiB`);
  const fd = openSync(path, 'r');
  let data: Buffer;
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_BUNDLE_BYTES) throw new InputError(`${file}: larger than ${MAX_BUNDLE_BYTES / 1024 / 1024} MiB`);
    data = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, data, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    data = data.subarray(0, at);
  } finally {
    closeSync(fd);
  }
  const manifest = packageJsonOf(data, file);
  return { file, name: manifest.name, version: manifest.version, sha256: createHash('sha256').update(data).digest('hex'), path };
}

/** package/package.json of an npm pack bundle: its name and version, checked. */
export function packageJsonOf(data: Buffer, file: string): { name: string; version: string } {
  let tar: Buffer;
  try {
    tar = gunzipSync(data.subarray(0, HEAD_COMPRESSED), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: HEAD_INFLATED });
  } catch {
    throw new InputError(`${file}: not a gzip file (npm pack writes .tgz bundles)`);
  }
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, to: number) => header.subarray(from, to).toString('latin1').replace(/\0.*$/s, '');
    const name = (field(345, 500) ? `${field(345, 500)}/` : '') + field(0, 100);
    const size = parseInt(field(124, 136).trim() || '0', 8);
    const type = field(156, 157);
    if (!Number.isSafeInteger(size) || size < 0) break;
    const body = at + 512;
    if (name === 'package/package.json' && (type === '0' || type === '')) {
      if (body + size > tar.length) break;
      let parsed: any;
      try {
        parsed = JSON.parse(tar.subarray(body, body + size).toString('utf8'));
      } catch {
        throw new InputError(`${file}: its package.json is not JSON`);
      }
      if (typeof parsed?.name !== 'string' || !/^(@[a-z0-9][a-z0-9._-]{0,100}\/)?[a-z0-9][a-z0-9._-]{0,100}$/.test(parsed.name))
        throw new InputError(`${file}: its package.json has no valid package name`);
      if (typeof parsed.version !== 'string' || !/^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(-[0-9A-Za-z.-]{1,60})?$/.test(parsed.version))
        throw new InputError(`${file}: its package.json has no valid version`);
      return { name: parsed.name, version: parsed.version };
    }
    at = body + Math.ceil(size / 512) * 512;
  }
  throw new InputError(`${file}: no package/package.json among its first entries (is it an npm pack bundle?)`);
}

/**
 * Where cache records live, and why one can be believed. A record is never read from the output
 * tree (a pull request can commit anything there): records live in a cache folder of this
 * machine, one folder per output folder, and each is authenticated with an HMAC whose key never
 * leaves the machine. A record whose MAC does not verify is not a record.
 *
 * - Folder: $AURA_MANIFESTS_CACHE_DIR, or node_modules/.cache/aura-manifests/ of the repository
 *   (npm ci starts it empty); inside it, one folder per output folder (a hash of its real path).
 * - Key: $AURA_CACHE_KEY (at least 32 characters: a CI secret), or else, outside CI, a random
 *   key made on first use in $XDG_CACHE_HOME/aura-manifests/record-key (~/.cache by default),
 *   readable by its owner only, never inside the repository or the output folder.
 * - Under CI (CI set, and not "false" or "0") without $AURA_CACHE_KEY there is no key: nothing
 *   is trusted and every profile is compiled. With it, a record the CI restored from its own
 *   cache is trusted when it verifies; one a pull request planted does not (it lacks the key).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, openSync, realpathSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { readBounded } from '../output/tree';

export const REPOSITORY = resolve(__dirname, '../..');

/** A record is a page of hashes; anything larger was not written by the tool. */
const MAX_RECORD_BYTES = 256 * 1024;
const KEY_FILE = 'record-key';

export interface RecordStore {
  /** The record of a profile for an output folder, when it exists and its MAC verifies. */
  read(outDir: string, profile: string): string | undefined;
  /** Stores a record (best effort: a cache that cannot be written only makes the next run slower). */
  write(outDir: string, profile: string, body: string): void;
  /** Where the records of an output folder are (for messages and tests). */
  folder(outDir: string): string;
}

const isCi = (env: NodeJS.ProcessEnv) => env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';

const inside = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/** The real path of a path that may not exist yet: its nearest existing ancestor resolved. */
function realish(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realish(parent), abs.slice(parent.length + 1));
  }
}

/** The machine's key file: made on first use, refused unless it is a regular file of this user, private, outside the checkout. */
function machineKey(env: NodeJS.ProcessEnv, forbidden: readonly string[]): Buffer | undefined {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  const file = join(base, 'aura-manifests', KEY_FILE);
  const real = realish(file);
  if (forbidden.some((root) => inside(real, root))) return undefined;
  const trusted = () => {
    const st = lstatSync(file, { throwIfNoEntry: false });
    if (!st || !st.isFile() || (st.mode & 0o077) !== 0) return undefined;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return undefined;
    const key = readBounded(file, 128);
    return key && key.length >= 32 ? key : undefined;
  };
  const existing = trusted();
  if (existing) return existing;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, randomBytes(32).toString('hex'));
    } finally {
      closeSync(fd);
    }
  } catch {
    // Another run made it meanwhile, or the home is read-only: read what is there, or go without a cache.
  }
  return trusted();
}

/** The record store of this run, or undefined when no record can be trusted (see the file comment). */
export function recordStore(outDir: string, env: NodeJS.ProcessEnv = process.env): RecordStore | undefined {
  const out = realish(outDir);
  const cacheRoot = realish(env.AURA_MANIFESTS_CACHE_DIR && env.AURA_MANIFESTS_CACHE_DIR.startsWith('/') ? env.AURA_MANIFESTS_CACHE_DIR : join(REPOSITORY, 'node_modules', '.cache', 'aura-manifests'));
  // A cache inside the output tree would be committed with it: not a cache, a forgery waiting to happen.
  if (inside(cacheRoot, out)) return undefined;
  const given = env.AURA_CACHE_KEY;
  let key: Buffer | undefined;
  if (given !== undefined && given !== '') key = given.length >= 32 ? Buffer.from(given, 'utf8') : undefined;
  else if (!isCi(env)) key = machineKey(env, [REPOSITORY, out]);
  if (!key) return undefined;
  const folder = (dir: string) => join(cacheRoot, createHmac('sha256', 'aura-manifests output folder').update(realish(dir)).digest('hex').slice(0, 32));
  // The MAC covers the output folder and the profile too: a record moved to another place proves nothing there.
  const mac = (dir: string, profile: string, body: string) => createHmac('sha256', key!).update(`${realish(dir)}\0${profile}\0${body}`).digest();
  return {
    folder,
    read(dir, profile) {
      const bytes = readBounded(join(folder(dir), `${profile}.json`), MAX_RECORD_BYTES);
      if (!bytes) return undefined;
      const text = bytes.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline !== 64) return undefined;
      const body = text.slice(newline + 1);
      const given = Buffer.from(text.slice(0, 64), 'hex');
      const expected = mac(dir, profile, body);
      return given.length === expected.length && timingSafeEqual(given, expected) ? body : undefined;
    },
    write(dir, profile, body) {
      const target = join(folder(dir), `${profile}.json`);
      const tmp = `${target}.tmp-${process.pid}`;
      try {
        mkdirSync(dirname(target), { recursive: true });
        const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
        try {
          writeSync(fd, `${mac(dir, profile, body).toString('hex')}\n${body}`);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, target);
      } catch {
        // Best effort (a read-only node_modules, a full disk): the next run compiles.
      }
    },
  };
}

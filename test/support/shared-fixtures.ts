// Fixtures computed once per test run and shared by every worker: a shipped profile is compiled
// by the first test that needs it, written to the run's fixture folder (test/support/global-setup.ts
// makes it, empty, and removes it at the end), and read from there by every other test and worker.
// A fixture is deep-frozen where it is handed out: a test that mutates a shared object throws
// (TypeError) instead of changing what the next test sees. Copy before changing
// (structuredClone, new Map(...)). Nothing from an earlier run or the checkout is read: the folder
// is new each run.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's fixture folder (test/support/global-setup.ts). */
    fixtureDir: string;
  }
}

/** How long a worker waits for another one compiling the same fixture. */
const WAIT_MS = 180_000;

const memory = new Map<string, unknown>();

function fixtureDir(): string | undefined {
  try {
    return inject('fixtureDir');
  } catch {
    return undefined; // a config without the global setup: computed per worker
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The value of `compute` for `key`, computed once per run: by this worker, or read from the one
 * that did. `key` names the fixture (a file name: letters, digits, '-', '.'). A failure is shared
 * too: every test of the fixture fails with the first one's message.
 */
export function shared<T>(key: string, compute: () => T): T {
  if (!/^[A-Za-z0-9.-]+$/.test(key)) throw new Error(`fixture key ${key}: letters, digits, '-' and '.' only`);
  if (memory.has(key)) return memory.get(key) as T;
  const value = deepFreeze(load(key, compute));
  memory.set(key, value);
  return value;
}

type Stored<T> = { ok: true; value: T } | { ok: false; message: string };

function load<T>(key: string, compute: () => T): T {
  const dir = fixtureDir();
  if (!dir) return compute();
  const file = join(dir, `${key}.v8`);
  const unwrap = (s: Stored<T>): T => {
    if (s.ok) return s.value;
    throw new Error(`shared fixture ${key} failed in another test: ${s.message}`);
  };
  if (existsSync(file)) return unwrap(deserialize(readFileSync(file)) as Stored<T>);
  let owner = false;
  try {
    closeSync(openSync(join(dir, `${key}.lock`), 'wx'));
    owner = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (!owner) {
    const deadline = Date.now() + WAIT_MS;
    while (!existsSync(file)) {
      if (Date.now() > deadline) throw new Error(`shared fixture ${key}: still not written after ${WAIT_MS / 1000} s by the worker compiling it`);
      sleep(25);
    }
    return unwrap(deserialize(readFileSync(file)) as Stored<T>);
  }
  let stored: Stored<T>;
  try {
    stored = { ok: true, value: compute() };
  } catch (e) {
    stored = { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  writeFileSync(`${file}.tmp`, serialize(stored));
  renameSync(`${file}.tmp`, file);
  return unwrap(stored);
}

function refuse(this: unknown): never {
  throw new TypeError('a shared test fixture is read-only: copy it before changing it');
}

/** Freezes value and everything it holds; a Map or Set refuses set/add/delete/clear. */
export function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k, seen);
      deepFreeze(v, seen);
    }
    Object.defineProperties(value, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  } else if (value instanceof Set) {
    for (const v of value) deepFreeze(v, seen);
    Object.defineProperties(value, { add: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  } else {
    for (const v of Object.values(value)) deepFreeze(v, seen);
  }
  return Object.freeze(value);
}

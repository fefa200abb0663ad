// Issue 28: the bin runs the TypeScript sources compiled once (bin/compiled.js), from a cache whose
// entries are named by the bytes of each source. A stale entry must never run; a broken or
// unwritable cache must not stop the tool. Real processes, each with its own cache folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const LOADER = join(ROOT, 'bin/compiled.js');
const work = mkdtempSync(join(tmpdir(), 'aura-js-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `node -e script` with the loader registered and the cache in `cache`. */
function node(script: string, cache: string) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(LOADER)}).register() || process.exit(9); ${script}`], { cwd: ROOT, env: { ...process.env, AURA_JS_CACHE: cache }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

const entries = (cache: string) => (readdirSync(cache, { recursive: true }) as string[]).filter((p) => p.endsWith('.js')).map((p) => join(cache, p));

describe('the compiled-JavaScript cache of the bin', () => {
  it('names an entry by the source bytes: an edit, even one byte, is another entry', () => {
    const { entryKey, setup } = require(LOADER);
    setup();
    const source = readFileSync(join(ROOT, 'src/util/printable.ts'), 'utf8');
    expect(entryKey(source)).toBe(entryKey(`${source}`));
    expect(entryKey(source)).not.toBe(entryKey(source.replace(/.$/s, ' ')));
    expect(entryKey(source)).not.toBe(entryKey(`${source}\n`));
  });

  it('never runs a stale entry: an edited module runs as edited, same size and same mtime', () => {
    const cache = join(work, 'stale');
    const mod = join(work, 'module.ts');
    const load = `console.log(require(${JSON.stringify(mod)}).value)`;
    writeFileSync(mod, "export const value: string = 'first';\n");
    const { mtime } = statSync(mod);
    expect(node(load, cache).out).toBe('first');
    expect(entries(cache)).toHaveLength(1);
    writeFileSync(mod, "export const value: string = 'other';\n");
    utimesSync(mod, mtime, mtime);
    expect(node(load, cache).out).toBe('other');
    expect(entries(cache)).toHaveLength(2);
  });

  it('serves the second run from the cache, and the tool compiles the same through it', () => {
    const cache = join(work, 'reuse');
    const version = `require(${JSON.stringify(join(ROOT, 'src/commands/aura-manifests.ts'))}).run(['--version']).then((c) => process.exit(c))`;
    const first = node(version, cache);
    expect(first.code).toBe(0);
    const stored = entries(cache);
    expect(stored.length).toBeGreaterThan(3);
    const mtimes = stored.map((f) => statSync(f).mtimeMs);
    expect(node(version, cache)).toEqual(first);
    expect(entries(cache).map((f) => statSync(f).mtimeMs)).toEqual(mtimes);
  });

  it('does not use a torn or edited entry: it compiles again and replaces it', () => {
    const cache = join(work, 'torn');
    const mod = join(work, 'torn.ts');
    writeFileSync(mod, 'export const value: number = 41 + 1;\n');
    const load = `console.log(require(${JSON.stringify(mod)}).value)`;
    expect(node(load, cache).out).toBe('42');
    const [entry] = entries(cache);
    writeFileSync(entry!, readFileSync(entry!, 'utf8').replace('41', '666'));
    expect(node(load, cache).out).toBe('42');
    writeFileSync(entry!, readFileSync(entry!, 'utf8').slice(0, 50));
    expect(node(load, cache).out).toBe('42');
    expect(readFileSync(entry!, 'utf8')).toMatch(/^\/\/aura [0-9a-f]{64}\n/);
  });

  it('runs when the cache folder cannot be written, or is off', () => {
    const blocked = join(work, 'blocked');
    writeFileSync(blocked, 'a file where the folder would be');
    const mod = join(work, 'plain.ts');
    writeFileSync(mod, 'export const value = 7 as number;\n');
    const load = `console.log(require(${JSON.stringify(mod)}).value)`;
    expect(node(load, blocked)).toMatchObject({ code: 0, out: '7' });
    expect(node(load, 'off')).toMatchObject({ code: 0, out: '7' });
  });
});

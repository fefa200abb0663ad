import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { JOURNAL_FILE, LOCK_FILE, lockOutput, MARKER_FILE, MARKER_TEXT, recover, runSwap, swapSteps } from '../../src/output/journal';
import { EnvironmentError } from '../../src/util/errors';
import { populatedOut, snapshot, synth } from './harness';

// Root causes 3, 5 and 10: the tool removes only what it wrote, its swap survives a kill at any
// step, and file-system failures are one line by path with exit 3.

const OLD = new Map([['manifests/a.yaml', 'old a\n'], ['manifests/gone.yaml', 'old only\n']]);
const NEW = new Map([['manifests/a.yaml', 'new a\n'], ['manifests/b/c.yaml', 'new c\n']]);

function outWithOld(names: string[]): string {
  const out = mkdtempSync(join(tmpdir(), 'aura-swap-'));
  runSwap(out, names.map((name) => ({ name, files: OLD })));
  return out;
}

/** A profile folder's content, without the marker; undefined if missing. */
function contentOf(out: string, name: string): Record<string, string> | undefined {
  if (!existsSync(join(out, name))) return undefined;
  const snap = snapshot(join(out, name));
  expect(snap[MARKER_FILE]).toBe(MARKER_TEXT);
  delete snap[MARKER_FILE];
  return Object.fromEntries(Object.entries(snap).filter(([k]) => !k.endsWith('/')));
}
const asRecord = (m: Map<string, string>) => Object.fromEntries(m);

describe('crash-safe swap', () => {
  const names = ['p1', 'p2'];
  const total = swapSteps(mkdtempSync(join(tmpdir(), 'aura-count-')), names.map((name) => ({ name, files: NEW })), 'count').length;

  it.each([...Array(total + 1).keys()])('killed after step %i of the swap, the next run leaves every folder complete old or new', (k) => {
    const out = outWithOld(names);
    const steps = swapSteps(out, names.map((name) => ({ name, files: NEW })), 'killed');
    steps.slice(0, k).forEach((step) => step());
    // A killed staging step may also have left half a file (after its marker, written first): simulate the worst case.
    if (k < names.length) {
      mkdirSync(join(out, '.aura-staging-p2-killed', 'manifests'), { recursive: true });
      writeFileSync(join(out, '.aura-staging-p2-killed', MARKER_FILE), MARKER_TEXT);
      writeFileSync(join(out, '.aura-staging-p2-killed', 'manifests', 'a.yaml'), 'new');
    }
    recover(out);
    const states = names.map((n) => contentOf(out, n));
    for (const s of states) expect([asRecord(OLD), asRecord(NEW)]).toContainEqual(s);
    // Before the journal exists the swap rolls back; from then on it rolls forward: all old or all new.
    expect(new Set(states.map((s) => JSON.stringify(s))).size).toBe(1);
    expect(states[0]).toEqual(k > names.length ? asRecord(NEW) : asRecord(OLD));
    expect(readdirSync(out).filter((e) => e.startsWith('.'))).toEqual([]); // no staging, old or journal left
  });

  it('a real process killed (SIGKILL) in the middle of the swap: --check reports it and writes nothing; the next synth finishes it', async () => {
    const out = outWithOld(['p1']);
    // The child stops after renaming the old folder away (the moment a folder is missing) and waits to be killed.
    const script = `const j = require(${JSON.stringify(join(__dirname, '../../src/output/journal.ts'))});
      const steps = j.swapSteps(${JSON.stringify(out)}, [{ name: 'p1', files: new Map([['manifests/a.yaml', 'new a\\n']]) }], 'child');
      for (const s of steps.slice(0, 3)) s();
      process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ok) => child.stdout!.on('data', () => ok()));
    expect(existsSync(join(out, 'p1'))).toBe(false); // the window the old swap left open
    child.kill('SIGKILL');
    await new Promise((ok) => child.on('exit', ok));
    const before = snapshot(out);
    const check = synth('--profile', 'de-pro', '--check', '--out', out);
    expect(check.code).toBe(1);
    expect(check.err).toMatch(/\.aura-journal\.json was left by an interrupted synth \(its journal\); run npm run synth -- --all/);
    expect(snapshot(out)).toEqual(before);
    // The next synth (here of another profile into the folder) finishes the swap first.
    const r = synth('--profile', 'de-pro', '--out', out);
    expect(r.out).toMatch(/finished the interrupted update of p1/);
    expect(contentOf(out, 'p1')).toEqual({ 'manifests/a.yaml': 'new a\n' });
    expect(readdirSync(out).filter((e) => e.startsWith('.'))).toEqual([]);
  }, 60_000);

  it('a failure while staging (here a name too long; a full disk alike) removes the staging folder and names the path', () => {
    const out = outWithOld(['p1']);
    const before = snapshot(out);
    expect(() => runSwap(out, [{ name: 'p1', files: new Map([[`manifests/${'x'.repeat(300)}.yaml`, 'y']]) }])).toThrow(/ENAMETOOLONG/);
    try {
      runSwap(out, [{ name: 'p1', files: new Map([[`manifests/${'x'.repeat(300)}.yaml`, 'y']]) }]);
    } catch (e) {
      expect(e).toBeInstanceOf(EnvironmentError);
      expect((e as Error).message).toMatch(/^\/.*x{300}\.yaml: name too long for the file system \(ENAMETOOLONG\)$/);
    }
    expect(snapshot(out)).toEqual(before);
  });
});

describe('the tool removes and replaces only what it wrote', () => {
  it('refuses to replace a folder without its marker, and leaves it byte-identical', () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-foreign-'));
    mkdirSync(join(out, 'p1', 'src'), { recursive: true });
    writeFileSync(join(out, 'p1', 'src', 'main.ts'), 'precious\n');
    const before = snapshot(out);
    expect(() => runSwap(out, [{ name: 'p1', files: NEW }])).toThrow(/was not written by aura-manifests \(it has no \.aura-manifests file\): refusing to replace it/);
    recover(out);
    expect(snapshot(out)).toEqual(before);
  });

  it('recovery ignores a forged journal pointing outside the folder, and folders without the marker', () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-forged-'));
    const victim = mkdtempSync(join(tmpdir(), 'aura-victim-'));
    writeFileSync(join(victim, 'keep'), 'k');
    mkdirSync(join(out, 'p1'));
    writeFileSync(join(out, 'p1', 'keep'), 'k');
    writeFileSync(join(out, JOURNAL_FILE), JSON.stringify({ swaps: [{ name: 'p1', staging: '../x', old: `../${victim.split('/').pop()}` }, { name: 'p1', staging: 'nope', old: 'p1' }] }));
    recover(out);
    expect(snapshot(victim)).toEqual({ keep: 'k' });
    expect(snapshot(out)).toEqual({ 'p1/': '', 'p1/keep': 'k' });
  });

  it('with --all --out DIR, a foreign folder with manifests/ and a foreign file are kept; a profile named twice is compiled once', () => {
    const out = populatedOut();
    const r = synth('--profile', 'de-pro', '--profile', join(DEFAULT_PROFILES_DIR, 'de-pro.yaml'), '--profile', './profiles/de-pro.yaml', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out.match(/de-pro: \d+ objects/g)).toHaveLength(1);
    const snap = snapshot(out);
    expect(snap['mine/manifests/keep.yaml']).toBe('mine: true\n');
    expect(snap['notes.txt']).toBe('not ours\n');
    expect(snap[`de-pro/${MARKER_FILE}`]).toBe(MARKER_TEXT);
    expect(Object.keys(snap).filter((k) => k.startsWith('.'))).toEqual([]);
  }, 60_000);

  it('--all removes an orphan folder only when it carries the marker', () => {
    const profiles = mkdtempSync(join(tmpdir(), 'aura-one-profile-'));
    cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(profiles, 'layers'), { recursive: true });
    cpSync(join(DEFAULT_PROFILES_DIR, 'de-pro.yaml'), join(profiles, 'de-pro.yaml'));
    const out = populatedOut();
    const r = synth('--all', '--profiles', profiles, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/removed .*\/p \(no such profile any more\)/);
    const snap = snapshot(out);
    expect(snap['p/']).toBeUndefined(); // ours (marked): removed
    expect(snap['mine/manifests/keep.yaml']).toBe('mine: true\n'); // has manifests/, but no marker: kept
    expect(snap['notes.txt']).toBe('not ours\n');
  }, 60_000);

  it('two different files with one profile name are a usage error (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-twice-'));
    writeFileSync(join(dir, 'de-pro.yaml'), 'extends: de-pro\n');
    const r = synth('--profile', 'de-pro', '--profile', join(dir, 'de-pro.yaml'), '--out', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/two different files are both named profile de-pro/);
  });
});

describe('locks and file-system errors', () => {
  it('a second run into a locked folder fails clearly (exit 3); a lock of a dead process is taken over', () => {
    const out = populatedOut();
    writeFileSync(join(out, LOCK_FILE), `${process.ppid}\n`); // a live process that is not this one
    const before = snapshot(out);
    const r = synth('--profile', 'de-pro', '--check', '--out', out, '--profiles', join(__dirname, '../fixtures/profiles'));
    expect(r.code).not.toBe(0);
    writeFileSync(join(out, LOCK_FILE), '999999999\n');
    const release = lockOutput(out);
    release();
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    writeFileSync(join(out, LOCK_FILE), `${process.ppid}\n`);
    expect(() => lockOutput(out)).toThrow(/is being written by another run \(process \d+/);
    rmSync(join(out, LOCK_FILE));
    expect(snapshot(out)).toEqual(Object.fromEntries(Object.entries(before).filter(([k]) => k !== LOCK_FILE)));
  });

  const fresh = () => mkdtempSync(join(tmpdir(), 'aura-fs-'));
  it.each([
    ['--out at a file', (d: string) => (writeFileSync(join(d, 'f'), ''), join(d, 'f')), /--out must be a folder, and this is a file/],
    ['--out below a file', (d: string) => (writeFileSync(join(d, 'f'), ''), join(d, 'f', 'out')), /ENOTDIR|ENOENT|not a directory/],
    ['--out with a name too long', (d: string) => join(d, 'x'.repeat(300)), /name too long for the file system \(ENAMETOOLONG\)/],
    ['--out through a symlink loop', (d: string) => (symlinkSync(join(d, 'loop'), join(d, 'loop')), join(d, 'loop', 'out')), /symlink loop|ELOOP/],
  ])('%s: exit 3, one line by path, no stack', (_, make, message) => {
    const d = fresh();
    const out = make(d);
    const r = synth('--profile', 'de-pro', '--out', out);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 60_000);
});

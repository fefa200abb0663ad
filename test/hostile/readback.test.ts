// Items 4 and 9 of issue 23: what the tool reads back from a checkout's output is bounded and
// named. The committed Chart.yaml (the base of the next chart version), and the committed objects
// `diff --against` reads at a git ref: each hostile shape is one line naming the file, exit 1,
// quickly, without quoting it, and nothing is written. A full disk names the path it failed on.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main as diffMain } from '../../src/commands/diff';
import { MINIMAL } from '../helpers';
import { runMain, SENTINEL, sentinelNowhere, snapshot, synth } from './harness';

let profiles: string;
let base: string;
beforeAll(() => {
  profiles = mkdtempSync(join(tmpdir(), 'aura-readback-profiles-'));
  writeFileSync(join(profiles, 'p.yaml'), MINIMAL);
  base = mkdtempSync(join(tmpdir(), 'aura-readback-base-'));
  expect(synth('--profile', 'p', '--profiles', profiles, '--out', base).code).toBe(0);
});

const chart = (out: string) => join(out, 'p', 'chart', 'Chart.yaml');
const versionOf = (out: string) => /^version: (\S+)$/m.exec(readFileSync(chart(out), 'utf8'))![1];
function outWith(plant: (file: string) => void): string {
  const out = mkdtempSync(join(tmpdir(), 'aura-readback-out-'));
  cpSync(base, out, { recursive: true });
  plant(chart(out));
  return out;
}
const replaceWith = (text: string) => (file: string) => writeFileSync(file, text);
const withVersion = (v: string) => (file: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: .*$/m, `version: ${v}`));

describe('the committed Chart.yaml is read back bounded', () => {
  it.each([
    ['a symlink to /dev/zero', (f: string) => (rmSync(f), symlinkSync('/dev/zero', f)), /Chart\.yaml is a symlink; the tool writes a regular file there/],
    ['a named pipe', (f: string) => (rmSync(f), execFileSync('mkfifo', [f])), /Chart\.yaml is not a regular file/],
    ['a 2 MB file', replaceWith(`# ${SENTINEL}\n${'x: 1\n'.repeat(400_000)}`), /Chart\.yaml is larger than 64 KiB/],
    ['a revision of 21 digits (it would print as 1e+21)', withVersion('0.1.999999999999999999999'), /version is not a release version MAJOR\.MINOR\.PATCH/],
    ['a revision past 2^53', withVersion('0.1.9007199254740993'), /version is not a release version|too large to count on from/],
    ['a revision at 2^53 - 1 (the next would not be exact)', withVersion('0.1.9007199254740991'), /too large to count on from/],
    ['a leading zero', withVersion('0.1.05'), /version is not a release version/],
    ['a prerelease', withVersion('0.1.5-rc.1'), /version is not a release version/],
    ['git conflict markers', (f: string) => writeFileSync(f, readFileSync(f, 'utf8').replace(/^version: (.*)$/m, '<<<<<<< ours\nversion: 0.1.7\n=======\nversion: 0.1.9\n>>>>>>> theirs')), /has git conflict markers: both branches moved the chart version; keep the side with the higher version/],
    ['an alias bomb', replaceWith(`a: &a [${SENTINEL}, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nversion: 0.1.2\n`), /aliases expand to too much data/],
    ['an empty file', replaceWith(''), /Chart\.yaml: empty/],
    ['not YAML', replaceWith(`version: "${SENTINEL}\n`), /Chart\.yaml: not valid YAML/],
    ['a version that is not text', replaceWith('version: [1]\n'), /version is not a release version/],
  ])('%s: synth and --check exit 1 naming the file, nothing written', (_, plant, message) => {
    const out = outWith(plant);
    const before = snapshot(out);
    for (const check of [[], ['--check']]) {
      const r = synth('--profile', 'p', '--profiles', profiles, '--out', out, ...check);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err).toContain(chart(out));
      expect(r.err.split('\n')).toHaveLength(1);
      expect(sentinelNowhere(r)).toBe(true);
      expect(snapshot(out)).toEqual(before);
    }
  });

  it('the version counts on from a valid one, and never resets: without the hash annotation it grows', () => {
    const out = outWith(withVersion('0.1.41'));
    // The content hash still matches: same content, same revision (the version as committed).
    expect(synth('--profile', 'p', '--profiles', profiles, '--out', out).code).toBe(0);
    expect(versionOf(out)).toBe('0.1.41');
    writeFileSync(chart(out), readFileSync(chart(out), 'utf8').replace(/^ {2}auracognitive\.com\/content-hash: .*\n/m, ''));
    expect(synth('--profile', 'p', '--profiles', profiles, '--out', out).code).toBe(0);
    expect(versionOf(out)).toBe('0.1.42');
    const top = outWith(withVersion('0.1.9007199254740990'));
    writeFileSync(chart(top), readFileSync(chart(top), 'utf8').replace(/content-hash: .*/, 'content-hash: 000000000000'));
    expect(synth('--profile', 'p', '--profiles', profiles, '--out', top).code).toBe(0);
    expect(versionOf(top)).toBe('0.1.9007199254740991');
  });
});

describe('diff --against reads the committed objects at a ref bounded', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'aura-readback-git-'));
    git('init', '-q');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'ci');
    cpSync(join(base, 'p'), join(repo, 'dist', 'p'), { recursive: true });
    git('add', '-A');
    git('commit', '-qm', 'base');
  });

  it.each([
    ['an alias bomb', `a: &a [${SENTINEL}, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`, /aliases expand to too much data/],
    ['an empty file', '', /: empty \(no YAML document\)/],
    ['not YAML', `kind: "${SENTINEL}\n`, /: not valid YAML/],
    ['not an object', `- ${SENTINEL}\n`, /: not a Kubernetes object/],
    ['conflict markers', `<<<<<<< ours\nkind: A\n=======\nkind: B\n>>>>>>> theirs\n`, /has git conflict markers/],
  ])('%s in a committed object file: exit 1, naming the file', (_, text, message) => {
    const file = join(repo, 'dist/p/manifests/core/bad.yaml');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    git('add', '-A');
    git('commit', '-qm', 'bad');
    const r = runMain(diffMain, ['--profile', 'p', '--profiles', profiles, '--against', 'HEAD', '--out', join(repo, 'dist')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('manifests/core/bad.yaml');
    expect(r.err).not.toMatch(/internal error/);
    expect(sentinelNowhere(r)).toBe(true);
  });
});

/** A tiny tmpfs (root only): a real full disk. Mounted by the test itself, unmounted in its finally. */
function mountFullDisk(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'aura-enospc-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
/** Whether this machine lets the test mount one (probed and unmounted at once). */
const canMount = (() => {
  const d = mountFullDisk();
  if (d) execFileSync('umount', [d]);
  return !!d;
})();

describe('a full disk', () => {
  it.skipIf(!canMount)('synth into a 256 KiB tmpfs: exit 3 naming the file it could not write (ENOSPC), and no staging folder left', () => {
    const disk = mountFullDisk()!;
    try {
      const r = synth('--profile', 'p', '--profiles', profiles, '--out', disk);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(new RegExp(`^✗ ${disk}/\\.aura-staging-p-\\d+/\\S+: no space left on the device \\(ENOSPC\\)$`));
      expect(r.err).not.toMatch(/a file:/);
      expect(snapshot(disk)).toEqual({});
    } finally {
      execFileSync('umount', [disk]);
    }
  });
});

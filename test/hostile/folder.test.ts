// Items 1, 2 and 4 of issue 23: every entry of a profile folder is accounted for, the output
// folder holds nothing nobody compiled, a record describes its inputs as the compile read them,
// and --check writes nothing. Each hostile shape: the exit code, the message naming the entry,
// no sentinel anywhere, and nothing outside what the tool wrote changed.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as build from '../../src/build';
import { compiler } from '../support/compiler';
import { provideCompiler } from '../../src/incremental/run';
import { MARKER_FILE } from '../../src/output/journal';
import { MINIMAL } from '../helpers';
import { SENTINEL, sentinelNowhere, snapshot, synth } from './harness';

const ADMIN_BINDING = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ${SENTINEL} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: ServiceAccount, name: default, namespace: default }]
`;

let profiles: string;
let base: string;
beforeAll(() => {
  profiles = mkdtempSync(join(tmpdir(), 'aura-folder-profiles-'));
  writeFileSync(join(profiles, 'p.yaml'), MINIMAL);
  base = mkdtempSync(join(tmpdir(), 'aura-folder-base-'));
  const r = synth('--all', '--profiles', profiles, '--out', base);
  expect(r.code, r.err).toBe(0);
});

/** A copy of the compiled output folder, its record in the store with it (a record is keyed by the folder: recompiled once). */
function compiledOut(): string {
  const out = mkdtempSync(join(tmpdir(), 'aura-folder-out-'));
  cpSync(base, out, { recursive: true });
  const r = synth('--all', '--profiles', profiles, '--out', out);
  expect(r.code, r.err).toBe(0);
  return out;
}

const outside = () => {
  const f = join(mkdtempSync(join(tmpdir(), 'aura-outside-')), 'target.yaml');
  writeFileSync(f, `secret: ${SENTINEL}\n`);
  return f;
};

// [what, plant it into the profile folder p (returns the entry as --check names it), the note --check gives]
const IN_FOLDER: [string, (p: string) => string, RegExp?][] = [
  ['a hidden file at the folder root (a cluster-admin binding)', (p) => (writeFileSync(join(p, '.extra.yaml'), ADMIN_BINDING), '.extra.yaml')],
  ['a hidden file where kubectl apply -f reads (gitops/flux/)', (p) => (writeFileSync(join(p, 'gitops/flux/.hidden.yaml'), ADMIN_BINDING), 'gitops/flux/.hidden.yaml')],
  ['a file in a hidden folder', (p) => (mkdirSync(join(p, '.hidden')), writeFileSync(join(p, '.hidden/x.yaml'), ADMIN_BINDING), '.hidden/x.yaml')],
  ['an empty folder of its own', (p) => (mkdirSync(join(p, 'manifests/core/evil')), 'manifests/core/evil/')],
  ['a plain file of its own', (p) => (writeFileSync(join(p, 'manifests/core/extra.yaml'), ADMIN_BINDING), 'manifests/core/extra.yaml')],
  ['a symlink to a file outside', (p) => (symlinkSync(outside(), join(p, 'manifests/link.yaml')), 'manifests/link.yaml'), /a symlink \(never written by the tool, not followed\)/],
  ['a symlink in place of a compiled file, to a copy of it', (p) => {
    const copy = join(mkdtempSync(join(tmpdir(), 'aura-copy-')), 'k.yaml');
    writeFileSync(copy, readFileSync(join(p, 'kustomization.yaml')));
    rmSync(join(p, 'kustomization.yaml'));
    symlinkSync(copy, join(p, 'kustomization.yaml'));
    return 'kustomization.yaml';
  }, /a symlink/],
  ['a named pipe (a reader would hang on it)', (p) => (execFileSync('mkfifo', [join(p, 'chart/pipe')]), 'chart/pipe'), /not a regular file/],
  ['a 2 GiB sparse file (never read)', (p) => (writeFileSync(join(p, 'big.yaml'), ''), truncateSync(join(p, 'big.yaml'), 2 ** 31), 'big.yaml')],
  ["an earlier version's in-folder cache record", (p) => (writeFileSync(join(p, '.aura-cache.json'), '{"format":1}\n'), '.aura-cache.json')],
  ['a compiled file with one byte changed', (p) => (writeFileSync(join(p, 'kustomization.yaml'), readFileSync(join(p, 'kustomization.yaml'), 'utf8').replace('fifo', 'fifO')), 'kustomization.yaml')],
  ['the marker rewritten', (p) => (writeFileSync(join(p, MARKER_FILE), `${SENTINEL}\n`), MARKER_FILE)],
];

const cleanups: string[] = [];
afterEach(() => {
  for (const d of cleanups.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('every entry of a profile folder is accounted for', () => {
  it.each(IN_FOLDER)('%s: --check fails naming it, with or without the cache, writing nothing; synth removes it', (_, plant, note) => {
    const out = compiledOut();
    cleanups.push(out);
    const entry = plant(join(out, 'p'));
    const before = snapshot(out);
    for (const cache of [[], ['--no-cache']]) {
      const r = synth('--all', '--profiles', profiles, '--out', out, '--check', ...cache);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`(extra|differs) +${entry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      if (note) expect(r.err).toMatch(note);
      expect(`${r.out}${r.err}`).not.toMatch(/unchanged|proven by their cache record/);
      expect(sentinelNowhere(r)).toBe(true);
      expect(snapshot(out)).toEqual(before);
    }
    const w = synth('--all', '--profiles', profiles, '--out', out);
    expect(w.code, w.err).toBe(0);
    expect(snapshot(join(out, 'p'))).toEqual(snapshot(join(base, 'p')));
    expect(synth('--all', '--profiles', profiles, '--out', out, '--check').code).toBe(0);
  });

  it('a symlink is removed with the folder, never followed: its target is untouched', () => {
    const out = compiledOut();
    const target = outside();
    symlinkSync(target, join(out, 'p', 'manifests', 'link.yaml'));
    mkdirSync(join(out, 'p', '.dir'));
    symlinkSync(join(target, '..'), join(out, 'p', '.dir', 'folder-link'));
    const targetBefore = snapshot(join(target, '..'));
    const w = synth('--all', '--profiles', profiles, '--out', out);
    expect(w.code).toBe(0);
    expect(w.out).toMatch(/p: removed 3 entries the tool had not written \(\.dir\/, \.dir\/folder-link, manifests\/link\.yaml; symlinks not followed\)/);
    expect(snapshot(join(target, '..'))).toEqual(targetBefore);
    expect(existsSync(join(out, 'p', 'manifests', 'link.yaml'))).toBe(false);
  });
});

describe('under CI no record is trusted without the CI\'s own key', () => {
  it('a clean folder is compiled (not proven by its record), a tampered one fails, with no committed record at all', () => {
    const out = compiledOut();
    process.env.CI = 'true';
    try {
      const clean = synth('--all', '--profiles', profiles, '--out', out, '--check');
      expect(clean.code, clean.err).toBe(0);
      expect(clean.out).not.toMatch(/unchanged|proven by their cache record/);
      const file = join(out, 'p', 'manifests', 'core', '_cluster');
      const bot = join(out, 'p', 'kustomization.yaml');
      expect(existsSync(file)).toBe(true);
      writeFileSync(bot, readFileSync(bot, 'utf8').replace('fifo', 'fifO'));
      const tampered = synth('--all', '--profiles', profiles, '--out', out, '--check');
      expect(tampered.code).toBe(1);
      expect(tampered.err).toMatch(/differs +kustomization\.yaml/);
      // With a key of the CI's own, the records of this machine's compile (made with another key) prove nothing either.
      process.env.AURA_CACHE_KEY = 'k'.repeat(40);
      expect(synth('--all', '--profiles', profiles, '--out', out, '--check').out).not.toMatch(/unchanged/);
    } finally {
      delete process.env.CI;
      delete process.env.AURA_CACHE_KEY;
    }
  });
});

describe('the output folder holds nothing nobody compiled', () => {
  it.each([
    ['a hidden folder Argo CD would deploy (dist/.evil/gitops/argocd)', '.evil'],
    ['a folder of its own Argo CD would deploy (dist/evil/gitops/argocd)', 'evil'],
  ])('%s: --check --all fails naming it; synth keeps it and says so', (_, name) => {
    const out = compiledOut();
    mkdirSync(join(out, name, 'gitops', 'argocd'), { recursive: true });
    writeFileSync(join(out, name, 'gitops', 'argocd', 'app.yaml'), ADMIN_BINDING);
    const before = snapshot(out);
    const r = synth('--all', '--profiles', profiles, '--out', out, '--check');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${out}/${name} was not written by aura-manifests for any profile`);
    expect(sentinelNowhere(r)).toBe(true);
    expect(snapshot(out)).toEqual(before);
    const w = synth('--all', '--profiles', profiles, '--out', out);
    expect(w.code).toBe(0);
    expect(w.err).toContain(`⚠ ${out}/${name} was not written by aura-manifests`);
    expect(snapshot(out)[`${name}/gitops/argocd/app.yaml`]).toBe(ADMIN_BINDING); // not ours: kept
  });
});

/** A read-only view of a folder: a read-only bind mount (as root, where permission bits do not stop writes), else the bits. */
function readOnly(dir: string): { path: string; release: () => void } {
  const view = mkdtempSync(join(tmpdir(), 'aura-readonly-'));
  try {
    execFileSync('mount', ['--bind', dir, view], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'remount,ro,bind', view], { stdio: 'ignore' });
    return { path: view, release: () => execFileSync('umount', [view]) };
  } catch {
    rmSync(view, { recursive: true, force: true });
    execFileSync('chmod', ['-R', 'a-w', dir]);
    return { path: dir, release: () => execFileSync('chmod', ['-R', 'u+w', dir]) };
  }
}

describe('--check writes nothing and needs no lock', () => {
  it('works on a read-only output folder while another run holds the lock', () => {
    const out = compiledOut();
    writeFileSync(join(out, '.aura-lock'), `${process.ppid} ${'0'.repeat(32)}\n`); // a live process holds it
    const ro = readOnly(out);
    try {
      // The view is read-only indeed (else this test proves nothing).
      expect(() => writeFileSync(join(ro.path, 'p', 'probe'), 'x')).toThrow(/EROFS|EACCES/);
      const before = snapshot(ro.path);
      // The same folder by another path is another record key: compiled, and up to date.
      const r = synth('--all', '--profiles', profiles, '--out', ro.path, '--check');
      expect(r.code, r.err).toBe(0);
      expect(snapshot(ro.path)).toEqual(before);
      // synth itself needs the lock (and a writable folder): it says so, exit 3.
      const w = synth('--all', '--profiles', profiles, '--out', ro.path);
      expect(w.code).toBe(3);
      expect(w.err).toMatch(/being written by another run|EROFS|EACCES/);
    } finally {
      ro.release();
    }
  });
});

describe('a record describes its inputs as the compile read them', () => {
  // [what is edited, when: after the compile of this profile returns (the record is not yet written)]
  it.each([
    ['the profile file', 'p.yaml', 'p'],
    ['a layer it extends', 'layers/base.yaml', 'p'],
    ['a cluster sibling (compiled for the cluster view)', 'q.yaml', 'q'],
  ])('%s edited during the compile: the next run compiles again (no record vouches for it)', (_, file, after) => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-edit-profiles-'));
    mkdirSync(join(dir, 'layers'));
    writeFileSync(join(dir, 'layers/base.yaml'), MINIMAL);
    writeFileSync(join(dir, 'p.yaml'), 'extends: layers/base.yaml\n');
    writeFileSync(join(dir, 'q.yaml'), 'extends: layers/base.yaml\ntenant_name: qa\n');
    const out = mkdtempSync(join(tmpdir(), 'aura-edit-out-'));
    const edit = () => writeFileSync(join(dir, file), `${readFileSync(join(dir, file), 'utf8')}\nnotifications_email: other@example.com\n`.replace(/^notifications_email: ops@example.com\n/m, ''));
    let edited = false;
    provideCompiler({
      ...compiler,
      buildProfile: (ref, ...rest) => {
        const b = build.buildProfile(ref, ...rest);
        if (!edited && b.name === after) (edited = true), edit();
        return b;
      },
    });
    try {
      const first = synth('--profile', 'p', '--profiles', dir, '--out', out);
      expect(first.code, first.err).toBe(0);
      expect(edited).toBe(true);
    } finally {
      provideCompiler(compiler);
    }
    const before = snapshot(out);
    const check = synth('--profile', 'p', '--profiles', dir, '--out', out, '--check');
    expect(check.out).not.toMatch(/unchanged|proven by their cache record/);
    // The profile's own output changed with the edit (a sibling's edit changes only what the cluster view sees).
    expect(check.code).toBe(after === 'p' ? 1 : 0);
    expect(snapshot(out)).toEqual(before);
  });
});

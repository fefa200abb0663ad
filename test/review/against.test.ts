import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { main } from '../../src/commands/diff';
import { committedOutput } from '../../src/review/committed';
import { MARKER_FILE, MARKER_TEXT } from '../../src/output/journal';
import { pairRenames } from '../../src/review/profile-sets';
import { built } from '../helpers';

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

/** A fresh repository with a commit of the given files (path → content). */
function repository(files: Record<string, string>) {
  const repo = mkdtempSync(join(tmpdir(), 'aura-against-'));
  folders.push(repo);
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'ci');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  git('add', '-A');
  git('commit', '-qm', 'base');
  return { repo, git };
}

const run = (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('\n') };
};

describe('the committed output is read NUL-safe', () => {
  // A file name may hold a newline: read newline-separated, it shifts every file after it.
  const tricky = 'manifests/core/aura-x/config\nmap-evil.yaml';
  const files = {
    'dist/p/.aura-manifests': 'marker\n',
    'dist/p/manifests/core/aura-x/a.yaml': 'kind: A\n',
    [`dist/p/${tricky}`]: 'kind: Tricky\n',
    'dist/p/manifests/core/aura-x/z.yaml': 'kind: Z\nempty-line-next:\n\n',
    'dist/p/manifests/core/aura-x/tab\tname.yaml': 'kind: Tab\n',
    'dist/p/manifests/core/aura-x/[glob]*.yaml': 'kind: Glob\n',
  };
  const { repo } = repository(files);

  it('gives every file its own content, whatever bytes its name holds', () => {
    const read = committedOutput('HEAD', join(repo, 'dist')).files('p');
    expect(Object.fromEntries(read)).toEqual(Object.fromEntries(Object.entries(files).map(([k, v]) => [k.slice('dist/p/'.length), v])));
  });

  it('names given to cat-file as paths, one a line, misread them (the mutation this test catches)', () => {
    // What the previous reader fed git: `<ref>:<path>` lines. The newline splits one name into two.
    const lines = Object.keys(files).map((p) => `HEAD:${p}`).join('\n');
    const answer = execFileSync('git', ['-C', repo, 'cat-file', '--batch-check'], { input: `${lines}\n`, encoding: 'utf8' });
    expect(answer.split('\n').filter((l) => l.endsWith(' missing'))).toHaveLength(2);
  });

  it('an unknown ref is a usage error; a profile folder the ref lacks has no files', () => {
    expect(() => committedOutput('no-such-ref', join(repo, 'dist'))).toThrow(/unknown git ref no-such-ref/);
    expect(committedOutput('HEAD', join(repo, 'dist')).files('q').size).toBe(0);
  });

  it('the profiles of the ref are the folders the tool wrote (its marker), with valid profile names', () => {
    const other = repository({
      'dist/a/.aura-manifests': 'm\n',
      'dist/b/manifests/x.yaml': 'kind: B\n', // no marker: not ours, not a profile
      'dist/c/.aura-manifests/inner': 'x\n', // a folder named like the marker is no marker
      'dist/Bad Name/.aura-manifests': 'm\n',
      'dist/argocd-applicationset.yaml': 'kind: ApplicationSet\n',
    });
    expect(committedOutput('HEAD', join(other.repo, 'dist')).profiles()).toEqual(['a']);
  });
});

describe('diff --all --against compares the profiles of both sides', () => {
  // The ref: de-pro, es-pro and uk-pro committed. The working tree: de-pro unchanged, es-pro renamed
  // spain-pro (same content), uk-pro deleted; a folder without the marker is not a profile.
  const committed: Record<string, string> = { 'dist/notes/readme.yaml': 'kind: Note\n' };
  for (const name of ['de-pro', 'es-pro', 'uk-pro']) {
    for (const [path, content] of built(name).files) committed[`dist/${name}/${path}`] = content;
    committed[`dist/${name}/${MARKER_FILE}`] = MARKER_TEXT;
  }
  const { repo } = repository(committed);
  const profiles = join(repo, 'profiles');
  cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(profiles, 'layers'), { recursive: true });
  writeFileSync(join(profiles, 'de-pro.yaml'), readFileSync(join(DEFAULT_PROFILES_DIR, 'de-pro.yaml')));
  writeFileSync(join(profiles, 'spain-pro.yaml'), readFileSync(join(DEFAULT_PROFILES_DIR, 'es-pro.yaml')));
  const args = ['--all', '--against', 'HEAD', '--out', join(repo, 'dist'), '--profiles', profiles, '--allow-outside-repo'];
  const json = run([...args, '--json']);
  const report = JSON.parse(json.out);
  const terminal = run(args);

  it('a removed and a renamed profile are changes: named in the title, counted, exit 1 with --exit-code', () => {
    expect(json.err).toBe('');
    expect(report.title).toBe('2 of 3 profiles change (removed: uk-pro; renamed: es-pro → spain-pro): HEAD → working tree');
    expect(report.removed).toEqual(['uk-pro']);
    expect(report.renamed).toEqual([{ from: 'es-pro', to: 'spain-pro' }]);
    expect(run([...args, '--exit-code']).code).toBe(1);
    expect(terminal.code).toBe(0);
  });

  it('the removed profile shows every committed object as removed', () => {
    const uk = report.profiles.find((p: { profile: string }) => p.profile === 'uk-pro');
    expect(uk.status).toBe('removed');
    expect(uk.diff.added).toEqual([]);
    expect(uk.diff.removed).toHaveLength(built('uk-pro').objects.length + [...built('uk-pro').files.keys()].filter((p) => p.startsWith('gitops/')).length);
    expect(uk.diff.removed).toContain('StatefulSet/aura-system/redis');
  });

  it('the renamed profile is compared with its old folder: only what the rename changes (its GitOps paths)', () => {
    const spain = report.profiles.find((p: { profile: string }) => p.profile === 'spain-pro');
    expect(spain).toMatchObject({ status: 'renamed', from: 'es-pro', diff: { added: [], removed: [] } });
    const paths = spain.diff.changed.flatMap((c: { fields: { path: string; after: unknown }[] }) => c.fields.map((f) => String(f.after)));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((p: string) => p.includes('spain-pro'))).toBe(true);
    const de = report.profiles.find((p: { profile: string }) => p.profile === 'de-pro');
    expect(de.status).toBeUndefined();
    expect(de.diff.added.length + de.diff.removed.length + de.diff.changed.length).toBe(0);
  });

  it('both formats name them', () => {
    expect(terminal.out).toContain('  uk-pro (removed): 0 added, ');
    expect(terminal.out).toContain('  spain-pro (renamed from es-pro): 0 added, 0 removed, ');
    const markdown = run([...args, '--format', 'markdown']).out;
    expect(markdown).toContain('| uk-pro (removed) | 0 |');
    expect(markdown).toContain('| spain-pro (renamed from es-pro) | 0 | 0 |');
    expect(markdown).toMatch(/- `StatefulSet\/aura-system\/redis` \(removed/);
  });
});

describe('rename pairing', () => {
  const keys = (...k: string[]) => new Set(k);
  it('pairs a removed and an added profile sharing at least half the objects, best first, each once', () => {
    const gone = [{ name: 'old', keys: keys('a', 'b', 'c', 'd') }, { name: 'other', keys: keys('x', 'y') }];
    const added = [{ name: 'new', keys: keys('a', 'b', 'c', 'e') }, { name: 'newer', keys: keys('a', 'b', 'q', 'r') }];
    expect(pairRenames(gone, added)).toEqual([{ from: 'old', to: 'new' }]);
    expect(pairRenames([{ name: 'old', keys: keys('a', 'b', 'c') }], [{ name: 'new', keys: keys('a', 'x', 'y') }])).toEqual([]);
    expect(pairRenames([], added)).toEqual([]);
  });
});

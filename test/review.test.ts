import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../src/compile';
import { main } from '../src/review/cli';
import { diffObjects, replaceEnvironment, formatMarkdown, formatTerminal, lineChanges, withoutEnvironment } from '../src/review/diff';
import { built } from './helpers';

const deployment = (name: string, spec: Record<string, unknown>, namespace = 'aura-es-pro'): Manifest => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec });
const run = (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('\n') };
};

describe('semantic diff', () => {
  it('keys objects by kind/namespace/name and reports added, removed and changed fields', () => {
    const before = [deployment('a', { replicas: 2 }), deployment('gone', {})];
    const after = [deployment('a', { replicas: 3, paused: true }), deployment('new', {})];
    const d = diffObjects(before, after);
    expect(d.added).toEqual(['Deployment/aura-es-pro/new']);
    expect(d.removed).toEqual(['Deployment/aura-es-pro/gone']);
    expect(d.changed).toEqual([{ key: 'Deployment/aura-es-pro/a', fields: [{ path: 'spec.paused', after: true }, { path: 'spec.replicas', before: 2, after: 3 }] }]);
    expect(d.unchanged).toBe(0);
  });

  it('matches list items by name, so an inserted container is one change and a reorder is said once', () => {
    const c = (name: string, image: string) => ({ name, image });
    const before = [deployment('a', { containers: [c('app', 'x:1'), c('sidecar', 'y:1')] })];
    const after = [deployment('a', { containers: [c('init', 'z:1'), c('sidecar', 'y:2'), c('app', 'x:1')] })];
    const fields = diffObjects(before, after).changed[0]!.fields;
    expect(fields).toEqual([
      { path: 'spec.containers[name=init]', after: c('init', 'z:1') },
      { path: 'spec.containers[name=sidecar].image', before: 'y:1', after: 'y:2' },
      { path: 'spec.containers (order)', before: ['app', 'sidecar'], after: ['init', 'sidecar', 'app'] },
    ]);
  });

  it('shows the changed lines of a text, and quotes keys that are not identifiers', () => {
    const cm = (text: string): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { 'app.kubernetes.io/name': text.length > 5 ? 'x' : 'y' } }, data: { 'a.yml': text } });
    const d = diffObjects([cm('one\ntwo\nthree\n')], [cm('one\n2\nthree\nfour\n')]);
    const text = formatTerminal(d, 't');
    expect(text).toContain('~ ConfigMap/c');
    expect(text).toContain('data["a.yml"]:');
    expect(text).toMatch(/- two\n\s+\+ 2\n\s+\+ four/);
    expect(lineChanges('a\nb', 'a\nb')).toEqual([]);
  });

  it('lines up two profiles by replacing their environment names', () => {
    const key = replaceEnvironment('de-pro');
    expect(key('Deployment/aura-de-pro/aura-bot')).toBe('Deployment/aura-$ENV/aura-bot');
    expect(key('AtlasDeployment/aura-system/aura-de-pro-70')).toBe('AtlasDeployment/aura-system/aura-$ENV-70');
    expect(key('Namespace/aura-de-pro-wsim')).toBe('Namespace/aura-de-pro-wsim'.replace('de-pro', '$ENV'));
    expect(key('resources-de')).toBe('resources-de');
    expect(withoutEnvironment({ host: 'api.de-pro.example.com', n: 1 }, key)).toEqual({ host: 'api.$ENV.example.com', n: 1 });
  });

  it('writes Markdown for a pull request: a summary table, lists, folded changes, and stays under the comment limit', () => {
    const before = Array.from({ length: 50 }, (_, i) => deployment(`d${i}`, { replicas: 1, note: 'x'.repeat(200) }));
    const after = Array.from({ length: 50 }, (_, i) => deployment(`d${i}`, { replicas: 2, note: 'y'.repeat(200) }));
    const md = formatMarkdown(diffObjects(before, [...after, deployment('new', {})]), 'de-pro');
    expect(md).toContain('| 1 | 0 | 50 | 0 |');
    expect(md).toContain('- `Deployment/aura-es-pro/new`');
    expect(md).toMatch(/<details><summary><code>Deployment\/aura-es-pro\/d0<\/code> \(2 fields\)<\/summary>\n\n```diff\n/);
    const short = formatMarkdown(diffObjects(before, after), 'de-pro', 2000);
    expect(short.length).toBeLessThan(2600);
    expect(short).toMatch(/… and \d+ more changed objects: run `npm run diff` locally/);
    expect(formatMarkdown(diffObjects(before, before), 'same')).toContain('No object changes.');
  });
});

describe('npm run diff', () => {
  it('--with compares two compiled profiles: only real differences remain', () => {
    const r = run(['--profile', 'de-pro', '--with', 'es-pro']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^de-pro → es-pro \(environment names shown as \$ENV: de-pro, es-pro\): \d+ added, \d+ removed, \d+ changed, \d+ unchanged/);
    expect(r.out).toContain('+ Namespace/active-listening'); // es has Active Listening, de does not
    expect(r.out).toContain('~ Application/argocd/aura-$ENV-core\n    spec.destination.name: "auraclusterprode" → "auraclusterproes"');
    expect(r.out).not.toMatch(/app\.kubernetes\.io\/instance/);
  });

  it('--against compares with the committed output at a Git ref, in Markdown, with --exit-code', () => {
    const repo = mkdtempSync(join(tmpdir(), 'aura-diff-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'ci');
    for (const [path, content] of built('de-pro').files) {
      const file = join(repo, 'dist', 'de-pro', path);
      mkdirSync(dirname(file), { recursive: true });
      // The committed state: one Deployment on an older image, one Service missing.
      // And a provisioning Job on an older image: its pod template cannot change in place.
      writeFileSync(file, /(deployment-aura-bot|job-aura-bot-makeup)\.yaml$/.test(path) ? content.replace(':7.2.0', ':7.1.0') : content);
    }
    rmSync(join(repo, 'dist/de-pro/manifests/core/aura-de-pro/service-aura-bot.yaml'));
    git('add', '-A');
    git('commit', '-qm', 'base');
    const dist = join(repo, 'dist');
    const r = run(['--profile', 'de-pro', '--against', 'HEAD', '--dist', dist, '--format', 'markdown', '--exit-code']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toContain('### de-pro: HEAD → working tree');
    expect(r.out).toContain('- `Service/aura-de-pro/aura-bot`');
    expect(r.out).toMatch(/<code>Deployment\/aura-de-pro\/aura-bot<\/code> \(1 field\)[\s\S]*spec\.template\.spec\.containers\[name=aura-bot\]\.image: "[^"]+:7\.1\.0" → "[^"]+:7\.2\.0"/);
    // The Job's change is listed first, before the summary table, as refused by the API server.
    const hazard = r.out.indexOf('| `Job/aura-de-pro/aura-bot-makeup` | refused by the API server | spec.template changes:');
    expect(hazard).toBeGreaterThan(0);
    expect(hazard).toBeLessThan(r.out.indexOf('| added | removed |'));
    expect(r.out).toContain('**1 change(s) will not apply cleanly**');
    const terminal = run(['--profile', 'de-pro', '--against', 'HEAD', '--dist', dist, '--fail-on-hazards']);
    expect(terminal.code).toBe(1);
    expect(terminal.out.split('\n').slice(1, 3)).toEqual(['! 1 change(s) will not apply cleanly:', expect.stringMatching(/^!   Job\/aura-de-pro\/aura-bot-makeup \(refused by the API server\): spec\.template changes: /)]);
    expect(run(['--profile', 'de-pro', '--against', 'nope', '--dist', dist])).toMatchObject({ code: 2, err: expect.stringContaining('unknown git ref nope') });
  });

  it('refuses a wrong invocation with usage and exit 2, a bad profile with exit 1', () => {
    expect(run(['--profile', 'de-pro']).code).toBe(2);
    expect(run(['--profile', 'de-pro', '--against', 'HEAD', '--with', 'es-pro']).err).toMatch(/exactly one of --against REF, --with PROFILE and --kubernetes-version V/);
    expect(run(['--profile', 'de-pro', '--with', 'es-pro', '--format', 'html']).err).toMatch(/unknown format html/);
    expect(run(['--profile', 'nope', '--with', 'es-pro']).code).toBe(1);
  });
});

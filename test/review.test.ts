import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../src/compile';
import { main } from '../src/commands/diff';
import {
  BLOCK_END,
  diffObjects,
  formatMarkdownGrouped,
  formatTerminalGrouped,
  groupAcrossProfiles,
  replaceEnvironment,
  formatMarkdown,
  formatTerminal,
  lineChanges,
  textHunks,
  truncateMarkdown,
  withoutEnvironment,
} from '../src/review/diff';
import { built } from './helpers';

const deployment = (name: string, spec: Record<string, unknown>, namespace = 'aura-es-pro'): Manifest => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec });
const run = (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
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
    expect(text).toContain('@@ -1,3 +1,4 @@');
    expect(text).toMatch(/  one\n\s+- two\n\s+\+ 2\n\s+  three\n\s+\+ four/);
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

describe('review-sized diffs', () => {
  const c = (name: string, extra: Record<string, unknown>) => ({ name, ...extra });

  it('matches list items by their natural key: name, key, objectName, port, containerPort', () => {
    const spc = (data: unknown[], ports: unknown[], objects: unknown[], containerPorts: unknown[]) => [deployment('a', { secretObjects: [{ secretName: 's', data }], ports, objects, containerPorts })];
    const d = diffObjects(
      spc([{ objectName: 'a', key: 'A' }, { objectName: 'b', key: 'B' }], [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }], [{ objectName: 'x', objectType: 'secret' }], [{ containerPort: 8080 }]),
      spc([{ objectName: 'new', key: 'N' }, { objectName: 'a', key: 'A' }, { objectName: 'b', key: 'B2' }], [{ port: 443, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }], [{ objectName: 'y', objectType: 'secret' }, { objectName: 'x', objectType: 'key' }], [{ containerPort: 8080, protocol: 'TCP' }]),
    );
    expect(d.changed[0]!.fields.map((f) => f.path)).toEqual([
      'spec.containerPorts[containerPort=8080].protocol',
      'spec.objects[objectName=y]',
      'spec.objects[objectName=x].objectType',
      'spec.ports[port=80].protocol',
      'spec.ports (order)',
      'spec.secretObjects[0].data[key=N]',
      'spec.secretObjects[0].data[key=B2]',
      'spec.secretObjects[0].data[key=B]',
    ]);
  });

  it('shows a list of scalars item by item, whatever its length', () => {
    const args = (extra: string[]) => [deployment('a', { args: ['--a=1', `--long=${'x'.repeat(150)}`, ...extra] })];
    const fields = diffObjects(args(['--b=1']), args(['--b=2'])).changed[0]!.fields;
    expect(fields).toEqual([{ path: 'spec.args[]', before: '--b=1' }, { path: 'spec.args[]', after: '--b=2' }]);
    expect(formatTerminal(diffObjects(args(['--b=1']), args(['--b=2'])), 't')).toContain('spec.args[]: added "--b=2"');
    expect(diffObjects([deployment('a', { args: ['x', 'y'] })], [deployment('a', { args: ['y', 'x'] })]).changed[0]!.fields).toEqual([{ path: 'spec.args (order)', before: ['x', 'y'], after: ['y', 'x'] }]);
  });

  it('hides derived config checksums unless asked, and says how many objects changed only there', () => {
    const pod = (sum: string, replicas = 1) => [deployment('a', { replicas, template: { metadata: { annotations: { 'checksum/config': sum } } } })];
    const hidden = diffObjects(pod('1'), pod('2'));
    expect(hidden).toMatchObject({ changed: [], derivedOnly: 1, unchanged: 0 });
    expect(formatTerminal(hidden, 't')).toContain('1 with derived changes only (--show-derived)');
    expect(diffObjects(pod('1'), pod('2', 2)).changed[0]!.fields.map((f) => f.path)).toEqual(['spec.replicas']);
    expect(diffObjects(pod('1'), pod('2'), { showDerived: true }).changed[0]!.fields.map((f) => f.path)).toEqual(['spec.template.metadata.annotations["checksum/config"]']);
  });

  it('shows text as unified hunks with context', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 10', 'line ten');
    expect(textHunks(before, after)).toEqual(['@@ -8,7 +8,7 @@', '  line 7', '  line 8', '  line 9', '- line 10', '+ line ten', '  line 11', '  line 12', '  line 13']);
  });

  const bump = (env: string, from: string, to: string, extra: Manifest[] = []) => ({
    profile: env,
    env,
    diff: diffObjects(
      [deployment('aura-bot', { containers: [c('aura-bot', { image: `r/aura-bot:${from}` })] }, `aura-${env}`)],
      [deployment('aura-bot', { containers: [c('aura-bot', { image: `r/aura-bot:${to}` })] }, `aura-${env}`), ...extra],
    ),
  });

  it('groups the same change of several profiles once, "same in N profiles", and lists the rest per profile', () => {
    const diffs = ['de-pro', 'es-pro', 'uk-pro'].map((env) => bump(env, '7.1.0', '7.2.0'));
    diffs.push(bump('br-pro', '7.1.0', '7.3.0', [deployment('extra', {}, 'aura-br-pro')]));
    const { shared, own } = groupAcrossProfiles(diffs);
    expect(shared).toEqual([
      { change: 'changed', key: 'Deployment/aura-$ENV/aura-bot', fields: [{ path: 'spec.containers[name=aura-bot].image', before: 'r/aura-bot:7.1.0', after: 'r/aura-bot:7.2.0' }], profiles: ['de-pro', 'es-pro', 'uk-pro'] },
    ]);
    expect(own.get('br-pro')!.map((g) => [g.change, g.key])).toEqual([
      ['added', 'Deployment/aura-br-pro/extra'],
      ['changed', 'Deployment/aura-br-pro/aura-bot'],
    ]);
    const md = formatMarkdownGrouped(diffs, 'PR');
    expect(md.match(/aura-bot:7\.2\.0/g)).toHaveLength(1);
    expect(md).toContain('(1 field, same in 3 profiles: de-pro, es-pro, uk-pro)');
    expect(md).toContain('#### br-pro only');
    expect(formatTerminalGrouped(diffs, 'PR')).toContain('~ Deployment/aura-$ENV/aura-bot  (same in 3 profiles: de-pro, es-pro, uk-pro)');
  });

  it('cuts a long Markdown diff between blocks, never inside one, with a visible notice and the link to the full diff', () => {
    const diffs = Array.from({ length: 30 }, (_, i) => bump(`p${i}`, '1', `${i}`, [deployment('x', { note: 'n'.repeat(300) }, `aura-p${i}`)]));
    const md = formatMarkdownGrouped(diffs, 'PR');
    const cut = truncateMarkdown(md, 4000, 'https://example.com/artifact/1');
    expect(cut.length).toBeLessThanOrEqual(4000);
    expect(cut).toMatch(/> \[!WARNING\]\n> Cut to fit a comment: \d+ more blocks of changes not shown; the full diff: https:\/\/example\.com\/artifact\/1\n$/);
    const kept = cut.slice(0, cut.indexOf('\n> [!WARNING]'));
    expect(kept.endsWith(`${BLOCK_END}\n`)).toBe(true);
    expect(kept.split('<details>').length).toBe(kept.split('</details>').length);
    expect(kept.split('```').length % 2).toBe(1);
    expect(md.startsWith(kept)).toBe(true);
    expect(truncateMarkdown(md, md.length)).toBe(md);
    expect(truncateMarkdown(md, 3000)).toContain('run `npm run diff` locally for the full diff');
  });
});

describe('aura-manifests diff', () => {
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
    const r = run(['--profile', 'de-pro', '--against', 'HEAD', '--out', dist, '--format', 'markdown', '--exit-code']);
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
    const terminal = run(['--profile', 'de-pro', '--against', 'HEAD', '--out', dist, '--fail-on-hazards']);
    expect(terminal.code).toBe(1);
    expect(terminal.out.split('\n').slice(1, 3)).toEqual(['! 1 change(s) will not apply cleanly:', expect.stringMatching(/^!   Job\/aura-de-pro\/aura-bot-makeup \(refused by the API server\): spec\.template changes: /)]);
    expect(run(['--profile', 'de-pro', '--against', 'nope', '--out', dist])).toMatchObject({ code: 2, err: expect.stringContaining('unknown git ref nope') });
  });

  it('--truncate cuts an existing Markdown diff without compiling anything', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aura-cut-')), 'diff.md');
    writeFileSync(file, `a\n${BLOCK_END}\n${'b'.repeat(500)}\n${BLOCK_END}\n`);
    const r = run(['--truncate', file, '--max-length', '300', '--full-diff-link', 'https://example.com/a']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^a\n<!-- aura-diff: end of block -->\n\n> \[!WARNING\]\n> Cut to fit a comment: 1 more block of changes not shown; the full diff: https:\/\/example\.com\/a$/);
  });

  it('refuses a wrong invocation with usage and exit 2, a bad profile with exit 1', () => {
    expect(run(['--profile', 'de-pro']).code).toBe(2);
    expect(run(['--profile', 'de-pro', '--against', 'HEAD', '--with', 'es-pro']).err).toMatch(/exactly one of --against REF, --with PROFILE and --kubernetes-version V/);
    expect(run(['--profile', 'de-pro', '--with', 'es-pro', '--format', 'html']).err).toMatch(/unknown --format html: text, github, markdown/);
    expect(run(['--profile', 'nope', '--with', 'es-pro']).code).toBe(1);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { main } from '../src/commands/synth';
import { readTree } from '../src/output/write';
import { parse, parseAllDocuments } from 'yaml';
import { byKey, FIXTURES } from './helpers';

const ROOT = join(__dirname, '..');

function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main([...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A copy of the committed dist, to run against without touching the repo. */
function distCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-dist-'));
  cpSync(join(ROOT, 'dist'), dir, { recursive: true });
  return dir;
}

describe('synth', () => {
  it('the committed dist/ is exactly what the code compiles (--check)', () => {
    const r = run('--all', '--check', '--no-cache', '--out', join(ROOT, 'dist'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('writes <out>/<profile>/, prints a line per profile and a summary', () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-out-'));
    const r = run('--profile', 'es-pro', '--profile', 'uk-pre', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}es-pro: \d+ objects \(\d+ ms\)\n {2}uk-pre: \d+ objects/);
    expect(r.out).toMatch(/✓ compiled 2 profile\(s\) into .*: \d+ objects, \d+ files/);
    // A fresh folder holds no chart history: its chart starts at revision 1; everything else is dist/'s.
    const [fresh, committed] = [readTree(join(out, 'es-pro')), readTree(join(ROOT, 'dist/es-pro'))];
    expect(parse(fresh.get('chart/Chart.yaml')!).version).toBe('0.1.1');
    expect(parse(fresh.get('chart/Chart.yaml')!).annotations).toEqual(parse(committed.get('chart/Chart.yaml')!).annotations);
    fresh.delete('chart/Chart.yaml');
    committed.delete('chart/Chart.yaml');
    expect(fresh).toEqual(committed);
  });

  it('replaces a profile folder whole: stale files disappear, temporaries do not linger', () => {
    const out = distCopy();
    writeFileSync(join(out, 'es-pro/manifests/core/aura-es-pro/deployment-removed.yaml'), 'stale');
    expect(run('--profile', 'es-pro', '--out', out).code).toBe(0);
    expect(existsSync(join(out, 'es-pro/manifests/core/aura-es-pro/deployment-removed.yaml'))).toBe(false);
    expect(readTree(out)).toEqual(readTree(join(ROOT, 'dist')));
    expect(execFileSync('ls', ['-a', out]).toString()).not.toMatch(/tmp-/);
  });

  it('leaves a profile folder that is already up to date untouched, mtimes included', () => {
    const out = distCopy();
    const file = join(out, 'uk-pro/manifests/core/aura-uk-pro/deployment-tac.yaml');
    utimesSync(file, new Date('2020-01-01'), new Date('2020-01-01'));
    const r = run('--profile', 'uk-pro', '--out', out);
    expect(r.out).toContain('(1 unchanged, not rewritten)');
    expect(statSync(file).mtime.getUTCFullYear()).toBe(2020);
  });

  it('with --all, a folder of a deleted profile fails --check and is removed on write; other folders are kept', () => {
    const out = distCopy();
    cpSync(join(out, 'es-pro'), join(out, 'es-old'), { recursive: true });
    cpSync(join(out, 'es-pro/manifests'), join(out, 'notes/other'), { recursive: true });
    const check = run('--all', '--check', '--out', out);
    expect(check.code).toBe(1);
    expect(check.err).toMatch(/es-old belongs to no profile in .*; run: npm run synth -- --all \(removes it\)/);
    const write = run('--all', '--out', out);
    expect(write.out).toContain('removed');
    expect(existsSync(join(out, 'es-old'))).toBe(false);
    expect(existsSync(join(out, 'notes'))).toBe(true);
    expect(run('--profile', 'es-pro', '--check', '--out', join(ROOT, 'dist')).code).toBe(0);
  });

  it('--check lists missing, extra and differing files and exits 1', () => {
    const out = distCopy();
    rmSync(join(out, 'es-pro/manifests/core/aura-es-pro/service-tac.yaml'));
    writeFileSync(join(out, 'es-pro/manifests/core/aura-es-pro/extra.yaml'), 'x');
    writeFileSync(join(out, 'es-pro/manifests/core/aura-es-pro/deployment-tac.yaml'), 'edited');
    const r = run('--profile', 'es-pro', '--check', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain('missing   manifests/core/aura-es-pro/service-tac.yaml');
    expect(r.err).toContain('extra     manifests/core/aura-es-pro/extra.yaml');
    expect(r.err).toContain('differs   manifests/core/aura-es-pro/deployment-tac.yaml');
  });

  it.each(['unknown-key', 'secret-value', 'bad-cidr', 'tenant-too-long', 'missing-parent', 'broken-yaml'])(
    'a bad profile (%s) exits 1 with its error and leaves dist untouched',
    (fixture) => {
      const out = distCopy();
      const before = readTree(out);
      const r = run('--profile', 'es-pro', '--profile', join(FIXTURES, `${fixture}.yaml`), '--out', out);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`${fixture}\\.yaml:\\d+:\\d+: `));
      expect(r.err).toContain('nothing was written');
      expect(readTree(out)).toEqual(before);
      expect(r.err + r.out).not.toContain('hunter2');
    },
  );

  it('fixture errors read as documented', () => {
    expect(run('--profile', join(FIXTURES, 'unknown-key.yaml'), '--check').err).toMatch(/unknown-key\.yaml:4:1: log_retention_tim: unknown key; did you mean log_retention_time\?/);
    expect(run('--profile', join(FIXTURES, 'secret-value.yaml'), '--check').err).toMatch(/secret-value\.yaml:5:3: fourth_platform\.client_secret: holds a secret value.*"fourth-platform-client-secret"/);
    expect(run('--profile', join(FIXTURES, 'bad-cidr.yaml'), '--check').err).toMatch(/bad-cidr\.yaml:6:7: service_whitelist_source_ranges\.logs\[0\]: expected an IPv4 network in CIDR notation/);
    expect(run('--profile', join(FIXTURES, 'tenant-too-long.yaml'), '--check').err).toMatch(/tenant-too-long\.yaml:3:1: tenant_name: must be at most 6 characters/);
  });

  it.each([
    [[], /name a profile with --profile, or use --all/],
    [['--profle', 'es-pro'], /unknown option --profle; did you mean --profile\?/],
    [['--all', 'extra'], /unexpected argument extra/],
  ])('usage error %j exits 2', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: aura-manifests synth');
  });

  it('an unknown profile name exits 1 and lists the shipped ones', () => {
    const r = run('--profile', 'es-prod', '--check');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/es-prod\.yaml: no such profile \(profiles in .*: br-pre, br-pro, de-pre.*\); did you mean es-pro\?/);
  });

  it('npm run synth works as a process, with exit codes', () => {
    const ok = execFileSync('node', ['bin/aura-manifests.js', 'synth', '--profile', 'uk-pro', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(ok).toMatch(/✓ 1 profile\(s\) up to date/);
    let status = 0;
    try {
      execFileSync('node', ['bin/aura-manifests.js', 'synth', '--profile', join(FIXTURES, 'unknown-key.yaml')], { cwd: ROOT, stdio: 'pipe' });
    } catch (e: any) {
      status = e.status;
    }
    expect(status).toBe(1);
  });

  it('`cdk8s synth --stdout` with the repo cdk8s.yaml is one YAML stream of exactly the compiled objects, without upgrade-check noise', () => {
    // The upgrade check is off as `npm run cdk8s` turns it off: offline it prints a stack trace.
    const r = spawnSync('npx', ['cdk8s', 'synth', '--stdout'], { cwd: ROOT, env: { ...process.env, AURA_PROFILE: 'br-pre', CDK8S_CHECK_UPGRADE: 'false' }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const docs = parseAllDocuments(r.stdout);
    expect(docs.flatMap((d) => d.errors)).toEqual([]);
    const objects = docs.map((d) => d.toJS()).filter(Boolean);
    // Plain manifests only: what dist/br-pre/manifests holds, nothing of the chart, kustomizations or GitOps folders.
    const committed = [...readTree(join(ROOT, 'dist/br-pre/manifests'))].filter(([p]) => !p.endsWith('kustomization.yaml')).map(([, text]) => parse(text));
    expect(objects.length).toBe(committed.length);
    expect(byKey(objects)).toEqual(byKey(committed));
  });
});

it('profiles/ has no file the CLI would skip silently', () => {
  expect(readFileSync(join(DEFAULT_PROFILES_DIR, 'es-pro.yaml'), 'utf8')).toMatch(/^# /);
});

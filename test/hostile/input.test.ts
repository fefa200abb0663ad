import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MINIMAL } from '../helpers';
import { populatedOut, profilesWith, SENTINEL, sentinelNowhere, snapshot, synth } from './harness';

// Root causes 6, 7 and 4 (names): bounded input, linear error reporting, profile names checked first.

const SECRET_LINE = `root:${SENTINEL}:0:0:root:/root:/bin/bash`;

describe('extends and --profile read only small regular YAML files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aura-bounds-'));
  writeFileSync(join(dir, 'passwd'), `${SECRET_LINE}\n`);
  writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
  mkdirSync(join(dir, 'folder.yaml'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  symlinkSync(join(dir, 'loop.yaml'), join(dir, 'loop.yaml'));
  symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
  writeFileSync(join(dir, 'passwd.yaml'), `${SECRET_LINE}\n`);

  it.each([
    ['a system file without .yaml', join(dir, 'passwd'), /must have the extension \.yaml or \.yml/],
    ['/dev/zero', '/dev/zero', /must have the extension/],
    ['/dev/zero behind a .yaml symlink', join(dir, 'zero.yaml'), /is not a regular file \(a device\)/],
    ['a named pipe', join(dir, 'fifo.yaml'), /is not a regular file \(a named pipe\)/],
    ['a folder', join(dir, 'folder.yaml'), /is not a regular file \(a folder\)/],
    ['a symlink loop', join(dir, 'loop.yaml'), /is a symlink loop/],
    ['a file over 1 MiB', join(dir, 'big.yaml'), /is larger than 1 MiB/],
    ['a YAML file whose lines are secrets', join(dir, 'passwd.yaml'), /a profile must be a YAML mapping|YAML syntax|<key>/],
  ])('extends: %s', (_, target, message) => {
    const profiles = profilesWith(`extends: ${JSON.stringify(target)}`);
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', out, '--allow-outside-repo');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(sentinelNowhere(r, out)).toBe(true);
    expect(snapshot(out)).toEqual(before);
  });

  it('a file outside the repository and the profiles folder needs --allow-outside-repo', () => {
    const profiles = profilesWith(`extends: ${JSON.stringify(join(dir, 'passwd.yaml'))}`);
    const r = synth('--profiles', profiles, '--profile', 'p', '--check', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is outside the repository .*pass --allow-outside-repo/);
    expect(sentinelNowhere(r)).toBe(true);
    const direct = synth('--profile', join(profiles, 'p.yaml'), '--check', '--out', populatedOut());
    expect(direct.err).toMatch(/is outside the repository/);
  });

  it.each([
    ['a folder', (d: string) => (mkdirSync(join(d, 'x.yaml')), join(d, 'x.yaml')), 1, /is not a regular file \(a folder\)/],
    ['a named pipe', (d: string) => (execFileSync('mkfifo', [join(d, 'f.yaml')]), join(d, 'f.yaml')), 1, /a named pipe/],
    ['--profiles at a file', (d: string) => (writeFileSync(join(d, 'x'), ''), ['--profiles', join(d, 'x'), '--profile', 'x']), 2, /--profiles must name a folder/],
  ])('--profile: %s', (_, make, code, message) => {
    const d = mkdtempSync(join(tmpdir(), 'aura-ref-'));
    const made = make(d);
    const r = synth(...(Array.isArray(made) ? made : ['--profile', made, '--allow-outside-repo']), '--out', join(d, 'out'));
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('chart_archive is a .tgz regular file', () => {
  it.each([
    ['a folder named .tgz', (d: string) => (mkdirSync(join(d, 'c.tgz')), './c.tgz'), /is not a regular file/],
    ['a named pipe', (d: string) => (execFileSync('mkfifo', [join(d, 'c.tgz')]), './c.tgz'), /is not a regular file/],
    ['a missing file', () => './nope.tgz', /no chart archive at the path named here/],
    ['not an archive name', () => '/etc/passwd', /a chart archive is a \.tgz file/],
  ])('%s', (_, make, message) => {
    const profiles = mkdtempSync(join(tmpdir(), 'aura-chart-'));
    const archive = make(profiles);
    writeFileSync(join(profiles, 'p.yaml'), `${MINIMAL.replace(/^operators:.*\n/m, '')}operators: { eck: { version: 3.5.0, chart_archive: "${archive}" }, mongodb_atlas: { version: 2.15.1 }, nginx_ingress_crds: { version: v4.0.1 } }\n`);
    const r = synth('--profiles', profiles, '--profile', 'p', '--check', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('profile names are checked before anything is read', () => {
  it.each([
    ['a newline', 'de\nx'],
    ['a YAML document separator and an object', 'de\n---\nkind: Pod\nspec: {privileged: true}\n#'],
    ['capitals', 'De-Pro'],
    ['spaces', 'de pro'],
    ['a leading dash', '-de'],
    ['dots', 'de.pro'],
    ['too long', 'a'.repeat(41)],
  ])('%s', (_, name) => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-name-'));
    writeFileSync(join(dir, `${name}.yaml`), 'extends: de-pro\n');
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profile', join(dir, `${name}.yaml`), '--out', out, '--allow-outside-repo');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/its file name is not a valid profile name \(lowercase letters, digits and "-"/);
    expect(r.err).not.toMatch(/kind: Pod|privileged/);
    expect(snapshot(out)).toEqual(before);
  });
});

describe('error reporting is linear and bounded', () => {
  it('40,000 unknown keys: did-you-mean for the first 40, then a count', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `unknown_key_${i}: ${i}`).join('\n');
    const r = synth('--profiles', profilesWith(keys), '--profile', 'p', '--check', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/39960 more unknown key\(s\) were not compared with the known keys \(only the first 40 are\)/);
  }, 60_000);

  it('40,000 duplicate keys and 5,000 syntax errors finish, reported by count', () => {
    const dup = synth('--profiles', profilesWith(Array.from({ length: 40_000 }, () => 'tenant_name: x').join('\n')), '--profile', 'p', '--check', '--out', populatedOut());
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/tenant_name: is set twice in one mapping \(first on line \d+\)/);
    const broken = synth('--profiles', profilesWith(Array.from({ length: 5000 }, () => `a: "${SENTINEL}`).join('\n')), '--profile', 'p', '--check', '--out', populatedOut());
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/\.\.\. and \d+ more YAML syntax errors/);
    expect(sentinelNowhere(broken)).toBe(true);
  }, 60_000);

  it.each([
    ['an alias bomb', `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]`, /YAML aliases expand to too much data|more than 50 YAML aliases/],
    ['too many aliases', `a: &a 1\nb: [${Array(60).fill('*a').join(', ')}]`, /more than 50 YAML aliases in one file/],
  ])('%s', (_, yaml, message) => {
    const r = synth('--profiles', profilesWith(yaml, 'p', MINIMAL), '--profile', 'p', '--check', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
  });
});

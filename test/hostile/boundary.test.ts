import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main as synthMain } from '../../src/commands/synth';
import { main as packageMain } from '../../src/commands/package';
import { main as infraMain } from '../../src/commands/infra';
import { main as networkMain } from '../../src/commands/verify-network';
import { main as diffMain } from '../../src/commands/diff';
import { reportError, withBoundary } from '../../src/commands/command';
import { profilesWith, runMain, SENTINEL, sentinelNowhere, synth } from './harness';

// Root cause 10: one error boundary per command, exit 0/1/2/3, never a stack trace unless --debug.

const ROOT = join(__dirname, '../..');
const noStack = (s: string) => !/\n\s+at |Error: .*\n/.test(s);

describe('the boundary', () => {
  it('an unexpected error is one line asking for a report; the stack only with --debug', () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const boom = () => {
      throw new TypeError(`cannot read ${SENTINEL}`);
    };
    expect(withBoundary(io, { usage: 'u' }, boom)).toBe(3);
    expect(lines).toEqual([expect.stringMatching(/^✗ internal error \(TypeError\); please report it .*--debug/)]);
    expect(lines.join('\n')).not.toContain(SENTINEL);
    lines.length = 0;
    expect(withBoundary(io, { usage: 'u', debug: true }, boom)).toBe(3);
    expect(lines[1]).toMatch(/TypeError: .*\n\s+at /);
  });

  it.each([
    ['ENOSPC', 3, /\/out\/x: no space left on the device \(ENOSPC\)/],
    ['EROFS', 3, /read-only file system \(EROFS\)/],
    ['EACCES', 3, /permission denied \(EACCES\)/],
    ['ENAMETOOLONG', 3, /name too long/],
    ['ELOOP', 3, /symlink loop/],
    ['EISDIR', 3, /is a directory/],
    ['ENOTDIR', 3, /not a directory/],
  ])('%s is one line by path, exit %i', (code, exit, message) => {
    const lines: string[] = [];
    const e = Object.assign(new Error(`${code}: whatever, open '/out/x'`), { code, path: '/out/x' });
    expect(reportError(e, { out: () => {}, err: (l) => lines.push(l) }, { usage: 'u' })).toBe(exit);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe('every command', () => {
  const secretProfile = profilesWith(`aura_encryption_key: !!str ${SENTINEL}`);
  const file = join(secretProfile, 'p.yaml');
  it.each([
    ['verify:network', () => runMain(networkMain, ['--profle', 'x']), 2],
    ['diff', () => runMain(diffMain, ['--profile', 'de-pro']), 2],
    ['diff with a ref that is an option', () => runMain(diffMain, ['--profile', 'de-pro', '--against', '--output=/tmp/x']), 2],
    ['package', () => runMain(packageMain, []), 2],
    ['verify:network, a secret', () => runMain(networkMain, ['--profile', file, '--allow-outside-repo']), 1],
    ['package, a secret', () => runMain(packageMain, ['--profile', 'p', '--profiles', secretProfile]), 1],
    ['package --destination at a file', () => {
      const d = mkdtempSync(join(tmpdir(), 'aura-dest-'));
      writeFileSync(join(d, 'f'), '');
      return runMain(packageMain, ['--profile', 'p', '--profiles', secretProfile, '--destination', join(d, 'f')]);
    }, 3],
    ['synth, an unknown command', () => runMain(synthMain, ['build']), 2],
    ['synth --out at a file', () => {
      const d = mkdtempSync(join(tmpdir(), 'aura-out-file-'));
      writeFileSync(join(d, 'f'), '');
      return synth('--profile', 'de-pro', '--out', join(d, 'f'));
    }, 3],
  ])('%s exits with its code, one message, no stack, no secret', (_, run, code) => {
    const r = run();
    expect(r.code).toBe(code);
    expect(noStack(r.err)).toBe(true);
    expect(sentinelNowhere(r)).toBe(true);
  });

  it('infra: a secret profile exits 1; an option-looking tag never reaches az', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), env: {} };
    expect(await infraMain(['--profile', file, '--dry-run', '--allow-outside-repo'], io)).toBe(1);
    const tags = profilesWith('resources_tags: { "--subscription": evil }');
    expect(await infraMain(['--profile', join(tags, 'p.yaml'), '--dry-run', '--apply', '--allow-outside-repo'], io)).toBe(1);
    expect(lines.join('\n')).toMatch(/resources_tags\.<key>: a tag name must not start with "-"/);
    expect(lines.join('\n')).not.toContain(SENTINEL);
    expect(lines.join('\n')).not.toMatch(/^az .*--subscription/m);
  });

  it('as a real process: a folder as --profile and a secret profile exit 1 without a stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-proc-'));
    const run = promisify(execFile);
    const r = await run(process.execPath, [join(ROOT, 'bin/aura-manifests.js'), 'synth', '--profile', dir, '--profile', join(secretProfile, 'p.yaml'), '--allow-outside-repo', '--check'], { cwd: ROOT }).catch((e) => e);
    expect(r.code).toBe(1);
    expect(noStack(r.stderr)).toBe(true);
    expect(r.stderr).not.toContain(SENTINEL);
    expect(r.stderr).toMatch(/holds a secret value/);
  }, 60_000);
});

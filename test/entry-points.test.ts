import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { main as cdk8sApp } from '../src/commands/cdk8s-app';
import type { CommandIo } from '../src/commands/command';
import { main as diff } from '../src/commands/diff';
import { main as infra } from '../src/commands/infra';
import { main as pkg } from '../src/commands/package';
import { main as synth } from '../src/commands/synth';
import { main as verifyNetwork } from '../src/commands/verify-network';
import { main as verifyWiring } from '../src/commands/verify-wiring';
import { MINIMAL } from './helpers';

// Issue 23 item 6 and 9: one read rule and one error boundary for every entry point; a missing or
// unusable tool is exit 3 in every command.

const ROOT = join(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'aura-entry-points-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const noStack = (s: string) => !/\n\s+at |Error: .*\n/.test(s);

async function run(main: (argv: string[], io: CommandIo) => number | Promise<number>, argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { PATH: process.env.PATH, ...env } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A valid profile outside the repository: read only with --allow-outside-repo. */
const outside = (() => {
  const dir = mkdtempSync(join(scratch, 'outside-'));
  writeFileSync(join(dir, 'p.yaml'), MINIMAL);
  return join(dir, 'p.yaml');
})();
const REFUSED = /p\.yaml: is outside the repository \(and the profiles folder\); pass --allow-outside-repo to read it anyway/;

describe('one read rule: a profile outside the repository needs --allow-outside-repo in every entry point', () => {
  it.each([
    ['synth', synth, ['--profile', outside, '--check']],
    ['diff', diff, ['--profile', outside, '--with', 'es-pro']],
    ['verify network', verifyNetwork, ['--profile', outside]],
    ['verify wiring', verifyWiring, ['--profile', outside]],
    ['package', pkg, ['--profile', outside, '--destination', join(scratch, 'packages')]],
    ['infra', infra, ['--profile', outside, '--dry-run']],
  ] as const)('%s refuses it: exit 1, one message, nothing written', async (_, main, argv) => {
    const r = await run(main, [...argv]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(REFUSED);
    expect(noStack(r.err)).toBe(true);
    expect(existsSync(join(scratch, 'packages'))).toBe(false);
  });

  it('verify wiring reads it with --allow-outside-repo', async () => {
    const r = await run(verifyWiring, ['--profile', outside, '--allow-outside-repo']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ every endpoint of p reaches a listening port/);
  });

  it('the cdk8s app (AURA_PROFILE) refuses it unless AURA_ALLOW_OUTSIDE_REPO=1', async () => {
    const outdir = join(mkdtempSync(join(scratch, 'cdk8s-')), 'out');
    const refused = await run(cdk8sApp, [], { AURA_PROFILE: outside, CDK8S_OUTDIR: outdir });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(REFUSED);
    expect(existsSync(outdir)).toBe(false);
    const allowed = await run(cdk8sApp, [], { AURA_PROFILE: outside, CDK8S_OUTDIR: outdir, AURA_ALLOW_OUTSIDE_REPO: '1' });
    expect(allowed).toMatchObject({ code: 0, err: '' });
    expect(readdirSync(outdir)).toEqual(['p.k8s.yaml']);
  });

  it("the cluster view's sibling compile: a sibling whose layer is outside is read only with --allow-outside-repo", async () => {
    // A copy of profiles/ plus de-pro-wtwo, extending a layer outside both the repository and the
    // folder: that layer makes it a second copy of the tenant de-pro-wsim, which the cluster view
    // refuses, so reading it shows in the result.
    const profiles = mkdtempSync(join(scratch, 'profiles-'));
    cpSync(join(ROOT, 'profiles'), profiles, { recursive: true });
    const layer = join(mkdtempSync(join(scratch, 'layer-')), 'layer.yaml');
    writeFileSync(layer, `extends: ${join(profiles, 'de-pro-wsim.yaml')}\n`);
    writeFileSync(join(profiles, 'de-pro-wtwo.yaml'), `extends: ${layer}\n`);
    const out = mkdtempSync(join(scratch, 'out-'));
    const ruled = await run(synth, ['--profiles', profiles, '--profile', 'de-pro', '--out', out]);
    expect(ruled.err).toBe('');
    expect(ruled.code).toBe(0);
    const allowed = await run(synth, ['--profiles', profiles, '--profile', 'de-pro', '--out', join(scratch, 'out-allowed'), '--allow-outside-repo']);
    expect(allowed.code).toBe(1);
    expect(allowed.err).toMatch(/Namespace\/aura-de-pro-wsim is emitted by de-pro-wsim and de-pro-wtwo/);
  }, 120_000);
});

describe('the cdk8s app: never writes through a symlink; a bad CDK8S_OUTDIR is one line, exit 3', () => {
  const sentinel = () => {
    const file = join(mkdtempSync(join(scratch, 'target-')), 'precious.txt');
    writeFileSync(file, 'precious\n');
    return file;
  };

  it.each([
    ['a file', (d: string) => (writeFileSync(join(d, 'o'), 'x'), join(d, 'o')), /\/o \(CDK8S_OUTDIR\) is not a folder$/],
    ['a symlinked folder', (d: string) => (symlinkSync(mkdtempSync(join(scratch, 'elsewhere-')), join(d, 'o')), join(d, 'o')), /\/o \(CDK8S_OUTDIR\) is a symlink: refusing to write through it$/],
    ['below a file', (d: string) => (writeFileSync(join(d, 'f'), 'x'), join(d, 'f', 'o')), /\/f\/o: a part of the path is not a directory \(ENOTDIR\)$/],
    ['a symlink loop', (d: string) => (symlinkSync(join(d, 'o'), join(d, 'o')), join(d, 'o', 'x')), /symlink loop\) \(ELOOP\)$/],
  ])('%s: exit 3 before compiling, nothing written', async (_, make, message) => {
    const d = mkdtempSync(join(scratch, 'bad-'));
    const outdir = make(d);
    const before = readdirSync(d);
    const r = await run(cdk8sApp, [], { AURA_PROFILE: 'de-pro-wsim', CDK8S_OUTDIR: outdir });
    expect(r.code).toBe(3);
    expect(r.err.split('\n')).toEqual([expect.stringMatching(new RegExp(`^✗ .*${message.source}`))]);
    expect(readdirSync(d)).toEqual(before);
  });

  it('a symlink at the output file is refused; its target is unchanged; a stale regular file is replaced by rename', async () => {
    const outdir = mkdtempSync(join(scratch, 'cdk8s-out-'));
    const target = sentinel();
    symlinkSync(target, join(outdir, 'de-pro-wsim.k8s.yaml'));
    const r = await run(cdk8sApp, [], { AURA_PROFILE: 'de-pro-wsim', CDK8S_OUTDIR: outdir });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^✗ .*de-pro-wsim\.k8s\.yaml is a symlink: refusing to write through it$/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    rmSync(join(outdir, 'de-pro-wsim.k8s.yaml'));
    writeFileSync(join(outdir, 'de-pro-wsim.k8s.yaml'), 'stale\n');
    const ok = await run(cdk8sApp, [], { AURA_PROFILE: 'de-pro-wsim', CDK8S_OUTDIR: outdir });
    expect(ok).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(join(outdir, 'de-pro-wsim.k8s.yaml'), 'utf8')).toMatch(/^# Generated by aura-manifests from profile de-pro-wsim/);
    expect(readdirSync(outdir)).toEqual(['de-pro-wsim.k8s.yaml']);
  }, 60_000);

  it('as the process cdk8s starts (cdk8s.yaml app): one line on stderr, exit 3, no stack trace', async () => {
    const app = /^app: (.*)$/m.exec(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8'))![1]!.split(' ');
    expect(app).toEqual(['npx', 'tsx', 'src/commands/cdk8s-app.ts']);
    const d = mkdtempSync(join(scratch, 'proc-'));
    writeFileSync(join(d, 'file'), '');
    const r = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', app[2]!], { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: join(d, 'file') } }).catch((e) => e);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^✗ .*\/file \(CDK8S_OUTDIR\) is not a folder\n$/);
    expect(noStack(r.stderr)).toBe(true);
  }, 60_000);
});

describe('a missing or unusable tool is exit 3 in every command', () => {
  it('package: helm missing, or not Helm 3 (exit 3); helm refusing the chart stays exit 1', async () => {
    const destination = join(scratch, 'pkg');
    const fake = join(mkdtempSync(join(scratch, 'helm-')), 'helm');
    writeFileSync(fake, '#!/bin/sh\necho "v2.17.0"\n');
    chmodSync(fake, 0o755);
    const saved = process.env.AURA_HELM;
    try {
      for (const [helm, message] of [
        ['/nonexistent/helm', /^✗ helm at \/nonexistent\/helm cannot be run; Helm 3 is required/],
        [fake, /^✗ helm at .*\/helm says "v2\.17\.0"; Helm 3 is required/],
      ] as const) {
        process.env.AURA_HELM = helm;
        const r = await run(pkg, ['--profile', 'de-pro-wsim', '--destination', destination]);
        expect(r.code, helm).toBe(3);
        expect(r.err.split('\n'), helm).toEqual([expect.stringMatching(message)]);
        expect(existsSync(join(destination)) ? readdirSync(destination) : [], helm).toEqual([]);
      }
      // A Helm 3 that refuses the chart: the input's problem, in helm's words.
      writeFileSync(fake, '#!/bin/sh\nif [ "$1" = version ]; then echo v3.14.0; else echo "Error: chart refused" >&2; exit 1; fi\n');
      process.env.AURA_HELM = fake;
      const refused = await run(pkg, ['--profile', 'de-pro-wsim', '--destination', destination]);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/^✗ helm package .* failed \(exit 1\):\nError: chart refused$/);
    } finally {
      if (saved === undefined) delete process.env.AURA_HELM;
      else process.env.AURA_HELM = saved;
    }
  }, 60_000);

  it('diff --against: git missing is exit 3, one line', async () => {
    const empty = mkdtempSync(join(scratch, 'no-git-'));
    const r = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/aura-manifests.js'), 'diff', '--profile', 'de-pro-wsim', '--against', 'HEAD'], { cwd: ROOT, env: { ...process.env, PATH: empty } }).catch((e) => e);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('✗ git is not installed or not on PATH; install git (https://git-scm.com)\n');
  }, 60_000);

  it('infra: az, kubectl, atlas missing are exit 3 (the runner of src/infra/tools.ts)', async () => {
    const empty = mkdtempSync(join(scratch, 'no-az-'));
    const r = await run(infra, ['--profile', 'de-pro'], { PATH: empty });
    expect(r.code).toBe(3);
    expect(r.err).toBe('✗ the Azure CLI (az) is not installed or not on PATH; install it: https://learn.microsoft.com/cli/azure/install-azure-cli');
  });
});

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, run } from '../src/commands/aura-manifests';
import { githubAnnotation, helpOrVersion, optionHint, outputFormat, progress, useColor } from '../src/commands/command';
import { catchError, configOf, FIXTURES, MINIMAL, withKey, writeProfile } from './helpers';

const ROOT = join(__dirname, '..');

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('aura-manifests, one command line', () => {
  const names = COMMANDS.map((c) => c.name);

  it('answers --help with exit 0 on every command, before any work (bench starts nothing)', async () => {
    expect(names).toEqual(['synth', 'diff', 'verify network', 'verify wiring', 'package', 'infra', 'import', 'secrets', 'identity', 'build-local', 'migrate-cluster', 'migrate-logs', 'bench']);
    for (const name of names) {
      const r = await cli(...name.split(' '), '--help');
      expect(r.code, name).toBe(0);
      expect(r.out, name).toMatch(new RegExp(`^usage: aura-manifests ${name}\\b`));
      expect(r.out, name).toMatch(/--format F[\s\S]*--debug[\s\S]*Exit codes: 0 success, 1 invalid input or failed checks, 2 usage, 3 environment/);
      expect(r.err, name).toBe('');
      expect((await cli(...name.split(' '), '-h')).code, name).toBe(0);
    }
  });

  it('answers --version on every command and on its own', async () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    for (const argv of [['--version'], ...names.map((n) => [...n.split(' '), '--version'])]) {
      expect(await cli(...argv), argv.join(' ')).toMatchObject({ code: 0, out: `aura-manifests ${version}` });
    }
  });

  it('lists the commands on --help, refuses none or an unknown one with exit 2 and a suggestion', async () => {
    expect(await cli('--help')).toMatchObject({ code: 0, out: expect.stringContaining('  bench            measure the compiler') });
    expect((await cli()).code).toBe(2);
    expect(await cli('snyth')).toMatchObject({ code: 2, err: expect.stringMatching(/^error: unknown command snyth; did you mean synth\?/) });
    expect(await cli('verify', '--profile', 'de-pro')).toMatchObject({ code: 2, err: expect.stringMatching(/^error: unknown command verify; did you mean verify network or verify wiring\?/) });
    expect(await cli('verify:wiring', '--profile', 'de-pro')).toMatchObject({ code: 2, err: expect.stringMatching(/did you mean verify wiring\?/) });
  });

  it('refuses what is not an option of the command with exit 2, before any work: a typo, an operand, --dist', async () => {
    for (const name of names) {
      const typo = await cli(...name.split(' '), '--profle', 'x');
      expect(typo.code, name).toBe(2);
      expect(typo.err, name).toMatch(/^error: unknown option --profle/);
      expect(typo.out, name).toBe('');
      expect((await cli(...name.split(' '), 'stray')).err, name).toMatch(/^error: unexpected argument stray/);
    }
    // bench --foo is a usage error, not a benchmark run.
    expect(await cli('bench', '--foo')).toMatchObject({ code: 2, out: '', err: expect.stringMatching(/^error: unknown option --foo \(see --help\)\nusage: aura-manifests bench/) });
    for (const name of ['diff', 'package'])
      expect(await cli(name, '--profile', 'de-pro', '--dist', 'x')).toMatchObject({ code: 2, err: expect.stringMatching(/^error: unknown option --dist; did you mean --out\? \(the output folder is --out in every command\)/) });
    // Under GitHub Actions, an argument shaped to forge a workflow command stays one defused line.
    for (const name of names) {
      const err: string[] = [];
      const code = await run([...name.split(' '), 'x\n::error::forged'], { out: () => {}, err: (l) => err.push(...l.split('\n')), env: { GITHUB_ACTIONS: 'true' } });
      expect(code, name).toBe(2);
      expect(err[0], name).toBe('error: unexpected argument x\\n::error::forged');
      expect(err.filter((l) => l.trimStart().startsWith('::')), name).toEqual([]);
    }
    expect(await cli('diff', '--profile', 'de-pro', '--against', 'HEAD', '--format', 'terminal')).toMatchObject({ code: 2, err: expect.stringMatching(/^error: unknown --format terminal: text, github, markdown; did you mean text\?/) });
  });

  it('suggests the option meant, for every command', async () => {
    expect(await cli('synth', '--profle', 'de-pro')).toMatchObject({ code: 2, err: expect.stringMatching(/^error: unknown option --profle; did you mean --profile\?/) });
    expect(await cli('diff', '--agaisnt', 'HEAD')).toMatchObject({ code: 2, err: expect.stringMatching(/did you mean --against\?/) });
    expect(optionHint({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION', message: "Unknown option '--zzzzzzzz'" }, 'usage: --profile')).toBe('unknown option --zzzzzzzz (see --help)');
    expect(helpOrVersion(['--', '--help'], 'usage', { out: () => {}, err: () => {} })).toBeUndefined();
  });

  it('suggests the profile, the enum value and the extends target meant', async () => {
    const r = await cli('synth', '--profile', 'de-prod', '--check');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no such profile \(profiles in .*\); did you mean de-pro\?/);
    expect(catchError(() => configOf(withKey('environment_type: prp'))).message).toMatch(/environment_type: is one letter away from "pro"; did you mean "pro"\?/);
    const file = writeProfile(MINIMAL.replace('environment_type: pro', `extends: ${join(ROOT, 'profiles/layers')}/globl.yaml\nenvironment_type: pro`));
    expect(catchError(() => configOf(readFileSync(file, 'utf8'))).message).toMatch(/extends: names a profile or layer file that does not exist; did you mean .*global\.yaml\?/);
  });

  it('runs as the installed bin; every npm script of a command is an alias of it', () => {
    const r = spawnSync('node', [join(ROOT, 'bin/aura-manifests.js'), 'verify', 'wiring', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: aura-manifests verify wiring --profile NAME/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'aura-manifests': 'bin/aura-manifests.js' });
    const aliases = { synth: 'synth', diff: 'diff', 'verify:network': 'verify network', 'verify:wiring': 'verify wiring', package: 'package', infra: 'infra', import: 'import', secrets: 'secrets', identity: 'identity', 'build-local': 'build-local', 'migrate-cluster': 'migrate-cluster', 'migrate-logs': 'migrate-logs', bench: 'bench' };
    for (const [script, command] of Object.entries(aliases)) expect(pkg.scripts[script], script).toBe(`node bin/aura-manifests.js ${command}`);
    expect(Object.values(aliases).sort()).toEqual([...names].sort());
  });

  it('a reader that quits early (| head -1) is no error: no stack trace, the command\'s own exit code', async () => {
    for (const argv of [['verify', 'network', '--help'], ['infra', '--help'], ['--help']]) {
      const child = spawn('node', [join(ROOT, 'bin/aura-manifests.js'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
      // The reading end is closed before the command writes: every write meets EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((done) => child.on('close', done));
      expect(stderr, argv.join(' ')).toBe('');
      expect(code, argv.join(' ')).toBe(0);
    }
  });
});

describe('terminal and CI output', () => {
  it('colours only a terminal, never with NO_COLOR', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });

  it('writes GitHub annotations in the workflow command format, escaped', () => {
    expect(githubAnnotation({ file: 'profiles/de-pro.yaml', line: 3, col: 5, title: 'profile de-pro', message: 'a: b' })).toBe('::error file=profiles/de-pro.yaml,line=3,col=5,title=profile de-pro::a: b');
    expect(githubAnnotation({ file: 'a,b:c', message: '50%\nnext' })).toBe('::error file=a%2Cb%3Ac::50%25%0Anext');
    expect(outputFormat(undefined, { GITHUB_ACTIONS: 'true' })).toBe('github');
    expect(outputFormat(undefined, {})).toBe('text');
    expect(outputFormat('text', { GITHUB_ACTIONS: 'true' })).toBe('text');
  });

  it('draws a progress line in place on a terminal, one line per step in a log', () => {
    const written: string[] = [];
    const tty = progress({ isTTY: true, write: (s: string) => written.push(s) });
    tty.step('bench: a, run 1 of 3');
    tty.step('bench: b');
    tty.done();
    expect(written).toEqual(['\rbench: a, run 1 of 3', '\rbench: b            ', `\r${' '.repeat(8)}\r`]);
    const log: string[] = [];
    progress({ isTTY: false, write: (s: string) => log.push(s) }).step('bench: a');
    expect(log).toEqual(['bench: a\n']);
  });

  it('annotates profile errors with file, line and column under --format github', async () => {
    const r = await cli('synth', '--profile', join(FIXTURES, 'unknown-key.yaml'), '--format', 'github', '--check');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^::error file=[^,]*unknown-key\.yaml,line=4,col=1,title=aura-manifests%3A profile unknown-key::log_retention_tim: unknown key; did you mean log_retention_time\?$/m);
  });

  it('--check on a stale folder: annotations per stale file, the semantic summary, and the same facts as JSON', async () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-stale-'));
    cpSync(join(ROOT, 'dist/de-pro-wsim'), join(out, 'de-pro-wsim'), { recursive: true });
    const file = join(out, 'de-pro-wsim/manifests/core/aura-de-pro-wsim/deployment-aura-bot.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/(image: \S+):(\S+)/, '$1:0.0.1'));
    expect(readFileSync(file, 'utf8')).not.toBe(original);
    const text = await cli('synth', '--profile', 'de-pro-wsim', '--out', out, '--check', '--format', 'github');
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^::error file=[^:]*de-pro-wsim\/manifests\/core\/aura-de-pro-wsim\/deployment-aura-bot\.yaml,title=aura-manifests%3A stale output::differs from the compiled output: run npm run synth -- --all$/m);
    expect(text.err).toMatch(/objects: 0 added, 0 removed, 1 changed \(Deployment\/aura-de-pro-wsim\/aura-bot\)/);
    const json = await cli('synth', '--profile', 'de-pro-wsim', '--out', out, '--check', '--json');
    expect(json.code).toBe(1);
    expect(json.err).toBe('');
    const doc = JSON.parse(json.out);
    expect(doc).toMatchObject({ ok: false, exitCode: 1, profiles: [{ name: 'de-pro-wsim' }] });
    expect(doc.stale[0]).toMatchObject({ profile: 'de-pro-wsim', differs: expect.arrayContaining(['manifests/core/aura-de-pro-wsim/deployment-aura-bot.yaml']) });
    expect(doc.stale[0].objects).toMatch(/1 changed/);
  });
});

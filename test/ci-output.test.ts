import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CommandIo, defused, githubAnnotation } from '../src/commands/command';
import { main as infra } from '../src/commands/infra';
import { main as synth } from '../src/commands/synth';
import { main as verifyNetwork } from '../src/commands/verify-network';
import { MARKER_FILE, MARKER_TEXT } from '../src/output/journal';
import { printable } from '../src/util/printable';

// Issue 23 item 5: whatever the tool prints under GitHub Actions, data (file, object and folder
// names, messages from files and tools) is never read as a workflow command, and no newline from
// data starts a line in any format.

const ROOT = join(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'aura-ci-output-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number;
  lines: string[];
}

async function run(main: (argv: string[], io: CommandIo) => number | Promise<number>, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const lines: string[] = [];
  // Both streams, split as the runner reads them: line by line.
  const take = (text: string) => lines.push(...text.split('\n'));
  const code = await main(argv, { out: take, err: take, env: { PATH: process.env.PATH, ...env } });
  return { code, lines };
}

/**
 * The workflow commands GitHub's runner would execute in these lines (actions/runner
 * ActionCommand.cs): `::name ...::` at the start after leading blanks, and the legacy
 * `##[name ...]` anywhere in a line.
 */
function workflowCommands(lines: readonly string[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    const trimmed = line.trimStart();
    if (trimmed.startsWith('::') && trimmed.indexOf('::', 2) > 0) found.push(trimmed);
    if (line.includes('##[')) found.push(line);
  }
  return found;
}

/** Only the tool's own annotations: `::error` or `::warning` with an aura-manifests title. */
const onlyOwnAnnotations = (r: Run) => workflowCommands(r.lines).filter((c) => !/^::(error|warning) [^:]*title=aura-manifests%3A [^:]*::/.test(c));

/** A copy of the committed de-pro-wsim folder, the smallest profile, in a fresh output folder. */
function committedCopy(): string {
  const out = mkdtempSync(join(scratch, 'out-'));
  cpSync(join(ROOT, 'dist/de-pro-wsim'), join(out, 'de-pro-wsim'), { recursive: true });
  return out;
}

describe('CI output cannot be forged', () => {
  it('a committed file whose name holds a newline and ::error: listed as one escaped line, annotated escaped, never a command', async () => {
    const out = committedCopy();
    const forged = 'x\n::error file=README.md,line=1::forged\n::stop-commands::tok\n##[error]legacy.yaml';
    writeFileSync(join(out, 'de-pro-wsim/manifests', forged), 'kind: ConfigMap\n');
    for (const format of ['github', 'text']) {
      const r = await run(synth, ['--profile', 'de-pro-wsim', '--out', out, '--check', '--format', format]);
      expect(r.code, format).toBe(1);
      // No data starts a line in any format; under github nothing but the tool's annotations is a command.
      expect(r.lines.filter((l) => l.trimStart().startsWith('::') && !l.startsWith('::error file=')), format).toEqual([]);
      if (format === 'github') expect(onlyOwnAnnotations(r)).toEqual([]);
      // The name is one line, its newlines shown as \n.
      expect(r.lines, format).toContain(`    extra     manifests/${printable(forged)}`.replace(/##\[/g, format === 'github' ? '##%5B' : '##['));
      expect(r.lines.some((l) => l.startsWith('::error file=README.md')), format).toBe(false);
    }
    // Under github the stale file is still annotated, its name escaped the runner's way.
    const gh = await run(synth, ['--profile', 'de-pro-wsim', '--out', out, '--check', '--format', 'github']);
    expect(gh.lines).toContain(githubAnnotation({ file: `${out}/de-pro-wsim/manifests/${forged}`, title: 'aura-manifests: stale output', message: 'extra: run npm run synth -- --all' }));
  });

  it('an object name or kind read back from a committed file is refused naming the file, never printed', async () => {
    for (const [shape, doc] of <[string, string][]>[
      ['a name with a newline', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\\n::error::forged"\n  namespace: aura-de-pro-wsim\n'],
      ['a kind that is a command', 'apiVersion: v1\nkind: "::stop-commands::tok"\nmetadata:\n  name: a\n'],
      ['a namespace with a newline', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: "b\\n::error::forged"\n'],
    ]) {
      const out = committedCopy();
      writeFileSync(join(out, 'de-pro-wsim/manifests/core/aura-de-pro-wsim/configmap-forged.yaml'), doc);
      const r = await run(verifyNetwork, ['--profile', 'de-pro-wsim', '--out', out, '--format', 'github']);
      // A file read back from dist/ that is not what the tool writes is invalid input (issue 23 item 9): exit 1.
      expect(r.code, shape).toBe(1);
      expect(r.lines, shape).toEqual([expect.stringMatching(/^✗ .*configmap-forged\.yaml: not a Kubernetes object with a plain kind, name and namespace/)]);
      expect(r.lines.join('\n'), shape).not.toMatch(/forged"|stop-commands/);
      // --check's summary of what changed as objects does not print it either.
      const check = await run(synth, ['--profile', 'de-pro-wsim', '--out', out, '--check', '--format', 'github']);
      expect(check.code, shape).toBe(1);
      expect(onlyOwnAnnotations(check), shape).toEqual([]);
      expect(check.lines.filter((l) => /^\s*::|\n/.test(l)).every((l) => l.startsWith('::error ')), shape).toBe(true);
    }
  });

  it('a folder name with a newline and ::error (--out, an orphan profile folder) stays on its line', async () => {
    const out = join(mkdtempSync(join(scratch, 'folder-')), 'dist\n::error::forged folder');
    const r = await run(synth, ['--profile', 'de-pro-wsim', '--out', out, '--check']);
    expect(r.code).toBe(1);
    expect(r.lines.some((l) => l.trimStart().startsWith('::error::forged'))).toBe(false);
    expect(r.lines.join('\n')).toContain('dist\\n::error::forged folder/de-pro-wsim');
    // A folder of the output that belongs to no profile, named to forge a line, under --all.
    const all = committedCopy();
    const orphan = join(all, 'gone\n::error::forged orphan');
    mkdirSync(orphan);
    writeFileSync(join(orphan, MARKER_FILE), MARKER_TEXT);
    const profiles = mkdtempSync(join(scratch, 'profiles-'));
    cpSync(join(ROOT, 'profiles'), profiles, { recursive: true });
    for (const format of ['github', 'text']) {
      const o = await run(synth, ['--all', '--profiles', profiles, '--allow-outside-repo', '--out', all, '--check', '--format', format]);
      expect(o.code).toBe(1);
      expect(o.lines.some((l) => l.trimStart().startsWith('::error::forged'))).toBe(false);
      expect(o.lines.join('\n')).toContain('gone\\n::error::forged orphan belongs to no profile');
      if (format === 'github') expect(onlyOwnAnnotations(o)).toEqual([]);
    }
  }, 180_000);

  it('a committed profile file named to forge a line: refused without its name, annotated as the tool', async () => {
    const profiles = mkdtempSync(join(scratch, 'profiles-'));
    writeFileSync(join(profiles, 'p\n::error::forged profile.yaml'), 'environment_type: pro\n');
    const r = await run(synth, ['--all', '--profiles', profiles, '--allow-outside-repo', '--check', '--format', 'github', '--out', join(scratch, 'none')]);
    expect(r.code).toBe(1);
    expect(onlyOwnAnnotations(r)).toEqual([]);
    expect(r.lines.join('\n')).toMatch(/its file name is not a valid profile name/);
    expect(r.lines.join('\n')).not.toContain('forged');
  });

  it("a tool's output (az) printing ::error, ::stop-commands:: and ##[ is defused under GitHub, on both streams", async () => {
    const bin = mkdtempSync(join(scratch, 'bin-'));
    writeFileSync(join(bin, 'az'), '#!/bin/sh\necho "::error::forged by az"\necho "::stop-commands::tok"\necho "  ::warning::indented" >&2\necho "x ##[error]legacy"\nexit 0\n');
    chmodSync(join(bin, 'az'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}` };
    for (const env2 of <NodeJS.ProcessEnv[]>[{ ...env }, { ...env, GITHUB_ACTIONS: 'true' }]) {
      const r = await run(infra, ['--profile', 'de-pro', ...(env2.GITHUB_ACTIONS ? [] : ['--format', 'github'])], env2);
      expect(r.code).toBe(0);
      expect(workflowCommands(r.lines)).toEqual([]);
      expect(r.lines).toEqual(expect.arrayContaining(['  %3A:error::forged by az', '  %3A:stop-commands::tok', '    %3A:warning::indented', '  x ##%5Berror]legacy']));
    }
    // Without GitHub, a terminal shows the tool's words as they are.
    const text = await run(infra, ['--profile', 'de-pro', '--format', 'text'], env);
    expect(text.lines).toContain('  ::error::forged by az');
  });
});

describe('printable and defused', () => {
  it('shows control characters as escapes, so data is one line', () => {
    expect(printable('a\nb\r\tc\u001b[31md\u2028e\u0000')).toBe('a\\nb\\r\\tc\\u001b[31md\\u2028e\\u0000');
    expect(printable('plain/name-1.yaml')).toBe('plain/name-1.yaml');
  });

  it('defuses what the runner would read as a command, and nothing else', () => {
    expect(defused('::error::x\n  ::stop-commands::t\nok ::fine::\na ##[error]b')).toBe('%3A:error::x\n  %3A:stop-commands::t\nok ::fine::\na ##%5Berror]b');
    expect(defused('✓ compiled 1 profile(s)')).toBe('✓ compiled 1 profile(s)');
  });
});

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const workflow = parse(readFileSync(join(ROOT, 'examples/github-actions/aura-manifests.yml'), 'utf8'));
const steps: { run?: string; uses?: string; name?: string }[] = workflow.jobs.compile.steps;
const runs = steps.filter((s) => s.run).map((s) => s.run!);

describe('the example GitHub Actions workflow', () => {
  it('installs, fails on a stale dist/ and diffs every profile in Markdown against the target branch', () => {
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm run synth -- --all --check');
    const diff = runs.find((r) => r.includes('npm run --silent diff -- --all'))!;
    expect(diff).toMatch(/--all --against "\$BASE" --format markdown --max-length 0 --exit-code > diff-full\.md/);
    // The full diff is kept as an artifact, and the comment is cut between blocks with a link to it.
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact')) as { id?: string; with?: { path?: string } };
    expect(upload.with?.path).toBe('diff-full.md');
    const cut = runs.find((r) => r.includes('--truncate'))!;
    expect(cut).toMatch(/--truncate diff-full\.md --max-length 60000 --full-diff-link "\$FULL_DIFF_URL" > comment\.md/);
    expect(JSON.stringify(steps)).toContain(`steps.${upload.id}.outputs.artifact-url`);
    expect(steps.some((s) => s.uses?.startsWith('actions/github-script'))).toBe(true);
    expect(workflow.permissions['pull-requests']).toBe('write');
  });

  it('only calls npm scripts that exist, with shell steps that parse', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
    for (const r of runs) {
      for (const [, name] of r.matchAll(/npm run (?:--silent )?([a-z:]+)/g)) expect(scripts[name!], name).toBeDefined();
      // GitHub expressions are substituted before bash sees the script.
      execFileSync('bash', ['-n', '-c', r.replace(/\$\{\{[^}]*\}\}/g, 'x')]);
    }
  });
});

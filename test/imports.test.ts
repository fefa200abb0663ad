import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Issue 24 item 6: imports/ holds only what src/ uses, regenerated offline and byte-identical by
// scripts/import.sh (cdk8s import from ../shared/upstream, then scripts/prune-imports.cjs).

const ROOT = join(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'aura-imports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const check = (dir?: string) => spawnSync('bash', ['scripts/import.sh', '--check', ...(dir ? [dir] : [])], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

/** Every `k8s.<Name>` that src/ names. */
function usedFromK8s(): Set<string> {
  const files = execFileSync('git', ['ls-files', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts'));
  return new Set(files.flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\bk8s\.([A-Z][A-Za-z0-9]*)/g)].map((m) => m[1]!)));
}

describe('imports/', () => {
  it('is what scripts/import.sh regenerates offline, byte for byte', () => {
    const r = check();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('holds exactly the Kubernetes kinds src/ uses, and no CRD version it does not', () => {
    const classes = [...readFileSync(join(ROOT, 'imports/k8s.ts'), 'utf8').matchAll(/^export class (\w+)/gm)].map((m) => m[1]!);
    const used = usedFromK8s();
    expect(classes.filter((c) => c.startsWith('Kube')).sort()).toEqual([...used].filter((c) => c.startsWith('Kube')).sort());
    expect(classes.length).toBeLessThan(20);
    for (const file of readdirSync(join(ROOT, 'imports'))) {
      const text = readFileSync(join(ROOT, 'imports', file), 'utf8');
      expect(text, file).toMatch(/^\/\/ pruned by scripts\/prune-imports\.cjs: only what src\/ uses/);
      expect(text, file).not.toMatch(/^export class \w+V1(Alpha|Beta)\d /m);
    }
  });

  it('a committed file that differs from the regeneration fails the check (mutation)', () => {
    const copy = join(scratch, 'imports');
    cpSync(join(ROOT, 'imports'), copy, { recursive: true });
    const file = join(copy, 'k8s.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('export class KubeDeployment', 'export class KubeDeploymentX'));
    const r = check(copy);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/k8s\.ts differ[\s\S]*differs from what scripts\/import\.sh generates: run bash scripts\/import\.sh/);
  });
});

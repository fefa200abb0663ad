import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { writeAnchorApp } from '../src/bench/anchor';
import { type BenchFigures, benchReport, speedVsAnchor } from '../src/commands/bench';
import { compileConfig } from '../src/compile';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { checkInvariants } from '../src/checks/invariants';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { scaledCatalog } from '../src/bench/scale';

const ROOT = join(__dirname, '..');

// The benchmark's figures are read, never asserted; this only checks that its scale profiles
// are what the table says they are.
describe('benchmark scale profiles', () => {
  const config = validateProfile(loadProfile('de-pro', DEFAULT_PROFILES_DIR));
  const count = (factor: number) => compileConfig(config, { catalog: scaledCatalog(factor) }).length;

  it('x1 is the profile itself', () => expect(count(1)).toBe(compileConfig(config).length));

  it('multiplies the core objects by the factor, and stays valid', () => {
    const perCopy = count(2) - count(1);
    expect(count(10)).toBe(count(1) + 9 * perCopy);
    expect(checkInvariants(compileConfig(config, { catalog: scaledCatalog(3) }))).toEqual([]);
  });
});

// Issue 28: the anchor is a plain cdk8s app the cdk8s CLI synthesizes, and the table says both
// ratios, the scale figures and whether each target is met. Shape only: no figure is asserted.
describe('benchmark anchor and table', () => {
  it('the anchor app gives back one object per compiled object', () => {
    // Inside the repository (the app resolves cdk8s from its node_modules); a fresh clone has no .cache yet.
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.cache', 'bench-anchor-test-'));
    try {
      const manifests = [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'aura-x' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'aura-x' }, data: { a: '1' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'aura-x' }, spec: { ports: [{ port: 80 }] } },
      ];
      expect(writeAnchorApp(dir, manifests)).toBe(3);
      // The app as the cdk8s CLI starts it (cdk8s.yaml), with the output folder it gives (the bench runs the CLI itself).
      expect(readFileSync(join(dir, 'cdk8s.yaml'), 'utf8')).toMatch(/^app: npx tsx main\.ts$/m);
      const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'main.ts'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CDK8S_OUTDIR: join(dir, 'out') } });
      expect(r.status, r.stderr).toBe(0);
      const docs = parseAllDocuments(readFileSync(join(dir, 'out', 'profile.k8s.yaml'), 'utf8')).map((d) => d.toJS());
      expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  const figures: BenchFigures = {
    runs: 3,
    machine: 'test',
    anchor: { label: 'anchor', objects: 274, times: [2000, 2200, 2100] },
    cases: [
      { key: 'existing', label: 'existing', times: [1000, 1100, 700] },
      { key: 'fresh', label: 'fresh', times: [1000, 1000, 1000] },
      { label: 'other', times: [500, 500, 500] },
    ],
    scale: [
      { label: 'x1', objects: 274, ms: 1000, maxRssMiB: 150 },
      { label: 'x10', objects: 2740, ms: 3000, maxRssMiB: 250 },
      { label: 'x100', objects: 27400, ms: 23000, maxRssMiB: 600 },
    ],
  };

  it('gives each ratio as the median of the rounds, the anchor over the case', () => {
    expect(speedVsAnchor(figures, figures.cases[0]!.times)).toBe(2);
    expect(speedVsAnchor(figures, figures.cases[1]!.times)).toBeCloseTo(2.1);
  });

  it('prints a row per case and scale run, and a verdict per target', () => {
    const lines = benchReport(figures).split('\n');
    for (const label of ['anchor', 'existing', 'fresh', 'other', 'x1 (pipeline', 'x10 (pipeline', 'x100 (pipeline']) expect(lines.some((l) => l.startsWith(label))).toBe(true);
    expect(lines.find((l) => l.startsWith('existing'))).toMatch(/ 1000 +2\.00$/);
    expect(lines.filter((l) => /x the anchor's speed/.test(l))).toEqual([expect.stringMatching(/2\.00x .*target 3x: NOT met/), expect.stringMatching(/2\.10x .*target 1\.5x: met/)]);
    expect(lines.find((l) => /marginal cost per object, x10 -> x100/.test(l))).toMatch(/0\.811 ms/);
    expect(lines.find((l) => /peak memory at x100/.test(l))).toMatch(/600 MiB \(target below 512: NOT met\)/);
  });
});

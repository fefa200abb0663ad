/**
 * Scale-to-zero as a profile key: `service_replicas.<service>: 0` stops a core service (the
 * destination of a cluster migration while its data is restored), through synth with every check,
 * and GitOps keeps it stopped.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { main as cli } from '../../src/commands/synth';
import { PROFILE_SCHEMA } from '../../src/profile/schema';

const work = mkdtempSync(join(tmpdir(), 'aura-stopped-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(work, 'profiles', 'layers'), { recursive: true });
const SERVICES = Object.keys((PROFILE_SCHEMA as any).properties.service_replicas.properties) as string[];
const base = readFileSync(join(DEFAULT_PROFILES_DIR, 'de-pro.yaml'), 'utf8').replace(/^service_replicas:\n(?: {2}.*\n)+/m, '');

function synth(replicas: Record<string, number>) {
  writeFileSync(join(work, 'profiles', 'de-pro.yaml'), `${base}service_replicas:\n${Object.entries(replicas).map(([k, v]) => `  ${k}: ${v}\n`).join('')}`);
  const err: string[] = [];
  const code = cli(['--profile', 'de-pro', '--profiles', join(work, 'profiles'), '--out', join(work, 'dist'), '--allow-outside-repo', '--no-cache'], { out: () => {}, err: (l) => err.push(l) });
  const read = (path: string) => parseAllDocuments(readFileSync(join(work, 'dist', 'de-pro', path), 'utf8')).map((d) => d.toJS());
  return { code, err: err.join('\n'), read };
}
const file = (kind: string, name: string) => `manifests/core/aura-de-pro/${kind}-${name}.yaml`;
const exists = (path: string) => {
  try {
    readFileSync(join(work, 'dist', 'de-pro', path));
    return true;
  } catch {
    return false;
  }
};

describe('service_replicas: 0 stops a service', () => {
  it('every core service at 0: replicas 0, no autoscaler and no disruption budget, and GitOps owns the count', () => {
    const r = synth(Object.fromEntries(SERVICES.map((s) => [s, 0])));
    expect([r.code, r.err]).toEqual([0, '']);
    for (const name of ['aura-bot', 'nlp', 'insights-loader', 'nginx']) {
      expect(r.read(file('deployment', name))[0].spec.replicas, name).toBe(0);
      expect(exists(file('horizontalpodautoscaler', name)), name).toBe(false);
      expect(exists(file('poddisruptionbudget', name)), name).toBe(false);
    }
    // No field left to the cluster: Argo CD's self-heal keeps the service at 0.
    const core = r.read('gitops/argocd/application-aura-de-pro-core.yaml')[0];
    expect((core.spec.ignoreDifferences ?? []).filter((d: { jsonPointers: string[] }) => d.jsonPointers.includes('/spec/replicas'))).toEqual([]);
  });

  it('at 1 or more the HPA owns the count again (the mutation: the same keys, another value)', () => {
    const r = synth({ 'aura-bot': 2 });
    expect(r.code).toBe(0);
    expect(r.read(file('deployment', 'aura-bot'))[0].spec.replicas).toBeUndefined();
    expect(r.read(file('horizontalpodautoscaler', 'aura-bot'))[0].spec.minReplicas).toBe(2);
  });

  it('a negative count or an insights-loader of two is a profile error at its key', () => {
    const negative = synth({ 'aura-bot': -1 });
    expect(negative.code).toBe(1);
    expect(negative.err).toMatch(/de-pro\.yaml:\d+:\d+: service_replicas\.aura-bot: /);
    expect(synth({ 'insights-loader': 2 }).err).toMatch(/service_replicas\.insights-loader: /);
  });
});

// Issue 28 / issue 24 item 3: the reachability matrix is computed once per build, by the network
// check, and the wiring check of a profile with its own cluster reads it (src/build.ts
// sharedMatrix) instead of computing it again. Shared only where it is the same matrix. And the
// parent a tenant's (or a release's) checks read is compiled once, its two phases only.
import { describe, expect, it } from 'vitest';
import { sharedMatrix } from '../src/build';
import { operatorStandIns, verifyProfileNetwork } from '../src/checks/network/operators';
import { checkWiring } from '../src/checks/wiring/check';
import { clusterBaseObjects, compileConfig, type Manifest } from '../src/compile';
import { built } from './helpers';

describe('the reachability matrix shared between the network and the wiring check', () => {
  for (const name of ['de-pro', 'es-int']) {
    it(`${name}: the wiring check reads the network check's matrix, and reports exactly what it reports computing its own`, () => {
      const b = built(name);
      const manifests = b.objects.map((o) => o.manifest);
      const flags = b.config as unknown as Record<string, unknown>;
      const shared = sharedMatrix(manifests, b.config, verifyProfileNetwork(manifests, b.config).rows);
      expect(operatorStandIns(b.config).length).toBeGreaterThan(0);
      expect(shared).toBeDefined();
      expect(checkWiring(manifests, { flags, matrix: shared })).toEqual(checkWiring(manifests, { flags }));
    }, 300_000);
  }

  it('is not shared where a stand-in operator would change it: a workload in its namespace, or one of its name', () => {
    const b = built('de-pro');
    const manifests = b.objects.map((o) => o.manifest);
    const rows = verifyProfileNetwork(manifests, b.config).rows;
    const [ns, pod] = operatorStandIns(b.config) as [Manifest, Manifest];
    const workload = (metadata: Manifest['metadata']) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x' }] } } } }) as Manifest;
    expect(sharedMatrix(manifests, b.config, rows)).toBe(rows);
    expect(sharedMatrix([...manifests, workload({ name: 'mine', namespace: ns.metadata.name })], b.config, rows)).toBeUndefined();
    expect(sharedMatrix([...manifests, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.metadata.name } }], b.config, rows)).toBeUndefined();
    expect(sharedMatrix([...manifests, workload({ name: pod.metadata.name, namespace: 'aura-de-pro' })], b.config, rows)).toBeUndefined();
  });
});

describe("a tenant's parent compiled once", () => {
  it('is the crds and system phases of the full compile, compiled once per configuration and frozen', () => {
    const tenant = built('de-pro-wsim').config;
    const parent = { ...tenant, tenant_name: 'default' };
    const base = clusterBaseObjects(parent);
    const full = compileConfig(parent).filter((o) => o.phase === 'crds' || o.phase === 'system').map((o) => o.manifest);
    expect(base).toEqual(full);
    expect(clusterBaseObjects({ ...parent })).toBe(base);
    expect(clusterBaseObjects({ ...parent, cluster_name: `${parent.cluster_name}x` })).not.toBe(base);
    expect(Object.isFrozen(base[0]!.metadata)).toBe(true);
  }, 300_000);
});

import { describe, expect, it } from 'vitest';
import type { Manifest } from '../src/compile';
import { diffObjects, formatMarkdown, formatTerminal } from '../src/review/diff';
import { quantityBytes, upgradeHazards } from '../src/review/upgrade-safety';

const obj = (kind: string, spec: Record<string, unknown>, name = 'x'): Manifest => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'ns' }, spec }) as Manifest;
const sts = (over: Record<string, unknown> = {}) =>
  obj('StatefulSet', { selector: { matchLabels: { app: 'x' } }, serviceName: 'x', podManagementPolicy: 'OrderedReady', replicas: 1, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '10Gi' } } } }], ...over });
const pvc = (storage: string, over: Record<string, unknown> = {}) => obj('PersistentVolumeClaim', { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...over });

describe('upgrade hazards: changes the API server refuses', () => {
  it.each<[string, Manifest, Manifest, RegExp]>([
    ['Job pod template', obj('Job', { template: { spec: { containers: [{ name: 'a', image: 'i:1' }] } } }), obj('Job', { template: { spec: { containers: [{ name: 'a', image: 'i:2' }] } } }), /^spec\.template changes/],
    ['StatefulSet selector', sts(), sts({ selector: { matchLabels: { app: 'y' } } }), /^spec\.selector changes/],
    ['StatefulSet serviceName', sts(), sts({ serviceName: 'y' }), /^spec\.serviceName changes/],
    ['StatefulSet podManagementPolicy', sts(), sts({ podManagementPolicy: 'Parallel' }), /^spec\.podManagementPolicy changes/],
    ['StatefulSet volumeClaimTemplates', sts(), sts({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '20Gi' } } } }] }), /^spec\.volumeClaimTemplates changes/],
    ['Deployment selector', obj('Deployment', { selector: { matchLabels: { app: 'x' } } }), obj('Deployment', { selector: { matchLabels: { app: 'y' } } }), /^spec\.selector changes/],
    ['Service type', obj('Service', { type: 'LoadBalancer' }), obj('Service', {}), /^spec\.type changes/],
    ['Service clusterIP', obj('Service', { clusterIP: 'None' }), obj('Service', {}), /^spec\.clusterIP changes/],
    ['PVC shrink', pvc('10Gi'), pvc('5Gi'), /^spec\.resources\.requests\.storage shrinks from 10Gi to 5Gi/],
    ['PVC storage class', pvc('10Gi'), pvc('10Gi', { storageClassName: 'premium' }), /^spec\.storageClassName changes/],
    ['CRD scope', obj('CustomResourceDefinition', { scope: 'Namespaced' }), obj('CustomResourceDefinition', { scope: 'Cluster' }), /^spec\.scope changes/],
  ])('%s', (_rule, before, after, reason) => {
    const hazards = upgradeHazards([before], [after]);
    expect(hazards).toHaveLength(1);
    expect(hazards[0]).toMatchObject({ key: `${before.kind}/ns/x`, kind: 'refused' });
    expect(hazards[0]!.reason).toMatch(reason);
  });

  it.each<[string, Manifest, Manifest]>([
    ['a Deployment\'s pod template', obj('Deployment', { selector: { a: 1 }, template: { x: 1 } }), obj('Deployment', { selector: { a: 1 }, template: { x: 2 } })],
    ['a StatefulSet\'s replicas', sts(), sts({ replicas: 3 })],
    ['a growing claim', pvc('10Gi'), pvc('20Gi')],
    ['an unchanged Job', obj('Job', { template: { a: 1 } }), obj('Job', { template: { a: 1 } })],
  ])('%s applies in place: no hazard', (_case, before, after) => expect(upgradeHazards([before], [after])).toEqual([]));
});

describe('upgrade hazards: changes that lose data', () => {
  it.each<[string, Manifest[], Manifest[], RegExp]>([
    ['removed StatefulSet', [sts()], [], /^removed: its pods go/],
    ['removed PVC', [pvc('10Gi')], [], /^removed: the volume and its data are deleted/],
    ['renamed Atlas cluster', [obj('AtlasDeployment', { deploymentSpec: { name: 'aura-de-pro-70' } }, 'aura-de-pro-70')], [obj('AtlasDeployment', { deploymentSpec: { name: 'aura-de-pro-80' } }, 'aura-de-pro-80')], /^removed: a renamed or removed Atlas cluster/],
    ['Atlas cluster name changed in place', [obj('AtlasDeployment', { deploymentSpec: { name: 'a' } })], [obj('AtlasDeployment', { deploymentSpec: { name: 'b' } })], /^spec\.deploymentSpec\.name changes/],
    ['renamed Elasticsearch node set', [obj('Elasticsearch', { nodeSets: [{ name: 'default', count: 3 }] })], [obj('Elasticsearch', { nodeSets: [{ name: 'data', count: 3 }] })], /^node set default removed or renamed/],
  ])('%s', (_rule, before, after, reason) => {
    const hazards = upgradeHazards(before, after);
    expect(hazards).toHaveLength(1);
    expect(hazards[0]!.kind).toBe('data-loss');
    expect(hazards[0]!.reason).toMatch(reason);
  });

  it('a removed Deployment or ConfigMap loses nothing', () => {
    expect(upgradeHazards([obj('Deployment', {}), obj('ConfigMap', {}, 'c')], [])).toEqual([]);
  });

  it.each([['10Gi', 10 * 1024 ** 3], ['500Mi', 500 * 1024 ** 2], ['1G', 1e9], ['100', 100], ['x', undefined]])('quantity %s is %s bytes', (q, bytes) => expect(quantityBytes(q)).toBe(bytes));
});

describe('hazards in the diff output', () => {
  const before = [sts(), pvc('10Gi')];
  const after = [sts({ serviceName: 'y' })];
  const hazards = upgradeHazards(before, after);
  const diff = diffObjects(before, after);

  it('come first in the terminal, right after the title', () => {
    const lines = formatTerminal(diff, 't', false, hazards).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      't: 0 added, 1 removed, 1 changed, 0 unchanged',
      '! 2 change(s) will not apply cleanly:',
      expect.stringMatching(/^!   PersistentVolumeClaim\/ns\/x \(loses data\): removed: /),
      expect.stringMatching(/^!   StatefulSet\/ns\/x \(refused by the API server\): spec\.serviceName changes: /),
    ]);
  });

  it('come first in Markdown, as a table before the summary', () => {
    const md = formatMarkdown(diff, 't', undefined, hazards);
    expect(md.indexOf('> **2 change(s) will not apply cleanly**')).toBeLessThan(md.indexOf('| added |'));
    expect(md).toContain('| `StatefulSet/ns/x` | refused by the API server | spec.serviceName changes:');
    expect(formatMarkdown(diff, 't')).not.toContain('will not apply cleanly');
  });
});

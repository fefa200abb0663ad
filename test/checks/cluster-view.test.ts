import { describe, expect, it } from 'vitest';
import { clusterSiblings, clusterViewProblems, namespaceOwnershipProblems, type NamespaceConfig, type ProfileOutput } from '../../src/checks/cluster-view';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import type { Manifest } from '../../src/compile';
import { clusterAccessName } from '../../src/constructs/aura-workload';
import { built, writeProfile } from '../helpers';

const output = (name: string): ProfileOutput => ({ name, config: built(name).config, manifests: built(name).objects.map((o) => o.manifest) });

/** The naming before the fix: every ClusterRole and binding called aura-<component>, whatever its namespace. */
function withOldNaming(p: ProfileOutput): ProfileOutput {
  const rename = (n: string) => n.replace(/^aura-[a-z]+-[a-z]+(?:-[a-z]+)?-(nginx|aura-operator)$/, 'aura-$1');
  const manifests = p.manifests.map((m): Manifest => {
    if (m.kind === 'ClusterRole') return { ...m, metadata: { ...m.metadata, name: rename(m.metadata.name) } };
    if (m.kind === 'ClusterRoleBinding') return { ...m, metadata: { ...m.metadata, name: rename(m.metadata.name) }, roleRef: { ...(m as any).roleRef, name: rename((m as any).roleRef.name) } } as Manifest;
    return m;
  });
  return { ...p, manifests };
}

describe('cluster view: de-pro and its tenant de-pro-wsim', () => {
  it('coexist: no object of one is emitted differently by the other, no cluster-scoped name is shared', () => {
    expect(clusterViewProblems([output('de-pro'), output('de-pro-wsim')])).toEqual([]);
  });

  it('fail with the old naming: the tenant takes over the parent\'s controller bindings', () => {
    const problems = clusterViewProblems([withOldNaming(output('de-pro')), withOldNaming(output('de-pro-wsim'))]);
    // The Aura operator has no ClusterRoleBinding: RoleBindings in its own namespaces (issue 27 item 8).
    for (const key of ['ClusterRole/aura-nginx', 'ClusterRoleBinding/aura-nginx', 'ClusterRole/aura-aura-operator'])
      expect(problems).toContain(`cluster auraclusterprode: ${key} is emitted by de-pro and de-pro-wsim with different content (whichever applies last wins); give each profile its own name for it`);
    expect(problems).toHaveLength(3);
  });

  it('names a core component\'s cluster-wide access after its namespace, aura-system\'s after the component', () => {
    expect(clusterAccessName('nginx', 'aura-de-pro-wsim')).toBe('aura-de-pro-wsim-nginx');
    expect(clusterAccessName('prometheus', 'aura-system')).toBe('aura-prometheus');
  });
});

const object = (kind: string, name: string, namespace?: string, data: Record<string, unknown> = {}): Manifest =>
  ({ apiVersion: kind === 'ClusterRole' ? 'rbac.authorization.k8s.io/v1' : 'v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...data }) as Manifest;
const profile = (name: string, cluster: string, tenant: string, manifests: Manifest[]): ProfileOutput => ({
  name,
  config: { cluster_name: cluster, tenant_name: tenant, environment_profile: 'de', environment_type: 'pro', core_only: false },
  manifests,
});

describe('cluster view rules', () => {
  const role = (rules: unknown[]) => object('ClusterRole', 'shared', undefined, { rules });

  it.each([
    ['same cluster-scoped object, different content', [role([1])], [role([2])], /ClusterRole\/shared is emitted by a and b with different content/],
    ['same namespaced object, different content', [object('ConfigMap', 'c', 'ns', { data: { x: '1' } })], [object('ConfigMap', 'c', 'ns', { data: { x: '2' } })], /ConfigMap\/ns\/c is emitted by a and b with different content/],
    ['same cluster-scoped object from a tenant, even identical', [role([1])], [role([1])], /ClusterRole\/shared is emitted by a and b; a tenant's cluster-scoped names must be its own/],
  ])('%s: a problem', (_case, a, b, message) => {
    const problems = clusterViewProblems([profile('a', 'k', 'default', a), profile('b', 'k', 'wsim', b)]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('two profiles that each own one cluster: one line with the cause and the choices, not one per object', () => {
    const many = Array.from({ length: 40 }, (_, i) => object('ConfigMap', `c${i}`, 'aura-system', { data: { x: 'a' } }));
    const other = many.map((m) => ({ ...m, data: { x: 'b' } }) as Manifest);
    const problems = clusterViewProblems([profile('es-pro', 'k', 'default', many), profile('es-pro-takeover', 'k', 'default', other)]);
    expect(problems).toEqual([expect.stringMatching(/^cluster k: profiles es-pro and es-pro-takeover both have cluster_name k .*Make one a tenant of the other \(tenant_name\), a release beside it \(release_suffix and core_only: true\), or, if one replaces the other, delete the other's profile file$/)]);
    // A release beside the running profile is not an owner: its objects are compared as before.
    expect(clusterViewProblems([profile('a', 'k', 'default', many), { ...profile('b', 'k', 'default', other), config: { cluster_name: 'k', tenant_name: 'default', environment_profile: 'de', environment_type: 'pro', release_suffix: 'r1', core_only: true } }])).toHaveLength(40);
  });

  it.each([
    ['identical namespaced object', [object('ConfigMap', 'c', 'ns', { data: { x: '1' } })], [object('ConfigMap', 'c', 'ns', { data: { x: '1' } })], 'k'],
    ['key order aside', [object('ConfigMap', 'c', 'ns', { data: { x: '1', y: '2' } })], [object('ConfigMap', 'c', 'ns', { data: { y: '2', x: '1' } })], 'k'],
    ['different clusters', [role([1])], [role([2])], 'other'],
  ])('%s: no problem', (_case, a, b, cluster) => {
    expect(clusterViewProblems([profile('a', 'k', 'default', a), profile('b', cluster, 'wsim', b)])).toEqual([]);
  });
});

describe('profiles of one cluster', () => {
  it('a tenant brings its parent, a parent its tenants, a lone cluster nothing', () => {
    expect(clusterSiblings('de-pro-wsim', DEFAULT_PROFILES_DIR, built('de-pro-wsim').config, {})).toEqual(['de-pro']);
    expect(clusterSiblings('de-pro', DEFAULT_PROFILES_DIR, built('de-pro').config, {})).toEqual(['de-pro-wsim']);
    expect(clusterSiblings('es-pro', DEFAULT_PROFILES_DIR, { ...built('de-pro').config, cluster_name: 'auraclusterproes' }, {})).toEqual([]);
  });

  it('a profile given by path, outside the profiles folder, has none', () => {
    expect(clusterSiblings(writeProfile('cluster_name: auraclusterprode\n'), DEFAULT_PROFILES_DIR, built('de-pro').config, {})).toEqual([]);
  });
});

describe('namespace ownership across the profiles of a cluster', () => {
  const cfg = (name: string, keys: Partial<NamespaceConfig>) => ({
    name,
    config: { cluster_name: 'k', tenant_name: 'default', environment_profile: 'de', environment_type: 'pro', core_only: false, ...keys } as NamespaceConfig,
  });
  it.each([
    ["a release_suffix equal to a sibling tenant's name (the tenant inheriting it)", [cfg('de-pro', { release_suffix: 'wsim' }), cfg('de-pro-wsim', { tenant_name: 'wsim', release_suffix: 'wsim' })], /release_suffix of profile de-pro names its namespace like the tenant_name of profile de-pro-wsim/],
    ['a tenant named like a release of its parent', [cfg('de-pro-r42', { release_suffix: 'r42', core_only: true }), cfg('de-pro-t', { tenant_name: 'r42' })], /profiles de-pro-r42 and de-pro-t both create the namespaces aura-de-pro-r42, aura-agents-de-pro-r42/],
    ['two profiles with their own cluster on one cluster_name', [cfg('a', {}), cfg('b', { environment_profile: 'es' })], /profiles a and b both create the namespace aura-system/],
    ['two releases with one suffix', [cfg('r1', { release_suffix: 'r1', core_only: true }), cfg('r2', { release_suffix: 'r1', core_only: true })], /profiles r1 and r2 both create the namespaces aura-de-pro-r1, aura-agents-de-pro-r1/],
  ])('%s: a problem naming both profiles', (_, profiles, message) => {
    const problems = namespaceOwnershipProblems(profiles);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it.each([
    ['a parent and its tenant', [cfg('de-pro', {}), cfg('de-pro-wsim', { tenant_name: 'wsim' })]],
    ['a parent and a release beside it', [cfg('de-pro', {}), cfg('de-pro-r42', { release_suffix: 'r42', core_only: true })]],
    ['the same names on two clusters', [cfg('a', {}), { ...cfg('b', {}), config: { ...cfg('b', {}).config, cluster_name: 'other' } }]],
  ])('%s: none', (_, profiles) => {
    expect(namespaceOwnershipProblems(profiles)).toEqual([]);
  });

  it('the shipped profiles own their namespaces', () => {
    expect(namespaceOwnershipProblems([output('de-pro'), output('de-pro-wsim')])).toEqual([]);
  });
});

import { dirname, resolve } from 'node:path';
import type { Manifest } from '../compile';
import type { Config } from '../profile/config.generated';
import { listProfiles, loadProfile, resolveProfileRef } from '../profile/load';
import type { FileRules } from '../profile/source-scan';
import { validateProfile } from '../profile/validate';
import { agentsNamespace, coreNamespace, hasOwnCluster, SYSTEM_NAMESPACE } from '../platform/naming';
import { describeObject } from './describe';
import { kindScope } from './schema';

/** What the cluster view needs of a compiled profile. */
export interface ProfileOutput {
  name: string;
  config: NamespaceConfig;
  manifests: readonly Manifest[];
}

/** The keys a profile's namespaces are named from. */
export type NamespaceConfig = Pick<Config, 'cluster_name' | 'tenant_name' | 'environment_profile' | 'environment_type' | 'release_suffix' | 'core_only'>;

/** The namespaces a profile creates, by their names as derived from its keys (src/platform/naming.ts). */
export function ownNamespaces(c: NamespaceConfig): string[] {
  const own = [coreNamespace(c as Config), agentsNamespace(c as Config)];
  return hasOwnCluster(c as Config) ? [...own, SYSTEM_NAMESPACE] : own;
}

/**
 * Profiles of one cluster whose keys put one into another's namespace: two profiles that derive
 * one namespace name (a release_suffix equal to a tenant's name, a tenant named like a release,
 * two profiles with their own cluster on one cluster_name), or a profile whose release namespace
 * is a tenant's own namespace (aura-<environment>-<tenant>) even when that tenant has moved on
 * to a release of its own. Either would let one profile's objects, and its undeployment, reach
 * the other's. Each problem names both profiles and the keys.
 */
export function namespaceOwnershipProblems(profiles: readonly { name: string; config: NamespaceConfig }[]): string[] {
  const problems: string[] = [];
  const sorted = [...profiles].sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const [i, a] of sorted.entries())
    for (const b of sorted.slice(i + 1)) {
      if (a.config.cluster_name !== b.config.cluster_name) continue;
      const shared = ownNamespaces(a.config).filter((ns) => ownNamespaces(b.config).includes(ns));
      const keys = 'release_suffix, tenant_name, environment_profile, environment_type';
      if (shared.length) {
        problems.push(`cluster ${a.config.cluster_name}: profiles ${a.name} and ${b.name} both create the namespace${shared.length > 1 ? 's' : ''} ${shared.join(', ')} (from their ${keys}); each profile needs namespaces of its own, or one's objects and undeployment reach the other's`);
        continue;
      }
      for (const [x, y] of [[a, b], [b, a]] as const) {
        // x's release lands where tenant y's namespaces are named (its base namespace, before any suffix of its own).
        if (y.config.tenant_name === 'default' || !x.config.release_suffix) continue;
        const tenantBase = coreNamespace({ ...(y.config as Config), release_suffix: undefined } as Config);
        if (coreNamespace(x.config as Config) === tenantBase)
          problems.push(`cluster ${a.config.cluster_name}: the release_suffix of profile ${x.name} names its namespace like the tenant_name of profile ${y.name} (aura-<environment>-<tenant>); choose a release_suffix that is no tenant's name`);
      }
    }
  return problems;
}

/** Cluster-scoped objects, or namespaced ones, by the key the API server knows them by. */
const objectKey = (m: Manifest) => describeObject(m);
/** Content compared key order aside. */
const content = (m: Manifest) => JSON.stringify(m, (_key, value) => (value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value));
const clusterScoped = (m: Manifest) => kindScope(m.apiVersion, m.kind) === 'Cluster' || (!m.metadata.namespace && kindScope(m.apiVersion, m.kind) === undefined);

/**
 * Profiles that share a cluster (one cluster_name: the parent and its tenants) apply into one API
 * server, each through its own GitOps application. Two of them emitting one object is a fight:
 * whichever applies last wins, and a controller silently loses its permissions. Problems:
 * - an object that two profiles of one cluster emit with different content;
 * - a cluster-scoped object a tenant emits under a name another profile of its cluster also
 *   emits (a tenant's cluster-scoped names must be its own, even when today's content agrees);
 * - any object a release (core_only) emits that another profile of its cluster also emits: the
 *   release and the one it runs beside are deleted apart (the old one retired, or the new one
 *   rolled back), and deleting one must not take an object of the other.
 */
export function clusterViewProblems(profiles: readonly ProfileOutput[]): string[] {
  // Profiles that each own a cluster share every namespace: that pair gets the one line below, not also the namespaces'.
  const owns = (p: ProfileOutput) => p.config.tenant_name === 'default' && !p.config.core_only;
  const owningPair = (line: string) =>
    profiles.some((a) => owns(a) && profiles.some((b) => b !== a && owns(b) && b.config.cluster_name === a.config.cluster_name && line.includes(`profiles ${a.name} and ${b.name} both create`)));
  const problems: string[] = namespaceOwnershipProblems(profiles).filter((line) => !owningPair(line));
  const clusters = new Map<string, ProfileOutput[]>();
  for (const p of profiles) clusters.set(p.config.cluster_name, [...(clusters.get(p.config.cluster_name) ?? []), p]);
  for (const [cluster, members] of [...clusters].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (members.length < 2) continue;
    // Two profiles that each own the cluster (neither a tenant nor a release beside the other) clash
    // on everything: one line with the cause, not a line per object.
    const owning = members.filter(owns).map((m) => m.name).sort();
    if (owning.length > 1) {
      problems.push(
        `cluster ${cluster}: profiles ${owning.join(' and ')} both have cluster_name ${cluster} and each would own its aura-system and cluster-wide objects (neither is a tenant nor a release of the other). Make one a tenant of the other (tenant_name), a release beside it (release_suffix and core_only: true), or, if one replaces the other, delete the other's profile file`,
      );
      continue;
    }
    const owners = new Map<string, { profile: ProfileOutput; manifest: Manifest }[]>();
    for (const profile of members)
      for (const manifest of profile.manifests) {
        const key = objectKey(manifest);
        owners.set(key, [...(owners.get(key) ?? []), { profile, manifest }]);
      }
    for (const [key, emitters] of [...owners].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (emitters.length < 2) continue;
      const names = emitters.map((e) => e.profile.name).join(' and ');
      if (new Set(emitters.map((e) => content(e.manifest))).size > 1)
        problems.push(`cluster ${cluster}: ${key} is emitted by ${names} with different content (whichever applies last wins); give each profile its own name for it`);
      else if (emitters.some((e) => e.profile.config.core_only))
        problems.push(`cluster ${cluster}: ${key} is emitted by ${names}; a release's objects must be its own (retiring one release would delete the other's)`);
      else if (clusterScoped(emitters[0]!.manifest) && emitters.some((e) => e.profile.config.tenant_name !== 'default'))
        problems.push(`cluster ${cluster}: ${key} is emitted by ${names}; a tenant's cluster-scoped names must be its own (two GitOps applications would own it)`);
    }
  }
  return problems;
}

/**
 * The other deployable profiles of the same cluster as `ref`, looked up beside it in the profiles
 * folder: a tenant brings its parent, a parent its tenants. A profile outside the folder (a path)
 * has no siblings.
 */
export function clusterSiblings(ref: string, profilesDir: string, config: Config, readRules: FileRules, clusterOf: (name: string) => string | undefined = (name) => profileCluster(name, profilesDir, readRules)): string[] {
  const file = resolveProfileRef(ref, profilesDir);
  if (resolve(dirname(file)) !== resolve(profilesDir)) return [];
  return listProfiles(profilesDir).filter((name) => resolve(profilesDir, `${name}.yaml`) !== resolve(file) && clusterOf(name) === config.cluster_name);
}

/**
 * The cluster_name of a profile of the folder, read and validated; undefined for an invalid one
 * (it is reported when it is compiled itself). A run that compiles many profiles passes
 * clusterSiblings a lookup that answers from what it read already.
 */
export function profileCluster(name: string, profilesDir: string, readRules: FileRules): string | undefined {
  try {
    return validateProfile(loadProfile(name, profilesDir, readRules)).cluster_name;
  } catch {
    return undefined;
  }
}

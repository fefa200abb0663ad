import type { CompiledObject } from '../model/manifest';
import { clusterSiblings, namespaceOwnershipProblems, ownNamespaces } from '../checks/cluster-view';
import { compareFolder, isEmptyComparison, withMarker } from '../output/tree';
import { type LoadOptions, loadProfile } from '../profile/load';
import { validateProfile } from '../profile/validate';
import { isNeverPruned, PHASE_LABEL } from '../delivery/ordering';
import { MANAGED_BY } from '../platform/labels';
import { atlasNames } from '../components/atlas';
import { agentsNamespace, clusterResourceGroup, coreNamespace, instanceName } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { dnsRecords } from './dns';
import { atlasProjectPlaceholder } from './lifecycle';
import { botChannelName, botResourceGroup, commonResourceGroup, publicIpName, publicIpResourceGroup, tenantResourceGroup } from '../platform/azure-names';
import { hasOwnCluster } from './parameters';
import { InputError, type Tool } from './tools';

/**
 * Undeployment, the guide's delete_core [--full], delete_system, delete_infra and delete_common.
 * The plan is made from the profile as it compiles now, never from dist/ as it is (a file there
 * may name any namespace): the committed folder must be exactly that compile, or nothing is
 * planned (`undeployPlan`). Kubernetes objects are deleted by the owner labels every compiled
 * object carries, limited to the kinds the compiled phase holds. A namespace is deleted only when
 * this profile's phase creates it (its Namespace object) and it is nobody else's: never one of
 * PROTECTED_NAMESPACES, an operator's, Argo CD's, or one another profile of the cluster creates.
 * Data-bearing objects (volumes, namespaces holding them, Elasticsearch, Atlas, storage) stay
 * unless --include-data.
 */
export type DeleteTarget = 'core' | 'system' | 'infra' | 'common';
export const DELETE_TARGETS: readonly DeleteTarget[] = ['core', 'system', 'infra', 'common'];

/** Namespaces of Kubernetes, AKS and the GitOps tools: objects of ours in them may go, the namespace never. */
export const PROTECTED_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system', 'calico-system', 'tigera-operator', 'argocd', 'flux-system'];

export interface DeleteOptions {
  /** delete_core --full: also what the environment's releases share (routes in aura-system, cluster objects, DNS, Bot Channels, the address). */
  full: boolean;
  includeData: boolean;
}

export interface DeleteStep {
  tool: Tool;
  args: string[];
  /** An az query that tells whether the resource exists (exit 0, and not "false"): deleting a missing one fails. */
  whenExists?: string[];
}

export interface DeletePlan {
  steps: DeleteStep[];
  /** What stays, and why: printed with the plan. */
  kept: string[];
}

interface ObjectRef {
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  statefulVolumes: boolean;
}

/** What the plan is made from: the profile compiled now, and whose namespaces are whose. */
export interface DeleteInput {
  config: Config;
  objects: readonly CompiledObject[];
  /** Namespaces other profiles of the cluster create, with the profile: never deleted by this one. */
  othersNamespaces: ReadonlyMap<string, string>;
}

const refsOf = (input: DeleteInput, phase: 'core' | 'system' | 'agents'): ObjectRef[] =>
  input.objects
    .filter((o) => o.phase === phase)
    .map(({ manifest: m }) => ({
      kind: m.kind,
      apiVersion: m.apiVersion,
      name: m.metadata.name,
      namespace: m.metadata.namespace,
      statefulVolumes: m.kind === 'StatefulSet' && ((m.spec as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates?.length ?? 0) > 0,
    }));

/** Why a namespace may not be deleted by this profile, or undefined when it is its own. */
function notOwned(ns: string, refs: readonly ObjectRef[], input: DeleteInput): string | undefined {
  const c = input.config;
  if (PROTECTED_NAMESPACES.includes(ns) || ns === c.gitops.argocd_namespace) return 'a namespace of Kubernetes or of the GitOps tools';
  if ([c.operators.eck.namespace, c.operators.mongodb_atlas.namespace].includes(ns)) return "an operator's namespace";
  const other = input.othersNamespaces.get(ns);
  if (other) return `profile ${other} creates it too`;
  if (!refs.some((r) => r.kind === 'Namespace' && r.name === ns && r.namespace === undefined)) return 'this phase does not create it';
  return undefined;
}

/** kubectl's name of a kind: deployment.apps, virtualserver.k8s.nginx.org, configmap. */
const resourceOf = (r: ObjectRef): string => (r.apiVersion.includes('/') ? `${r.kind.toLowerCase()}.${r.apiVersion.split('/')[0]}` : r.kind.toLowerCase());

/** The owner labels of a phase's objects; the core undeployment takes the agents phase with it (a set-based selector). */
export const ownerSelector = (c: Config, phase: 'core' | 'system'): string =>
  `app.kubernetes.io/managed-by=${MANAGED_BY},app.kubernetes.io/instance=${instanceName(c)},${PHASE_LABEL}${phase === 'core' ? ' in (agents,core)' : `=${phase}`}`;

const sorted = (items: Iterable<string>) => [...new Set(items)].sort();

/** kubectl delete of some kinds, in a namespace or cluster-wide, by the owner labels. */
function deleteByLabels(refs: ObjectRef[], selector: string, namespace?: string): DeleteStep[] {
  if (!refs.length) return [];
  return [{ tool: 'kubectl', args: ['delete', sorted(refs.map(resourceOf)).join(','), ...(namespace ? ['--namespace', namespace] : []), '--selector', selector, '--ignore-not-found'] }];
}

/** Namespaced objects, then the namespace itself when this profile owns it, unless it holds data and data is to be kept. */
function namespaceSteps(ns: string, refs: ObjectRef[], selector: string, opts: DeleteOptions, kept: string[], input: DeleteInput): DeleteStep[] {
  const inNs = refs.filter((r) => r.namespace === ns);
  const data = inNs.filter((r) => isNeverPruned(r.kind));
  const volumes = inNs.some((r) => r.statefulVolumes);
  const steps = deleteByLabels(inNs.filter((r) => !isNeverPruned(r.kind)), selector, ns);
  const why = notOwned(ns, refs, input);
  if (why) {
    steps.push(...(opts.includeData ? deleteByLabels(data, selector, ns) : []));
    if (data.length && !opts.includeData) kept.push(`${sorted(data.map((r) => r.kind)).join(', ')} in ${ns}: they hold data (--include-data deletes them)`);
    kept.push(`namespace ${ns}: not this profile's to delete (${why}); only this profile's objects in it go, by their owner labels`);
    return steps;
  }
  if (opts.includeData) {
    steps.push(...deleteByLabels(data, selector, ns));
    return [...steps, { tool: 'kubectl', args: ['delete', 'namespace', ns, '--ignore-not-found'] }];
  }
  if (data.length) kept.push(`${sorted(data.map((r) => r.kind)).join(', ')} in ${ns}: they hold data (--include-data deletes them)`);
  if (volumes || data.length) kept.push(`namespace ${ns} and its PersistentVolumeClaims: deleting the namespace deletes the volumes (--include-data deletes it)`);
  else steps.push({ tool: 'kubectl', args: ['delete', 'namespace', ns, '--ignore-not-found'] });
  return steps;
}

const recordDelete = (c: Config, label: string): DeleteStep => ({
  tool: 'az',
  args: ['network', 'dns', 'record-set', 'a', 'delete', '--resource-group', c.dns_zone_resource_group, '--zone-name', c.dns_domain, '--name', label, '--yes'],
});

function corePlan(input: DeleteInput, refs: ObjectRef[], opts: DeleteOptions): DeletePlan {
  const c = input.config;
  const kept: string[] = [];
  const ns = coreNamespace(c);
  const selector = ownerSelector(c, 'core');
  const agents = agentsNamespace(c);
  const steps = [...namespaceSteps(agents, refs, selector, opts, kept, input), ...namespaceSteps(ns, refs, selector, opts, kept, input)];
  const shared = refs.filter((r) => r.namespace !== ns && r.namespace !== agents && r.kind !== 'Namespace');
  const records = dnsRecords(c);
  if (opts.full) {
    for (const other of sorted(shared.filter((r) => r.namespace).map((r) => r.namespace!))) steps.push(...deleteByLabels(shared.filter((r) => r.namespace === other), selector, other));
    steps.push(...deleteByLabels(shared.filter((r) => !r.namespace), selector));
    if (c.force_dns_update) steps.push(...records.live.map((l) => recordDelete(c, l)));
    else kept.push(`the DNS records of ${records.live.length} hosts: this profile does not own them (force_dns_update is false)`);
    steps.push(...records.next.map((l) => recordDelete(c, l)));
    // The -next twin may be gone already (or never made): each is deleted when it exists.
    // Every profile deploys its Bot Channels (infra/dns.bicep); their app registrations stay (Entra, not the environment's).
    for (const bot of [botChannelName(c), botChannelName(c, true)]) {
      const target = ['--resource-group', botResourceGroup(c), '--name', bot];
      steps.push({ tool: 'az', args: ['bot', 'delete', ...target], whenExists: ['bot', 'show', ...target, '--output', 'none'] });
    }
    // After the namespace: the Service releases the address first.
    const address = ['--resource-group', publicIpResourceGroup(c), '--name', publicIpName(c)];
    steps.push({ tool: 'az', args: ['network', 'public-ip', 'delete', ...address], whenExists: ['network', 'public-ip', 'show', ...address, '--output', 'none'] });
    // A tenant's own group goes with its last core namespace; a release beside it shares it.
    const tenantGroup = tenantResourceGroup(c);
    if (tenantGroup && !c.core_only) steps.push(groupDelete(tenantGroup));
  } else {
    if (shared.length) kept.push(`${shared.length} objects outside ${ns} (routes in aura-system, cluster-wide objects), shared with the environment's other releases (--full deletes them)`);
    // The guide: the -next entries go with delete_core when next_domains_enabled.
    if (c.next_domains_enabled) steps.push(...records.next.map((l) => recordDelete(c, l)));
    kept.push('the DNS records, Bot Channels and public address of the environment (--full deletes them)');
  }
  return { steps, kept };
}

function systemPlan(input: DeleteInput, refs: ObjectRef[], opts: DeleteOptions): DeletePlan {
  const c = input.config;
  const kept: string[] = [];
  const selector = ownerSelector(c, 'system');
  const namespaces = sorted(refs.filter((r) => r.namespace).map((r) => r.namespace!));
  const steps = namespaces.flatMap((ns) => namespaceSteps(ns, refs, selector, opts, kept, input));
  steps.push(...deleteByLabels(refs.filter((r) => !r.namespace && r.kind !== 'Namespace'), selector));
  if (c.atlas_enabled) {
    const cluster = atlasNames(c).cluster;
    if (opts.includeData) steps.push({ tool: 'atlas', args: ['clusters', 'delete', cluster, '--projectId', atlasProjectPlaceholder(c), '--force'] });
    else kept.push(`Atlas cluster ${cluster}: the Atlas objects are annotated keep, so the cluster outlives them (--include-data deletes it)`);
  }
  kept.push('the CustomResourceDefinitions: deleting one deletes every object of its kind in the cluster; they go with the cluster (--delete infra)');
  return { steps, kept };
}

const groupDelete = (group: string): DeleteStep => ({ tool: 'az', args: ['group', 'delete', '--name', group, '--yes'], whenExists: ['group', 'exists', '--name', group] });

/** Why infra and common need --include-data: they cannot be deleted without their data. */
export const DATA_OF: Record<'infra' | 'common', string> = {
  infra: 'deleting the cluster deletes every volume in it (the in-cluster databases, Elasticsearch, Prometheus)',
  common: 'deleting the common resource group deletes the storage account with aura-backups, the snapshots and the Thanos blocks',
};

export function deletePlan(target: DeleteTarget, input: DeleteInput, opts: DeleteOptions): DeletePlan {
  const c = input.config;
  switch (target) {
    case 'core':
      return corePlan(input, [...refsOf(input, 'core'), ...refsOf(input, 'agents')], opts);
    case 'system':
      return systemPlan(input, refsOf(input, 'system'), opts);
    case 'infra':
      return { steps: [groupDelete(clusterResourceGroup(c))], kept: [`the common resources (${commonResourceGroup(c)}): --delete common`] };
    case 'common':
      return { steps: [groupDelete(commonResourceGroup(c))], kept: ['the Key Vault of customer-managed keys stays soft-deleted for 90 days (purge protection); a new deploy_common in that time must recover it'] };
  }
}

/** Which targets a profile may delete: a tenant owns only its core namespace. */
export const deletable = (c: Config, target: DeleteTarget): boolean => hasOwnCluster(c) || target === 'core';

/** Files named when the committed folder differs from the compile (the rest are counted). */
const MAX_NAMED = 10;

/**
 * The committed dist/<profile> is exactly what the profile compiles to now, or the deletion is
 * refused, naming the files: a plan is made from the compile, and what was applied is what was
 * committed, so the two must agree before anything is deleted.
 */
export function refuseStaleOutput(profileDir: string, name: string, files: ReadonlyMap<string, string>): void {
  const c = compareFolder(profileDir, withMarker(files));
  if (isEmptyComparison(c)) return;
  if (c.missing.length === files.size + 1)
    throw new InputError(`${profileDir} is missing: run npm run synth -- --profile ${name} first (the plan is made from the compiled profile, and deletes what it applied)`);
  const listed = [...c.differs.map((p) => `differs ${p}`), ...c.missing.map((p) => `missing ${p}`), ...c.extra.map((p) => `extra ${p}`)];
  const shown = listed.slice(0, MAX_NAMED).join(', ') + (listed.length > MAX_NAMED ? `, and ${listed.length - MAX_NAMED} more` : '');
  throw new InputError(
    `${profileDir} is not what profile ${name} compiles to now (${listed.length} file(s): ${shown}); nothing was deleted. Run npm run synth -- --profile ${name}, review and apply (or commit) the change, then delete`,
  );
}

/**
 * The namespaces the other profiles of this profile's cluster create (they are never this one's
 * to delete), after the cluster's ownership rule: profiles whose keys put one into another's
 * namespace are refused, naming both.
 */
export function othersNamespaces(name: string, config: Config, profilesDir: string, rules: LoadOptions): Map<string, string> {
  const siblings = clusterSiblings(name, profilesDir, config, rules).map((sibling) => ({ name: sibling, config: validateProfile(loadProfile(sibling, profilesDir, rules)) }));
  const problems = namespaceOwnershipProblems([{ name, config }, ...siblings]);
  if (problems.length) throw new InputError(`${problems.join('; ')}; nothing was deleted`);
  const owners = new Map<string, string>();
  for (const s of siblings) for (const ns of ownNamespaces(s.config)) owners.set(ns, s.name);
  return owners;
}

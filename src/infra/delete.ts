import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isNeverPruned, PHASE_LABEL } from '../delivery/ordering';
import { MANAGED_BY } from '../platform/labels';
import { atlasNames } from '../components/atlas';
import { agentsNamespace, clusterResourceGroup, coreNamespace, instanceName } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { dnsRecords } from './dns';
import { atlasProjectPlaceholder } from './lifecycle';
import { botChannelName, commonResourceGroup, publicIpName, publicIpResourceGroup } from '../platform/azure-names';
import { hasOwnCluster } from './parameters';
import { InputError, type Tool } from './tools';

/**
 * Undeployment, the guide's delete_core [--full], delete_system, delete_infra and delete_common.
 * Kubernetes objects are deleted by the owner labels every compiled object carries, limited to
 * the kinds the compiled phase holds (read from dist/<profile>/manifests/<phase>/, i.e. what was
 * applied). Data-bearing objects (volumes, namespaces holding them, Elasticsearch, Atlas, storage)
 * stay unless --include-data.
 */
export type DeleteTarget = 'core' | 'system' | 'infra' | 'common';
export const DELETE_TARGETS: readonly DeleteTarget[] = ['core', 'system', 'infra', 'common'];

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
  namespace?: string;
  statefulVolumes: boolean;
}

/** The objects of a compiled phase, from its files. */
function compiledObjects(profileDir: string, phase: 'core' | 'system' | 'agents', optional = false): ObjectRef[] {
  const root = join(profileDir, 'manifests', phase);
  if (!existsSync(root) && optional) return [];
  if (!existsSync(root)) throw new InputError(`${root} is missing: run npm run synth -- --profile <name> first (the delete plan reads what was compiled)`);
  const refs: ObjectRef[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml') || entry.name === 'kustomization.yaml') continue;
    const doc = parse(readFileSync(join(entry.parentPath, entry.name), 'utf8'));
    refs.push({ kind: doc.kind, apiVersion: doc.apiVersion, namespace: doc.metadata?.namespace, statefulVolumes: doc.kind === 'StatefulSet' && (doc.spec?.volumeClaimTemplates?.length ?? 0) > 0 });
  }
  return refs;
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

/** Namespaced objects, then the namespace itself unless it holds data and data is to be kept. */
function namespaceSteps(ns: string, refs: ObjectRef[], selector: string, opts: DeleteOptions, kept: string[]): DeleteStep[] {
  const inNs = refs.filter((r) => r.namespace === ns);
  const data = inNs.filter((r) => isNeverPruned(r.kind));
  const volumes = inNs.some((r) => r.statefulVolumes);
  const steps = deleteByLabels(inNs.filter((r) => !isNeverPruned(r.kind)), selector, ns);
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

function corePlan(c: Config, refs: ObjectRef[], opts: DeleteOptions): DeletePlan {
  const kept: string[] = [];
  const ns = coreNamespace(c);
  const selector = ownerSelector(c, 'core');
  const agents = agentsNamespace(c);
  const steps = [...namespaceSteps(agents, refs, selector, opts, kept), ...namespaceSteps(ns, refs, selector, opts, kept)];
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
      const target = ['--resource-group', commonResourceGroup(c), '--name', bot];
      steps.push({ tool: 'az', args: ['bot', 'delete', ...target], whenExists: ['bot', 'show', ...target, '--output', 'none'] });
    }
    // After the namespace: the Service releases the address first.
    const address = ['--resource-group', publicIpResourceGroup(c), '--name', publicIpName(c)];
    steps.push({ tool: 'az', args: ['network', 'public-ip', 'delete', ...address], whenExists: ['network', 'public-ip', 'show', ...address, '--output', 'none'] });
  } else {
    if (shared.length) kept.push(`${shared.length} objects outside ${ns} (routes in aura-system, cluster-wide objects), shared with the environment's other releases (--full deletes them)`);
    // The guide: the -next entries go with delete_core when next_domains_enabled.
    if (c.next_domains_enabled) steps.push(...records.next.map((l) => recordDelete(c, l)));
    kept.push('the DNS records, Bot Channels and public address of the environment (--full deletes them)');
  }
  return { steps, kept };
}

function systemPlan(c: Config, refs: ObjectRef[], opts: DeleteOptions): DeletePlan {
  const kept: string[] = [];
  const selector = ownerSelector(c, 'system');
  const namespaces = sorted(refs.filter((r) => r.namespace).map((r) => r.namespace!));
  const steps = namespaces.flatMap((ns) => namespaceSteps(ns, refs, selector, opts, kept));
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

export function deletePlan(target: DeleteTarget, c: Config, profileDir: string, opts: DeleteOptions): DeletePlan {
  switch (target) {
    case 'core':
      return corePlan(c, [...compiledObjects(profileDir, 'core'), ...compiledObjects(profileDir, 'agents', true)], opts);
    case 'system':
      return systemPlan(c, compiledObjects(profileDir, 'system'), opts);
    case 'infra':
      return { steps: [groupDelete(clusterResourceGroup(c))], kept: [`the common resources (${commonResourceGroup(c)}): --delete common`] };
    case 'common':
      return { steps: [groupDelete(commonResourceGroup(c))], kept: ['the Key Vault of customer-managed keys stays soft-deleted for 90 days (purge protection); a new deploy_common in that time must recover it'] };
  }
}

/** Which targets a profile may delete: a tenant owns only its core namespace. */
export const deletable = (c: Config, target: DeleteTarget): boolean => hasOwnCluster(c) || target === 'core';

import type { Config } from '../profile/config.generated';
import { namespaceAccessLabel } from './labels';
import { hasOwnCluster } from './naming';

/** A third-party operator installed from its official Helm chart. */
export interface ChartOperator {
  /** Key under `operators` in the profile. */
  key: 'eck' | 'mongodb_atlas';
  /** Short name of its Helm repository, as Flux's HelmRepository is called. */
  repositoryName: string;
  chartRepository: string;
  chart: string;
  version: string;
  release: string;
  namespace: string;
  values: Record<string, unknown>;
  /** Set: rendered at compile time from this archive instead of being installed by Argo CD or Flux. */
  chartArchive?: string;
  /** The `app` labels of the in-cluster workloads the operator calls to manage them. */
  manages: string[];
  /** Labels of its namespace: one namespace access label per managed workload, so their policies admit it. */
  namespaceLabels: Record<string, string>;
}

/** The NGINX Ingress Controller's CRDs, applied from the official repository at a release tag. */
export interface CrdSource {
  name: string;
  gitRepository: string;
  tag: string;
  path: string;
}

const REPOSITORY_NAMES: Record<ChartOperator['key'], string> = { eck: 'elastic', mongodb_atlas: 'mongodb' };

/**
 * What each operator reaches inside the cluster: ECK calls the Elasticsearch API of the clusters
 * it manages (health, settings, shard moves before a node goes); the Atlas operator talks only to
 * the Atlas cloud API. Their namespaces' labels, and the network verifier's flows, follow.
 */
export const OPERATOR_MANAGES: Record<ChartOperator['key'], string[]> = { eck: ['elasticsearch'], mongodb_atlas: [] };

/** Operators a profile needs: the cluster-wide ones belong to the profile that owns the cluster. */
export function chartOperators(c: Config): ChartOperator[] {
  if (!hasOwnCluster(c)) return [];
  const keys: ChartOperator['key'][] = ['eck', ...(c.atlas_enabled ? (['mongodb_atlas'] as const) : [])];
  return keys.map((key) => {
    const o = c.operators[key];
    return {
      key,
      repositoryName: REPOSITORY_NAMES[key],
      chartRepository: o.chart_repository,
      chart: o.chart,
      version: o.version,
      release: o.release,
      namespace: o.namespace,
      values: o.values as Record<string, unknown>,
      ...(o.chart_archive ? { chartArchive: o.chart_archive } : {}),
      manages: OPERATOR_MANAGES[key],
      namespaceLabels: Object.fromEntries(OPERATOR_MANAGES[key].map((app) => [namespaceAccessLabel(app), 'true'])),
    };
  });
}

export function crdSources(c: Config): CrdSource[] {
  if (!hasOwnCluster(c)) return [];
  const n = c.operators.nginx_ingress_crds;
  return [{ name: 'nginx-ingress-crds', gitRepository: n.git_repository, tag: n.version, path: n.path }];
}

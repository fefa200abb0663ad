import { namespaceAccessLabel } from '../platform/labels';
import { hasOwnCluster } from '../platform/naming';
import type { ChartOperator, Component, CrdSource, OperatorSpec } from '../platform/types';
import type { Config } from '../profile/config.generated';
import { CATALOG } from './catalog';

/**
 * The third-party operators and upstream CRDs the components declare, as a profile installs
 * them. The cluster-wide ones belong to the profile that owns the cluster.
 */

/** Operators a profile needs, in catalog order. */
export function chartOperators(c: Config, catalog: readonly Component[] = CATALOG): ChartOperator[] {
  if (!hasOwnCluster(c)) return [];
  return catalog.flatMap((k) => (k.operator && (k.operator.enabled?.(c) ?? true) ? [chartOperator(k.operator, c)] : []));
}

function chartOperator(spec: OperatorSpec, c: Config): ChartOperator {
  const o = c.operators[spec.key];
  return {
    key: spec.key,
    repositoryName: spec.repositoryName,
    chartRepository: o.chart_repository,
    chart: o.chart,
    version: o.version,
    release: o.release,
    namespace: o.namespace,
    values: o.values as Record<string, unknown>,
    ...(o.chart_archive ? { chartArchive: o.chart_archive } : {}),
    manages: spec.manages,
    namespaceLabels: Object.fromEntries(spec.manages.map((app) => [namespaceAccessLabel(app), 'true'])),
  };
}

/** What each operator reaches inside the cluster, by its profile key. */
export const OPERATOR_MANAGES: Record<OperatorSpec['key'], string[]> = Object.fromEntries(
  CATALOG.flatMap((k) => (k.operator ? [[k.operator.key, k.operator.manages]] : [])),
) as Record<OperatorSpec['key'], string[]>;

/** Upstream CRD repositories a profile applies, in catalog order. */
export function crdSources(c: Config, catalog: readonly Component[] = CATALOG): CrdSource[] {
  if (!hasOwnCluster(c)) return [];
  return catalog.flatMap((k) => k.crdSources?.(c) ?? []);
}

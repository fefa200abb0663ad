import type { Manifest } from '../model/manifest';
import { podsOf } from '../network/model';
import { type NetworkPolicy, selects } from '../network/semantics';
import { describeObject } from './describe';

/** Every policy selects at least one pod, and every named port it uses is declared by a pod it selects. */
export function checkNetworkPolicies(manifests: readonly Manifest[]): string[] {
  const pods = podsOf(manifests);
  const problems: string[] = [];
  for (const m of manifests.filter((x) => x.kind === 'NetworkPolicy')) {
    const policy = m as unknown as NetworkPolicy;
    const selected = pods.filter((p) => p.namespace === m.metadata.namespace && selects(policy.spec.podSelector, p.labels));
    if (!selected.length) {
      problems.push(`${describeObject(m)}: selects no pod`);
      continue;
    }
    const named = [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])].flatMap((r) => r.ports ?? []).filter((p) => typeof p.port === 'string');
    for (const port of new Set(named.map((p) => p.port as string)))
      if (!selected.some((p) => p.ports.some((cp) => cp.name === port)))
        problems.push(`${describeObject(m)}: port ${port} is not a named port of the pods it selects (${[...new Set(selected.map((p) => p.name))].join(', ')})`);
  }
  return problems;
}

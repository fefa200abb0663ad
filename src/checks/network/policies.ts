import type { Manifest } from '../../model/manifest';
import { podsOf } from './model';
import { type NetworkPolicy, protocolOf, selects } from './semantics';
import { describeObject } from '../describe';

/** Every policy selects at least one pod, and every named port its ingress rules use is declared, with the rule's protocol, by a pod it selects. */
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
    // Ingress only: an egress rule's named port resolves on the destination pods, not on the selected ones.
    const named = (policy.spec.ingress ?? []).flatMap((r) => r.ports ?? []).filter((p) => typeof p.port === 'string');
    for (const key of new Set(named.map((p) => `${p.port as string}/${protocolOf(p)}`))) {
      const [port, protocol] = key.split('/') as [string, string];
      if (selected.some((p) => p.ports.some((cp) => cp.name === port && cp.protocol === protocol))) continue;
      const otherProtocols = [...new Set(selected.flatMap((p) => p.ports.filter((cp) => cp.name === port).map((cp) => cp.protocol)))];
      problems.push(
        `${describeObject(m)}: port ${port}${protocol === 'TCP' ? '' : `/${protocol}`} is not a named ${protocol === 'TCP' ? '' : `${protocol} `}port of the pods it selects (${[...new Set(selected.map((p) => p.name))].join(', ')})` +
          (otherProtocols.length ? `: they declare it for ${otherProtocols.join(', ')}; state that protocol in the policy` : ''),
      );
    }
  }
  return problems;
}

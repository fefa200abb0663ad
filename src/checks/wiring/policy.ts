import { allowed, isolated, type Network, policyTypes, type Pod, selects } from '../network/semantics';

/** Which NetworkPolicy admits a connection the wiring check found. */

/** The policy that admits src → dst:port, or `not isolated`. */
export function admittingPolicy(src: Pod, dst: Pod, port: number, net: Network): string | undefined {
  if (!isolated(dst, 'Ingress', net)) return 'not isolated';
  const candidates = net.policies.filter((p) => (p.metadata.namespace ?? 'default') === dst.namespace && policyTypes(p).includes('Ingress') && selects(p.spec.podSelector, dst.labels));
  return candidates.find((p) => flowAllowed(src, dst, port, { ...net, policies: [p] }))?.metadata.name;
}

/** The one call into src/checks/network's engine (TCP: every endpoint here is a TCP service). */
function flowAllowed(src: Pod, dst: Pod, port: number, net: Network): boolean {
  return allowed(src, dst, { port, protocol: 'TCP' }, net);
}


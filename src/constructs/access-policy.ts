import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { namespaceAccessLabel, podAccessLabel, standardLabels } from '../platform/labels';
import type { ResolvedPolicy } from '../platform/types';
import type { Config } from '../profile/config.generated';

export interface AccessPolicyProps {
  policy: ResolvedPolicy;
  config: Config;
}

/** The label the control plane puts on every namespace: its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** One of the guide's ingress policies: the target accepts only the clients that carry its access labels. */
export class AccessPolicy extends Construct {
  constructor(scope: Construct, id: string, props: AccessPolicyProps) {
    super(scope, id);
    const { policy, config } = props;
    const { namespace } = policy;
    const portsOf = (list: (string | number)[]) => list.map((p) => ({
      protocol: 'TCP',
      port: typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p),
    }));
    const ports = portsOf(policy.ports);
    const pods = { matchLabels: { [podAccessLabel(policy.target)]: 'true' } };
    const namespaces = { matchLabels: { [namespaceAccessLabel(policy.target)]: 'true' } };
    const ingress: k8s.NetworkPolicyIngressRule[] =
      policy.form === 'pod-in-namespace'
        ? [{ from: [{ podSelector: pods, namespaceSelector: namespaces }], ports }]
        : [
            { from: [{ namespaceSelector: namespaces }], ports },
            { from: [{ podSelector: pods }], ports },
          ];
    // Namespaces admitted by the name the control plane labels every namespace with.
    for (const a of policy.admitNamespaces ?? [])
      ingress.push({ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: a.namespace } } }], ports: portsOf(a.ports) });
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: `${policy.target}-network-policy`, namespace, labels: standardLabels(`${policy.target}-network-policy`, config, policy.target) },
      spec: { podSelector: { matchLabels: { app: policy.target, ...policy.alsoSelect } }, policyTypes: ['Ingress'], ingress },
    });
  }
}

import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { namespaceAccessLabel, podAccessLabel, standardLabels } from '../platform/labels';
import type { ResolvedPolicy } from '../platform/types';
import type { Config } from '../profile/config.generated';

export interface AccessPolicyProps {
  policy: ResolvedPolicy;
  config: Config;
}

/** One of the guide's ingress policies: the target accepts only the clients that carry its access labels. */
export class AccessPolicy extends Construct {
  constructor(scope: Construct, id: string, props: AccessPolicyProps) {
    super(scope, id);
    const { policy, config } = props;
    const { namespace } = policy;
    const ports = policy.ports.map((p) => ({
      protocol: 'TCP',
      port: typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p),
    }));
    const pods = { matchLabels: { [podAccessLabel(policy.target)]: 'true' } };
    const namespaces = { matchLabels: { [namespaceAccessLabel(policy.target)]: 'true' } };
    const ingress: k8s.NetworkPolicyIngressRule[] =
      policy.form === 'pod-in-namespace'
        ? [{ from: [{ podSelector: pods, namespaceSelector: namespaces }], ports }]
        : [
            { from: [{ namespaceSelector: namespaces }], ports },
            { from: [{ podSelector: pods }], ports },
          ];
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: `${policy.target}-network-policy`, namespace, labels: standardLabels(`${policy.target}-network-policy`, config, policy.target) },
      spec: { podSelector: { matchLabels: { app: policy.target, ...policy.alsoSelect } }, policyTypes: ['Ingress'], ingress },
    });
  }
}

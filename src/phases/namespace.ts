import type { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { standardLabels } from '../platform/labels';
import type { Config } from '../profile/config.generated';

/** A platform namespace; its pods run under the restricted Pod Security Standard. */
export function platformNamespace(scope: Construct, name: string, config: Config): k8s.KubeNamespace {
  return new k8s.KubeNamespace(scope, `Namespace-${name}`, {
    metadata: {
      name,
      labels: {
        ...standardLabels(name, config),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.28',
      },
    },
  });
}

import type { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { targetKubernetesMinor } from '../model/kubernetes-versions';
import { standardLabels } from '../platform/labels';
import type { Config } from '../profile/config.generated';

/**
 * A platform namespace. Pods run under the restricted Pod Security Standard; a namespace that
 * hosts node agents (node-exporter reads the host's /proc and /sys) enforces `privileged` and
 * keeps warning and auditing against `restricted`, so anything else that slips is visible.
 */
export function platformNamespace(scope: Construct, name: string, config: Config, accessLabels: Record<string, string>, hostsNodeAgents = false): k8s.KubeNamespace {
  const enforce = hostsNodeAgents ? 'privileged' : 'restricted';
  return new k8s.KubeNamespace(scope, `Namespace-${name}`, {
    metadata: {
      name,
      labels: {
        ...standardLabels(name, config),
        'pod-security.kubernetes.io/enforce': enforce,
        // The standards as the cluster's version defines them: an upgrade recompiles, it does not silently tighten.
        'pod-security.kubernetes.io/enforce-version': `v${targetKubernetesMinor(config)}`,
        ...(hostsNodeAgents ? { 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' } : {}),
        ...accessLabels,
      },
    },
  });
}

import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AccessPolicy } from '../constructs/access-policy';
import { AuraWorkload } from '../constructs/aura-workload';
import { RestrictedPodsPolicy } from '../constructs/restricted-pods-policy';
import { standardLabels } from '../platform/labels';
import type { Platform } from '../platform/types';
import { platformNamespace } from '../constructs/namespace';
import { componentObjects } from './objects';

/** aura-system and the namespaces of system components that live apart (active-listening). */
export class SystemPhase extends Chart {
  constructor(scope: Construct, platform: Platform) {
    super(scope, 'system', { disableResourceNameHashes: true });
    const { config, network } = platform;
    const system = platform.namespaces.system;
    const workloads = platform.workloads('system');
    const namespaces = new Set([system, ...workloads.map((w) => platform.namespaceOf(w))]);
    const agentNamespaces = new Set(workloads.filter((w) => w.host).map((w) => platform.namespaceOf(w)));
    for (const ns of [...namespaces].sort()) platformNamespace(this, ns, config, network.namespaceLabels(ns), agentNamespaces.has(ns));
    // A namespace that hosts node agents enforces privileged; every other pod there is held to restricted.
    for (const ns of [...agentNamespaces].sort())
      new RestrictedPodsPolicy(this, `restricted-pods-${ns}`, { namespace: ns, exempt: workloads.filter((w) => w.host && platform.namespaceOf(w) === ns).map((w) => w.name), labels: standardLabels(ns, config) });
    for (const spec of workloads) new AuraWorkload(this, spec.name, { spec, platform });
    componentObjects(this, platform, 'system');
    for (const policy of network.policies.filter((p) => p.namespace !== platform.namespaces.core))
      new AccessPolicy(this, `policy-${policy.target}`, { policy, config });
  }
}

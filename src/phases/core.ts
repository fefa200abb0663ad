import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AccessPolicy } from '../constructs/access-policy';
import { AuraWorkload } from '../constructs/aura-workload';
import { platformNamespace } from '../constructs/namespace';
import type { Platform } from '../platform/types';
import { componentObjects } from './objects';

/** The core namespace (aura-$ENV) and every core service the profile enables. */
export class CorePhase extends Chart {
  constructor(scope: Construct, platform: Platform) {
    super(scope, 'core', { disableResourceNameHashes: true });
    const { config } = platform;
    const namespace = platform.namespaces.core;
    platformNamespace(this, namespace, config, platform.network.namespaceLabels(namespace));
    for (const spec of platform.workloads('core')) new AuraWorkload(this, spec.name, { spec, platform });
    componentObjects(this, platform, 'core');
    for (const policy of platform.network.policies.filter((p) => p.namespace === namespace)) new AccessPolicy(this, `policy-${policy.target}`, { policy, config });
  }
}

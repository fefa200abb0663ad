import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AuraWorkload } from '../constructs/aura-workload';
import { AccessPolicy } from '../constructs/access-policy';
import { AtlasResources } from '../constructs/atlas';
import { ElasticStack } from '../constructs/elastic-stack';
import { networkPlan } from '../platform/network';
import { enabledComponents } from '../platform/catalog';
import { SYSTEM_NAMESPACE } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { platformNamespace } from './namespace';

/** aura-system and the namespaces of system components that live apart (active-listening). */
export class SystemPhase extends Chart {
  constructor(scope: Construct, config: Config) {
    super(scope, 'system', { disableResourceNameHashes: true });
    const components = enabledComponents(config, 'system');
    const plan = networkPlan(config);
    const namespaces = new Set([SYSTEM_NAMESPACE, ...components.flatMap((c) => (c.namespace ? [c.namespace(config)] : []))]);
    const agentNamespaces = new Set(components.filter((c) => c.host).map((c) => c.namespace?.(config) ?? SYSTEM_NAMESPACE));
    for (const ns of [...namespaces].sort()) platformNamespace(this, ns, config, plan.namespaceLabels(ns), agentNamespaces.has(ns));
    for (const spec of components) new AuraWorkload(this, spec.name, { spec, namespace: SYSTEM_NAMESPACE, config, accessLabels: plan.podLabels(spec.name) });
    new ElasticStack(this, 'elastic', { namespace: SYSTEM_NAMESPACE, config, accessLabels: plan.podLabels });
    if (config.atlas_enabled) new AtlasResources(this, 'atlas', { namespace: SYSTEM_NAMESPACE, config });
    for (const policy of plan.policies) new AccessPolicy(this, `policy-${policy.target}`, { policy, namespace: SYSTEM_NAMESPACE, config });
  }
}

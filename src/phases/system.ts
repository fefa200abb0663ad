import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AuraWorkload } from '../constructs/aura-workload';
import { ElasticStack } from '../constructs/elastic-stack';
import { enabledComponents } from '../platform/catalog';
import { SYSTEM_NAMESPACE } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { platformNamespace } from './namespace';

/** aura-system and the namespaces of system components that live apart (active-listening). */
export class SystemPhase extends Chart {
  constructor(scope: Construct, config: Config) {
    super(scope, 'system', { disableResourceNameHashes: true });
    const components = enabledComponents(config, 'system');
    const namespaces = new Set([SYSTEM_NAMESPACE, ...components.flatMap((c) => (c.namespace ? [c.namespace(config)] : []))]);
    const agentNamespaces = new Set(components.filter((c) => c.host).map((c) => c.namespace?.(config) ?? SYSTEM_NAMESPACE));
    for (const ns of [...namespaces].sort()) platformNamespace(this, ns, config, agentNamespaces.has(ns));
    for (const spec of components) new AuraWorkload(this, spec.name, { spec, namespace: SYSTEM_NAMESPACE, config });
    new ElasticStack(this, 'elastic', { namespace: SYSTEM_NAMESPACE, config });
  }
}

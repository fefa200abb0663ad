import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { RESOLUTION_RESOURCES_NAME } from '../components/aura-operator';
import { AccessPolicy } from '../constructs/access-policy';
import { auraObject } from '../constructs/aura-crds';
import { AtlasServicesUser } from '../constructs/atlas';
import { AuraWorkload } from '../constructs/aura-workload';
import { Ingress } from '../constructs/ingress';
import { objectName } from '../platform/naming';
import type { Platform } from '../platform/types';
import { platformNamespace } from './namespace';

/** The core namespace (aura-$ENV) and every core service the profile enables. */
export class CorePhase extends Chart {
  constructor(scope: Construct, platform: Platform) {
    super(scope, 'core', { disableResourceNameHashes: true });
    const { config } = platform;
    const namespace = platform.namespaces.core;
    platformNamespace(this, namespace, config, platform.network.namespaceLabels(namespace));
    for (const spec of platform.workloads('core')) new AuraWorkload(this, spec.name, { spec, platform });
    if (platform.enabled('atlas')) new AtlasServicesUser(this, 'atlas-services', { namespace, projectNamespace: platform.namespaces.system, config });
    if (platform.enabled('nginx')) new Ingress(this, 'ingress', { platform });
    for (const policy of platform.network.policies.filter((p) => p.namespace === namespace)) new AccessPolicy(this, `policy-${policy.target}`, { policy, config });
    if (platform.enabled('aura-operator')) {
      for (const [pkg, version] of Object.entries(config.nlp_packages).sort(([a], [b]) => (a < b ? -1 : 1)))
        auraObject(this, 'NlpTraining', objectName(pkg), namespace, { version }, config);
      auraObject(this, 'ResolutionResources', RESOLUTION_RESOURCES_NAME, namespace, { version: config.resolutions.version }, config);
    }
  }
}

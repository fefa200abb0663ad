import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { nlpPackages, RESOLUTION_RESOURCES_NAME, updateField } from '../components/aura-operator';
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
      for (const pkg of nlpPackages(config)) auraObject(this, 'NlpTraining', objectName(pkg.name), namespace, { version: pkg.version, ...updateField(pkg.update) }, config);
      auraObject(this, 'ResolutionResources', RESOLUTION_RESOURCES_NAME, namespace, { version: config.resolutions.version, ...updateField(config.resolutions.update) }, config);
    }
  }
}

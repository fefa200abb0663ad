import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AuraWorkload } from '../constructs/aura-workload';
import { type ComponentSpec, enabledComponents } from '../platform/catalog';
import { coreNamespace } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { auraObject } from '../constructs/aura-crds';
import { Ingress } from '../constructs/ingress';
import { hasOwnCluster } from '../infra/parameters';
import { networkPlan } from '../platform/network';
import { objectName, RESOLUTION_RESOURCES_NAME } from '../platform/operator';
import { platformNamespace } from './namespace';

/** The core namespace (aura-$ENV) and every core service the profile enables. */
export class CorePhase extends Chart {
  /** `components` defaults to the catalog's; the benchmark passes a multiplied list. */
  constructor(scope: Construct, config: Config, components: ComponentSpec[] = enabledComponents(config, 'core')) {
    super(scope, 'core', { disableResourceNameHashes: true });
    const namespace = coreNamespace(config);
    const plan = networkPlan(config);
    platformNamespace(this, namespace, config, plan.namespaceLabels(namespace));
    for (const spec of components) new AuraWorkload(this, spec.name, { spec, namespace, config, accessLabels: plan.podLabels(spec.name) });
    new Ingress(this, 'ingress', { config, ownCluster: hasOwnCluster(config) });
    if (config.aura_operator_enabled) {
      for (const [pkg, version] of Object.entries(config.nlp_packages).sort(([a], [b]) => (a < b ? -1 : 1)))
        auraObject(this, 'NlpTraining', objectName(pkg), namespace, { version }, config);
      auraObject(this, 'ResolutionResources', RESOLUTION_RESOURCES_NAME, namespace, { version: config.resolutions.version }, config);
    }
  }
}

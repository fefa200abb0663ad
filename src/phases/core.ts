import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { AuraWorkload } from '../constructs/aura-workload';
import { type ComponentSpec, enabledComponents } from '../platform/catalog';
import { standardLabels } from '../platform/labels';
import { coreNamespace } from '../platform/naming';
import type { Config } from '../profile/config.generated';

/** The core namespace (aura-$ENV) and every core service the profile enables. */
export class CorePhase extends Chart {
  /** `components` defaults to the catalog's; the benchmark passes a multiplied list. */
  constructor(scope: Construct, config: Config, components: ComponentSpec[] = enabledComponents(config, 'core')) {
    super(scope, 'core', { disableResourceNameHashes: true });
    const namespace = coreNamespace(config);
    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: namespace,
        labels: {
          ...standardLabels(namespace, config),
          // Every core pod runs under the restricted Pod Security Standard.
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
        },
      },
    });
    for (const spec of components) new AuraWorkload(this, spec.name, { spec, namespace, config });
  }
}

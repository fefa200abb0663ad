import { ApiObject, Helm, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { kindScope } from '../model/kinds';
import { targetKubernetesVersion } from '../model/kubernetes-versions';
import { standardLabels } from '../platform/labels';
import type { ChartOperator } from '../platform/types';
import type { Config } from '../profile/config.generated';
import { helmBinary } from '../tools/helm';

/**
 * An operator's chart rendered at compile time with the cdk8s Helm construct, from an archive on
 * disk: for clusters that cannot reach the chart repository. Its objects join the crds phase, so
 * they are reviewed, checked and applied like ours.
 */
export class InlineOperatorChart extends Construct {
  constructor(scope: Construct, id: string, operator: ChartOperator & { chartArchive: string }, config: Config) {
    super(scope, id);
    new ApiObject(this, 'namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: operator.namespace, labels: { ...standardLabels(operator.release, config), ...operator.namespaceLabels } },
    });
    const chart = new Helm(this, 'chart', {
      chart: operator.chartArchive,
      releaseName: operator.release,
      namespace: operator.namespace,
      values: operator.values,
      helmExecutable: helmBinary(),
      // Rendered for the cluster's version: charts gate objects and apiVersions on .Capabilities.KubeVersion.
      helmFlags: ['--include-crds', '--kube-version', helmKubeVersion(targetKubernetesVersion(config))],
    });
    // `helm install` puts namespaced objects without a namespace into the release namespace; a
    // plain manifest has to say it.
    for (const o of chart.apiObjects) if (!o.metadata.namespace && kindScope(o.apiVersion, o.kind) !== 'Cluster') o.addJsonPatch(JsonPatch.add('/metadata/namespace', operator.namespace));
  }
}

/** `1.35` → `1.35.0`: helm wants a full version. */
const helmKubeVersion = (version: string) => (version.split('.').length === 2 ? `${version}.0` : version);

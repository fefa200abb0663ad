import { describe, expect, it } from 'vitest';
import type { Manifest } from '../src/compile';
import { gitopsObjects, ARGOCD_FOLDER, FLUX_OPERATORS_FOLDER } from '../src/delivery/gitops';
import { operatorFlows, operatorStandIns, verifyProfileNetwork } from '../src/checks/network/operators';
import { expectedFlows, verifyNetwork } from '../src/checks/network/verify';
import { chartOperators, OPERATOR_MANAGES } from '../src/components/operators';
import { built, configOf, MINIMAL } from './helpers';

const config = configOf(MINIMAL);

describe('operator namespaces, labelled from the operators list', () => {
  it('each chart operator\'s namespace carries the access label of every workload it manages', () => {
    expect(chartOperators(config).map((o) => [o.key, o.namespace, o.namespaceLabels])).toEqual([
      ['eck', 'elastic-system', { 'networking/allow-namespace-elasticsearch-access': 'true' }],
      ['mongodb_atlas', 'mongodb-atlas-system', {}],
    ]);
    expect(OPERATOR_MANAGES.eck).toEqual(['elasticsearch']);
  });

  it('Argo CD creates the namespace with those labels; Flux applies the labelled namespace before the release', () => {
    const objects = gitopsObjects(config, 'es-pro', ['crds', 'system', 'core']);
    const eck = objects.get(ARGOCD_FOLDER)!.find((a) => a.metadata.name === 'aura-es-pro-elastic-operator') as any;
    expect(eck.spec.syncPolicy.managedNamespaceMetadata).toEqual({ labels: { 'networking/allow-namespace-elasticsearch-access': 'true' } });
    const atlas = objects.get(ARGOCD_FOLDER)!.find((a) => a.metadata.name === 'aura-es-pro-mongodb-atlas-operator') as any;
    expect(atlas.spec.syncPolicy.managedNamespaceMetadata).toBeUndefined();
    const flux = objects.get(FLUX_OPERATORS_FOLDER)!;
    expect(flux.filter((m) => m.kind === 'Namespace').map((m) => [m.metadata.name, m.metadata.labels?.['networking/allow-namespace-elasticsearch-access']])).toEqual([['elastic-system', 'true']]);
  });

  it('the verifier sees the operator reach what it manages, on the target\'s expected ports', () => {
    expect(operatorFlows(config, expectedFlows())).toEqual([
      expect.objectContaining({ to: 'elasticsearch', ports: ['https', 'transport'], from: ['elastic-operator'], source: 'added' }),
    ]);
    const manifests = built('es-pro').objects.map((o) => o.manifest);
    expect(verifyProfileNetwork(manifests, built('es-pro').config).problems).toEqual([]);
  });

  it('fails when the operator namespace lacks the label (mutation: an unlabelled namespace)', () => {
    const c = built('es-pro').config;
    const manifests = built('es-pro').objects.map((o) => o.manifest);
    const unlabelled = operatorStandIns(c).map((m): Manifest => (m.kind === 'Namespace' ? { ...m, metadata: { ...m.metadata, labels: {} } } : m));
    const problems = verifyNetwork([...manifests, ...unlabelled], c as any, [...expectedFlows(), ...operatorFlows(c, expectedFlows())]).problems;
    expect(problems).toContainEqual(expect.stringMatching(/^elastic-system\/elastic-operator -> aura-system\/elasticsearch:https\/9200 is an expected flow but denied$/));
  });
});

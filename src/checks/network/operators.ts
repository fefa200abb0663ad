import type { Manifest } from '../../compile';
import { chartOperators } from '../../components/operators';
import type { Config } from '../../profile/config.generated';
import { type ExpectedFlow, expectedFlows, verifyNetwork } from './verify';

/**
 * The operators Argo CD or Flux install from their charts are not in the compiled objects, but
 * their pods must reach what they manage: stand-ins for the verifier, a pod labelled like the
 * chart's (app: <release>) in a namespace labelled as the GitOps objects label it.
 */
export function operatorStandIns(c: Config): Manifest[] {
  return chartOperators(c)
    .filter((o) => !o.chartArchive) // rendered into the crds phase: the real objects are there
    .flatMap((o) => [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: o.namespaceLabels } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: o.release, namespace: o.namespace },
        spec: { template: { metadata: { labels: { app: o.release } }, spec: { containers: [{ name: 'operator' }] } } },
      },
    ] as Manifest[]);
}

/** Each operator's flows into what it manages, on the ports the target's expected flows list. */
export function operatorFlows(c: Config, flows: readonly ExpectedFlow[]): ExpectedFlow[] {
  return chartOperators(c).flatMap((o) =>
    o.manages.map((to) => ({
      to,
      ports: [...new Set(flows.filter((f) => f.to === to).flatMap((f) => f.ports))],
      from: [o.release],
      source: 'added' as const,
      why: `${o.release} manages ${to} (operators.${o.key}); its namespace carries ${to}'s access label`,
    })),
  );
}

/** The network verification of a compiled profile, its chart-installed operators included. */
export function verifyProfileNetwork(manifests: readonly Manifest[], c: Config) {
  const flows = expectedFlows();
  return verifyNetwork([...manifests, ...operatorStandIns(c)], c as unknown as Record<string, unknown>, [...flows, ...operatorFlows(c, flows)]);
}

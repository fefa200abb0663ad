import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/checks/invariants';
import { checkNetworkPolicies } from '../../src/checks/network/policies';
import { compileConfig } from '../../src/compile';
import { CATALOG } from '../../src/components/catalog';
import { verifyNetwork } from '../../src/checks/network/verify';
import { resolvePlatform } from '../../src/platform/resolve';
import { echo } from '../fixtures/components/echo';
import { configOf, MINIMAL } from '../helpers';

// README "Adding a component": one file (test/fixtures/components/echo.ts) and its place in the list.
describe('adding a component', () => {
  const config = configOf(MINIMAL);
  const catalog = [...CATALOG, echo];
  const objects = compileConfig(config, { catalog });
  const all = objects.map((o) => o.manifest);
  const find = (kind: string, name: string) => all.find((m) => m.kind === kind && m.metadata.name === name) as any;
  const platform = resolvePlatform(config, catalog);

  it('compiles its workload, Service and HPA, with configuration pointing at the endpoints it uses', () => {
    const deployment = find('Deployment', 'echo');
    expect(deployment.metadata.namespace).toBe(platform.namespaces.core);
    expect(find('Service', 'echo').spec.ports.map((p: any) => [p.name, p.port])).toEqual([['http', 80], ['grpc', 9000]]);
    expect(find('HorizontalPodAutoscaler', 'echo').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(find('ConfigMap', 'echo-config').data).toEqual({ REDIS_URL: 'redis://redis.aura-system.svc.cluster.local:6379' });
    expect(find('ConfigMap', 'echo-client-config').data).toEqual({
      ECHO_URL: `http://echo.${platform.namespaces.core}.svc.cluster.local:80`,
      ECHO_GRPC: `echo.${platform.namespaces.core}.svc.cluster.local:9000`,
    });
  });

  it('derives access labels, its NetworkPolicy (numbers from port names) and the namespace labels', () => {
    expect(find('Deployment', 'echo').spec.template.metadata.labels).toMatchObject({ 'networking/allow-pod-redis-access': 'true' });
    expect(find('Job', 'echo-client').spec.template.metadata.labels).toMatchObject({ 'networking/allow-pod-echo-access': 'true' });
    const policy = find('NetworkPolicy', 'echo-network-policy');
    expect(policy.spec.podSelector.matchLabels).toEqual({ app: 'echo' });
    expect(policy.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 'http' }, { protocol: 'TCP', port: 9000 }]);
    expect(find('Namespace', platform.namespaces.core).metadata.labels).toMatchObject({ 'networking/allow-namespace-echo-access': 'true' });
    expect(checkInvariants(objects)).toEqual([]);
    expect(checkNetworkPolicies(all)).toEqual([]);
  });

  it('is scraped by Prometheus, which may reach it, and routed by NGINX', () => {
    const jobs = parse(find('ConfigMap', 'prometheus-files').data['prometheus.yml']).scrape_configs.map((j: any) => j.job_name);
    expect(jobs).toContain('echo');
    expect(find('StatefulSet', 'prometheus').spec.template.metadata.labels).toMatchObject({ 'networking/allow-pod-echo-access': 'true' });
    expect(find('VirtualServer', 'echo').spec).toMatchObject({ host: `echo-${platform.environment}.${config.dns_domain}`, upstreams: [{ service: 'echo', port: 80 }] });
  });

  it('fails the reachability check until its flows are listed in network/expected-flows.yaml', () => {
    const problems = verifyNetwork(all, config as unknown as Record<string, unknown>).problems;
    expect(problems.some((p) => p.includes('-> ') && p.includes('/echo:') && p.includes('not an expected flow'))).toBe(true);
  });
});

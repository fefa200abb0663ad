import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/components/catalog';
import { resolvePlatform } from '../../src/platform/resolve';
import type { Component, WorkloadSpec } from '../../src/platform/types';
import { SINGLETON } from '../../src/platform/types';
import { configOf, MINIMAL } from '../helpers';

const config = configOf(MINIMAL);
const RESOURCES = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
const withWorkload = (w: Partial<WorkloadSpec>): Component[] => [
  ...CATALOG,
  { name: 'fixture', workloads: [{ name: 'fixture', phase: 'core', workload: 'Deployment', image: 'x', ports: [{ name: 'http', port: 8080 }], resources: RESOURCES, ...w } as WorkloadSpec] },
];

describe('resolvePlatform', () => {
  const platform = resolvePlatform(config, CATALOG);

  it('resolves endpoints from port names: the Service host and port, members, SRV names', () => {
    expect(platform.endpoint('redis', 'sentinel').address).toBe('redis.aura-system.svc.cluster.local:26379');
    expect(resolvePlatform(configOf(`${MINIMAL}atlas_enabled: false\n`), CATALOG).endpoint('mongodb', 'mongodb').member(2)).toBe('mongodb-2.mongodb.aura-system.svc.cluster.local:27017');
    expect(platform.endpoint('prometheus', 'grpc').srv).toBe('_grpc._tcp.prometheus.aura-system.svc.cluster.local');
    expect(platform.endpoint('elasticsearch', 'https').url('https')).toBe('https://elasticsearch-es-http.aura-system.svc.cluster.local:9200');
    expect(platform.endpoint('api-gw', 'http').port).toBe(80);
  });

  it('refuses an endpoint that does not exist, naming it', () => {
    expect(() => platform.endpoint('redis', 'nope')).toThrow('redis has no port named nope (it has redis, sentinel, metrics)');
    expect(() => platform.endpoint('qdrant', 'http')).toThrow('qdrant is not enabled by this profile');
    expect(() => platform.endpoint('nobody', 'http')).toThrow('no workload named nobody');
  });

  it('resolves policy ports by name, to numbers where the guide writes numbers', () => {
    expect(platform.network.policies.find((p) => p.target === 'redis')).toMatchObject({ namespace: 'aura-system', ports: [6379, 26379, 9121] });
    expect(platform.network.policies.find((p) => p.target === 'prometheus')?.ports).toEqual(['http', 'exposed', 10901]);
  });

  it.each([
    [{ scale: undefined }, 'component fixture: a Deployment needs scale (singleton, fixed or autoscaled)'],
    [{ workload: 'Job', scale: SINGLETON }, 'component fixture: scale applies to Deployments and StatefulSets, not to a Job'],
    [{ workload: 'StatefulSet', scale: { mode: 'autoscaled', minReplicas: () => 2 } }, 'component fixture: only a Deployment is autoscaled'],
    [{ workload: 'CronJob' }, 'component fixture: a CronJob needs a schedule'],
    [{ scale: SINGLETON, schedule: '* * * * *' }, 'component fixture: schedule and suspend belong to a CronJob, not to a Deployment'],
    [{ scale: SINGLETON, volume: { mountPath: '/d', size: '1Gi' } }, 'component fixture: volume is for a StatefulSet'],
    [{ scale: SINGLETON, scrape: { port: 'metrics' } }, 'component fixture: scrape port metrics is not one of its ports'],
    [{ scale: SINGLETON, name: 'redis' }, 'catalog: two workloads are named redis'],
  ] as [Partial<WorkloadSpec>, string][])('refuses an impossible workload: %o', (w, message) => {
    expect(() => resolvePlatform(config, withWorkload(w))).toThrow(message);
  });
});

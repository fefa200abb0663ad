import type { Config } from '../profile/config.generated';
import { fixedReplicas, type Component, type PortSpec, type ResourceSpec } from '../platform/types';

/**
 * Redis with Sentinel, three members in aura-system: context keeps its conversations here.
 * Each pod runs Redis, a Sentinel and the exporter Prometheus scrapes.
 */
const REDIS_TAG = '7.2.5';
export const REDIS_PORTS = {
  redis: { name: 'redis', port: 6379 },
  sentinel: { name: 'sentinel', port: 26379 },
  metrics: { name: 'metrics', port: 9121 },
} satisfies Record<string, PortSpec>;
const SIDECAR: ResourceSpec = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '128Mi' } };

/**
 * Redis keeps context for context_expiration_days: 1 GiB for the default 15 days, in proportion
 * beyond, never under 512 MiB. Requests equal limits so the node never evicts it for memory.
 */
export function redisMemoryMi(c: Config): number {
  return Math.max(512, Math.ceil((c.context_expiration_days * 1024) / 15 / 64) * 64);
}
const redisResources = (c: Config): ResourceSpec => {
  const memory = `${redisMemoryMi(c)}Mi`;
  return { requests: { cpu: '250m', memory }, limits: { cpu: '1', memory } };
};

export const redis: Component = {
  name: 'redis',
  workloads: [
    {
      name: 'redis', phase: 'system', talksTo: ['redis'], workload: 'StatefulSet', image: 'thirdparty/redis', imageTag: REDIS_TAG,
      scale: fixedReplicas(3), ports: [REDIS_PORTS.redis], resources: redisResources, scrape: { port: 'metrics' },
      volume: { mountPath: '/data', size: '8Gi' },
      args: ({ config: c }) => ['--appendonly', 'yes', '--maxmemory', `${Math.floor(redisMemoryMi(c) * 0.8)}mb`, '--maxmemory-policy', 'volatile-lru'],
      sidecars: [
        { name: 'sentinel', image: 'thirdparty/redis', imageTag: REDIS_TAG, ports: [REDIS_PORTS.sentinel], resources: SIDECAR, args: () => ['/etc/redis/sentinel.conf', '--sentinel'] },
        { name: 'redis-exporter', image: 'thirdparty/redis-exporter', imageTag: 'v1.62.0', ports: [REDIS_PORTS.metrics], resources: SIDECAR },
      ],
    },
  ],
  policies: [{ target: 'redis', ports: [{ numberOf: 'redis' }, { numberOf: 'sentinel' }, { numberOf: 'metrics' }], form: 'pod-in-namespace' }],
};

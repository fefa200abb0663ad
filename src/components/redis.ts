import type { RuleSet } from '../platform/alert-rules';
import { SYSTEM_NAMESPACE } from '../platform/naming';
import { endpointsJob } from '../platform/scrape';
import type { Config } from '../profile/config.generated';
import { fixedReplicas, type Component, type PortSpec, type ResourceSpec } from '../platform/types';
import { REDIS_CONFIG_PATH, REDIS_REPLICAS, REDIS_TEMPLATES_PATH, redisFiles } from '../platform/redis-ha';

/**
 * Redis with Sentinel, three members in aura-system: context keeps its conversations here.
 * Each pod runs Redis, a Sentinel and the exporter Prometheus scrapes.
 */
export const REDIS_TAG = '7.2.5';
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

/** Sentinels that must agree before a failover: a majority of the sentinels (one beside each Redis replica). */
export const sentinelQuorum = (replicas: number): number => Math.floor(replicas / 2) + 1;

/**
 * Redis and its sentinels, from redis-exporter: `redis_instance_info` per Redis (its role), and the
 * sentinel's view of the master (`redis_sentinel_master_ok_sentinels`, from the `redis-sentinel` job).
 */
const REPLICAS = REDIS_REPLICAS;
const quorum = sentinelQuorum(REPLICAS);
/** redis-exporter reads the sentinel beside it when asked for that target: the `redis-sentinel` job. */
const SENTINEL_TARGET = `redis://localhost:${REDIS_PORTS.sentinel.port}`;

export const REDIS_RULES: RuleSet = {
  name: 'redis',
  rules: [
    {
      alert: 'RedisNoMaster',
      // `or vector(0)`: with no Redis answering at all there is no master either.
      expr: '(count(redis_instance_info{job="redis", role="master"}) or vector(0)) == 0',
      for: '2m',
      severity: 'critical',
      summary: 'Redis has no master',
      description: 'No Redis instance reports the master role: context writes fail until the sentinels elect one.',
    },
    {
      alert: 'RedisMultipleMasters',
      expr: 'count(redis_instance_info{job="redis", role="master"}) > 1',
      for: '5m',
      severity: 'critical',
      summary: 'More than one Redis reports the master role',
      description: 'A split brain: writes go to different masters and one side will be lost when the sentinels reconcile.',
    },
    {
      alert: 'RedisUnreachable',
      // The exporter beside each Redis answers its scrape even when Redis does not: redis_up says whether it reached it.
      expr: 'redis_up{job="redis"} == 0',
      for: '5m',
      severity: 'critical',
      summary: 'redis-exporter of {{ $labels.pod }} cannot reach its Redis',
      description: 'The exporter beside Redis in {{ $labels.pod }} gets no answer from it: that Redis is down or refuses connections.',
    },
    {
      alert: 'RedisSentinelQuorumLost',
      expr: `min by (master_name) (redis_sentinel_master_ok_sentinels{job="redis-sentinel"}) < ${quorum}`,
      for: '5m',
      severity: 'critical',
      summary: `Redis sentinels of {{ $labels.master_name }} are below their quorum of ${quorum}`,
      description: 'Too few sentinels see master {{ $labels.master_name }}: if it fails now, no failover happens.',
    },
  ],
};

export const redis: Component = {
  name: 'redis',
  alertRules: [REDIS_RULES],
  scrapeJobs: () => [
    endpointsJob({ job: 'redis-sentinel', service: 'redis', namespace: SYSTEM_NAMESPACE, port: REDIS_PORTS.metrics.name, path: '/scrape', params: { target: [SENTINEL_TARGET] } }),
  ],
  workloads: [
    {
      name: 'redis', phase: 'system', talksTo: ['redis'], workload: 'StatefulSet', image: 'thirdparty/redis', imageTag: REDIS_TAG,
      scale: fixedReplicas(REDIS_REPLICAS), ports: [REDIS_PORTS.redis], resources: redisResources, scrape: { port: 'metrics' },
      volume: { mountPath: '/data', size: '8Gi' },
      // Members find their master through the sentinels at start: none waits for another.
      podManagementPolicy: 'Parallel',
      // configure.sh writes the live configuration (sentinels rewrite theirs) from the templates.
      files: (p) => redisFiles({ service: 'redis', namespace: p.namespaces.system, maxmemoryMb: Math.floor(redisMemoryMi(p.config) * 0.8) }),
      filesPath: REDIS_TEMPLATES_PATH,
      scratch: [{ name: 'config', mountPath: REDIS_CONFIG_PATH }],
      init: { name: 'configure', command: () => ['sh', `${REDIS_TEMPLATES_PATH}/configure.sh`] },
      podFields: { POD_NAME: 'metadata.name' },
      composedEnv: (p) => ({ REDIS_ANNOUNCE_HOST: `$(POD_NAME).${p.endpoint('redis', 'redis').host}` }),
      args: () => [`${REDIS_CONFIG_PATH}/redis.conf`],
      sidecars: [
        { name: 'sentinel', image: 'thirdparty/redis', imageTag: REDIS_TAG, ports: [REDIS_PORTS.sentinel], resources: SIDECAR, args: () => [`${REDIS_CONFIG_PATH}/sentinel.conf`, '--sentinel'] },
        {
          // The Redis beside it, said explicitly (its default too) so the wiring and the contract tests read the address.
          name: 'redis-exporter', image: 'thirdparty/redis-exporter', imageTag: 'v1.62.0', ports: [REDIS_PORTS.metrics], resources: SIDECAR,
          args: () => [`--redis.addr=redis://localhost:${REDIS_PORTS.redis.port}`, `--web.listen-address=:${REDIS_PORTS.metrics.port}`],
        },
      ],
    },
  ],
  policies: [{ target: 'redis', ports: [{ numberOf: 'redis' }, { numberOf: 'sentinel' }, { numberOf: 'metrics' }], form: 'pod-in-namespace' }],
};

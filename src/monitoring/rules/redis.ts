import type { RuleSet } from '../alert-rules';

/** Sentinels that must agree before a failover: a majority of the sentinels (one beside each Redis replica). */
export const sentinelQuorum = (replicas: number): number => Math.floor(replicas / 2) + 1;

/**
 * Redis and its sentinels, from redis-exporter: `redis_instance_info` per Redis (its role), and the
 * sentinel's view of the master (`redis_sentinel_master_ok_sentinels`, from the `redis-sentinel` job).
 */
export function redisRules(replicas: number): RuleSet {
  const quorum = sentinelQuorum(replicas);
  return {
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
        alert: 'RedisSentinelQuorumLost',
        expr: `min by (master_name) (redis_sentinel_master_ok_sentinels{job="redis-sentinel"}) < ${quorum}`,
        for: '5m',
        severity: 'critical',
        summary: `Redis sentinels of {{ $labels.master_name }} are below their quorum of ${quorum}`,
        description: 'Too few sentinels see master {{ $labels.master_name }}: if it fails now, no failover happens.',
      },
    ],
  };
}

import type { AlertRule } from '../../src/platform/alert-rules';

/** An input series in promtool's notation: `0+1x20` is 21 samples from 0 growing by 1 each interval. */
export interface Series {
  series: string;
  values: string;
}

export interface Scenario {
  input: Series[];
  /** When to evaluate: a duration from the start. */
  at: string;
  /**
   * Sample spacing; one minute when absent. When every scenario of a rule file uses the same
   * spacing, promtool evaluates at that step too (a day of minutes takes seconds).
   */
  interval?: string;
}

/**
 * One rule's unit test: series under which it fires (with the labels of every alert it must raise,
 * severity apart), and healthy series under which it stays silent.
 */
export interface AlertCase {
  fires: (Scenario & { alerts: Record<string, string>[] })[];
  silent: Scenario[];
}

/** A case may read its rule (the scrape job rule lists the profile's jobs). */
type CaseOf = (rule: AlertRule) => AlertCase;

const s = (series: string, values: string): Series => ({ series, values });
const constant = (c: AlertCase): CaseOf => () => c;

const NS = 'aura-es-pro';
const SYS = 'aura-system';

export const ALERT_CASES: Record<string, CaseOf> = {
  TargetDown: constant({
    fires: [{ input: [s('up{job="nlp", instance="10.0.0.1:8080", pod="nlp-1"}', '0x20')], at: '15m', alerts: [{ job: 'nlp', instance: '10.0.0.1:8080', pod: 'nlp-1' }] }],
    // Down for less than its 10 minutes: a restart, not an outage.
    silent: [{ input: [s('up{job="nlp", instance="10.0.0.1:8080", pod="nlp-1"}', '1x10 0x5')], at: '15m' }],
  }),
  ScrapeJobMissing: (rule) => {
    const [missing, ...present] = [...rule.expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1]!);
    const up = present.map((job) => s(`up{job="${job}", instance="x"}`, '1x20'));
    return {
      fires: [{ input: up, at: '15m', alerts: [{ job: missing! }] }],
      // Every job has a target, even one that is down (TargetDown's business).
      silent: [{ input: [...up, s(`up{job="${missing}", instance="x"}`, '0x20')], at: '15m' }],
    };
  },
  PrometheusRuleEvaluationFailures: constant({
    fires: [{ input: [s('prometheus_rule_evaluation_failures_total{job="prometheus", pod="prometheus-0", rule_group="redis"}', '0+1x20')], at: '10m', alerts: [{ job: 'prometheus', pod: 'prometheus-0', rule_group: 'redis' }] }],
    silent: [{ input: [s('prometheus_rule_evaluation_failures_total{job="prometheus", pod="prometheus-0", rule_group="redis"}', '3x20')], at: '10m' }],
  }),
  AlertmanagerNotificationsFailing: constant({
    fires: [{ input: [s('alertmanager_notifications_failed_total{job="alertmanager", pod="alertmanager-0", integration="email"}', '0+2x30')], at: '20m', alerts: [{ pod: 'alertmanager-0', integration: 'email' }] }],
    silent: [{ input: [s('alertmanager_notifications_failed_total{job="alertmanager", pod="alertmanager-0", integration="email"}', '4x30')], at: '20m' }],
  }),
  PersistentVolumeFillingUp: constant({
    fires: [{
      input: [s(`kubelet_volume_stats_available_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="data-prometheus-0"}`, '10x30'), s(`kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="data-prometheus-0"}`, '100x30')],
      at: '20m', alerts: [{ job: 'kubelet', namespace: SYS, persistentvolumeclaim: 'data-prometheus-0' }],
    }],
    // Half free in aura-system; a full volume outside the Aura namespaces is not ours.
    silent: [{
      input: [
        s(`kubelet_volume_stats_available_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="data-prometheus-0"}`, '50x30'), s(`kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="data-prometheus-0"}`, '100x30'),
        s('kubelet_volume_stats_available_bytes{job="kubelet", namespace="kube-system", persistentvolumeclaim="other"}', '1x30'), s('kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="kube-system", persistentvolumeclaim="other"}', '100x30'),
      ],
      at: '20m',
    }],
  }),
  PersistentVolumeFull: constant({
    fires: [{
      input: [s(`kubelet_volume_stats_available_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="elasticsearch-data-0"}`, '2x30'), s(`kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="elasticsearch-data-0"}`, '100x30')],
      at: '10m', alerts: [{ job: 'kubelet', namespace: SYS, persistentvolumeclaim: 'elasticsearch-data-0' }],
    }],
    silent: [{
      input: [s(`kubelet_volume_stats_available_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="elasticsearch-data-0"}`, '10x30'), s(`kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="elasticsearch-data-0"}`, '100x30')],
      at: '10m',
    }],
  }),
  PodCrashLooping: constant({
    fires: [{
      input: [s(`kube_pod_container_status_waiting_reason{job="kube-state-metrics", namespace="${NS}", pod="nlp-7f9c", container="nlp", reason="CrashLoopBackOff"}`, '1x30')],
      at: '25m', alerts: [{ job: 'kube-state-metrics', namespace: NS, pod: 'nlp-7f9c', container: 'nlp', reason: 'CrashLoopBackOff' }],
    }],
    silent: [{
      input: [
        s(`kube_pod_container_status_waiting_reason{job="kube-state-metrics", namespace="${NS}", pod="nlp-7f9c", container="nlp", reason="CrashLoopBackOff"}`, '0x30'),
        s('kube_pod_container_status_waiting_reason{job="kube-state-metrics", namespace="kube-system", pod="x", container="x", reason="CrashLoopBackOff"}', '1x30'),
      ],
      at: '25m',
    }],
  }),
  HorizontalPodAutoscalerAtMaximum: constant({
    fires: [{
      input: [
        s(`kube_horizontalpodautoscaler_status_current_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="aura-bot"}`, '5x30'),
        s(`kube_horizontalpodautoscaler_spec_max_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="aura-bot"}`, '5x30'),
        s(`kube_horizontalpodautoscaler_spec_min_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="aura-bot"}`, '2x30'),
      ],
      at: '20m', alerts: [{ job: 'kube-state-metrics', namespace: NS, horizontalpodautoscaler: 'aura-bot' }],
    }],
    // At its maximum for 10 minutes only; and an HPA pinned at min = max is not saturated.
    silent: [
      {
        input: [
          s(`kube_horizontalpodautoscaler_status_current_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="aura-bot"}`, '3x10 5x10'),
          s(`kube_horizontalpodautoscaler_spec_max_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="aura-bot"}`, '5x30'),
          s(`kube_horizontalpodautoscaler_spec_min_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="aura-bot"}`, '2x30'),
        ],
        at: '20m',
      },
      {
        input: [
          s(`kube_horizontalpodautoscaler_status_current_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="tac"}`, '3x30'),
          s(`kube_horizontalpodautoscaler_spec_max_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="tac"}`, '3x30'),
          s(`kube_horizontalpodautoscaler_spec_min_replicas{job="kube-state-metrics", namespace="${NS}", horizontalpodautoscaler="tac"}`, '3x30'),
        ],
        at: '20m',
      },
    ],
  }),
  BackupJobFailed: constant({
    fires: [{
      interval: '1h',
      input: [s(`kube_job_status_failed{job="kube-state-metrics", namespace="${SYS}", job_name="mongodb-backup-28712345", reason="BackoffLimitExceeded"}`, '1x5')],
      at: '2h', alerts: [{ job: 'kube-state-metrics', namespace: SYS, job_name: 'mongodb-backup-28712345', reason: 'BackoffLimitExceeded' }],
    }],
    // A failed Job that is not a backup is not this alert's.
    silent: [{
      interval: '1h',
      input: [
        s(`kube_job_status_failed{job="kube-state-metrics", namespace="${SYS}", job_name="mongodb-backup-28712345", reason="BackoffLimitExceeded"}`, '0x5'),
        s(`kube_job_status_failed{job="kube-state-metrics", namespace="${SYS}", job_name="mongodb-provision", reason="BackoffLimitExceeded"}`, '1x5'),
      ],
      at: '2h',
    }],
  }),
  LocalConfigurationUpdateFailed: constant({
    fires: [{
      interval: '1h',
      input: [s(`kube_job_status_failed{job="kube-state-metrics", namespace="${NS}-r42", job_name="aura-configuration-updater", reason="BackoffLimitExceeded"}`, '1x3')],
      at: '2h', alerts: [{ job: 'kube-state-metrics', namespace: `${NS}-r42`, job_name: 'aura-configuration-updater', reason: 'BackoffLimitExceeded' }],
    }],
    // A run that succeeded, or another Job's failure, is not this alert's.
    silent: [{
      interval: '1h',
      input: [
        s(`kube_job_status_failed{job="kube-state-metrics", namespace="${NS}", job_name="aura-configuration-updater", reason="BackoffLimitExceeded"}`, '0x3'),
        s(`kube_job_status_failed{job="kube-state-metrics", namespace="${NS}", job_name="aura-bot-makeup", reason="BackoffLimitExceeded"}`, '1x3'),
      ],
      at: '2h',
    }],
  }),
  BackupNotRecent: constant({
    // promtool's clock starts at 0: a success at time 0 is 27 hours old at 27h.
    fires: [
      {
        interval: '1h',
        input: [s(`kube_cronjob_status_last_successful_time{job="kube-state-metrics", namespace="${SYS}", cronjob="redis-backup"}`, '0x30'), s(`kube_cronjob_created{job="kube-state-metrics", namespace="${SYS}", cronjob="redis-backup"}`, '0x30')],
        at: '27h', alerts: [{ job: 'kube-state-metrics', namespace: SYS, cronjob: 'redis-backup' }],
      },
      {
        // Never succeeded, and created 27 hours ago.
        interval: '1h',
        input: [s(`kube_cronjob_created{job="kube-state-metrics", namespace="${SYS}", cronjob="mongodb-backup"}`, '0x30')],
        at: '27h', alerts: [{ job: 'kube-state-metrics', namespace: SYS, cronjob: 'mongodb-backup' }],
      },
    ],
    silent: [
      {
        interval: '1h',
        input: [s(`kube_cronjob_status_last_successful_time{job="kube-state-metrics", namespace="${SYS}", cronjob="redis-backup"}`, '0+3600x30'), s(`kube_cronjob_created{job="kube-state-metrics", namespace="${SYS}", cronjob="redis-backup"}`, '0x30')],
        at: '27h',
      },
      {
        // A new CronJob that has not had its first night yet.
        interval: '1h',
        input: [s(`kube_cronjob_created{job="kube-state-metrics", namespace="${SYS}", cronjob="mongodb-backup"}`, '0x30')],
        at: '20h',
      },
    ],
  }),
  ElasticsearchClusterNotGreen: constant({
    fires: [{ input: [s('elasticsearch_cluster_health_status{job="elasticsearch-exporter", cluster="elasticsearch", color="green"}', '0x30')], at: '20m', alerts: [{ job: 'elasticsearch-exporter', cluster: 'elasticsearch', color: 'green' }] }],
    silent: [{ input: [s('elasticsearch_cluster_health_status{job="elasticsearch-exporter", cluster="elasticsearch", color="green"}', '1x30')], at: '20m' }],
  }),
  ElasticsearchClusterRed: constant({
    fires: [{ input: [s('elasticsearch_cluster_health_status{job="elasticsearch-exporter", cluster="elasticsearch", color="red"}', '1x30')], at: '10m', alerts: [{ job: 'elasticsearch-exporter', cluster: 'elasticsearch', color: 'red' }] }],
    silent: [{ input: [s('elasticsearch_cluster_health_status{job="elasticsearch-exporter", cluster="elasticsearch", color="red"}', '0x30')], at: '10m' }],
  }),
  FluentBitAggregatorRetrying: constant({
    fires: [{ input: [s(`fluentbit_output_retries_total{job="fluent-bit-aggregator", pod="fluent-bit-aggregator-0", name="es.0"}`, '0+5x30')], at: '25m', alerts: [{ pod: 'fluent-bit-aggregator-0', name: 'es.0' }] }],
    silent: [{ input: [s(`fluentbit_output_retries_total{job="fluent-bit-aggregator", pod="fluent-bit-aggregator-0", name="es.0"}`, '7x30')], at: '25m' }],
  }),
  FluentBitAggregatorDroppingLogs: constant({
    fires: [{ input: [s(`fluentbit_output_retries_failed_total{job="fluent-bit-aggregator", pod="fluent-bit-aggregator-1", name="forward.2"}`, '0+1x20')], at: '10m', alerts: [{ pod: 'fluent-bit-aggregator-1', name: 'forward.2' }] }],
    silent: [{ input: [s(`fluentbit_output_retries_failed_total{job="fluent-bit-aggregator", pod="fluent-bit-aggregator-1", name="forward.2"}`, '2x20')], at: '10m' }],
  }),
  FluentBitAggregatorBufferGrowing: constant({
    fires: [{
      input: [
        s(`kubelet_volume_stats_used_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="data-fluent-bit-aggregator-2"}`, '6000+10x60'),
        s(`kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="data-fluent-bit-aggregator-2"}`, '10000x60'),
      ],
      at: '50m', alerts: [{ job: 'kubelet', namespace: SYS, persistentvolumeclaim: 'data-fluent-bit-aggregator-2' }],
    }],
    // More than half full but draining: Elasticsearch is catching up.
    silent: [{
      input: [
        s(`kubelet_volume_stats_used_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="data-fluent-bit-aggregator-2"}`, '9000-10x60'),
        s(`kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="${SYS}", persistentvolumeclaim="data-fluent-bit-aggregator-2"}`, '10000x60'),
      ],
      at: '50m',
    }],
  }),
  ThanosCompactHalted: constant({
    fires: [{ input: [s('thanos_compact_halted{job="thanos-compact", pod="thanos-compact-0"}', '1x10')], at: '10m', alerts: [{ job: 'thanos-compact', pod: 'thanos-compact-0' }] }],
    silent: [{ input: [s('thanos_compact_halted{job="thanos-compact", pod="thanos-compact-0"}', '0x10')], at: '10m' }],
  }),
  ThanosSidecarUploadFailures: constant({
    fires: [{ input: [s('thanos_shipper_upload_failures_total{job="thanos-sidecar", pod="prometheus-0"}', '0x10 1x30')], at: '35m', alerts: [{ job: 'thanos-sidecar', pod: 'prometheus-0' }] }],
    silent: [{ input: [s('thanos_shipper_upload_failures_total{job="thanos-sidecar", pod="prometheus-0"}', '2x40')], at: '35m' }],
  }),
  ThanosSidecarBucketOperationsFailing: constant({
    fires: [{ input: [s('thanos_objstore_bucket_operation_failures_total{job="thanos-sidecar", pod="prometheus-1", operation="upload", bucket="thanos"}', '0+1x30')], at: '25m', alerts: [{ pod: 'prometheus-1', operation: 'upload' }] }],
    silent: [{ input: [s('thanos_objstore_bucket_operation_failures_total{job="thanos-sidecar", pod="prometheus-1", operation="upload", bucket="thanos"}', '1x30')], at: '25m' }],
  }),
  RedisNoMaster: constant({
    fires: [{ input: [0, 1, 2].map((i) => s(`redis_instance_info{job="redis", pod="redis-${i}", role="slave"}`, '1x10')), at: '5m', alerts: [{}] }],
    silent: [{ input: [0, 1, 2].map((i) => s(`redis_instance_info{job="redis", pod="redis-${i}", role="${i ? 'slave' : 'master'}"}`, '1x10')), at: '5m' }],
  }),
  RedisMultipleMasters: constant({
    fires: [{ input: [0, 1, 2].map((i) => s(`redis_instance_info{job="redis", pod="redis-${i}", role="${i < 2 ? 'master' : 'slave'}"}`, '1x10')), at: '10m', alerts: [{}] }],
    silent: [{ input: [0, 1, 2].map((i) => s(`redis_instance_info{job="redis", pod="redis-${i}", role="${i ? 'slave' : 'master'}"}`, '1x10')), at: '10m' }],
  }),
  RedisSentinelQuorumLost: constant({
    fires: [{ input: [0, 1, 2].map((i) => s(`redis_sentinel_master_ok_sentinels{job="redis-sentinel", pod="redis-${i}", master_name="aura"}`, i ? '3x10' : '1x10')), at: '10m', alerts: [{ master_name: 'aura' }] }],
    silent: [{ input: [0, 1, 2].map((i) => s(`redis_sentinel_master_ok_sentinels{job="redis-sentinel", pod="redis-${i}", master_name="aura"}`, '2x10')), at: '10m' }],
  }),
  RedisUnreachable: constant({
    fires: [{ input: [s('redis_up{job="redis", pod="redis-1"}', '0x10'), s('redis_up{job="redis", pod="redis-0"}', '1x10')], at: '10m', alerts: [{ job: 'redis', pod: 'redis-1' }] }],
    // The sentinel target of the redis-sentinel job is not a Redis; a minute down is a restart.
    silent: [{ input: [s('redis_up{job="redis-sentinel", pod="redis-1"}', '0x10'), s('redis_up{job="redis", pod="redis-1"}', '1x6 0 1x3')], at: '10m' }],
  }),
  ElasticsearchUnreachable: constant({
    fires: [{ input: [s('elasticsearch_node_stats_up{job="elasticsearch-exporter", pod="elasticsearch-exporter-5d8f"}', '0x10')], at: '10m', alerts: [{ job: 'elasticsearch-exporter', pod: 'elasticsearch-exporter-5d8f' }] }],
    silent: [{ input: [s('elasticsearch_node_stats_up{job="elasticsearch-exporter", pod="elasticsearch-exporter-5d8f"}', '1x4 0x2 1x4')], at: '10m' }],
  }),
  MongoDBUnreachable: constant({
    fires: [{ input: [s('mongodb_up{job="mongodb-exporter", pod="mongodb-exporter-7c9d"}', '0x10')], at: '10m', alerts: [{ job: 'mongodb-exporter', pod: 'mongodb-exporter-7c9d' }] }],
    silent: [{ input: [s('mongodb_up{job="mongodb-exporter", pod="mongodb-exporter-7c9d"}', '1x10')], at: '10m' }],
  }),
  MongoDBReplicaSetMemberUnhealthy: constant({
    fires: [{ input: [s('mongodb_rs_members_health{job="mongodb-exporter", member_idx="mongodb-1.mongodb.aura-system.svc.cluster.local:27017"}', '0x10')], at: '10m', alerts: [{ job: 'mongodb-exporter', member_idx: 'mongodb-1.mongodb.aura-system.svc.cluster.local:27017' }] }],
    silent: [{ input: [s('mongodb_rs_members_health{job="mongodb-exporter", member_idx="mongodb-1.mongodb.aura-system.svc.cluster.local:27017"}', '1x10')], at: '10m' }],
  }),
  MongoDBReplicaSetNoPrimary: constant({
    fires: [{ input: [0, 1, 2].map((i) => s(`mongodb_rs_members_state{job="mongodb-exporter", member_idx="mongodb-${i}"}`, '2x10')), at: '5m', alerts: [{}] }],
    silent: [{ input: [0, 1, 2].map((i) => s(`mongodb_rs_members_state{job="mongodb-exporter", member_idx="mongodb-${i}"}`, i ? '2x10' : '1x10')), at: '5m' }],
  }),
  AtlasMetricsMissing: constant({
    fires: [{ input: [s('up{job="mongodb-atlas", instance="atlas-0.mongodb.net:27018"}', '0x20')], at: '20m', alerts: [{}] }],
    silent: [{ input: [s('up{job="mongodb-atlas", instance="atlas-0.mongodb.net:27018"}', '1x20')], at: '20m' }],
  }),
  waf_policy_hits_increase: constant({
    fires: [{ input: [s('waf_policy_hits_policy_name_doc_count{job="prometheus-es-exporter", policy_name="aura-default"}', '1 1 1 5 5')], at: '3m', alerts: [{ job: 'prometheus-es-exporter', policy_name: 'aura-default' }] }],
    // As many hits as a minute ago, or fewer.
    silent: [{ input: [s('waf_policy_hits_policy_name_doc_count{job="prometheus-es-exporter", policy_name="aura-default"}', '3 3 3 5 5 2')], at: '5m' }],
  }),
  CertificateExpiringSoon: constant({
    fires: [{ input: [s('probe_ssl_earliest_cert_expiry{job="blackbox-tls", instance="https://api-es-pro.auracognitive.com"}', `${10 * 86400}x5`)], at: '1m', alerts: [{ job: 'blackbox-tls', instance: 'https://api-es-pro.auracognitive.com' }] }],
    silent: [{ input: [s('probe_ssl_earliest_cert_expiry{job="blackbox-tls", instance="https://api-es-pro.auracognitive.com"}', `${30 * 86400}x5`)], at: '1m' }],
  }),
  ProbeFailed: constant({
    fires: [{ input: [s('probe_success{job="blackbox-health", instance="https://health.example.com/status"}', '0x10')], at: '10m', alerts: [{ job: 'blackbox-health', instance: 'https://health.example.com/status' }] }],
    silent: [{ input: [s('probe_success{job="blackbox-health", instance="https://health.example.com/status"}', '1x4 0x2 1x4')], at: '10m' }],
  }),
};

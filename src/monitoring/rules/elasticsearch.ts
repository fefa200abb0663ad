import type { RuleSet } from '../alert-rules';

/** Cluster health from elasticsearch-exporter: one series per colour, 1 for the current one. */
export const ELASTICSEARCH_RULES: RuleSet = {
  name: 'elasticsearch',
  rules: [
    {
      alert: 'ElasticsearchClusterNotGreen',
      expr: 'elasticsearch_cluster_health_status{job="elasticsearch-exporter", color="green"} == 0',
      for: '15m',
      severity: 'warning',
      summary: 'Elasticsearch cluster {{ $labels.cluster }} is not green',
      description: 'Some replica shards of {{ $labels.cluster }} are unassigned: a node is missing or a disk passed its watermark.',
    },
    {
      alert: 'ElasticsearchClusterRed',
      expr: 'elasticsearch_cluster_health_status{job="elasticsearch-exporter", color="red"} == 1',
      for: '5m',
      severity: 'critical',
      summary: 'Elasticsearch cluster {{ $labels.cluster }} is red',
      description: 'Primary shards of {{ $labels.cluster }} are unassigned: logs of those indices cannot be written or searched.',
    },
  ],
};

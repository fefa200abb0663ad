import type { RuleSet } from '../alert-rules';

/** The prometheus-es-exporter query counting App Protect events of the last minute, per policy. */
export const WAF_HITS_QUERY = 'waf_policy_hits';
/** Its terms aggregation: the bucket key becomes this label. */
export const WAF_POLICY_LABEL = 'policy_name';
/** The metric prometheus-es-exporter names after the query and the aggregation. */
export const WAF_HITS_METRIC = `${WAF_HITS_QUERY}_${WAF_POLICY_LABEL}_doc_count`;

/** The guide's NGINX Plus alert, on the WAF hits prometheus-es-exporter reads from aurak8s-waf-*. */
export const NGINX_PLUS_RULES: RuleSet = {
  name: 'nginx-plus',
  enabled: (c) => c.nginx_plus_enabled && c.prometheus_es_exporter_enabled,
  rules: [
    {
      alert: 'waf_policy_hits_increase',
      expr: `${WAF_HITS_METRIC}{job="prometheus-es-exporter"} > ${WAF_HITS_METRIC}{job="prometheus-es-exporter"} offset 1m`,
      severity: 'info',
      summary: 'WAF policy {{ $labels.policy_name }} has more hits than a minute ago',
      description: 'App Protect policy {{ $labels.policy_name }} matched more requests in the last minute than in the one before: an attack, or a false positive to read in Kibana (Nginx Plus - False Positives Interpretation).',
    },
  ],
};

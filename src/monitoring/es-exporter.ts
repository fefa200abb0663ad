import type { Config } from '../profile/config.generated';
import { WAF_HITS_QUERY, WAF_POLICY_LABEL } from './rules/nginx';
import { WAF_INDEX_PATTERN } from './kibana';

/**
 * prometheus-es-exporter's query file. The WAF query counts the App Protect events of the last
 * minute per policy, every minute; a policy without events drops to 0 rather than vanishing, so
 * waf_policy_hits_increase compares like with like.
 */
export function esExporterConfig(c: Config): string {
  const queries = c.nginx_plus_enabled
    ? [`[query_${WAF_HITS_QUERY}]
QueryIntervalSecs = 60
QueryTimeoutSecs = 30
QueryIndices = ${WAF_INDEX_PATTERN}
QueryOnError = drop
QueryOnMissing = zero
QueryJson = ${JSON.stringify({ size: 0, query: { range: { '@timestamp': { gte: 'now-1m' } } }, aggs: { [WAF_POLICY_LABEL]: { terms: { field: WAF_POLICY_LABEL, size: 100 } } } })}
`]
    : [];
  return ['[DEFAULT]\nQueryIntervalSecs = 60\nQueryTimeoutSecs = 30\nQueryOnError = drop\nQueryOnMissing = drop\n', ...queries].join('\n');
}

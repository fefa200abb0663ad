import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../profile/config.generated';

/** The repository folder of the Kibana saved objects (data views, visualizations, dashboards), as Kibana exports them. */
export const KIBANA_DIR = join(__dirname, '..', '..', 'kibana');

/** Saved-object files and whether a profile imports them. */
export const KIBANA_SAVED_OBJECTS: { file: string; enabled: (c: Config) => boolean }[] = [
  // The data view the guide asks users to create by hand on first login.
  { file: 'aura-services.ndjson', enabled: () => true },
  // The aurak8s-waf-* data view and the guide's two NGINX Plus dashboards.
  { file: 'nginx-plus.ndjson', enabled: (c) => c.nginx_plus_enabled },
];

const cache = new Map<string, string>();
export function savedObjectsText(file: string): string {
  if (!cache.has(file)) cache.set(file, readFileSync(join(KIBANA_DIR, file), 'utf8'));
  return cache.get(file)!;
}

export const WAF_INDEX_PATTERN = 'aurak8s-waf-*';
export const WAF_PIPELINE = 'aurak8s-waf';

/**
 * Fields of an App Protect security log (its default format: `key="value"` pairs separated by
 * commas), with their Elasticsearch types; everything else stays a keyword.
 */
export const WAF_FIELDS: Record<string, 'keyword' | 'integer' | 'ip' | 'text'> = {
  attack_type: 'keyword', blocking_exception_reason: 'keyword', ip_client: 'ip', method: 'keyword', outcome: 'keyword',
  outcome_reason: 'keyword', policy_name: 'keyword', request_status: 'keyword', response_code: 'integer', severity: 'keyword',
  sig_ids: 'keyword', sig_names: 'keyword', sub_violations: 'keyword', support_id: 'keyword', unit_hostname: 'keyword',
  uri: 'keyword', violation_rating: 'integer', violations: 'keyword', vs_name: 'keyword', request: 'text',
};

/** The ingest pipeline that splits the syslog message into the fields above. */
export const wafIngestPipeline = () => ({
  description: 'NGINX App Protect security log: key="value" pairs of the syslog message into fields',
  processors: [
    { kv: { field: 'message', field_split: ',(?=[a-z_]+=)', value_split: '=', trim_value: '"', ignore_missing: true, ignore_failure: true } },
    ...Object.entries(WAF_FIELDS).filter(([, t]) => t === 'integer').map(([f]) => ({ convert: { field: f, type: 'integer', ignore_missing: true, ignore_failure: true } })),
  ],
});

/** The index template of aurak8s-waf-*: typed fields, the pipeline above, the platform's log lifecycle. */
export const wafIndexTemplate = (ilmPolicy: string) => ({
  index_patterns: [WAF_INDEX_PATTERN],
  priority: 200,
  template: {
    settings: { 'index.default_pipeline': WAF_PIPELINE, 'index.lifecycle.name': ilmPolicy },
    mappings: {
      dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } }],
      properties: { '@timestamp': { type: 'date' }, message: { type: 'text' }, ...Object.fromEntries(Object.entries(WAF_FIELDS).map(([f, type]) => [f, { type }])) },
    },
  },
});

/** The Elasticsearch and Kibana bodies elasticsearch-provision applies for Kibana, by file name. */
export function kibanaProvisioning(c: Config, ilmPolicy: string): Record<string, string> {
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    ...Object.fromEntries(KIBANA_SAVED_OBJECTS.filter((o) => o.enabled(c)).map((o) => [`kibana-${o.file}`, savedObjectsText(o.file)])),
    ...(c.nginx_plus_enabled
      ? { [`ingest-pipeline-${WAF_PIPELINE}.json`]: json(wafIngestPipeline()), [`index-template-${WAF_PIPELINE}.json`]: json(wafIndexTemplate(ilmPolicy)) }
      : {}),
  };
}

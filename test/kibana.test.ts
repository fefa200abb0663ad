import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { esExporterConfig } from '../src/components/exporters';
import { KIBANA_DIR, KIBANA_SAVED_OBJECTS, kibanaProvisioning, savedObjectsText, WAF_FIELDS, wafIndexTemplate, wafIngestPipeline } from '../src/components/elasticsearch';
import { WAF_HITS_METRIC } from '../src/components/nginx';
import { configOf, MINIMAL } from './helpers';

const objects = KIBANA_SAVED_OBJECTS.flatMap((f) => savedObjectsText(f.file).trimEnd().split('\n').map((l) => ({ file: f.file, ...JSON.parse(l) })));
const PLUS = configOf(`${MINIMAL}nginx_plus_enabled: true\nprometheus_es_exporter_enabled: true\n`);
const PLAIN = configOf(MINIMAL);

/** Fields a visualization or saved search reads: aggregation fields, columns, and the fields its KQL query names. */
function fieldsOf(o: any): string[] {
  const fields: string[] = [];
  if (o.attributes.visState) for (const a of JSON.parse(o.attributes.visState).aggs) if (a.params.field) fields.push(a.params.field);
  if (o.attributes.columns) fields.push(...o.attributes.columns);
  const source = o.attributes.kibanaSavedObjectMeta?.searchSourceJSON;
  if (source) fields.push(...[...JSON.parse(source).query.query.matchAll(/([a-z_@]+)\s*(?::|<=|>=|<|>)/g)].map((m) => m[1]!));
  return fields;
}
/** Fields read by WAF saved objects that the index template does not map. */
const unmapped = (os: any[]) => {
  const mapped = new Set(Object.keys(wafIndexTemplate('p').template.mappings.properties));
  return os.filter((o) => o.references?.some((r: any) => r.id === 'aurak8s-waf')).flatMap(fieldsOf).filter((f) => !mapped.has(f));
};

describe('Kibana saved objects', () => {
  it('declares every file of kibana/ and nothing else', () => {
    expect(readdirSync(KIBANA_DIR).sort()).toEqual(KIBANA_SAVED_OBJECTS.map((f) => f.file).sort());
  });

  it('creates the aura-services-* and aurak8s-waf-* data views on @timestamp', () => {
    const views = objects.filter((o) => o.type === 'index-pattern').map((o) => [o.attributes.title, o.attributes.timeFieldName]);
    expect(views).toEqual([['aura-services-*', '@timestamp'], ['aurak8s-waf-*', '@timestamp']]);
  });

  it('has the guide\'s two NGINX Plus dashboards, every reference resolving to an object of its file', () => {
    expect(objects.filter((o) => o.type === 'dashboard').map((o) => o.attributes.title)).toEqual(['Nginx Plus - Overview', 'Nginx Plus - False Positives Interpretation']);
    for (const o of objects) {
      for (const r of o.references) expect(objects.some((t) => t.file === o.file && t.id === r.id && t.type === r.type), `${o.id} -> ${r.type}/${r.id}`).toBe(true);
    }
    expect(new Set(objects.map((o) => `${o.type}/${o.id}`)).size).toBe(objects.length);
  });

  it('reads only fields the aurak8s-waf index template maps', () => {
    expect(unmapped(objects)).toEqual([]);
    const broken = structuredClone(objects.find((o) => o.type === 'search'));
    broken.attributes.columns.push('sig_name');
    expect(unmapped([broken])).toEqual(['sig_name']);
  });

  it('provisions the data views for every profile, the WAF pipeline, template and dashboards only with NGINX Plus', () => {
    expect(Object.keys(kibanaProvisioning(PLAIN, 'aura-logs'))).toEqual(['kibana-aura-services.ndjson']);
    expect(Object.keys(kibanaProvisioning(PLUS, 'aura-logs')).sort()).toEqual(['index-template-aurak8s-waf.json', 'ingest-pipeline-aurak8s-waf.json', 'kibana-aura-services.ndjson', 'kibana-nginx-plus.ndjson']);
    const template = JSON.parse(kibanaProvisioning(PLUS, 'aura-logs')['index-template-aurak8s-waf.json']!);
    // It replaces the WAF stream's plain template, so it keeps the stream's lifecycle and rollover alias.
    expect(template.template.settings).toEqual({ 'index.default_pipeline': 'aurak8s-waf', 'index.lifecycle.name': 'aura-logs', 'index.lifecycle.rollover_alias': 'aurak8s-waf' });
    expect(wafIngestPipeline().processors[0]).toMatchObject({ kv: { field: 'message', value_split: '=', trim_value: '"' } });
  });
});

describe('prometheus-es-exporter queries', () => {
  /** Sections of the exporter's INI file, each a map of its settings. */
  const sections = (text: string) => {
    const out: Record<string, Record<string, string>> = {};
    let current = '';
    for (const line of text.split('\n')) {
      const head = /^\[(.+)\]$/.exec(line);
      if (head) out[(current = head[1]!)] = {};
      else if (line.includes(' = ')) out[current]![line.slice(0, line.indexOf(' = '))] = line.slice(line.indexOf(' = ') + 3);
    }
    return out;
  };

  it('counts WAF events per policy into the metric waf_policy_hits_increase reads', () => {
    const q = sections(esExporterConfig(PLUS));
    const [name] = Object.keys(q).filter((s) => s.startsWith('query_'));
    const body = JSON.parse(q[name!]!.QueryJson!);
    const [agg] = Object.keys(body.aggs);
    // prometheus-es-exporter names a terms bucket count <query>_<aggregation>_doc_count, labelled by the aggregation name.
    expect(`${name!.replace(/^query_/, '')}_${agg}_doc_count`).toBe(WAF_HITS_METRIC);
    expect(body.aggs[agg!].terms.field).toBe(agg);
    expect(WAF_FIELDS[agg!]).toBe('keyword');
    expect(q[name!]).toMatchObject({ QueryIndices: 'aurak8s-waf-*', QueryIntervalSecs: '60', QueryOnMissing: 'zero' });
    expect(body.query.range['@timestamp'].gte).toBe('now-1m');
  });

  it('has no WAF query without NGINX Plus', () => {
    expect(Object.keys(sections(esExporterConfig(PLAIN)))).toEqual(['DEFAULT']);
  });
});

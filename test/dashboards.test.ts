import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitYaml } from '../src/util/emit';
import { dashboardFiles, DASHBOARDS, DASHBOARDS_DIR, dashboardText, GRAFANA_DATASOURCE_UID, OFFICIAL_DASHBOARD_TAG } from '../src/components/grafana';
import { configOf, MINIMAL } from './helpers';
import { folderWith, run } from './monitoring/tools';

const parsed = DASHBOARDS.map((d) => ({ file: d.file, json: JSON.parse(dashboardText(d.file)) }));
const panelsOf = (json: any): any[] => json.panels.flatMap((p: any) => (p.type === 'row' ? p.panels ?? [] : [p]));

/**
 * Grafana's variables as PromQL can parse them: the range variables become a duration,
 * any other `$name` or `${name}` a plain word (they only appear inside label values here).
 */
const parseable = (expr: string): string => expr.replace(/\$__(rate_interval|interval|range)/g, '5m').replace(/\$\{?\w+\}?/g, 'x');

/** Every panel query as a recording rule, so promtool parses it; the record name locates it. */
function queryRules(dashboards: { file: string; json: any }[]): string {
  return emitYaml({
    groups: dashboards.map(({ json }) => ({
      name: json.uid,
      rules: panelsOf(json).flatMap((p) => p.targets.map((t: any) => ({ record: `dashboard:${json.uid.replace(/-/g, '_')}:panel${p.id}_${t.refId}`, expr: parseable(t.expr) }))),
    })),
  });
}

describe('Grafana dashboards', () => {
  let check: { status: number | null; output: string };
  beforeAll(() => {
    check = run('promtool', ['check', 'rules', 'dashboards.rules.yml'], folderWith({ 'dashboards.rules.yml': queryRules(parsed) }));
  });

  it('declares every file of dashboards/ and nothing else', () => {
    expect(readdirSync(DASHBOARDS_DIR).sort()).toEqual(DASHBOARDS.map((d) => d.file).sort());
  });

  it('has the guide\'s dashboards, each with a unique uid and the baikal tag', () => {
    expect(parsed.map((d) => d.json.title).sort()).toEqual(['Aura overview', 'Elasticsearch', 'Kubernetes Storage', 'Nginx Plus - Dashboard', 'Redis and MongoDB']);
    expect(new Set(parsed.map((d) => d.json.uid)).size).toBe(parsed.length);
    for (const { json } of parsed) expect(json.tags).toContain(OFFICIAL_DASHBOARD_TAG);
  });

  it('queries the Thanos data source from every panel and variable, with at least one query per panel', () => {
    for (const { json } of parsed) {
      for (const p of panelsOf(json)) {
        expect(p.datasource.uid).toBe(GRAFANA_DATASOURCE_UID);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.datasource.uid).toBe(GRAFANA_DATASOURCE_UID);
      }
      for (const v of json.templating.list) expect(v.datasource.uid).toBe(GRAFANA_DATASOURCE_UID);
    }
  });

  it('has every panel query parsed by promtool', () => {
    expect(check.output).toMatch(/SUCCESS/);
    expect(check.status).toBe(0);
    const queries = parsed.reduce((n, d) => n + panelsOf(d.json).reduce((m, p) => m + p.targets.length, 0), 0);
    expect(check.output).toContain(`${queries} rules found`);
  });

  it('fails promtool on a query with a typo (mutation)', () => {
    const broken = structuredClone(parsed[0]!);
    panelsOf(broken.json)[0].targets[0].expr = 'sum by (job (up)';
    expect(run('promtool', ['check', 'rules', 'd.yml'], folderWith({ 'd.yml': queryRules([broken]) })).status).not.toBe(0);
  });

  it('gives the NGINX Plus dashboard only to NGINX Plus profiles', () => {
    expect(Object.keys(dashboardFiles(configOf(MINIMAL)))).not.toContain('nginx-plus.json');
    expect(Object.keys(dashboardFiles(configOf(`${MINIMAL}nginx_plus_enabled: true\nprometheus_es_exporter_enabled: true\n`)))).toContain('nginx-plus.json');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitYaml } from '../src/util/emit';
import { type AlertRule, renderRule, renderRuleFile, ruleFileName, ruleFiles, rulesOf, runbookAnchor, runbookBase, RUNBOOKS_PATH, type RuleSet, SEVERITIES } from '../src/platform/alert-rules';
import { CATALOG } from '../src/components/catalog';
import { platformRuleSets } from '../src/components/prometheus';
import { resolvePlatform } from '../src/platform/resolve';
import { ALERT_CASES, type AlertCase } from './monitoring/alert-cases';
import { folderWith, promtoolReports, run } from './monitoring/tools';
import { configOf, MINIMAL } from './helpers';

/** A profile that turns on every optional rule set's component. */
const CONFIG = configOf(`${MINIMAL}nginx_plus_enabled: true\nprometheus_es_exporter_enabled: true\natlas_project_id: 0123456789abcdef01234567\n`);
const BASE = runbookBase(CONFIG);
const PLATFORM = resolvePlatform(CONFIG, CATALOG);
/** Every rule set of the catalog, whether this profile loads it or not. */
const SETS = CATALOG.flatMap((component) => component.alertRules ?? []);
const RUNBOOKS = readFileSync(join(__dirname, '..', RUNBOOKS_PATH), 'utf8');

/** What promtool prints for an annotation that reads only `{{ $labels.x }}`. */
const renderText = (text: string, labels: Record<string, string>) => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l] ?? '<no value>');

/** promtool test groups of one rule: one per scenario, each asserting exactly the alerts expected. */
function testGroups(rule: AlertRule, c: AlertCase) {
  const expected = (labels: Record<string, string>) => {
    const annotations = renderRule(rule, BASE).annotations;
    return {
      exp_labels: { ...labels, severity: rule.severity },
      exp_annotations: { summary: renderText(annotations.summary, labels), description: renderText(annotations.description, labels), runbook_url: annotations.runbook_url },
    };
  };
  const group = (name: string, sc: AlertCase['silent'][number], alerts: Record<string, string>[]) => ({
    name,
    interval: sc.interval ?? '1m',
    input_series: sc.input,
    alert_rule_test: [{ eval_time: sc.at, alertname: rule.alert, exp_alerts: alerts.map(expected) }],
  });
  return [
    ...c.fires.map((sc, i) => group(`${rule.alert} fires (${i + 1})`, sc, sc.alerts)),
    ...c.silent.map((sc, i) => group(`${rule.alert} stays silent (${i + 1})`, sc, [])),
  ];
}

/** The promtool test file of a rule set: every rule's scenarios against its rendered rule file. */
function testFile(set: RuleSet, mutate: (c: AlertCase) => AlertCase = (c) => c): string {
  const tests = rulesOf(set, PLATFORM).flatMap((r) => testGroups(r, mutate(ALERT_CASES[r.alert]!(r))));
  const steps = new Set(tests.map((t) => t.interval));
  return emitYaml({ rule_files: [ruleFileName(set)], evaluation_interval: steps.size === 1 ? [...steps][0] : '1m', tests });
}

const testFileName = (set: RuleSet) => `${set.name}.test.yml`;

describe('alert rules', () => {
  let dir: string;
  let reports: Map<string, string>;
  let check: { status: number | null; output: string };

  beforeAll(() => {
    const files: Record<string, string> = {};
    for (const set of SETS) {
      files[ruleFileName(set)] = renderRuleFile(set, rulesOf(set, PLATFORM), BASE);
      files[testFileName(set)] = testFile(set);
    }
    dir = folderWith(files);
    // One promtool run for every rule file, and one for every test file.
    check = run('promtool', ['check', 'rules', ...SETS.map(ruleFileName)], dir);
    reports = promtoolReports(run('promtool', ['test', 'rules', ...SETS.map(testFileName)], dir).output);
  });

  it('every rule file passes promtool check rules', () => {
    expect(check.output).not.toMatch(/FAILED/);
    expect(check.status).toBe(0);
  });

  it.each(SETS.map((s) => [s.name, s] as const))('promtool test rules: every rule of %s fires on bad series and stays silent on good ones', (_, set) => {
    const report = reports.get(testFileName(set));
    expect(report, `no promtool report for ${testFileName(set)}`).toBeDefined();
    expect(report).toMatch(/^\s*SUCCESS/);
  });

  it('has a test case for every rule and no case without a rule', () => {
    const alerts = new Set(SETS.flatMap((s) => rulesOf(s, PLATFORM).map((r) => r.alert)));
    expect([...alerts].filter((a) => !ALERT_CASES[a])).toEqual([]);
    expect(Object.keys(ALERT_CASES).filter((a) => !alerts.has(a))).toEqual([]);
  });

  it('gives every rule a severity the webhooks know, a summary, a description and a runbook in docs/runbooks.md', () => {
    const headings = new Set([...RUNBOOKS.matchAll(/^## (.+)$/gm)].map((m) => runbookAnchor(m[1]!.trim())));
    for (const rule of SETS.flatMap((s) => rulesOf(s, PLATFORM))) {
      expect(SEVERITIES).toContain(rule.severity);
      expect(rule.summary.length * rule.description.length).toBeGreaterThan(0);
      expect(headings.has(runbookAnchor(rule.alert)), `docs/runbooks.md has no runbook heading for ${rule.alert}`).toBe(true);
      expect(renderRule(rule, BASE).annotations.runbook_url).toBe(`https://github.com/telefonica/aura-manifests/blob/main/docs/runbooks.md#${runbookAnchor(rule.alert)}`);
    }
    // All three severities are in use, so each webhook has something to receive.
    expect(new Set(SETS.flatMap((s) => rulesOf(s, PLATFORM).map((r) => r.severity)))).toEqual(new Set(SEVERITIES));
  });

  it('loads each optional rule set only where its component runs', () => {
    const files = (extra: string) => {
      const p = resolvePlatform(configOf(`${MINIMAL}${extra}`), CATALOG);
      return Object.keys(ruleFiles(platformRuleSets(p), p));
    };
    expect(files('')).not.toContain('nginx-plus.rules.yml');
    expect(files('nginx_plus_enabled: true\nprometheus_es_exporter_enabled: true\n')).toContain('nginx-plus.rules.yml');
    // Atlas' rule only where Prometheus can scrape it: with the project id.
    expect(files('atlas_enabled: true\natlas_project_id: 0123456789abcdef01234567\n')).toEqual(expect.arrayContaining(['mongodb-atlas.rules.yml']));
    expect(files('atlas_enabled: true\n')).not.toContain('mongodb-atlas.rules.yml');
    expect(files('atlas_enabled: true\n')).not.toContain('mongodb.rules.yml');
    expect(files('atlas_enabled: false\n')).toContain('mongodb.rules.yml');
    expect(files('atlas_enabled: false\n')).not.toContain('mongodb-atlas.rules.yml');
  });

  it('refuses annotation templates the tests cannot predict', () => {
    expect(() => renderRule({ alert: 'X', expr: 'up', severity: 'info', summary: '{{ $value }}', description: 'd' }, BASE)).toThrow(/not of the form/);
  });

  // Mutation tests: the checks above can fail.
  it('fails promtool test rules when a firing scenario is expected to stay silent', () => {
    const set = SETS.find((s) => s.name === 'redis')!;
    const swapped = (c: AlertCase): AlertCase => ({ fires: [], silent: c.fires });
    const d = folderWith({ [ruleFileName(set)]: renderRuleFile(set, rulesOf(set, PLATFORM), BASE), [testFileName(set)]: testFile(set, swapped) });
    const r = run('promtool', ['test', 'rules', testFileName(set)], d);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/FAILED/);
  });

  it('fails promtool check rules on an expression that does not parse', () => {
    const set: RuleSet = { name: 'broken', rules: [{ alert: 'Broken', expr: 'rate(up[5m]', severity: 'info', summary: 's', description: 'd' }] };
    const r = run('promtool', ['check', 'rules', ruleFileName(set)], folderWith({ [ruleFileName(set)]: renderRuleFile(set, rulesOf(set, PLATFORM), BASE) }));
    expect(r.status).not.toBe(0);
  });
});

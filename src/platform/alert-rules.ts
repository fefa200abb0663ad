import type { Config } from '../profile/config.generated';
import { emitYaml } from '../util/emit';
import type { AlertRule, Platform, RuleSet } from './types';

// The rule vocabulary lives in types.ts with the rest of the Platform's (one module, no cycle).
export { SEVERITIES, type AlertRule, type RuleSet, type Severity } from './types';

export const rulesOf = (set: RuleSet, p: Platform): AlertRule[] => (typeof set.rules === 'function' ? set.rules(p) : set.rules);

/** The anchor of a rule's runbook in docs/runbooks.md: GitHub's slug of the heading `## <alert>`. */
export const runbookAnchor = (alert: string): string => alert.toLowerCase().replace(/[^a-z0-9_ -]/g, '').replace(/ /g, '-');

/** The runbooks, one heading per alert, in the repository's own path. */
export const RUNBOOKS_PATH = 'docs/runbooks.md';

/** Where a rule's runbook is read: the runbooks of the repository the profile deploys from, at its revision. */
export function runbookBase(c: Config): string {
  const repo = c.gitops.repository.replace(/\.git$/, '').replace(/^git@([^:]+):/, 'https://$1/');
  return `${repo}/blob/${c.gitops.revision}/${RUNBOOKS_PATH}`;
}

const TEMPLATE = /\{\{(.*?)\}\}/g;
const LABEL_REF = /^ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) $/;

/** Refuses annotation templates beyond `{{ $labels.x }}`: the tests could not predict their text. */
export function assertPlainTemplates(rule: AlertRule): void {
  for (const text of [rule.summary, rule.description]) {
    for (const m of text.matchAll(TEMPLATE)) {
      if (!LABEL_REF.test(m[1]!)) throw new Error(`alert ${rule.alert}: annotation template {{${m[1]}}} is not of the form {{ $labels.name }}`);
    }
  }
}

/** The rule as Prometheus reads it. */
export function renderRule(rule: AlertRule, base: string) {
  assertPlainTemplates(rule);
  return {
    alert: rule.alert,
    expr: rule.expr,
    ...(rule.for ? { for: rule.for } : {}),
    labels: { severity: rule.severity },
    annotations: { summary: rule.summary, description: rule.description, runbook_url: `${base}#${runbookAnchor(rule.alert)}` },
  };
}

/** File name of a rule set inside the rules folder Prometheus loads. */
export const ruleFileName = (set: RuleSet): string => `${set.name}.rules.yml`;

/** One rule file: a single group named after the rule set. */
export const renderRuleFile = (set: RuleSet, rules: AlertRule[], base: string): string =>
  emitYaml({ groups: [{ name: set.name, rules: rules.map((r) => renderRule(r, base)) }] });

/** The rule files of a profile, by file name: the enabled sets that have at least one rule. */
export function ruleFiles(sets: readonly RuleSet[], p: Platform): Record<string, string> {
  const base = runbookBase(p.config);
  const files: Record<string, string> = {};
  for (const set of sets) {
    if (set.enabled && !set.enabled(p.config)) continue;
    const rules = rulesOf(set, p);
    if (rules.length) files[ruleFileName(set)] = renderRuleFile(set, rules, base);
  }
  return files;
}

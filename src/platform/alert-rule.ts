/** The alerting vocabulary: severities and one rule, as components declare them (rule sets in ./types.ts). */

/** The severities the guide's webhooks subscribe to; Alertmanager routes on this label. */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * One Prometheus alerting rule. Annotations may use `{{ $labels.<name> }}` and nothing else
 * from Go templates: the unit tests render them the same way to compare with promtool.
 */
export interface AlertRule {
  /** Alert name; also the heading of its runbook in docs/runbooks.md. */
  alert: string;
  expr: string;
  /** How long the condition must hold before the alert fires; absent fires on the first evaluation. */
  for?: string;
  severity: Severity;
  /** One line: what is wrong, naming the object. */
  summary: string;
  /** Why it matters and where to look first. */
  description: string;
}


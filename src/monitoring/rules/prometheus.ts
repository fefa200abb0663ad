import type { RuleSet } from '../alert-rules';

/** A target that answers no scrape for this long is down, not just restarting. */
const TARGET_DOWN_FOR = '10m';

/**
 * Prometheus watches its own scrapes and rule evaluations: a target down in any job, a job whose
 * targets have all vanished from discovery (one rule per scrape job, so the job is named even when
 * no series is left), and rules that fail to evaluate (alerts that can never fire).
 */
export function prometheusRules(scrapeJobs: string[]): RuleSet {
  return {
    name: 'prometheus',
    rules: [
      {
        alert: 'TargetDown',
        expr: 'up == 0',
        for: TARGET_DOWN_FOR,
        severity: 'warning',
        summary: 'Scrape target {{ $labels.instance }} of job {{ $labels.job }} is down',
        description: 'Prometheus cannot scrape {{ $labels.instance }} (pod {{ $labels.pod }}) of job {{ $labels.job }}: the pod is not ready, crashed, or its metrics port does not answer.',
      },
      {
        alert: 'ScrapeJobMissing',
        // One absent() per job, so the alert names the job even when no series of it is left.
        expr: scrapeJobs.map((job) => `absent(up{job="${job}"})`).join(' or '),
        for: TARGET_DOWN_FOR,
        severity: 'warning',
        summary: 'Scrape job {{ $labels.job }} has no target',
        description: 'Service discovery finds no endpoint of {{ $labels.job }}: its Service has no pods, or the workload is gone.',
      },
      {
        alert: 'PrometheusRuleEvaluationFailures',
        expr: 'increase(prometheus_rule_evaluation_failures_total{job="prometheus"}[5m]) > 0',
        severity: 'critical',
        summary: 'Prometheus {{ $labels.pod }} fails to evaluate rules',
        description: 'Rule group {{ $labels.rule_group }} fails to evaluate on {{ $labels.pod }}: its alerts cannot fire.',
      },
    ],
  };
}

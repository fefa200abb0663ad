import type { RuleSet } from '../alert-rules';

/** Alertmanager failing to deliver is the one alert that may not reach anybody: it goes to every working receiver. */
export const ALERTMANAGER_RULES: RuleSet = {
  name: 'alertmanager',
  rules: [
    {
      alert: 'AlertmanagerNotificationsFailing',
      expr: 'sum by (pod, integration) (rate(alertmanager_notifications_failed_total{job="alertmanager"}[5m])) > 0',
      for: '10m',
      severity: 'critical',
      summary: 'Alertmanager {{ $labels.pod }} fails to send {{ $labels.integration }} notifications',
      description: 'Notifications through {{ $labels.integration }} fail on {{ $labels.pod }}: check the SMTP relay or the webhook named in the Alertmanager log.',
    },
  ],
};

import type { AlertRule, RuleSet } from '../platform/alert-rules';
import type { Config } from '../profile/config.generated';
import { emitYaml } from '../util/emit';
import { fixedReplicas, SINGLETON, type Component, type Platform, type PortSpec, type ResourceSpec } from '../platform/types';

/**
 * Alertmanager, two replicas that gossip to deduplicate notifications, and prometheus-msteams,
 * which turns its webhooks into Teams cards. Every alert goes by e-mail to
 * notifications_email, and to each webhook whose severity it carries.
 */
const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const REPLICAS = 2;
const HTTP: PortSpec = { name: 'http', port: 9093 };
const CLUSTER: PortSpec = { name: 'cluster', port: 9094 };
export const SMTP_PASSWORD_SECRET = 'alertmanager-smtp-password';

/** Teams incoming webhooks go through prometheus-msteams, which speaks Teams' card format. */
const isTeamsWebhook = (url: string) => /^https:\/\/[^/]*(webhook\.office\.com|outlook\.office\.com)\//.test(url);

/** Alertmanager's configuration: every alert by e-mail, and to each webhook whose severity it carries. */
export function alertmanagerConfig(p: Platform): string {
  const c = p.config;
  const webhooks = c.notifications_webhooks;
  return emitYaml({
    global: {
      smtp_smarthost: c.smtp_relay.smarthost,
      smtp_from: c.smtp_relay.from,
      ...(c.smtp_relay.auth_username ? { smtp_auth_username: c.smtp_relay.auth_username, smtp_auth_password_file: `/mnt/secrets-store/${SMTP_PASSWORD_SECRET}` } : {}),
      smtp_require_tls: c.smtp_relay.require_tls,
      resolve_timeout: '5m',
    },
    route: {
      receiver: 'email',
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      // `continue` lets one alert reach e-mail and every matching webhook.
      routes: [
        { receiver: 'email', continue: true },
        ...webhooks.map((w) => ({ receiver: `webhook-${w.name}`, matchers: [`severity="${w.severity}"`], continue: true })),
      ],
    },
    receivers: [
      { name: 'email', email_configs: [{ to: c.notifications_email, send_resolved: true }] },
      ...webhooks.map((w) => ({
        name: `webhook-${w.name}`,
        webhook_configs: [{ url: isTeamsWebhook(w.url) ? p.endpoint('prometheus-msteams', 'http').url('http', `/${w.name}`) : w.url, send_resolved: true }],
      })),
    ],
  });
}

const teamsWebhooks = (c: Config) => c.notifications_webhooks.filter((w) => isTeamsWebhook(w.url));

/** prometheus-msteams: one connector per Teams webhook, by name. */
export const msteamsConfig = (c: Config): string => emitYaml({ connectors: teamsWebhooks(c).map((w) => ({ [w.name]: w.url })) });

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

export const alertmanager: Component = {
  name: 'alertmanager',
  alertRules: [ALERTMANAGER_RULES],
  workloads: [
    {
      // Only where a Teams webhook routes to it: without one it would run unused.
      name: 'prometheus-msteams', phase: 'system', enabled: (c) => teamsWebhooks(c).length > 0, talksTo: ['alertmanager', 'prometheus-msteams'], workload: 'Deployment', image: 'thirdparty/prometheus-msteams', imageTag: 'v1.5.2',
      scale: SINGLETON, ports: [{ name: 'http', port: 2000 }], resources: SMALL, scrape: { port: 'http' },
      files: (p) => ({ 'connectors.yaml': msteamsConfig(p.config) }), args: () => ['-config-file=/etc/prometheus-msteams/connectors.yaml'],
    },
    {
      name: 'alertmanager', phase: 'system', talksTo: (c) => ['alertmanager', ...(teamsWebhooks(c).length ? ['prometheus-msteams'] : [])], workload: 'StatefulSet', image: 'thirdparty/alertmanager', imageTag: 'v0.27.0',
      scale: fixedReplicas(REPLICAS), ports: [HTTP, CLUSTER], resources: SMALL, scrape: { port: 'http' },
      volume: { mountPath: '/alertmanager', size: '2Gi' },
      files: (p) => ({ 'alertmanager.yml': alertmanagerConfig(p) }),
      // smtp_auth_password_file: a file of the Key Vault mount (Alertmanager reads no variable).
      secretFiles: (p) => (p.config.smtp_relay.auth_username ? [`kv:${SMTP_PASSWORD_SECRET}`] : []),
      // Replicas gossip to deduplicate notifications: each knows its peers by their stable names.
      args: (p) => [
        '--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager', `--cluster.listen-address=0.0.0.0:${CLUSTER.port}`,
        ...Array.from({ length: REPLICAS }, (_, i) => `--cluster.peer=${p.endpoint('alertmanager', 'cluster').member(i)}`),
      ],
    },
  ],
  policies: [
    { target: 'alertmanager', ports: ['http', 'cluster'], form: 'pod-in-namespace' },
    { target: 'prometheus-msteams', ports: ['http'], form: 'pod-in-namespace' },
  ],
  routes: [{ name: 'alerts', to: 'alertmanager', port: 'http', allow: (c) => c.service_whitelist_source_ranges.alerts, public: false, backoffice: 'alerts' }],
};

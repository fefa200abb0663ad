import type { Config } from '../profile/config.generated';
import { emitYaml } from '../output/emit';
import { backofficePasswordSecret } from '../profile/secrets';
import { type ComponentSpec, enabledComponents, type ResourceSpec } from './catalog';
import { coreNamespace, environmentName, serviceHost, SYSTEM_NAMESPACE } from './naming';

/** Prometheus keeps 15 days locally; Thanos keeps the long-term blocks in Azure Blob Storage. */
export const PROMETHEUS_RETENTION = '15d';
export const SCRAPE_INTERVAL = '30s';
/** The Key Vault secret holding Thanos' whole objstore configuration (it embeds the storage key). */
export const THANOS_OBJSTORE_SECRET = 'thanos-objstore-config';
/** Blob container of the Thanos blocks in the common storage account; the objstore configuration names it. */
export const THANOS_CONTAINER = 'thanos';
const OBJSTORE_FILE = `/mnt/secrets-store/${THANOS_OBJSTORE_SECRET}`;
const THANOS_TAG = 'v0.36.1';

const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const MEDIUM: ResourceSpec = { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };
const PROMETHEUS: ResourceSpec = { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '6Gi' } };
const NODE_EXPORTER: ResourceSpec = { requests: { cpu: '10m', memory: '24Mi' }, limits: { cpu: '50m', memory: '32Mi' } };
const THANOS_PORTS = [{ name: 'grpc', port: 10901 }, { name: 'http', port: 10902 }];
const objstore = () => ({ THANOS_OBJSTORE_CONFIG: `kv:${THANOS_OBJSTORE_SECRET}` });
const READ = ['get', 'list', 'watch'];

/**
 * Prometheus' configuration: one job per component that declares a `scrape` port, found through
 * its Service's endpoints, every 30 seconds. Derived from the catalog, never listed by hand.
 */
export function prometheusConfig(c: Config): string {
  const targets = [...enabledComponents(c, 'system'), ...enabledComponents(c, 'core')].filter((s) => s.scrape);
  return emitYaml({
    global: {
      scrape_interval: SCRAPE_INTERVAL,
      evaluation_interval: SCRAPE_INTERVAL,
      external_labels: { cluster: c.cluster_name, environment: environmentName(c) },
    },
    alerting: {
      alertmanagers: [{ dns_sd_configs: [{ names: [serviceHost('alertmanager', SYSTEM_NAMESPACE)], type: 'A', port: 9093 }] }],
    },
    scrape_configs: targets.map((s) => ({
      job_name: s.name,
      metrics_path: s.scrape!.path ?? '/metrics',
      kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [s.phase === 'core' ? coreNamespace(c) : SYSTEM_NAMESPACE] } }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpoint_port_name'], regex: `${s.name};${s.scrape!.port}`, action: 'keep' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
      ],
    })),
  });
}

/** Teams incoming webhooks go through prometheus-msteams, which speaks Teams' card format. */
const isTeamsWebhook = (url: string) => /^https:\/\/[^/]*(webhook\.office\.com|outlook\.office\.com)\//.test(url);
export const SMTP_PASSWORD_SECRET = 'alertmanager-smtp-password';

/**
 * Alertmanager's configuration: every alert by e-mail to notifications_email, and to each
 * webhook whose severity it carries.
 */
export function alertmanagerConfig(c: Config): string {
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
        webhook_configs: [{ url: isTeamsWebhook(w.url) ? `http://${serviceHost('prometheus-msteams', SYSTEM_NAMESPACE)}:2000/${w.name}` : w.url, send_resolved: true }],
      })),
    ],
  });
}

/** prometheus-msteams: one connector per Teams webhook, by name. */
export const msteamsConfig = (c: Config): string =>
  emitYaml({ connectors: c.notifications_webhooks.filter((w) => isTeamsWebhook(w.url)).map((w) => ({ [w.name]: w.url })) });

/** Grafana reads metrics through thanos-querier, so dashboards see the long-term blocks too. */
const grafanaDatasources = () =>
  emitYaml({
    apiVersion: 1,
    datasources: [{ name: 'Thanos', type: 'prometheus', access: 'proxy', isDefault: true, url: `http://${serviceHost('thanos-querier', SYSTEM_NAMESPACE)}:10902` }],
  });

export const dashboardUsers = (c: Config) => c.backoffice_users.dashboards.map((u) => u.name);

const storeEndpoint = (service: string) => `--endpoint=dnssrv+_grpc._tcp.${serviceHost(service, SYSTEM_NAMESPACE)}`;

export const MONITORING_COMPONENTS: ComponentSpec[] = [
  {
    name: 'prometheus', phase: 'system', workload: 'StatefulSet', image: 'thirdparty/prometheus', imageTag: 'v2.54.1', enabled: () => true,
    // Two identical replicas scraping the same targets: the guide's HA pattern.
    replicas: () => 2, ports: [{ name: 'http', port: 9090 }], resources: PROMETHEUS, scrape: { port: 'http' },
    volume: { mountPath: '/prometheus', size: (c) => `${c.prometheus.storage_size_gb}Gi` },
    files: (c) => ({ 'prometheus.yml': prometheusConfig(c) }),
    args: () => [
      '--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', `--storage.tsdb.retention.time=${PROMETHEUS_RETENTION}`,
      // Thanos uploads 2-hour blocks; local compaction would fight it.
      '--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h', '--web.enable-lifecycle',
    ],
    clusterAccess: [
      { apiGroups: [''], resources: ['services', 'endpoints', 'pods', 'nodes', 'nodes/metrics'], verbs: READ },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
    ],
    secrets: objstore,
    sidecars: [{
      // Exposes the replica's data over the gRPC StoreAPI and uploads blocks to Azure Blob Storage.
      name: 'thanos-sidecar', image: 'thirdparty/thanos', imageTag: THANOS_TAG, resources: SMALL,
      ports: [{ name: 'grpc', port: 10901 }, { name: 'exposed', port: 10902 }],
      args: () => ['sidecar', '--tsdb.path=/prometheus', '--prometheus.url=http://localhost:9090', '--grpc-address=0.0.0.0:10901', '--http-address=0.0.0.0:10902', `--objstore.config-file=${OBJSTORE_FILE}`],
    }],
  },
  {
    name: 'thanos-querier', app: 'thanos', phase: 'system', talksTo: ['prometheus', 'thanos'], workload: 'Deployment', image: 'thirdparty/thanos', imageTag: THANOS_TAG, enabled: () => true,
    replicas: () => 2, ports: THANOS_PORTS, resources: MEDIUM, scrape: { port: 'http' },
    args: () => ['query', '--grpc-address=0.0.0.0:10901', '--http-address=0.0.0.0:10902', '--query.replica-label=prometheus_replica', storeEndpoint('prometheus'), storeEndpoint('thanos-store-gateway')],
  },
  {
    name: 'thanos-store-gateway', app: 'thanos', phase: 'system', talksTo: ['thanos'], workload: 'StatefulSet', image: 'thirdparty/thanos', imageTag: THANOS_TAG, enabled: () => true,
    replicas: () => 2, ports: THANOS_PORTS, resources: MEDIUM, scrape: { port: 'http' }, volume: { mountPath: '/data', size: () => '10Gi' }, secrets: objstore,
    args: () => ['store', '--data-dir=/data', '--grpc-address=0.0.0.0:10901', '--http-address=0.0.0.0:10902', `--objstore.config-file=${OBJSTORE_FILE}`],
  },
  {
    // A singleton: two compactors on one bucket corrupt it. No replicas key, so never scaled.
    name: 'thanos-compact', app: 'thanos', phase: 'system', workload: 'StatefulSet', image: 'thirdparty/thanos', imageTag: THANOS_TAG, enabled: () => true,
    ports: [{ name: 'http', port: 10902 }], resources: MEDIUM, scrape: { port: 'http' }, volume: { mountPath: '/data', size: () => '20Gi' }, secrets: objstore,
    args: () => ['compact', '--wait', '--data-dir=/data', '--http-address=0.0.0.0:10902', `--objstore.config-file=${OBJSTORE_FILE}`, '--downsampling.disable=false'],
  },
  {
    name: 'node-exporter', phase: 'system', workload: 'DaemonSet', image: 'thirdparty/node-exporter', imageTag: 'v1.8.2', enabled: () => true,
    ports: [{ name: 'metrics', port: 9100 }], resources: NODE_EXPORTER, scrape: { port: 'metrics' },
    host: { paths: [{ name: 'proc', path: '/proc' }, { name: 'sys', path: '/sys' }, { name: 'root', path: '/' }], network: true, pid: true },
    args: () => ['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/', '--web.listen-address=:9100'],
  },
  {
    // Exactly one: two would report every object twice.
    name: 'kube-state-metrics', phase: 'system', workload: 'Deployment', image: 'thirdparty/kube-state-metrics', imageTag: 'v2.13.0', enabled: () => true,
    ports: [{ name: 'http', port: 8080 }, { name: 'telemetry', port: 8081 }], resources: SMALL, scrape: { port: 'http' },
    clusterAccess: [
      { apiGroups: ['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io'], resources: ['*'], verbs: ['list', 'watch'] },
    ],
  },
  {
    name: 'blackbox-exporter', phase: 'system', workload: 'Deployment', image: 'thirdparty/blackbox-exporter', imageTag: 'v0.25.0', enabled: () => true,
    ports: [{ name: 'http', port: 9115 }], resources: SMALL, scrape: { port: 'http' },
  },
  {
    name: 'pushgateway', phase: 'system', workload: 'Deployment', image: 'thirdparty/pushgateway', imageTag: 'v1.9.0', enabled: () => true,
    podLabels: { release: 'pushgateway' }, ports: [{ name: 'http', port: 9091 }], resources: SMALL, scrape: { port: 'http' },
  },
  {
    name: 'mongodb-exporter', phase: 'system', talksTo: ['mongodb', 'prometheus'], workload: 'Deployment', image: 'thirdparty/mongodb-exporter', imageTag: '0.40.0', enabled: () => true,
    ports: [{ name: 'metrics', port: 9216 }], resources: SMALL, scrape: { port: 'metrics' }, secrets: () => ({ MONGODB_URI: 'kv:mongodb-uri' }),
  },
  {
    name: 'elasticsearch-exporter', phase: 'system', talksTo: ['elasticsearch', 'prometheus'], workload: 'Deployment', image: 'thirdparty/elasticsearch-exporter', imageTag: 'v1.7.0', enabled: () => true,
    ports: [{ name: 'http', port: 9114 }], resources: SMALL, scrape: { port: 'http' },
    env: () => ({ ES_URI: `https://${serviceHost('elasticsearch-es-http', SYSTEM_NAMESPACE)}:9200` }),
    secrets: () => ({ ES_PASSWORD: 'elastic_admin_password' }),
  },
  {
    name: 'prometheus-es-exporter', phase: 'system', talksTo: ['elasticsearch'], workload: 'Deployment', image: 'thirdparty/prometheus-es-exporter', imageTag: '0.14.1',
    enabled: (c) => c.prometheus_es_exporter_enabled, ports: [{ name: 'http', port: 9206 }], resources: SMALL, scrape: { port: 'http' },
    env: () => ({ ES_HOSTS: `https://${serviceHost('elasticsearch-es-http', SYSTEM_NAMESPACE)}:9200` }),
  },
  {
    name: 'prometheus-msteams', phase: 'system', talksTo: ['alertmanager', 'prometheus-msteams'], workload: 'Deployment', image: 'thirdparty/prometheus-msteams', imageTag: 'v1.5.2', enabled: () => true,
    ports: [{ name: 'http', port: 2000 }], resources: SMALL, scrape: { port: 'http' },
    files: (c) => ({ 'connectors.yaml': msteamsConfig(c) }), args: () => ['-config-file=/etc/prometheus-msteams/connectors.yaml'],
  },
  {
    name: 'alertmanager', phase: 'system', talksTo: ['alertmanager', 'prometheus-msteams'], workload: 'StatefulSet', image: 'thirdparty/alertmanager', imageTag: 'v0.27.0', enabled: () => true,
    replicas: () => 2, ports: [{ name: 'http', port: 9093 }, { name: 'cluster', port: 9094 }], resources: SMALL, scrape: { port: 'http' },
    volume: { mountPath: '/alertmanager', size: () => '2Gi' },
    files: (c) => ({ 'alertmanager.yml': alertmanagerConfig(c) }),
    secrets: (c): Record<string, string> => (c.smtp_relay.auth_username ? { SMTP_PASSWORD: `kv:${SMTP_PASSWORD_SECRET}` } : {}),
    // Replicas gossip to deduplicate notifications: each knows its peers by their stable names.
    args: () => [
      '--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager', '--cluster.listen-address=0.0.0.0:9094',
      ...[0, 1].map((i) => `--cluster.peer=alertmanager-${i}.${serviceHost('alertmanager', SYSTEM_NAMESPACE)}:9094`),
    ],
  },
  {
    name: 'grafana', phase: 'system', talksTo: ['thanos'], workload: 'StatefulSet', image: 'thirdparty/grafana', imageTag: '11.2.0', enabled: () => true,
    ports: [{ name: 'http', port: 3000 }], resources: MEDIUM, scrape: { port: 'http' }, volume: { mountPath: '/var/lib/grafana', size: () => '10Gi' },
    files: () => ({ 'datasources.yaml': grafanaDatasources() }), filesPath: '/etc/grafana/provisioning/datasources',
    // The first dashboards user is the admin; grafana-provision creates the others read-only.
    env: (c) => ({ GF_SECURITY_ADMIN_USER: dashboardUsers(c)[0] ?? '', GF_USERS_ALLOW_SIGN_UP: false, GF_AUTH_ANONYMOUS_ENABLED: false }),
    secrets: (c): Record<string, string> => ({ GF_SECURITY_ADMIN_PASSWORD: `kv:${backofficePasswordSecret('dashboards', dashboardUsers(c)[0] ?? '')}` }),
  },
  {
    name: 'grafana-provision', app: 'grafana', phase: 'system', talksTo: ['grafana'], workload: 'Job', image: 'tools/grafana-provision', enabled: () => true, ports: [], resources: SMALL,
    env: (c) => ({ GRAFANA_URL: `http://${serviceHost('grafana', SYSTEM_NAMESPACE)}:3000`, GRAFANA_ADMIN_USER: dashboardUsers(c)[0] ?? '', GRAFANA_VIEWERS: dashboardUsers(c).slice(1).join(',') }),
    secrets: (c): Record<string, string> =>
      Object.fromEntries(dashboardUsers(c).map((u, i) => [i === 0 ? 'GRAFANA_ADMIN_PASSWORD' : `GRAFANA_VIEWER_${i}_PASSWORD`, `kv:${backofficePasswordSecret('dashboards', u)}`])),
  },
];

import { emitYaml } from '../util/emit';
import { fixedReplicas, type Component, type Platform, type PortSpec, type ResourceSpec } from '../platform/types';
import { objstoreSecret, thanosSidecar } from './thanos';

/**
 * Prometheus, two identical replicas scraping the same targets (the guide's HA pattern), each
 * with a Thanos sidecar. Its scrape jobs are derived from the components that declare `scrape`;
 * it reaches them, and Alertmanager, by the network plan.
 */
/** Prometheus keeps 15 days locally; Thanos keeps the long-term blocks in Azure Blob Storage. */
export const PROMETHEUS_RETENTION = '15d';
export const SCRAPE_INTERVAL = '30s';
const HTTP: PortSpec = { name: 'http', port: 9090 };
const PROMETHEUS: ResourceSpec = { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '6Gi' } };
const READ = ['get', 'list', 'watch'];

/**
 * Prometheus' configuration: one job per component that declares a `scrape` port, found through
 * its Service's endpoints, every 30 seconds. Derived from the catalog, never listed by hand.
 */
export function prometheusConfig(p: Platform): string {
  const c = p.config;
  const targets = [...p.workloads('system'), ...p.workloads('core')].filter((s) => s.scrape);
  const alertmanager = p.endpoint('alertmanager', 'http');
  return emitYaml({
    global: {
      scrape_interval: SCRAPE_INTERVAL,
      evaluation_interval: SCRAPE_INTERVAL,
      external_labels: { cluster: c.cluster_name, environment: p.environment },
    },
    alerting: {
      alertmanagers: [{ dns_sd_configs: [{ names: [alertmanager.host], type: 'A', port: alertmanager.port }] }],
    },
    scrape_configs: targets.map((s) => ({
      job_name: s.name,
      metrics_path: s.scrape!.path ?? '/metrics',
      kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [p.namespaceOf(s)] } }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpoint_port_name'], regex: `${s.name};${s.scrape!.port}`, action: 'keep' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
      ],
    })),
  });
}

export const prometheus: Component = {
  name: 'prometheus',
  workloads: [
    {
      // Scrapes every workload that declares `scrape` (the network plan adds them to talksTo) and delivers alerts.
      name: 'prometheus', phase: 'system', talksTo: ['alertmanager'], workload: 'StatefulSet', image: 'thirdparty/prometheus', imageTag: 'v2.54.1',
      scale: fixedReplicas(2), ports: [HTTP], resources: PROMETHEUS, scrape: { port: 'http' },
      volume: { mountPath: '/prometheus', size: (c) => `${c.prometheus.storage_size_gb}Gi` },
      files: (p) => ({ 'prometheus.yml': prometheusConfig(p) }),
      args: () => [
        '--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', `--storage.tsdb.retention.time=${PROMETHEUS_RETENTION}`,
        // Thanos uploads 2-hour blocks; local compaction would fight it.
        '--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h', '--web.enable-lifecycle',
      ],
      clusterAccess: [
        { apiGroups: [''], resources: ['services', 'endpoints', 'pods', 'nodes', 'nodes/metrics'], verbs: READ },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
      ],
      secrets: objstoreSecret,
      sidecars: [thanosSidecar(`http://localhost:${HTTP.port}`)],
    },
  ],
  // The guide's ports, plus the sidecar's StoreAPI that the querier reads.
  policies: [{ target: 'prometheus', ports: ['http', 'exposed', { numberOf: 'grpc' }], form: 'pod-in-namespace' }],
  routes: [{ name: 'metrics', to: 'prometheus', port: 'http', allow: (c) => c.service_whitelist_source_ranges.metrics, public: false, backoffice: 'metrics' }],
};

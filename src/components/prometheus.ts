import { ruleFileName, ruleFiles, type RuleSet } from '../platform/alert-rules';
import { emitYaml } from '../util/emit';
import type { Component, Platform, PortSpec, ResourceSpec } from '../platform/types';
import { endpointsJob } from '../platform/scrape';
import { coreNamespacesPattern, PLATFORM_NAMESPACES_PATTERN } from '../platform/naming';
import { objstoreFile, thanosSidecar } from './thanos';

/**
 * Prometheus, identical replicas (prometheus.replicas, at least two: the guide's HA pattern) scraping the same targets, each
 * with a Thanos sidecar. Its scrape jobs are derived from the components that declare `scrape`;
 * it reaches them, and Alertmanager, by the network plan.
 */
/** Prometheus keeps 15 days locally; Thanos keeps the long-term blocks in Azure Blob Storage. */
export const PROMETHEUS_RETENTION = '15d';
export const SCRAPE_INTERVAL = '30s';
const HTTP: PortSpec = { name: 'http', port: 9090 };
const PROMETHEUS: ResourceSpec = { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '6Gi' } };
const READ = ['get', 'list', 'watch'];

/** Where the Prometheus pods mount the rules ConfigMap `prometheus-rules`. */
export const RULES_DIR = '/etc/prometheus/rules';

/** Every alert rule set of the profile's components, in catalog order. */
export const platformRuleSets = (p: Platform): RuleSet[] => p.components.flatMap((component) => component.alertRules ?? []);

/** The scrape jobs of workloads that declare a `scrape` port. */
const scrapedWorkloads = (p: Platform) => [...p.workloads('system'), ...p.workloads('core')].filter((s) => s.scrape);

/** Jobs whose targets come from Kubernetes discovery, the ones that can vanish: workloads' and declared ones'. */
const discoveredJobs = (p: Platform): string[] => [
  ...scrapedWorkloads(p).map((s) => s.name),
  ...p.components.flatMap((component) => component.scrapeJobs?.(p) ?? []).filter((j) => j.kubernetes_sd_configs).map((j) => String(j.job_name)),
];

/**
 * Prometheus' configuration: one job per component that declares a `scrape` port, found through
 * its Service's endpoints, every 30 seconds, plus the jobs components declare (probes, sidecars,
 * integrations); the rule files of their alert rules. Derived from the catalog, never listed by hand.
 */
export function prometheusConfig(p: Platform): string {
  const c = p.config;
  const targets = scrapedWorkloads(p);
  const alertmanager = p.endpoint('alertmanager', 'http');
  return emitYaml({
    global: {
      scrape_interval: SCRAPE_INTERVAL,
      evaluation_interval: SCRAPE_INTERVAL,
      // Each replica labels its series with its own pod name (expand-external-labels): the querier
      // and the compactor deduplicate the two replicas on prometheus_replica.
      external_labels: { cluster: c.cluster_name, environment: p.environment, [REPLICA_LABEL]: '${POD_NAME}' },
    },
    alerting: {
      // Alerts are the same on both replicas but for the replica label: without it, Alertmanager
      // merges the two copies into one alert; with it, every notification carries each alert twice.
      alert_relabel_configs: [{ action: 'labeldrop', regex: REPLICA_LABEL }],
      alertmanagers: [{ dns_sd_configs: [{ names: [alertmanager.host], type: 'A', port: alertmanager.port }] }],
    },
    rule_files: Object.keys(ruleFiles(platformRuleSets(p), p)).map((f) => `${RULES_DIR}/${f}`),
    scrape_configs: [
      ...targets.map((s) => endpointsJob({ job: s.name, service: s.name, namespace: p.namespaceOf(s), port: s.scrape!.port, path: s.scrape!.path, honorLabels: s.scrape!.honorLabels, namespaceRegex: s.phase === 'core' ? coreNamespaces(p) : undefined })),
      // Probes, sidecars and integrations their components declare.
      ...p.components.flatMap((component) => component.scrapeJobs?.(p) ?? []),
      // The kubelet (kubelet_volume_stats_* for the Kubernetes Storage dashboard) and cAdvisor (container usage), on every node.
      ...(['kubelet', 'cadvisor'] as const).map((job) => ({
        job_name: job,
        scheme: 'https',
        metrics_path: job === 'kubelet' ? '/metrics' : '/metrics/cadvisor',
        kubernetes_sd_configs: [{ role: 'node' }],
        authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
        // AKS kubelets serve a self-signed certificate; the token authenticates Prometheus to them (nodes/metrics).
        tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', insecure_skip_verify: true },
        relabel_configs: [{ source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' }],
      })),
    ],
  });
}

/** The label each replica adds to its series: Thanos deduplicates on it. */
export const REPLICA_LABEL = 'prometheus_replica';
/** Every core namespace of the cluster (its tenants' and releases' too), as a Prometheus regex. */
const coreNamespaces = (p: Platform): string => coreNamespacesPattern(p.config);
/** A target that answers no scrape for this long is down, not just restarting. */
const TARGET_DOWN_FOR = '10m';

/**
 * Prometheus watches its own scrapes and rule evaluations: a target down in any job, a job whose
 * targets have all vanished from discovery (an absent() per discovered job, so the job is named even
 * when no series is left), and rules that fail to evaluate (alerts that can never fire).
 */
export const PROMETHEUS_RULES: RuleSet = {
  name: 'prometheus',
  rules: (p) => [
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
      expr: discoveredJobs(p).map((job) => `absent(up{job="${job}"})`).join(' or '),
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

/** Every namespace the platform owns, as the alerts select them. */
export const AURA_NAMESPACES = PLATFORM_NAMESPACES_PATTERN;

const volumeFree = (ns: string) =>
  `kubelet_volume_stats_available_bytes{namespace=~"${ns}"} / kubelet_volume_stats_capacity_bytes{namespace=~"${ns}"}`;

/** The kubelet reports every mounted volume's usage: Prometheus, Elasticsearch, the log buffers, the databases. */
export const KUBELET_RULES: RuleSet = {
  name: 'kubelet',
  rules: [
    {
      alert: 'PersistentVolumeFillingUp',
      expr: `${volumeFree(AURA_NAMESPACES)} < 0.15`,
      for: '15m',
      severity: 'warning',
      summary: 'Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is more than 85 % full',
      description: 'PVC {{ $labels.persistentvolumeclaim }} has less than 15 % free space. Grow it from the profile or reduce what it keeps before it fills.',
    },
    {
      alert: 'PersistentVolumeFull',
      expr: `${volumeFree(AURA_NAMESPACES)} < 0.05`,
      for: '5m',
      severity: 'critical',
      summary: 'Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is more than 95 % full',
      description: 'PVC {{ $labels.persistentvolumeclaim }} has less than 5 % free space: its workload stops writing soon.',
    },
  ],
};


export const prometheus: Component = {
  name: 'prometheus',
  alertRules: [PROMETHEUS_RULES, KUBELET_RULES],
  workloads: [
    {
      // Scrapes every workload that declares `scrape` (the network plan adds them to talksTo) and delivers alerts.
      name: 'prometheus', phase: 'system', talksTo: ['alertmanager'], workload: 'StatefulSet', image: 'thirdparty/prometheus', imageTag: 'v2.54.1',
      scale: { mode: 'fixed', replicas: (c) => c.prometheus.replicas }, ports: [HTTP], resources: PROMETHEUS, scrape: { port: 'http' },
      volume: { mountPath: '/prometheus', size: (c) => `${c.prometheus.storage_size_gb}Gi` },
      files: (p) => ({ 'prometheus.yml': prometheusConfig(p) }),
      fileSets: [{ name: 'rules', mountPath: RULES_DIR, files: (p) => ruleFiles(platformRuleSets(p), p) }],
      args: () => [
        '--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', `--storage.tsdb.retention.time=${PROMETHEUS_RETENTION}`,
        // Thanos uploads 2-hour blocks; local compaction would fight it.
        '--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h', '--web.enable-lifecycle',
        // ${POD_NAME} in external_labels: each replica's own prometheus_replica.
        '--enable-feature=expand-external-labels',
      ],
      podFields: { POD_NAME: 'metadata.name' },
      clusterAccess: [
        { apiGroups: [''], resources: ['services', 'endpoints', 'pods', 'nodes', 'nodes/metrics'], verbs: READ },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
      ],
      // Files, not variables (Prometheus reads none): the sidecar's objstore configuration, and with Atlas the integration's password for the mongodb-atlas job.
      secretFiles: ({ config: c }) => [...objstoreFile(), ...(c.atlas_enabled ? ['atlas_prometheus_password'] : [])],
      sidecars: [thanosSidecar(`http://localhost:${HTTP.port}`)],
    },
  ],
  // The guide's ports, plus the sidecar's StoreAPI that the querier reads.
  policies: [{ target: 'prometheus', ports: ['http', 'exposed', { numberOf: 'grpc' }], form: 'pod-in-namespace' }],
  routes: [{ name: 'metrics', to: 'prometheus', port: 'http', allow: (c) => c.service_whitelist_source_ranges.metrics, public: false, backoffice: 'metrics' }],
};

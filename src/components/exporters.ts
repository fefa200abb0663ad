import { ELASTICSEARCH_CA, elasticAdminSecrets, WAF_INDEX_PATTERN } from './elasticsearch';
import { mongodbClient } from './mongodb';
import type { Config } from '../profile/config.generated';
import { emitYaml } from '../util/emit';
import type { RuleSet } from '../platform/alert-rules';
import { SINGLETON, type Component, type Platform, type ResourceSpec } from '../platform/types';
import { WAF_HITS_QUERY, WAF_POLICY_LABEL } from './nginx';
import { AURA_NAMESPACES } from './prometheus';

/**
 * Metrics sources Prometheus scrapes that are not part of another component: node and cluster
 * state, probes, the Pushgateway for batch jobs, and the MongoDB and Elasticsearch exporters.
 * Each is a single pod: two would report every series twice.
 */
const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const NODE_EXPORTER: ResourceSpec = { requests: { cpu: '10m', memory: '24Mi' }, limits: { cpu: '50m', memory: '32Mi' } };
const NODE_EXPORTER_PORT = { name: 'metrics', port: 9100 };

/** Workload health from kube-state-metrics (its job keeps the namespace and pod labels of the objects it reports). */
export const KUBE_STATE_RULES: RuleSet = {
  name: 'kube-state-metrics',
  rules: [
    {
      alert: 'PodCrashLooping',
      expr: `max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", namespace=~"${AURA_NAMESPACES}"}[5m]) >= 1`,
      for: '15m',
      severity: 'warning',
      summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping',
      description: 'Kubernetes keeps restarting {{ $labels.container }} in pod {{ $labels.pod }}; read its previous log.',
    },
    {
      alert: 'HorizontalPodAutoscalerAtMaximum',
      // An HPA whose minimum equals its maximum is always "at maximum": it is not scaling, so not saturated.
      expr: `kube_horizontalpodautoscaler_status_current_replicas{namespace=~"${AURA_NAMESPACES}"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace=~"${AURA_NAMESPACES}"}
  and kube_horizontalpodautoscaler_spec_max_replicas > kube_horizontalpodautoscaler_spec_min_replicas`,
      for: '15m',
      severity: 'warning',
      summary: 'HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at its maximum for 15 minutes',
      description: 'The service cannot scale further: raise its maximum in service_replicas or find what loads it.',
    },
  ],
};

export const CERTIFICATE_WARNING_DAYS = 14;

/** The blackbox-exporter probes: each public host's TLS certificate, and the external health endpoint. */
export const BLACKBOX_RULES: RuleSet = {
  name: 'blackbox-exporter',
  rules: [
    {
      alert: 'CertificateExpiringSoon',
      expr: `probe_ssl_earliest_cert_expiry - time() < ${CERTIFICATE_WARNING_DAYS} * 86400`,
      severity: 'warning',
      summary: `The certificate of {{ $labels.instance }} expires within ${CERTIFICATE_WARNING_DAYS} days`,
      description: 'Renew the TLS certificate in Key Vault: the secrets store driver rolls it out to NGINX.',
    },
    {
      alert: 'ProbeFailed',
      expr: 'probe_success == 0',
      for: '5m',
      severity: 'critical',
      summary: 'Probe {{ $labels.job }} of {{ $labels.instance }} fails',
      description: '{{ $labels.instance }} has not answered the {{ $labels.job }} probe for 5 minutes: the public endpoint or the health check is down.',
    },
  ],
};

/** blackbox-exporter's listen port, where Prometheus sends each probe. */
export const BLACKBOX_PORT = 9115;
/** Probe modules: a TLS handshake (the certificate's expiry), and an HTTPS GET that must answer 2xx. */
export const BLACKBOX_MODULES = { tls: 'tls_connect', health: 'https_2xx' } as const;
/** Probe jobs, named as the blackbox rules and the runbooks read them. */
export const PROBE_JOBS = { tls: 'blackbox-tls', health: 'blackbox-health' } as const;

/** The probe modules a profile uses: the TLS handshake, and the HTTPS GET only when it probes external_health_endpoint. */
export const blackboxConfig = (c: Config): string =>
  emitYaml({
    modules: {
      [BLACKBOX_MODULES.tls]: { prober: 'tcp', timeout: '10s', tcp: { tls: true, preferred_ip_protocol: 'ip4' } },
      ...(c.external_health_endpoint
        ? {
            [BLACKBOX_MODULES.health]: {
              prober: 'http',
              timeout: '10s',
              http: { method: 'GET', valid_status_codes: [], fail_if_not_ssl: true, preferred_ip_protocol: 'ip4', follow_redirects: true },
            },
          }
        : {}),
    },
  });

/** Where the exporters that speak to Elasticsearch mount ECK's CA, to verify its certificate. */
const ELASTICSEARCH_CA_DIR = '/etc/elasticsearch-ca';
const elasticsearchCaMount = () => [{ name: 'elasticsearch-ca', secret: ELASTICSEARCH_CA.secret, mountPath: ELASTICSEARCH_CA_DIR }];
const ELASTICSEARCH_CA_FILE = `${ELASTICSEARCH_CA_DIR}/${ELASTICSEARCH_CA.key}`;

/**
 * An exporter whose target does not answer still answers its own scrape (so TargetDown stays
 * silent): each reports the connection in a gauge of its own.
 */
export const EXPORTER_RULES: RuleSet = {
  name: 'exporters',
  rules: [
    {
      alert: 'ElasticsearchUnreachable',
      // The nodes collector runs on every scrape (elasticsearch_exporter v1.7.0); its up gauge is 0 when the request fails.
      expr: 'elasticsearch_node_stats_up{job="elasticsearch-exporter"} == 0',
      for: '5m',
      severity: 'critical',
      summary: 'elasticsearch-exporter cannot reach Elasticsearch',
      description: 'elasticsearch-exporter gets no answer from Elasticsearch: the cluster is down, refuses the elastic user, or the exporter is pointed elsewhere. Its health alerts cannot fire meanwhile.',
    },
    {
      alert: 'MongoDBUnreachable',
      expr: 'mongodb_up{job="mongodb-exporter"} == 0',
      for: '5m',
      severity: 'critical',
      summary: 'mongodb-exporter cannot reach MongoDB',
      description: 'mongodb-exporter cannot ping MongoDB with the admin user: the database is down, the credentials are refused, or the exporter is pointed elsewhere.',
    },
  ],
};

/** A probe job: each target is handed to blackbox-exporter as `?target=`, and stays the `instance` label. */
const probeJob = (blackbox: string, job: string, module: string, targets: string[]) => ({
  job_name: job,
  metrics_path: '/probe',
  params: { module: [module] },
  static_configs: [{ targets }],
  relabel_configs: [
    { source_labels: ['__address__'], target_label: '__param_target' },
    { source_labels: ['__param_target'], target_label: 'instance' },
    { target_label: '__address__', replacement: blackbox },
  ],
});

/** The probe jobs of a profile: every public host on 443, and the external health endpoint when the profile names one. */
export function probeJobs(p: Platform, publicHosts: string[]): Record<string, unknown>[] {
  const c = p.config;
  const blackbox = p.endpoint('blackbox-exporter', 'http').address;
  return [
    ...(publicHosts.length ? [probeJob(blackbox, PROBE_JOBS.tls, BLACKBOX_MODULES.tls, publicHosts.map((h) => `${h}:443`))] : []),
    ...(c.external_health_endpoint ? [probeJob(blackbox, PROBE_JOBS.health, BLACKBOX_MODULES.health, [c.external_health_endpoint])] : []),
  ];
}

/**
 * prometheus-es-exporter's query file. The WAF query counts the App Protect events of the last
 * minute per policy, every minute; a policy without events drops to 0 rather than vanishing, so
 * waf_policy_hits_increase compares like with like.
 */
export function esExporterConfig(c: Config): string {
  const queries = c.nginx_plus_enabled
    ? [`[query_${WAF_HITS_QUERY}]
QueryIntervalSecs = 60
QueryTimeoutSecs = 30
QueryIndices = ${WAF_INDEX_PATTERN}
QueryOnError = drop
QueryOnMissing = zero
QueryJson = ${JSON.stringify({ size: 0, query: { range: { '@timestamp': { gte: 'now-1m' } } }, aggs: { [WAF_POLICY_LABEL]: { terms: { field: WAF_POLICY_LABEL, size: 100 } } } })}
`]
    : [];
  return ['[DEFAULT]\nQueryIntervalSecs = 60\nQueryTimeoutSecs = 30\nQueryOnError = drop\nQueryOnMissing = drop\n', ...queries].join('\n');
}

const ES_EXPORTER_CONFIG = '/etc/prometheus-es-exporter/exporter.cfg';

export const exporters: Component = {
  name: 'exporters',
  alertRules: [KUBE_STATE_RULES, BLACKBOX_RULES, EXPORTER_RULES],
  scrapeJobs: (p) => probeJobs(p, [...new Set(p.routes.map((r) => r.host))]),
  workloads: [
    {
      name: 'node-exporter', phase: 'system', workload: 'DaemonSet', image: 'thirdparty/node-exporter', imageTag: 'v1.8.2',
      ports: [NODE_EXPORTER_PORT], resources: NODE_EXPORTER, scrape: { port: 'metrics' },
      host: { paths: [{ name: 'proc', path: '/proc' }, { name: 'sys', path: '/sys' }, { name: 'root', path: '/' }], network: true, pid: true },
      args: () => ['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/', `--web.listen-address=:${NODE_EXPORTER_PORT.port}`],
    },
    {
      name: 'kube-state-metrics', phase: 'system', workload: 'Deployment', image: 'thirdparty/kube-state-metrics', imageTag: 'v2.13.0', scale: SINGLETON,
      ports: [{ name: 'http', port: 8080 }, { name: 'telemetry', port: 8081 }], resources: SMALL,
      // Its series describe other objects: their namespace and pod labels are kept, not the exporter pod's.
      scrape: { port: 'http', honorLabels: true },
      clusterAccess: [
        { apiGroups: ['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io'], resources: ['*'], verbs: ['list', 'watch'] },
      ],
    },
    {
      name: 'blackbox-exporter', phase: 'system', workload: 'Deployment', image: 'thirdparty/blackbox-exporter', imageTag: 'v0.25.0', scale: SINGLETON,
      ports: [{ name: 'http', port: BLACKBOX_PORT }], resources: SMALL, scrape: { port: 'http' },
      files: (p) => ({ 'blackbox.yml': blackboxConfig(p.config) }), args: () => ['--config.file=/etc/blackbox-exporter/blackbox.yml'],
    },
    {
      // The guide's pushgateway policy selects `release: pushgateway`. Pushed series keep the job and instance their pusher gave (honor_labels).
      name: 'pushgateway', phase: 'system', workload: 'Deployment', image: 'thirdparty/pushgateway', imageTag: 'v1.9.0', scale: SINGLETON,
      podLabels: { release: 'pushgateway' }, ports: [{ name: 'http', port: 9091 }], resources: SMALL, scrape: { port: 'http', honorLabels: true },
    },
    {
      name: 'mongodb-exporter', phase: 'system', talksTo: ['mongodb', 'prometheus'], workload: 'Deployment', image: 'thirdparty/mongodb-exporter', imageTag: '0.40.0', scale: SINGLETON,
      ports: [{ name: 'metrics', port: 9216 }], resources: SMALL, scrape: { port: 'metrics' },
      // The exporter reads MONGODB_URI, MONGODB_USER and MONGODB_PASSWORD: the client contract as is.
      env: (p) => mongodbClient.env(p), secrets: (p) => mongodbClient.secrets(p), generatedSecrets: (p) => mongodbClient.generatedSecrets(p, 'system'),
      // Version 0.40 runs no collector unless asked: getDiagnosticData gives the mongodb_rs_* (replica set) and mongodb_ss_* (server status)
      // series the rules and dashboards read. A direct connection (its default) refuses a seed list and an SRV URI.
      args: () => ['--collector.diagnosticdata', '--no-mongodb.direct-connect'],
    },
    {
      name: 'elasticsearch-exporter', phase: 'system', talksTo: ['elasticsearch', 'prometheus'], workload: 'Deployment', image: 'thirdparty/elasticsearch-exporter', imageTag: 'v1.7.0', scale: SINGLETON,
      ports: [{ name: 'http', port: 9114 }], resources: SMALL, scrape: { port: 'http' },
      // Flags only: since v1.4.0 no flag has an environment form (ES_URI is ignored). ECK's CA verifies the server;
      // --es.all, as the Service balances over the nodes (_local would be a different node on each scrape).
      args: (p) => [`--es.uri=${p.endpoint('elasticsearch', 'https').url('https')}`, `--es.ca=${ELASTICSEARCH_CA_FILE}`, '--es.all'],
      secretMounts: elasticsearchCaMount,
      // It reads these two variables and adds them to the URI.
      secrets: () => elasticAdminSecrets('ES_USERNAME', 'ES_PASSWORD'),
    },
    {
      name: 'prometheus-es-exporter', phase: 'system', talksTo: ['elasticsearch'], workload: 'Deployment', image: 'thirdparty/prometheus-es-exporter', imageTag: '0.14.1', scale: SINGLETON,
      enabled: (c) => c.prometheus_es_exporter_enabled, ports: [{ name: 'http', port: 9206 }], resources: SMALL, scrape: { port: 'http' },
      files: (p) => ({ 'exporter.cfg': esExporterConfig(p.config) }),
      // It logs in as the elastic user; the kubelet expands $(ES_USERNAME) and $(ES_PASSWORD) from the same Key Vault secrets as the server's file realm.
      // ECK's CA verifies the server (without --ca-certs it would not verify at all).
      secretMounts: elasticsearchCaMount,
      args: (p) => [
        `--es-cluster=${p.endpoint('elasticsearch', 'https').url('https')}`, `--ca-certs=${ELASTICSEARCH_CA_FILE}`, '--basic-user=$(ES_USERNAME)', '--basic-password=$(ES_PASSWORD)', `--config-file=${ES_EXPORTER_CONFIG}`,
        // elasticsearch-exporter already reports the cluster: this one only runs queries.
        '--cluster-health-disable', '--nodes-stats-disable', '--indices-stats-disable', '--indices-aliases-disable', '--indices-mappings-disable',
      ],
      secrets: () => elasticAdminSecrets('ES_USERNAME', 'ES_PASSWORD'),
    },
  ],
  policies: [
    { target: 'elasticsearch-exporter', ports: [{ numberOf: 'http' }], form: 'pod-in-namespace' },
    { target: 'mongodb-exporter', ports: ['metrics'], form: 'pod-in-namespace' },
    { target: 'node-exporter', ports: ['metrics'], form: 'pod-in-namespace' },
    { target: 'pushgateway', alsoSelect: { release: 'pushgateway' }, ports: [{ numberOf: 'http' }], form: 'namespace-or-local-pod' },
  ],
};

import { SINGLETON, type Component, type ResourceSpec } from '../platform/types';

/**
 * Metrics sources Prometheus scrapes that are not part of another component: node and cluster
 * state, probes, the Pushgateway for batch jobs, and the MongoDB and Elasticsearch exporters.
 * Each is a single pod: two would report every series twice.
 */
const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const NODE_EXPORTER: ResourceSpec = { requests: { cpu: '10m', memory: '24Mi' }, limits: { cpu: '50m', memory: '32Mi' } };
const NODE_EXPORTER_PORT = { name: 'metrics', port: 9100 };

export const exporters: Component = {
  name: 'exporters',
  workloads: [
    {
      name: 'node-exporter', phase: 'system', workload: 'DaemonSet', image: 'thirdparty/node-exporter', imageTag: 'v1.8.2',
      ports: [NODE_EXPORTER_PORT], resources: NODE_EXPORTER, scrape: { port: 'metrics' },
      host: { paths: [{ name: 'proc', path: '/proc' }, { name: 'sys', path: '/sys' }, { name: 'root', path: '/' }], network: true, pid: true },
      args: () => ['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/', `--web.listen-address=:${NODE_EXPORTER_PORT.port}`],
    },
    {
      name: 'kube-state-metrics', phase: 'system', workload: 'Deployment', image: 'thirdparty/kube-state-metrics', imageTag: 'v2.13.0', scale: SINGLETON,
      ports: [{ name: 'http', port: 8080 }, { name: 'telemetry', port: 8081 }], resources: SMALL, scrape: { port: 'http' },
      clusterAccess: [
        { apiGroups: ['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io'], resources: ['*'], verbs: ['list', 'watch'] },
      ],
    },
    {
      name: 'blackbox-exporter', phase: 'system', workload: 'Deployment', image: 'thirdparty/blackbox-exporter', imageTag: 'v0.25.0', scale: SINGLETON,
      ports: [{ name: 'http', port: 9115 }], resources: SMALL, scrape: { port: 'http' },
    },
    {
      // The guide's pushgateway policy selects `release: pushgateway`.
      name: 'pushgateway', phase: 'system', workload: 'Deployment', image: 'thirdparty/pushgateway', imageTag: 'v1.9.0', scale: SINGLETON,
      podLabels: { release: 'pushgateway' }, ports: [{ name: 'http', port: 9091 }], resources: SMALL, scrape: { port: 'http' },
    },
    {
      name: 'mongodb-exporter', phase: 'system', talksTo: ['mongodb', 'prometheus'], workload: 'Deployment', image: 'thirdparty/mongodb-exporter', imageTag: '0.40.0', scale: SINGLETON,
      ports: [{ name: 'metrics', port: 9216 }], resources: SMALL, scrape: { port: 'metrics' }, secrets: () => ({ MONGODB_URI: 'kv:mongodb-uri' }),
    },
    {
      name: 'elasticsearch-exporter', phase: 'system', talksTo: ['elasticsearch', 'prometheus'], workload: 'Deployment', image: 'thirdparty/elasticsearch-exporter', imageTag: 'v1.7.0', scale: SINGLETON,
      ports: [{ name: 'http', port: 9114 }], resources: SMALL, scrape: { port: 'http' },
      env: (p) => ({ ES_URI: p.endpoint('elasticsearch', 'https').url('https') }),
      secrets: () => ({ ES_PASSWORD: 'elastic_admin_password' }),
    },
    {
      name: 'prometheus-es-exporter', phase: 'system', talksTo: ['elasticsearch'], workload: 'Deployment', image: 'thirdparty/prometheus-es-exporter', imageTag: '0.14.1', scale: SINGLETON,
      enabled: (c) => c.prometheus_es_exporter_enabled, ports: [{ name: 'http', port: 9206 }], resources: SMALL, scrape: { port: 'http' },
      env: (p) => ({ ES_HOSTS: p.endpoint('elasticsearch', 'https').url('https') }),
    },
  ],
  policies: [
    { target: 'elasticsearch-exporter', ports: [{ numberOf: 'http' }], form: 'pod-in-namespace' },
    { target: 'mongodb-exporter', ports: ['metrics'], form: 'pod-in-namespace' },
    { target: 'node-exporter', ports: ['metrics'], form: 'pod-in-namespace' },
    { target: 'pushgateway', alsoSelect: { release: 'pushgateway' }, ports: [{ numberOf: 'http' }], form: 'namespace-or-local-pod' },
  ],
};

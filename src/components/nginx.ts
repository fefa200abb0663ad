import type { AlertRule, RuleSet } from '../platform/alert-rules';
import type { Config } from '../profile/config.generated';
import { releaseName } from '../platform/naming';
import type { AccessRule, Component, PortSpec, ResourceSpec } from '../platform/types';
import { autoscaled } from '../platform/types';

/**
 * The NGINX Ingress Controller: every public host and management page goes through it. Its
 * routes are declared by the components they lead to; this file holds the controller, its
 * settings, its TLS certificate and the App Protect (WAF, DoS) names.
 */
export const NGINX_VERSION = '4.0.1';
/** The controller's ConfigMap (NGINX settings), its TLS Secret and the public LoadBalancer Service. */
export const NGINX_CONFIGMAP = 'nginx-config';
export const TLS_SECRET = 'aura-tls';
export const TLS_PROVIDER = 'nginx-tls';
/** The Key Vault certificate of the platform's hosts (a wildcard of dns_domain). */
export const TLS_CERTIFICATE = 'aura-tls-certificate';
export const PUBLIC_SERVICE = 'nginx-public';

/**
 * Basic authentication of a management page: the Key Vault secret holding the htpasswd file of
 * its backoffice_users list (bcrypt lines, one per user, built from each user's password secret),
 * and the nginx.org/htpasswd Secret the controller reads it from.
 */
export const htpasswdKeyVaultSecret = (list: string): string => `backoffice-${list.replace(/_/g, '-')}-htpasswd`;
export const htpasswdSecret = (list: string): string => `${list.replace(/_/g, '-')}-htpasswd`;
/** Each release's controller its own class: a release beside the running one shares no cluster-wide object with it. */
export const ingressClass = (c: Config): string => `nginx-${releaseName(c)}`;

/** Non-root: the container listens on unprivileged ports; the public Service maps 443 to `https`. */
const HTTP_LISTENER = 8080;
export const NGINX_PORTS = { https: { name: 'https', port: 8443, servicePort: 443 }, metrics: { name: 'metrics', port: 9113 } } satisfies Record<string, PortSpec>;

const NGINX: ResourceSpec = { requests: { cpu: '600m', memory: '768Mi' }, limits: { cpu: '2', memory: '1Gi' } };
const READ = ['get', 'list', 'watch'];

/** NGINX settings of the ConfigMap the controller reads. */
export const nginxSettings = (c: Config): Record<string, string> => ({
  'ssl-protocols': c.nginx.ssl_protocols,
  'ssl-ciphers': c.nginx.ssl_ciphers,
  'ssl-prefer-server-ciphers': String(c.nginx.ssl_prefer_server_ciphers).toLowerCase() === 'true' ? 'true' : 'false',
  'server-tokens': 'false',
});

/** The controller's flags: its class, namespaces, NGINX Plus modules, and unprivileged ports. */
export function controllerArgs(c: Config, namespaces: { core: string; system: string }): string[] {
  const ns = namespaces.core;
  return [
    `-nginx-plus=${c.nginx_plus_enabled}`,
    `-enable-app-protect=${c.nginx_plus_enabled}`,
    `-enable-app-protect-dos=${c.nginx_plus_dos_enabled}`,
    `-nginx-configmaps=${ns}/${NGINX_CONFIGMAP}`,
    `-ingress-class=${ingressClass(c)}`,
    `-watch-namespace=${ns},${namespaces.system}`,
    '-enable-custom-resources=true',
    '-enable-snippets=false',
    '-enable-prometheus-metrics=true',
    `-prometheus-metrics-listen-port=${NGINX_PORTS.metrics.port}`,
    `-default-http-listener-port=${HTTP_LISTENER}`,
    `-default-https-listener-port=${NGINX_PORTS.https.port}`,
    `-external-service=${PUBLIC_SERVICE}`,
    '-report-ingress-status',
  ];
}

/** What the NGINX Ingress Controller reads and updates. */
const CONTROLLER_ACCESS: AccessRule[] = [
  { apiGroups: [''], resources: ['services', 'endpoints', 'pods', 'secrets', 'configmaps', 'namespaces'], verbs: READ },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'list'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update'] },
  { apiGroups: ['k8s.nginx.org'], resources: ['virtualservers', 'virtualserverroutes', 'globalconfigurations', 'transportservers', 'policies'], verbs: READ },
  { apiGroups: ['k8s.nginx.org'], resources: ['virtualservers/status', 'virtualserverroutes/status', 'policies/status', 'transportservers/status'], verbs: ['update'] },
  { apiGroups: ['appprotect.f5.com'], resources: ['appolicies', 'aplogconfs', 'apusersigs'], verbs: READ },
  { apiGroups: ['appprotectdos.f5.com'], resources: ['apdospolicies', 'apdoslogconfs', 'dosprotectedresources'], verbs: READ },
];

/** The prometheus-es-exporter query counting App Protect events of the last minute, per policy. */
export const WAF_HITS_QUERY = 'waf_policy_hits';
/** Its terms aggregation: the bucket key becomes this label. */
export const WAF_POLICY_LABEL = 'policy_name';
/** The metric prometheus-es-exporter names after the query and the aggregation. */
export const WAF_HITS_METRIC = `${WAF_HITS_QUERY}_${WAF_POLICY_LABEL}_doc_count`;

/** The guide's NGINX Plus alert, on the WAF hits prometheus-es-exporter reads from aurak8s-waf-*. */
export const NGINX_PLUS_RULES: RuleSet = {
  name: 'nginx-plus',
  enabled: (c) => c.nginx_plus_enabled && c.prometheus_es_exporter_enabled,
  rules: [
    {
      alert: 'waf_policy_hits_increase',
      expr: `${WAF_HITS_METRIC}{job="prometheus-es-exporter"} > ${WAF_HITS_METRIC}{job="prometheus-es-exporter"} offset 1m`,
      severity: 'info',
      summary: 'WAF policy {{ $labels.policy_name }} has more hits than a minute ago',
      description: 'App Protect policy {{ $labels.policy_name }} matched more requests in the last minute than in the one before: an attack, or a false positive to read in Kibana (Nginx Plus - False Positives Interpretation).',
    },
  ],
};

export const nginx: Component = {
  name: 'nginx',
  alertRules: [NGINX_PLUS_RULES],
  workloads: [
    {
      name: 'nginx', phase: 'core', workload: 'Deployment', scale: autoscaled((c) => c.service_replicas.nginx), scrape: { port: 'metrics' },
      // It reaches every backend it routes to; with NGINX Plus, App Protect sends its security logs to the aggregator's syslog input.
      talksTo: (c) => ['alertmanager', 'elasticsearch', 'grafana', 'kibana', 'prometheus', ...(c.nginx_plus_enabled ? ['fluent-bit-aggregator'] : [])],
      image: (c) => (c.nginx_plus_enabled ? 'thirdparty/nginx-plus-ingress-nap' : 'thirdparty/nginx-ingress'), imageTag: NGINX_VERSION,
      args: (p) => controllerArgs(p.config, p.namespaces), clusterAccess: CONTROLLER_ACCESS, mountProviders: [TLS_PROVIDER],
      ports: [NGINX_PORTS.https, NGINX_PORTS.metrics], resources: NGINX,
    },
  ],
};

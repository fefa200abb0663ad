import type { Config } from '../profile/config.generated';
import { type AccessRule, enabledComponents } from './catalog';
import { coreNamespace, environmentName, SYSTEM_NAMESPACE } from './naming';

export const NGINX_VERSION = '4.0.1';
/** The controller's ConfigMap (NGINX settings), its TLS Secret and the public LoadBalancer Service. */
export const NGINX_CONFIGMAP = 'nginx-config';
export const TLS_SECRET = 'aura-tls';
export const TLS_PROVIDER = 'nginx-tls';
export const PUBLIC_SERVICE = 'nginx-public';
export const ingressClass = (c: Config): string => `nginx-${environmentName(c)}`;

/** Where a host sends its traffic: a Service and port, in the core namespace or aura-system. */
export interface Endpoint {
  /** First label of the host: <name>-<environment>.<dns_domain>. */
  name: string;
  service: string;
  port: number;
  namespace: 'core' | 'system';
  /** The backend speaks TLS (ECK's services). */
  tls?: boolean;
  enabled: (c: Config) => boolean;
  /** Networks allowed in; undefined means any. */
  allow?: (c: Config) => string[];
  /** Public application endpoints get the WAF with NGINX Plus. */
  public: boolean;
}

/** A core endpoint is published when the catalog runs its service. */
const serves = (service: string) => (c: Config) => enabledComponents(c, 'core').some((s) => s.name === service);

/** A whitelist of the guide: empty means any source. */
const whitelist = (key: keyof Config['service_whitelist_source_ranges']) => (c: Config) => c.service_whitelist_source_ranges[key];
/** Kernel-facing and manager pages: the corporate VPN plus the profile's origins; empty means nobody. */
const restricted = (key: 'aura_gateway_api_allowed_origins' | 'aura_manager_allowed_origins') => (c: Config) => [...c.corporate_vpn_ranges, ...c[key]];

/** Every host the platform publishes, each on TLS 443 only. */
export const ENDPOINTS: Endpoint[] = [
  { name: 'api', service: 'api-gw', port: 80, namespace: 'core', enabled: () => true, public: true },
  { name: 'web', service: 'web-sdk', port: 80, namespace: 'core', enabled: () => true, public: true },
  { name: 'auth', service: 'authentication-api', port: 80, namespace: 'core', enabled: () => true, public: true },
  { name: 'bot', service: 'aura-bot', port: 80, namespace: 'core', enabled: () => true, public: true },
  { name: 'groot', service: 'aura-groot', port: 80, namespace: 'core', enabled: () => true, public: true },
  { name: 'aog', service: 'aog-bridge', port: 80, namespace: 'core', enabled: () => true, public: true },
  { name: 'bridge', service: 'aura-bridge', port: 80, namespace: 'core', enabled: serves('aura-bridge'), public: true },
  { name: 'gateway', service: 'aura-gateway-api', port: 80, namespace: 'core', enabled: serves('aura-gateway-api'), allow: restricted('aura_gateway_api_allowed_origins'), public: true },
  { name: 'aura-manager', service: 'aura-manager', port: 80, namespace: 'core', enabled: serves('aura-manager'), allow: restricted('aura_manager_allowed_origins'), public: false },
  { name: 'dashboards', service: 'grafana', port: 3000, namespace: 'system', enabled: () => true, allow: whitelist('dashboard'), public: false },
  // Prometheus, which the guide lets nginx reach (its policy lists nginx as a client; Thanos's does not).
  { name: 'metrics', service: 'prometheus', port: 9090, namespace: 'system', enabled: () => true, allow: whitelist('metrics'), public: false },
  { name: 'alerts', service: 'alertmanager', port: 9093, namespace: 'system', enabled: () => true, allow: whitelist('alerts'), public: false },
  { name: 'logs', service: 'kibana-kb-http', port: 5601, namespace: 'system', tls: true, enabled: () => true, allow: whitelist('logs'), public: false },
  { name: 'raw-logs', service: 'elasticsearch-es-http', port: 9200, namespace: 'system', tls: true, enabled: () => true, allow: whitelist('raw_logs'), public: false },
];

export interface Route {
  endpoint: Endpoint;
  /** Object name: the endpoint's, with -next for the next hosts. */
  name: string;
  host: string;
}

/** The routes of a profile: every enabled endpoint, and the same again on -next hosts with next_domains_enabled. Tenants publish their core hosts only. */
export function routes(c: Config, ownCluster: boolean): Route[] {
  const env = environmentName(c);
  const endpoints = ENDPOINTS.filter((e) => e.enabled(c) && (ownCluster || e.namespace === 'core'));
  const variants = c.next_domains_enabled ? ['', '-next'] : [''];
  const all = variants.flatMap((suffix) => endpoints.map((e) => ({ endpoint: e, name: `${e.name}${suffix}`, host: `${e.name}-${env}${suffix}.${c.dns_domain}` })));
  // The pre-Kubernetes services domain keeps answering, as the api host does; one cluster-wide host, so the main tenant's only.
  if (c.legacy_services_domain && ownCluster) all.push({ endpoint: ENDPOINTS.find((e) => e.name === LEGACY_SERVICES_ENDPOINT)!, name: 'legacy-services', host: c.legacy_services_domain });
  return all;
}

/** The endpoint that the legacy services domain (legacy_services_domain) serves. */
export const LEGACY_SERVICES_ENDPOINT = 'api';

export const namespaceOf = (e: Endpoint, c: Config): string => (e.namespace === 'core' ? coreNamespace(c) : SYSTEM_NAMESPACE);

/** NGINX settings of the ConfigMap the controller reads. */
export const nginxSettings = (c: Config): Record<string, string> => ({
  'ssl-protocols': c.nginx.ssl_protocols,
  'ssl-ciphers': c.nginx.ssl_ciphers,
  'ssl-prefer-server-ciphers': String(c.nginx.ssl_prefer_server_ciphers).toLowerCase() === 'true' ? 'true' : 'false',
  'server-tokens': 'false',
});

/** The controller's flags: its class, namespaces, NGINX Plus modules, and unprivileged ports. */
export function controllerArgs(c: Config): string[] {
  const ns = coreNamespace(c);
  return [
    `-nginx-plus=${c.nginx_plus_enabled}`,
    `-enable-app-protect=${c.nginx_plus_enabled}`,
    `-enable-app-protect-dos=${c.nginx_plus_dos_enabled}`,
    `-nginx-configmaps=${ns}/${NGINX_CONFIGMAP}`,
    `-ingress-class=${ingressClass(c)}`,
    `-watch-namespace=${ns},${SYSTEM_NAMESPACE}`,
    '-enable-custom-resources=true',
    '-enable-snippets=false',
    '-enable-prometheus-metrics=true',
    '-prometheus-metrics-listen-port=9113',
    // Non-root: the container listens on 8080/8443; the public Service maps 443 to it.
    '-default-http-listener-port=8080',
    '-default-https-listener-port=8443',
    `-external-service=${PUBLIC_SERVICE}`,
    '-report-ingress-status',
  ];
}

const READ = ['get', 'list', 'watch'];
/** What the NGINX Ingress Controller reads and updates. */
export const CONTROLLER_ACCESS: AccessRule[] = [
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

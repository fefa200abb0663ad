import { ApiObject, type ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ApDosLogConf, ApDosLogConfSpecContentFormat, ApDosLogConfSpecFilterTrafficMitigationStats } from '../../imports/app-protect-dos-log-conf-appprotectdos.f5.com';
import {
  ApDosPolicy,
  ApDosPolicySpecAutomationToolsDetection,
  ApDosPolicySpecBadActors,
  ApDosPolicySpecMitigationMode,
  ApDosPolicySpecSignatures,
  ApDosPolicySpecTlsFingerprint,
} from '../../imports/app-protect-dos-policy-appprotectdos.f5.com';
import { DosProtectedResource } from '../../imports/app-protect-dos-resource-appprotectdos.f5.com';
import { ApLogConf, ApLogConfSpecContentFormat, ApLogConfSpecFilterRequestType } from '../../imports/app-protect-log-conf-appprotect.f5.com';
import * as k8s from '../../imports/k8s';
import { Policy } from '../../imports/nginx-policy-k8s.nginx.org';
import { VirtualServer } from '../../imports/nginx-virtual-server-k8s.nginx.org';
import { VirtualServerRoute } from '../../imports/nginx-virtual-server-route-k8s.nginx.org';
import { keyVaultProvider } from '../constructs/key-vault-secrets';
import { selectorLabels, standardLabels } from '../platform/labels';
import { publicIpName, publicIpResourceGroup } from '../platform/azure-names';

import type { AlertRule, RuleSet } from '../platform/alert-rules';
import type { Config } from '../profile/config.generated';
import { environmentName, releaseName } from '../platform/naming';
import type { AccessRule, Component, Platform, PortSpec, ResolvedRoute, ResourceSpec } from '../platform/types';
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
  objects: (scope, platform, phase) => {
    if (phase === 'core') new Ingress(scope, 'ingress', { platform });
  },
  // The controller's CRDs (VirtualServer, Policy, App Protect), applied from the official repository at a release tag.
  crdSources: (c) => {
    const n = c.operators.nginx_ingress_crds;
    return [{ name: 'nginx-ingress-crds', gitRepository: n.git_repository, tag: n.version, path: n.path }];
  },
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

const WAF_POLICY = 'waf-policy';
/** On a page's basic-auth Policy: the user names its htpasswd file must hold. */
export const PAGE_USERS_ANNOTATION = 'auracognitive.com/backoffice-users';

/** The users a management page admits: its backoffice_users list. */
export const pageUsers = (route: ResolvedRoute, c: Config): string[] => (route.spec.backoffice ? c.backoffice_users[route.spec.backoffice].map((u) => u.name) : []);
const DOS_RESOURCE = 'dos-protected';
const DENY_ALL = ['0.0.0.0/0'];

export interface IngressProps {
  /** The resolved platform: its routes (a tenant's are its core hosts only) and the aggregator's syslog endpoint. */
  platform: Platform;
}

/**
 * What the NGINX Ingress Controller serves: its settings and class, the public LoadBalancer
 * (TLS 443 only), a VirtualServer per host with its access policy, and with NGINX Plus the
 * App Protect WAF (and DoS) objects.
 */
class Ingress extends Construct {
  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    const { platform } = props;
    const c = platform.config;
    const ns = platform.namespaces.core;
    const labels = standardLabels('nginx', c, 'nginx', NGINX_VERSION);
    const className = ingressClass(c);

    new k8s.KubeConfigMap(this, 'Settings', { metadata: { name: NGINX_CONFIGMAP, namespace: ns, labels }, data: nginxSettings(c) });
    new k8s.KubeIngressClass(this, 'Class', { metadata: { name: className, labels }, spec: { controller: 'nginx.org/ingress-controller' } });
    new k8s.KubeService(this, 'Public', {
      metadata: {
        name: PUBLIC_SERVICE,
        namespace: ns,
        labels,
        // The static address infra/dns.bicep creates and points the hosts at: it survives the Service.
        annotations: { 'service.beta.kubernetes.io/azure-pip-name': publicIpName(c), 'service.beta.kubernetes.io/azure-load-balancer-resource-group': publicIpResourceGroup(c) },
      },
      spec: {
        type: 'LoadBalancer',
        // Keep the client's address: the access policies allow by source range.
        externalTrafficPolicy: 'Local',
        selector: selectorLabels('nginx'),
        ports: [{ name: NGINX_PORTS.https.name, port: NGINX_PORTS.https.servicePort, targetPort: k8s.IntOrString.fromString(NGINX_PORTS.https.name), protocol: 'TCP' }],
      },
    });
    // The certificate reaches the controller from Key Vault as a kubernetes.io/tls Secret, and each
    // authenticated page's htpasswd file as an nginx.org/htpasswd Secret.
    const authLists = [...new Set(platform.routes.flatMap((r) => (r.spec.backoffice && pageUsers(r, c).length ? [r.spec.backoffice] : [])))].sort();
    keyVaultProvider(this, 'Tls', {
      name: TLS_PROVIDER,
      namespace: ns,
      labels,
      config: c,
      objects: [TLS_CERTIFICATE, ...authLists.map(htpasswdKeyVaultSecret)],
      secretObjects: [
        {
          secretName: TLS_SECRET,
          type: 'kubernetes.io/tls',
          data: [
            { objectName: TLS_CERTIFICATE, key: 'tls.key' },
            { objectName: TLS_CERTIFICATE, key: 'tls.crt' },
          ],
        },
        // The management pages' htpasswd files, synced by the same mount.
        ...authLists.map((list) => ({ secretName: htpasswdSecret(list), type: 'nginx.org/htpasswd', data: [{ objectName: htpasswdKeyVaultSecret(list), key: 'htpasswd' }] })),
      ],
    });

    if (c.nginx_plus_enabled) this.appProtect(platform, ns, labels);
    for (const route of platform.routes) this.host(route, c, ns, className, labels);
  }

  /** A host: its VirtualServer in the core namespace; a backend in aura-system is reached through a VirtualServerRoute there. */
  private host(route: ResolvedRoute, c: Config, ns: string, className: string, labels: Record<string, string>): void {
    const e = route.spec;
    const users = pageUsers(route, c);
    // A management page nobody may log in to is served to the corporate VPN only.
    const allow = e.backoffice && !users.length ? c.corporate_vpn_ranges : e.allow?.(c);
    const closed = e.closedWhenEmpty || (e.backoffice !== undefined && !users.length);
    // A whitelist left empty allows any source; the restricted pages deny all until ranges are set.
    const access = allow === undefined || (allow.length === 0 && !closed) ? undefined : allow.length ? allow : DENY_ALL;
    const auth = e.backoffice && users.length ? e.backoffice : undefined;
    const policies = [
      ...(access ? [{ name: `${route.name}-access` }] : []),
      ...(auth ? [{ name: `${route.name}-auth` }] : []),
      ...(e.public && c.nginx_plus_enabled ? [{ name: WAF_POLICY }] : []),
    ];
    if (access)
      new Policy(this, `${route.name}-access`, {
        metadata: { name: `${route.name}-access`, namespace: ns, labels },
        spec: { accessControl: allow && allow.length ? { allow: access } : { deny: access } },
      });
    if (auth)
      new Policy(this, `${route.name}-auth`, {
        // The users the htpasswd file must hold, for whoever builds it (docs/security.md: Management pages).
        metadata: { name: `${route.name}-auth`, namespace: ns, labels, annotations: { [PAGE_USERS_ANNOTATION]: users.join(',') } },
        spec: { basicAuth: { secret: htpasswdSecret(auth), realm: `Aura ${e.name} (${environmentName(c)})` } },
      });
    const upstream = { name: 'backend', service: route.service, port: route.port, ...(e.tls ? { tls: { enable: true } } : {}) };
    const backendNamespace = route.namespace;
    new VirtualServer(this, route.name, {
      metadata: { name: route.name, namespace: ns, labels },
      spec: {
        host: route.host,
        ingressClassName: className,
        tls: { secret: TLS_SECRET },
        policies: policies.length ? policies : undefined,
        dos: e.public && c.nginx_plus_dos_enabled ? DOS_RESOURCE : undefined,
        upstreams: backendNamespace === ns ? [upstream] : undefined,
        routes: [backendNamespace === ns ? { path: '/', action: { pass: 'backend' } } : { path: '/', route: `${backendNamespace}/${route.name}` }],
      },
    });
    if (backendNamespace !== ns)
      new VirtualServerRoute(this, `${route.name}-route`, {
        metadata: { name: route.name, namespace: backendNamespace, labels },
        spec: { host: route.host, ingressClassName: className, upstreams: [upstream], subroutes: [{ path: '/', action: { pass: 'backend' } }] },
      });
  }

  /** NGINX App Protect: the `logconf` log profile, an alarm-only data-guard policy, the WAF policy logging to the aggregator; and DoS protection. */
  private appProtect(platform: Platform, ns: string, labels: Record<string, string>): void {
    const c = platform.config;
    const syslog = platform.endpoint('fluent-bit-aggregator', 'syslog').address;
    new ApLogConf(this, 'LogConf', {
      metadata: { name: 'logconf', namespace: ns, labels },
      spec: { content: { format: ApLogConfSpecContentFormat.DEFAULT, maxMessageSize: '64k', maxRequestSize: 'any' }, filter: { requestType: ApLogConfSpecFilterRequestType.ILLEGAL } },
    });
    // The guide applies no blocking policy by default: data guard in transparent mode only alarms.
    new ApiObject(this, 'DataGuard', {
      apiVersion: 'appprotect.f5.com/v1beta1',
      kind: 'APPolicy',
      metadata: { name: 'dataguard-alarm', namespace: ns, labels },
      spec: {
        policy: {
          name: 'dataguard_alarm',
          template: { name: 'POLICY_TEMPLATE_NGINX_BASE' },
          applicationLanguage: 'utf-8',
          enforcementMode: 'transparent',
          'blocking-settings': { violations: [{ name: 'VIOL_DATA_GUARD', alarm: true, block: false }] },
          'data-guard': { enabled: true, maskData: true, creditCardNumbers: true, usSocialSecurityNumbers: true },
        },
      },
    } as ApiObjectProps);
    new Policy(this, 'Waf', {
      metadata: { name: WAF_POLICY, namespace: ns, labels },
      spec: {
        waf: {
          enable: true,
          apPolicy: `${ns}/dataguard-alarm`,
          securityLogs: [{ enable: true, apLogConf: `${ns}/logconf`, logDest: `syslog:server=${syslog}` }],
        },
      },
    });
    if (!c.nginx_plus_dos_enabled) return;
    new ApDosPolicy(this, 'DosPolicy', {
      metadata: { name: 'dos-policy', namespace: ns, labels },
      spec: {
        mitigationMode: ApDosPolicySpecMitigationMode.STANDARD,
        signatures: ApDosPolicySpecSignatures.ON,
        badActors: ApDosPolicySpecBadActors.ON,
        automationToolsDetection: ApDosPolicySpecAutomationToolsDetection.ON,
        tlsFingerprint: ApDosPolicySpecTlsFingerprint.ON,
      },
    });
    new ApDosLogConf(this, 'DosLogConf', {
      metadata: { name: 'doslogconf', namespace: ns, labels },
      spec: { content: { format: ApDosLogConfSpecContentFormat.SPLUNK, maxMessageSize: '64k' }, filter: { trafficMitigationStats: ApDosLogConfSpecFilterTrafficMitigationStats.ALL, badActors: 'top 10', attackSignatures: 'top 10' } },
    });
    new DosProtectedResource(this, 'DosResource', {
      metadata: { name: DOS_RESOURCE, namespace: ns, labels },
      spec: {
        enable: true,
        name: `aura-${platform.environment}`,
        // The public API host is what DoS protection watches.
        apDosMonitor: { uri: platform.routes.find((r) => r.name === 'api')!.host },
        apDosPolicy: 'dos-policy',
        dosSecurityLog: { enable: true, apDosLogConf: 'doslogconf', dosLogDest: syslog },
      },
    });
  }
}

import type { Config } from '../profile/config.generated';
import { coreNamespace, environmentName, kernelEndpoints, serviceHost, SYSTEM_NAMESPACE } from './naming';
import { LOGGING_COMPONENTS } from './logging';
import { CONTROLLER_ACCESS, controllerArgs, NGINX_VERSION, TLS_PROVIDER } from './ingress';
import { MONITORING_COMPONENTS } from './monitoring';
import { OPERATOR_COMPONENTS } from './operator';
import { SYSTEM_COMPONENTS } from './system-catalog';
import { botChannelName } from '../infra/names';

/** A named container port, published on the component's Service. */
export interface PortSpec {
  name: string;
  port: number;
  /** Port on the Service; defaults to `port`. */
  servicePort?: number;
}

export interface ResourceSpec {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** Environment variables of a workload: plain values go to its ConfigMap. */
export type EnvValues = Record<string, string | number | boolean>;

/** Install phases, in order: CRDs first, aura-system before the core namespace that uses it, agents last. */
export type Phase = 'crds' | 'system' | 'core' | 'agents';
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

/** A Kubernetes RBAC rule, as the component's ClusterRole grants it. */
export interface AccessRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** A container beside the main one (sentinels, exporters). */
export interface SidecarSpec {
  name: string;
  image: string;
  imageTag?: string;
  ports: PortSpec[];
  resources: ResourceSpec;
  args?: (c: Config) => string[];
}

/**
 * One component of the platform, declared once: everything else (objects, labels, policies,
 * secret mounts) is derived from this.
 */
export interface ComponentSpec {
  /** Kubernetes name, exactly as the guide uses it; also the `app` label unless `app` says otherwise. */
  name: string;
  /** The `app` label when the guide gives several workloads one (`thanos`, or a provisioning Job labelled like its target). */
  app?: string;
  /** The network policy targets (their `app` labels) it connects to; pod and namespace labels follow. */
  talksTo?: string[] | ((c: Config) => string[]);
  phase: Phase;
  workload: WorkloadKind;
  /** Image repository below the profile's registry (a function when the profile chooses it). */
  image: string | ((c: Config) => string);
  /** Tag pinned for a third-party or tool image; the profile's release tag otherwise. */
  imageTag?: string;
  /** Namespace; the phase's namespace when absent. */
  namespace?: (c: Config) => string;
  /** Container arguments. */
  args?: (c: Config) => string[];
  sidecars?: SidecarSpec[];
  /** Other SecretProviderClasses its pods mount, so the driver syncs their Secrets (nginx's TLS certificate). */
  mountProviders?: string[];
  /** Labels its pods carry besides the standard ones (the guide's pushgateway policy selects `release`). */
  podLabels?: Record<string, string>;
  /** Cluster-wide read access it needs (service discovery, kube-state-metrics): a ServiceAccount, ClusterRole and binding. */
  clusterAccess?: AccessRule[];
  /** Configuration files, mounted read-only from the ConfigMap `<name>-files` at `filesPath`. */
  files?: (c: Config) => Record<string, string>;
  /** @default /etc/<name> */
  filesPath?: string;
  /** Node agents: host paths mounted read-only, and the host's network and process namespaces. */
  host?: { paths: { name: string; path: string }[]; network?: boolean; pid?: boolean; root?: boolean };
  /** Where Prometheus scrapes it: a named port of its Service, and the path. */
  scrape?: { port: string; path?: string };
  /** CronJobs: when they run; `suspend` makes a template run only by `kubectl create job --from`. */
  schedule?: string;
  suspend?: boolean;
  /** Whether the profile deploys it. */
  enabled: (c: Config) => boolean;
  /** Replicas, the HPA minimum. Absent: a singleton with exactly one replica and no HPA. */
  replicas?: (c: Config) => number;
  ports: PortSpec[];
  /** Ports that only some profiles open (the aggregator's syslog input with NGINX Plus). */
  profilePorts?: (c: Config) => PortSpec[];
  resources: ResourceSpec;
  /** Persistent volume for a StatefulSet. */
  volume?: { mountPath: string; size: (c: Config) => string };
  /** Overrides `resources` from the profile (e.g. Redis memory from context_expiration_days). */
  sizedResources?: (c: Config) => ResourceSpec;
  /** Plain configuration, rendered into the component's ConfigMap. */
  env?: (c: Config) => EnvValues;
  /**
   * Secrets by environment variable: the profile key whose Key Vault secret holds the value, or
   * `kv:<name>` for a platform secret no profile key stands for.
   */
  secrets?: (c: Config) => Record<string, string>;
}

const STANDARD: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };
const NGINX: ResourceSpec = { requests: { cpu: '600m', memory: '768Mi' }, limits: { cpu: '2', memory: '1Gi' } };
const HTTP: PortSpec[] = [{ name: 'http', port: 8080, servicePort: 80 }];

const always = () => true;
const replicasOf = (name: keyof Config['service_replicas']) => (c: Config) => c.service_replicas[name];

const anyOf = (...flags: (keyof Config)[]) => (c: Config) => flags.some((f) => c[f] === true);
/** A component the guide switches on from other flags, or by its own flag. */
const derivedFlag = (own: keyof Config, ...drivers: (keyof Config)[]) => (c: Config) => c[own] === true || anyOf(...drivers)(c);

const redisHosts = () => ({ REDIS_HOST: serviceHost('redis', SYSTEM_NAMESPACE), REDIS_PORT: 6379, REDIS_SENTINEL_PORT: 26379 });
const apiKeyValidation = (c: Config) => ({ AURA_ENCRYPTION_ALGORITHM: c.aura_encryption_algorithm, AURA_ENCRYPTION_IV_POSITION: c.aura_encryption_iv_position });

/** The core namespace's services, in the order the guide lists them. */
/** The Bot Channel aura-groot and authentication-api use: the -next twin while next_domains_enabled (infra/dns.bicep deploys both). */
const botChannelEnv = (c: Config): EnvValues =>
  c.bot_channel ? { BOT_CHANNEL_NAME: botChannelName(c, c.next_domains_enabled), BOT_APP_ID: (c.next_domains_enabled && c.bot_channel.next_app_id) || c.bot_channel.app_id } : {};

export const CORE_COMPONENTS: ComponentSpec[] = [
  {
    name: 'api-gw', phase: 'core', workload: 'Deployment', image: 'core/api-gw', enabled: always, replicas: replicasOf('api-gw'),
    ports: HTTP, resources: STANDARD, env: apiKeyValidation, secrets: () => ({ AURA_ENCRYPTION_KEY: 'aura_encryption_key' }),
  },
  {
    name: 'aura-bot', phase: 'core', talksTo: ['mongodb', 'prometheus'], scrape: { port: 'http' }, workload: 'Deployment', image: 'core/aura-bot', enabled: always, replicas: replicasOf('aura-bot'),
    ports: HTTP, resources: STANDARD,
    env: (c) => ({
      KERNEL_APIGW_URL: kernelEndpoints(c).apigwUrl, KERNEL_AUTHSERVER_URL: kernelEndpoints(c).authserverUrl,
      KERNEL_CLIENT_ID: c.fourth_platform.client_id, CONTEXT_EXPIRATION_DAYS: c.context_expiration_days,
      COMPLEX_LOGIC_ENABLED: c.complex_logic_enabled, ...apiKeyValidation(c),
    }),
    secrets: () => ({ KERNEL_CLIENT_SECRET: 'fourth_platform.client_secret', AURA_BOT_SERVICES_API_KEY: 'aura_bot_services_api_key' }),
  },
  {
    name: 'authentication-api', phase: 'core', talksTo: ['mongodb'], workload: 'Deployment', image: 'core/authentication-api', enabled: always,
    replicas: replicasOf('authentication-api'), ports: HTTP, resources: STANDARD,
    env: (c) => ({ KERNEL_AUTHSERVER_URL: kernelEndpoints(c).authserverUrl, KERNEL_CLIENT_ID: c.fourth_platform.client_id, ...apiKeyValidation(c), ...botChannelEnv(c) }),
    secrets: () => ({ KERNEL_CLIENT_SECRET: 'fourth_platform.client_secret', AURA_ENCRYPTION_KEY: 'aura_encryption_key' }),
  },
  {
    // The NGINX Ingress Controller: every public host and management page goes through it.
    name: 'nginx', phase: 'core', scrape: { port: 'metrics' },
    // With NGINX Plus, App Protect sends its security logs to the aggregator's syslog input.
    talksTo: (c) => ['alertmanager', 'elasticsearch', 'grafana', 'kibana', 'prometheus', ...(c.nginx_plus_enabled ? ['fluent-bit-aggregator'] : [])],
    workload: 'Deployment', enabled: always, replicas: replicasOf('nginx'),
    image: (c) => (c.nginx_plus_enabled ? 'thirdparty/nginx-plus-ingress-nap' : 'thirdparty/nginx-ingress'), imageTag: NGINX_VERSION,
    args: controllerArgs, clusterAccess: CONTROLLER_ACCESS, mountProviders: [TLS_PROVIDER],
    ports: [{ name: 'https', port: 8443, servicePort: 443 }, { name: 'metrics', port: 9113 }],
    resources: NGINX,
  },
  {
    name: 'nlp', phase: 'core', talksTo: ['prometheus'], scrape: { port: 'http' }, workload: 'Deployment', image: 'core/nlp', enabled: always, replicas: replicasOf('nlp'), ports: HTTP, resources: STANDARD,
    env: (c) => ({ OPENAI_ENABLED: c.openai_enabled, ...(c.openai_enabled ? { QDRANT_URL: `http://${serviceHost('qdrant', coreNamespace(c))}:6333` } : {}) }),
  },
  {
    name: 'user-helper', phase: 'core', workload: 'Deployment', image: 'core/user-helper', enabled: always, replicas: replicasOf('user-helper'),
    ports: HTTP, resources: STANDARD, env: (c) => ({ RESOLUTIONS_VERSION: c.resolutions.version }),
  },
  { name: 'web-sdk', phase: 'core', workload: 'Deployment', image: 'core/web-sdk', enabled: always, replicas: replicasOf('web-sdk'), ports: HTTP, resources: STANDARD },
  { name: 'aog-bridge', phase: 'core', workload: 'Deployment', image: 'core/aog-bridge', enabled: always, replicas: replicasOf('aog-bridge'), ports: HTTP, resources: STANDARD },
  {
    name: 'aura-bridge', phase: 'core', talksTo: ['mongodb', 'prometheus'], scrape: { port: 'http' }, workload: 'Deployment', image: 'core/aura-bridge',
    enabled: anyOf('whatsapp_enabled', 'rcs_enabled', 'genesys_enabled', 'async_callback_enabled'), replicas: replicasOf('aura-bridge'),
    ports: HTTP, resources: STANDARD,
    env: (c) => ({
      WHATSAPP_ENABLED: c.whatsapp_enabled, RCS_ENABLED: c.rcs_enabled, GENESYS_ENABLED: c.genesys_enabled, ASYNC_CALLBACK_ENABLED: c.async_callback_enabled,
      ...(c.genesys_enabled
        ? { GENESYS_API_URL: c.genesys.api_url ?? '', GENESYS_USER: c.genesys.user ?? '', GENESYS_PUSH_PROVIDER: c.genesys.push_provider ?? `aura-${environmentName(c)}` }
        : {}),
    }),
    secrets: (c): Record<string, string> => (c.genesys_enabled ? { GENESYS_SECRET: 'genesys.secret' } : {}),
  },
  {
    name: 'aura-groot', phase: 'core', workload: 'Deployment', image: 'core/aura-groot', enabled: always, replicas: replicasOf('aura-groot'),
    ports: HTTP, resources: STANDARD, env: (c) => ({ NEXT_DOMAINS_ENABLED: c.next_domains_enabled, ...botChannelEnv(c) }),
  },
  {
    name: 'context', phase: 'core', talksTo: ['redis', 'prometheus'], scrape: { port: 'http' }, workload: 'Deployment', image: 'core/context', enabled: always, replicas: replicasOf('context'),
    ports: HTTP, resources: STANDARD,
    env: (c) => ({
      CONTEXT_EXPIRATION_DAYS: c.context_expiration_days, CONTEXT_4P_SYNC_ENABLED: c.context_4p_sync_enabled,
      KERNEL_APIGW_URL_CONTEXT: kernelEndpoints(c).apigwUrlContext, KERNEL_CLIENT_ID_CONTEXT: c.fourth_platform.client_id_context,
      CONTEXT_AGENTS: Object.keys(c.context_agents).sort().join(','), ...redisHosts(),
    }),
    secrets: () => ({ KERNEL_CLIENT_SECRET_CONTEXT: 'fourth_platform.client_secret_context' }),
  },
  { name: 'tac', phase: 'core', talksTo: ['mongodb', 'prometheus'], scrape: { port: 'http' }, workload: 'Deployment', image: 'core/tac', enabled: always, replicas: replicasOf('tac'), ports: HTTP, resources: STANDARD },
  {
    // Exactly one: concurrent loaders race on the insight files in object storage.
    name: 'insights-loader', phase: 'core', workload: 'Deployment', image: 'core/insights-loader', enabled: always, ports: HTTP, resources: STANDARD,
    env: (c) => ({
      CONVERSATIONS_DAYS_TO_FIND: c.fourth_platform.conversations.days_to_find,
      CONVERSATIONS_PLATFORM: c.fourth_platform.conversations.platform, CONVERSATIONS_BUCKET: c.fourth_platform.conversations.bucket,
    }),
    secrets: (c): Record<string, string> =>
      c.fourth_platform.conversations.platform
        ? { CONVERSATIONS_ACCESS_KEY: 'fourth_platform.conversations.access_key', CONVERSATIONS_SECRET_KEY: 'fourth_platform.conversations.secret_key' }
        : {},
  },
  {
    name: 'aura-gateway-api', phase: 'core', workload: 'Deployment', image: 'core/aura-gateway-api',
    enabled: derivedFlag('aura_gateway_api_enabled', 'nlpaas_enabled', 'generative_enabled', 'atria_rag_enabled'),
    replicas: replicasOf('aura-gateway-api'), ports: HTTP, resources: STANDARD,
    env: (c) => ({ NLPAAS_ENABLED: c.nlpaas_enabled, GENERATIVE_ENABLED: c.generative_enabled, ATRIA_RAG_ENABLED: c.atria_rag_enabled }),
  },
  {
    name: 'aura-manager', phase: 'core', workload: 'Deployment', image: 'core/aura-manager',
    enabled: derivedFlag('aura_manager_enabled', 'generative_enabled', 'atria_rag_enabled'), replicas: replicasOf('aura-manager'),
    ports: HTTP, resources: STANDARD,
  },
  {
    name: 'atria-model-gateway', phase: 'core', workload: 'Deployment', image: 'atria/atria-model-gateway',
    enabled: derivedFlag('atria_model_gw_enabled', 'generative_enabled', 'atria_rag_enabled'), replicas: replicasOf('atria-model-gateway'),
    ports: HTTP, resources: STANDARD,
  },
  {
    name: 'atria-rag-server', phase: 'core', workload: 'Deployment', image: 'atria/atria-rag-server', enabled: anyOf('atria_rag_enabled'),
    replicas: replicasOf('atria-rag-server'), ports: HTTP, resources: STANDARD,
  },
  {
    // A database: one replica with its own volume, never CPU-autoscaled.
    name: 'qdrant', phase: 'core', workload: 'StatefulSet', image: 'thirdparty/qdrant', enabled: anyOf('openai_enabled'),
    ports: [{ name: 'http', port: 6333 }, { name: 'grpc', port: 6334 }], resources: STANDARD,
    volume: { mountPath: '/qdrant/storage', size: () => '10Gi' },
  },
  {
    name: 'aura-bot-makeup', phase: 'core', workload: 'Job', image: 'core/aura-bot-makeup', enabled: always, ports: [], resources: STANDARD,
    env: (c) => ({ KERNEL_APIGW_URL: kernelEndpoints(c).apigwUrl, TENANT_NAME: c.tenant_name }),
    secrets: () => ({ AURA_BOT_SERVICES_API_KEY: 'aura_bot_services_api_key' }),
  },
  {
    name: 'nlp-provisioning', phase: 'core', talksTo: ['pushgateway'], workload: 'Job', image: 'core/nlp-provisioning', enabled: always, ports: [], resources: STANDARD,
    env: (c) => ({
      NLP_PACKAGES: Object.entries(c.nlp_packages).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}@${v}`).join(','),
      PUSHGATEWAY_URL: `http://${serviceHost('pushgateway', SYSTEM_NAMESPACE)}:9091`,
    }),
  },
];

/** The `app` label of a component. */
export const appOf = (s: ComponentSpec): string => s.app ?? s.name;

/** Every component of the platform, system first. */
export const PLATFORM_COMPONENTS: ComponentSpec[] = [...MONITORING_COMPONENTS, ...LOGGING_COMPONENTS, ...SYSTEM_COMPONENTS, ...CORE_COMPONENTS, ...OPERATOR_COMPONENTS];

export const enabledComponents = (c: Config, phase: Phase): ComponentSpec[] =>
  PLATFORM_COMPONENTS.filter((s) => s.phase === phase && s.enabled(c));

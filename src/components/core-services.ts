import { SENTINEL_MASTER } from './redis';
import { mongodbClient } from './mongodb';
import type { Config } from '../profile/config.generated';
import { activeBotChannel, botKeyVaultSecrets, cognitiveAccount, cognitiveAccounts } from '../platform/azure-names';
import { nlpPackages, OPERATOR_EDITED_CONFIG } from './aura-operator';
import { withLocalModules } from './local-modules';
import { environmentName, genesysPushProvider, kernelEndpoints } from '../platform/naming';
import { localeOf } from '../profile/operating-business';
import { autoscaled, type Component, type EnvValues, type PortSpec, type ResourceSpec, type DeploymentSpec, type RouteSpec, SINGLETON, type WorkloadSpec } from '../platform/types';

/**
 * The core namespace's services (aura-$ENV), in the order the guide lists them: the Aura
 * services, their provisioning Jobs, and Qdrant for OpenAI profiles. Each service listens on
 * 8080 behind port 80 of its Service; the public ones are published as <host>-<env>.<domain>.
 */
const STANDARD: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };
const HTTP: PortSpec[] = [{ name: 'http', port: 8080, servicePort: 80 }];
/** The guide's provisioning Jobs take 92 s and 10 min: an hour is a hung run. */
const PRODUCT_JOB_DEADLINE = 3600;
const QDRANT_PORTS: PortSpec[] = [{ name: 'http', port: 6333 }, { name: 'grpc', port: 6334 }];

/** Core services scale from their service_replicas entry, under an HPA. */
const replicasOf = (name: keyof Config['service_replicas']) => autoscaled((c: Config) => c.service_replicas[name]);
const anyOf = (...flags: (keyof Config)[]) => (c: Config) => flags.some((f) => c[f] === true);
/** A service the guide switches on from other flags, or by its own flag. */
const derivedFlag = (own: keyof Config, ...drivers: (keyof Config)[]) => (c: Config) => c[own] === true || anyOf(...drivers)(c);

/**
 * The Bot Channel aura-groot and authentication-api use: the -next twin while next_domains_enabled
 * (infra/dns.bicep deploys both). Its app id is the profile's (bot_channel) or, for the app
 * registration npm run infra -- --dns created, the Key Vault secret it stored; the app's credential
 * is always a Key Vault secret.
 */
const botChannelEnv = (c: Config): EnvValues => {
  const bot = activeBotChannel(c);
  return { BOT_CHANNEL_NAME: bot.name, ...(bot.appId ? { BOT_APP_ID: bot.appId } : {}) };
};
const botChannelSecrets = (c: Config): Record<string, string> => {
  const bot = activeBotChannel(c);
  const secrets = botKeyVaultSecrets(bot.next);
  return { ...(bot.appId ? {} : { BOT_APP_ID: `kv:${secrets.appId}` }), BOT_APP_PASSWORD: `kv:${secrets.password}` };
};

const apiKeyValidation = (c: Config) => ({ AURA_ENCRYPTION_ALGORITHM: c.aura_encryption_algorithm, AURA_ENCRYPTION_IV_POSITION: c.aura_encryption_iv_position });

/** The guide's MongoDB clients (policy 9): their connection and credentials, added to their own configuration. */
const mongodbClientOf = (rest: Partial<DeploymentSpec>): Partial<DeploymentSpec> => ({
  ...rest,
  env: (p) => ({ ...rest.env?.(p), ...mongodbClient.env(p) }),
  secrets: (p) => ({ ...rest.secrets?.(p), ...mongodbClient.secrets(p) }),
  generatedSecrets: (p) => mongodbClient.generatedSecrets(p, 'core'),
});

/** The operating business' locale and time zone, in every Aura service's configuration. */
const localeEnv = (c: Config): EnvValues => {
  const { locale, timeZone } = localeOf(c);
  return { DEFAULT_LOCALE: locale, TZ: timeZone };
};

/** An Aura service of the core namespace: an autoscaled Deployment on the standard HTTP port. */
const service = (name: keyof Config['service_replicas'], image: string, rest: Partial<DeploymentSpec> = {}): DeploymentSpec => ({
  name, phase: 'core', workload: 'Deployment', image, scale: replicasOf(name), ports: HTTP, resources: STANDARD, ...rest,
  env: (p) => ({ ...localeEnv(p.config), ...rest.env?.(p) }),
});

/** aura-groot's context database, as the guide's context migrations name it: aura-groot-<environment> (a release shares its environment's). */
export const auraGrootDatabase = (c: Config): string => `aura-groot-${environmentName(c)}`;
/** Qdrant's own release, pinned: never the Aura release tag. */
export const QDRANT_TAG = 'v1.12.4';

const workloads: WorkloadSpec[] = [
  service('api-gw', 'core/api-gw', {
    env: (p) => apiKeyValidation(p.config), secrets: () => ({ AURA_ENCRYPTION_KEY: 'aura_encryption_key' }),
  }),
  // With local_modules, the local image and its two files (src/components/local-modules.ts).
  withLocalModules(service('aura-bot', 'core/aura-bot', mongodbClientOf({
    talksTo: ['mongodb', 'prometheus'], scrape: { port: 'http' },
    env: ({ config: c }) => ({
      KERNEL_APIGW_URL: kernelEndpoints(c).apigwUrl, KERNEL_AUTHSERVER_URL: kernelEndpoints(c).authserverUrl,
      KERNEL_CLIENT_ID: c.fourth_platform.client_id, CONTEXT_EXPIRATION_DAYS: c.context_expiration_days,
      COMPLEX_LOGIC_ENABLED: c.complex_logic_enabled, ...apiKeyValidation(c),
      // Brazil's aurapush-sendfeedback-service plugin, on when its endpoint is set.
      ...(c.aurapush_feedback_endpoint ? { AURAPUSH_FEEDBACK_ENDPOINT: c.aurapush_feedback_endpoint } : {}),
    }),
    secrets: ({ config: c }): Record<string, string> => ({
      KERNEL_CLIENT_SECRET: 'fourth_platform.client_secret', AURA_BOT_SERVICES_API_KEY: 'aura_bot_services_api_key',
      ...(c.aurapush_feedback_endpoint ? { AURAPUSH_FEEDBACK_SUBSCRIPTION_KEY: 'aurapush_feedback_subscription_key' } : {}),
    }),
  }))),
  service('authentication-api', 'core/authentication-api', mongodbClientOf({
    talksTo: ['mongodb'],
    env: ({ config: c }) => ({ KERNEL_AUTHSERVER_URL: kernelEndpoints(c).authserverUrl, KERNEL_CLIENT_ID: c.fourth_platform.client_id, ...apiKeyValidation(c), ...botChannelEnv(c) }),
    secrets: ({ config: c }) => ({ KERNEL_CLIENT_SECRET: 'fourth_platform.client_secret', AURA_ENCRYPTION_KEY: 'aura_encryption_key', ...botChannelSecrets(c) }),
  })),
  // CLU and, with openai_enabled, Azure OpenAI and Qdrant: endpoints derived, keys from Key Vault (infra/aks.bicep stores them).
  service('nlp', 'core/nlp', {
    talksTo: ['prometheus'], scrape: { port: 'http' },
    env: (p) => {
      const clu = cognitiveAccount(p.config, 'TextAnalytics')!;
      const openAi = cognitiveAccount(p.config, 'OpenAI');
      return {
        OPENAI_ENABLED: p.config.openai_enabled, CLU_ENDPOINT: clu.endpoint,
        ...(openAi ? { OPENAI_ENDPOINT: openAi.endpoint, QDRANT_URL: p.endpoint('qdrant', 'http').url('http') } : {}),
      };
    },
    secrets: (p): Record<string, string> => Object.fromEntries(cognitiveAccounts(p.config).map((a) => [a.kind === 'OpenAI' ? 'OPENAI_API_KEY' : 'CLU_API_KEY', `kv:${a.keySecret}`])),
  }),
  service('user-helper', 'core/user-helper', { env: (p) => ({ [OPERATOR_EDITED_CONFIG.key]: p.config.resolutions.version }) }),
  service('web-sdk', 'core/web-sdk'),
  service('aog-bridge', 'core/aog-bridge'),
  service('aura-bridge', 'core/aura-bridge', mongodbClientOf({
    talksTo: ['mongodb', 'prometheus'], scrape: { port: 'http' },
    enabled: anyOf('whatsapp_enabled', 'rcs_enabled', 'genesys_enabled', 'async_callback_enabled'),
    env: ({ config: c }) => ({
      WHATSAPP_ENABLED: c.whatsapp_enabled, RCS_ENABLED: c.rcs_enabled, GENESYS_ENABLED: c.genesys_enabled, ASYNC_CALLBACK_ENABLED: c.async_callback_enabled,
      ...(c.genesys_enabled
        ? { GENESYS_API_URL: c.genesys.api_url ?? '', GENESYS_USER: c.genesys.user ?? '', GENESYS_PUSH_PROVIDER: genesysPushProvider(c) }
        : {}),
    }),
    secrets: (p): Record<string, string> => (p.config.genesys_enabled ? { GENESYS_SECRET: 'genesys.secret' } : {}),
  })),
  // The context store of the guide's migrations: MongoDB, database aura-groot-<env>.
  service('aura-groot', 'core/aura-groot', mongodbClientOf({
    talksTo: ['mongodb'],
    env: (p) => ({ NEXT_DOMAINS_ENABLED: p.config.next_domains_enabled, MONGODB_DATABASE: auraGrootDatabase(p.config), ...botChannelEnv(p.config) }),
    secrets: (p) => botChannelSecrets(p.config),
  })),
  service('context', 'core/context', {
    talksTo: ['redis', 'prometheus'], scrape: { port: 'http' },
    env: (p) => {
      const c = p.config;
      const redis = p.endpoint('redis', 'redis');
      return {
        CONTEXT_EXPIRATION_DAYS: c.context_expiration_days, CONTEXT_4P_SYNC_ENABLED: c.context_4p_sync_enabled,
        KERNEL_APIGW_URL_CONTEXT: kernelEndpoints(c).apigwUrlContext, KERNEL_CLIENT_ID_CONTEXT: c.fourth_platform.client_id_context,
        CONTEXT_AGENTS: Object.keys(c.context_agents).sort().join(','),
        // Sentinel clients ask any member for the current master of REDIS_SENTINEL_MASTER.
        REDIS_HOST: redis.host, REDIS_PORT: redis.port, REDIS_SENTINEL_PORT: p.endpoint('redis', 'sentinel').port, REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
      };
    },
    secrets: () => ({ KERNEL_CLIENT_SECRET_CONTEXT: 'fourth_platform.client_secret_context' }),
  }),
  service('tac', 'core/tac', mongodbClientOf({ talksTo: ['mongodb', 'prometheus'], scrape: { port: 'http' } })),
  {
    // Exactly one: concurrent loaders race on the insight files in object storage.
    name: 'insights-loader', phase: 'core', workload: 'Deployment', image: 'core/insights-loader', scale: { mode: 'singleton', replicas: (c) => c.service_replicas['insights-loader'] }, ports: HTTP, resources: STANDARD,
    env: ({ config: c }) => ({
      ...localeEnv(c),
      CONVERSATIONS_DAYS_TO_FIND: c.fourth_platform.conversations.days_to_find,
      CONVERSATIONS_PLATFORM: c.fourth_platform.conversations.platform, CONVERSATIONS_BUCKET: c.fourth_platform.conversations.bucket,
    }),
    secrets: ({ config: c }): Record<string, string> =>
      c.fourth_platform.conversations.platform
        ? { CONVERSATIONS_ACCESS_KEY: 'fourth_platform.conversations.access_key', CONVERSATIONS_SECRET_KEY: 'fourth_platform.conversations.secret_key' }
        : {},
  },
  service('aura-gateway-api', 'core/aura-gateway-api', {
    enabled: derivedFlag('aura_gateway_api_enabled', 'nlpaas_enabled', 'generative_enabled', 'atria_rag_enabled'),
    env: ({ config: c }) => ({ NLPAAS_ENABLED: c.nlpaas_enabled, GENERATIVE_ENABLED: c.generative_enabled, ATRIA_RAG_ENABLED: c.atria_rag_enabled }),
  }),
  service('aura-manager', 'core/aura-manager', { enabled: derivedFlag('aura_manager_enabled', 'generative_enabled', 'atria_rag_enabled') }),
  service('atria-model-gateway', 'atria/atria-model-gateway', { enabled: derivedFlag('atria_model_gw_enabled', 'generative_enabled', 'atria_rag_enabled') }),
  service('atria-rag-server', 'atria/atria-rag-server', { enabled: anyOf('atria_rag_enabled') }),
  {
    // A database: one replica with its own volume, never CPU-autoscaled.
    name: 'qdrant', phase: 'core', workload: 'StatefulSet', image: 'thirdparty/qdrant', imageTag: QDRANT_TAG, enabled: anyOf('openai_enabled'), scale: SINGLETON,
    ports: QDRANT_PORTS, resources: STANDARD, volume: { mountPath: '/qdrant/storage', size: '10Gi' },
  },
  {
    // The release's own provisioning programs (the guide: they create the bot's entities), bounded in time.
    name: 'aura-bot-makeup', phase: 'core', workload: 'Job', image: 'core/aura-bot-makeup', ports: [], resources: STANDARD, productProgram: true, deadlineSeconds: PRODUCT_JOB_DEADLINE,
    env: ({ config: c }) => ({ KERNEL_APIGW_URL: kernelEndpoints(c).apigwUrl, TENANT_NAME: c.tenant_name }),
    secrets: () => ({ AURA_BOT_SERVICES_API_KEY: 'aura_bot_services_api_key' }),
  },
  {
    name: 'nlp-provisioning', phase: 'core', talksTo: ['pushgateway'], workload: 'Job', image: 'core/nlp-provisioning', ports: [], resources: STANDARD,
    productProgram: true, deadlineSeconds: PRODUCT_JOB_DEADLINE,
    env: (p) => ({
      NLP_PACKAGES: nlpPackages(p.config).map((pkg) => `${pkg.name}@${pkg.version}`).join(','),
      PUSHGATEWAY_URL: p.endpoint('pushgateway', 'http').url('http'),
    }),
  },
];

/** Kernel-facing and manager pages: the corporate VPN plus the profile's origins; empty means nobody. */
const restricted = (key: 'aura_gateway_api_allowed_origins' | 'aura_manager_allowed_origins') => (c: Config) => [...c.corporate_vpn_ranges, ...c[key]];

const routes: RouteSpec[] = [
  { name: 'api', to: 'api-gw', port: 'http', public: true },
  { name: 'web', to: 'web-sdk', port: 'http', public: true },
  { name: 'auth', to: 'authentication-api', port: 'http', public: true },
  { name: 'bot', to: 'aura-bot', port: 'http', public: true },
  { name: 'groot', to: 'aura-groot', port: 'http', public: true },
  { name: 'aog', to: 'aog-bridge', port: 'http', public: true },
  { name: 'bridge', to: 'aura-bridge', port: 'http', public: true },
  { name: 'gateway', to: 'aura-gateway-api', port: 'http', allow: restricted('aura_gateway_api_allowed_origins'), closedWhenEmpty: true, public: true },
  { name: 'aura-manager', to: 'aura-manager', port: 'http', allow: restricted('aura_manager_allowed_origins'), closedWhenEmpty: true, public: false, backoffice: 'aura_manager' },
];

export const coreServices: Component = { name: 'core-services', workloads, routes };

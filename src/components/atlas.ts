import type { RuleSet } from '../platform/alert-rules';
import type { Config } from '../profile/config.generated';
import { environmentName } from '../platform/naming';
import type { Component, Platform } from '../platform/types';
import { keyVaultSecretFor } from '../profile/secrets';

/**
 * MongoDB Atlas through the Atlas operator: the project, cluster and admin user, the Secrets the
 * operator reads (synced from Key Vault), and the guide's names for them. Replaces the in-cluster
 * MongoDB when atlas_enabled.
 */

/** Atlas region names of the Azure regions the guide allows. */
export const ATLAS_REGIONS: Record<Config['azure_region'], string> = {
  westeurope: 'EUROPE_WEST',
  northeurope: 'EUROPE_NORTH',
  brazilsouth: 'BRAZIL_SOUTH',
  westus: 'US_WEST',
  westus2: 'US_WEST_2',
  eastus: 'US_EAST',
  eastus2: 'US_EAST_2',
  westcentralus: 'US_WEST_CENTRAL',
};

/** Names of the Atlas resources: Kubernetes objects as the guide's kubectl commands use them, Atlas names from the profile or the guide's defaults. */
export function atlasNames(config: Config) {
  // One Atlas project and cluster per AKS cluster: a tenant uses its parent's.
  const c = { ...config, tenant_name: 'default' };
  const env = environmentName(c);
  const major = c.atlas_mongo_major_version.replace('.', '');
  return {
    projectObject: `aura-project-${env}`,
    project: c.atlas_project_name ?? `aura-project-${env}`,
    /** `kubectl get atlasdeployments aura-br-pro-70`, as the guide's migration commands do. */
    deploymentObject: `aura-${env}-${major}`,
    cluster: c.atlas_cluster_name ?? `aura-${env}-${major}`,
    /** `kubectl get atlasdatabaseusers mongodb-adminuser-password` and its Secret of the same name. */
    adminUser: 'mongodb-adminuser-password',
    adminUsername: MONGODB_ADMIN_USER,
    apiKeySecret: 'atlas-operator-api-key',
    prometheusSecret: 'atlas-prometheus-password',
    encryptionSecret: 'atlas-encryption-at-rest',
  };
}

/** Annotations of every Atlas resource: never deleted in Atlas with the object; skipped while another cluster owns the project. */
export function atlasAnnotations(c: Config): Record<string, string> {
  return {
    'mongodb.com/atlas-resource-policy': 'keep',
    ...(c.atlas_skip_reconciliation ? { 'mongodb.com/atlas-reconciliation-policy': 'skip' } : {}),
  };
}

/**
 * The Kubernetes Secrets the Atlas operator reads, each key from a Key Vault secret. They are
 * synced by the secrets store driver into Secrets labelled for the operator.
 */
export function atlasSecrets(c: Config): { secretName: string; data: { key: string; objectName: string }[] }[] {
  const n = atlasNames(c);
  return [
    {
      secretName: n.apiKeySecret,
      data: [
        // atlas_orgId is a Key Vault secret of the profile schema, beside the keys it belongs to.
        { key: 'orgId', objectName: keyVaultSecretFor('atlas_orgId') },
        { key: 'publicApiKey', objectName: 'atlas-public-apikey' },
        { key: 'privateApiKey', objectName: 'atlas-private-apikey' },
      ],
    },
    { secretName: n.adminUser, data: [{ key: 'password', objectName: 'mongodb-adminuser-password' }] },
    { secretName: n.prometheusSecret, data: [{ key: 'password', objectName: 'atlas-prometheus-password' }] },
    ...(c.enable_customer_key_atlas_encryption
      ? [{
          secretName: n.encryptionSecret,
          data: [
            { key: 'secret', objectName: 'atlas-cmk-client-secret' },
            { key: 'subscriptionID', objectName: 'atlas-cmk-subscription-id' },
            { key: 'keyVaultName', objectName: 'atlas-cmk-key-vault-name' },
            { key: 'keyIdentifier', objectName: 'atlas-cmk-key-identifier' },
          ],
        }]
      : []),
  ];
}

/** The admin user of MongoDB, in Atlas and in the cluster. */
export const MONGODB_ADMIN_USER = 'adminuser';

/**
 * The core services' own Atlas user, one per core namespace (a tenant has its own): the operator
 * writes its connection Secret beside it, where the services read it. Its password comes from
 * Key Vault through a class the namespace's sync pod mounts.
 */
export const ATLAS_SERVICES_USER = {
  object: 'aura-services',
  passwordSecret: 'mongodb-services-password',
  keyVaultSecret: 'mongodb-services-password',
  provider: 'mongodb-services-credentials',
};
export const atlasServicesUsername = (c: Config): string => `aura-${environmentName(c)}`;

/** The Secret the Atlas operator writes for a database user: <project>-<cluster>-<user>, normalised as the operator does. */
export const atlasConnectionSecretName = (project: string, cluster: string, user: string): string =>
  `${project}-${cluster}-${user}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
/** Keys of that Secret a client reads. */
export const ATLAS_CONNECTION_KEYS = { uri: 'connectionStringStandardSrv', username: 'username', password: 'password' } as const;

/** The Atlas Prometheus integration job: when Atlas is on, its metrics must arrive. */
export const ATLAS_JOB = 'mongodb-atlas';
/** Whether Prometheus can scrape Atlas: the integration's discovery needs the project's id. */
export const atlasScraped = (c: Config): boolean => c.atlas_enabled && !!c.atlas_project_id;
export const ATLAS_RULES: RuleSet = {
  name: ATLAS_JOB,
  // Only where the job exists: without it the alert could never clear.
  enabled: atlasScraped,
  rules: [
    {
      alert: 'AtlasMetricsMissing',
      expr: `absent(up{job="${ATLAS_JOB}"} == 1)`,
      for: '15m',
      severity: 'warning',
      summary: 'No metrics arrive from MongoDB Atlas',
      description: 'Prometheus scrapes no Atlas target: the integration is off, its password is wrong, or Atlas is unreachable. The database is not watched.',
    },
  ],
};

/** The user the AtlasProject's Prometheus integration creates (the guide's name). */
export const ATLAS_PROMETHEUS_USER = 'atlasprometheus';

/**
 * The scrape job of the Atlas Prometheus integration: Atlas lists the project's metrics endpoints
 * at its discovery URL; both it and the endpoints take the integration's basic auth.
 */
export function atlasScrapeJob(p: Platform): Record<string, unknown>[] {
  const c = p.config;
  if (!atlasScraped(c)) return [];
  // Prometheus mounts the Key Vault secret of atlas_prometheus_password (see prometheus.ts).
  const auth = { username: ATLAS_PROMETHEUS_USER, password_file: `/mnt/secrets-store/${p.keyVaultSecret('atlas_prometheus_password')}` };
  return [{
    job_name: ATLAS_JOB,
    scheme: 'https',
    metrics_path: '/metrics',
    basic_auth: auth,
    http_sd_configs: [{ url: `https://cloud.mongodb.com/prometheus/v1.0/groups/${c.atlas_project_id}/discovery`, refresh_interval: '60s', basic_auth: auth }],
  }];
}

export const atlas: Component = { name: 'atlas', alertRules: [ATLAS_RULES], scrapeJobs: atlasScrapeJob, enabled: (c) => c.atlas_enabled, workloads: [] };

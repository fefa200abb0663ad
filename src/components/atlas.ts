import { Construct } from 'constructs';
import { AtlasDatabaseUser, AtlasDatabaseUserSpecScopesType } from '../../imports/atlas-database-user-atlas.mongodb.com';
import {
  AtlasDeployment,
  AtlasDeploymentSpecDeploymentSpecClusterType as ClusterType,
  AtlasDeploymentSpecDeploymentSpecEncryptionAtRestProvider as EncryptionProvider,
  AtlasDeploymentSpecDeploymentSpecReplicationSpecsRegionConfigsProviderName as ProviderName,
} from '../../imports/atlas-deployment-atlas.mongodb.com';
import { AtlasProject, AtlasProjectSpecIntegrationsType } from '../../imports/atlas-project-atlas.mongodb.com';
import { keyVaultProvider, secretsSync } from '../constructs/key-vault-secrets';
import { phaseInfo } from '../model/phases';
import { standardLabels } from '../platform/labels';
import { isCidr } from '../profile/formats';
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
  // The guide's `atlas_mongo_major_version | replace('.', '')`: every dot goes, as Jinja's replace does.
  const major = c.atlas_mongo_major_version.replaceAll('.', '');
  return {
    projectObject: `aura-project-${env}`,
    project: c.atlas_project_name ?? `aura-project-${env}`,
    /** `kubectl get atlasdeployments aura-br-pro-70`, as the guide's migration commands do. */
    deploymentObject: `aura-${env}-${major}`,
    /** The Atlas cluster, the guide's `{{ environment_name }}{{ atlas_mongo_major_version | replace('.', '') }}`: de-pro70. */
    cluster: c.atlas_cluster_name ?? `${env}${major}`,
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

export const atlas: Component = {
  name: 'atlas',
  alertRules: [ATLAS_RULES],
  scrapeJobs: atlasScrapeJob,
  enabled: (c) => c.atlas_enabled,
  workloads: [],
  // The Atlas operator talks only to the Atlas cloud API: it reaches no workload in the cluster.
  operator: { key: 'mongodb_atlas', repositoryName: 'mongodb', manages: [], enabled: (c) => c.atlas_enabled },
  objects: (scope, platform, phase) => {
    const { config, namespaces } = platform;
    if (phase === 'system') new AtlasResources(scope, 'atlas', { namespace: namespaces.system, config });
    if (phase === 'core') new AtlasServicesUser(scope, 'atlas-services', { namespace: namespaces.core, projectNamespace: namespaces.system, config });
  },
};

const SYNC = 'atlas-secrets-sync';
const ATLAS_CREDENTIALS_LABEL = { 'atlas.mongodb.com/type': 'credentials' };

interface AtlasResourcesProps {
  namespace: string;
  config: Config;
}

/**
 * The Atlas project, cluster and admin user the MongoDB Atlas operator creates, and the Secrets
 * it reads: synced from Key Vault by a SecretProviderClass that a pause pod mounts (the driver
 * syncs Secrets only for a mounted class).
 */
class AtlasResources extends Construct {
  constructor(scope: Construct, id: string, props: AtlasResourcesProps) {
    super(scope, id);
    const { namespace, config: c } = props;
    const n = atlasNames(c);
    const labels = standardLabels('atlas', c);
    const meta = (name: string) => ({ name, namespace, labels, annotations: atlasAnnotations(c) });
    const secrets = atlasSecrets(c);
    keyVaultProvider(this, 'Credentials', {
      name: 'atlas-credentials',
      namespace,
      labels,
      config: c,
      objects: secrets.flatMap((s) => s.data.map((d) => d.objectName)),
      secretObjects: secrets.map((s) => ({ secretName: s.secretName, type: 'Opaque', labels: ATLAS_CREDENTIALS_LABEL, data: s.data })),
    });

    secretsSync(this, 'Sync', { name: SYNC, namespace, config: c, providers: ['atlas-credentials'] });

    const accessList = [
      ...c.atlas_network_allowed.map((a) => ({ ...(isCidr(a) ? { cidrBlock: a } : { ipAddress: a }), comment: 'atlas_network_allowed' })),
      ...c.aks_outbound_ips.map((a) => ({ ...(isCidr(a) ? { cidrBlock: a } : { ipAddress: a }), comment: `${c.cluster_name} outbound` })),
    ];
    new AtlasProject(this, 'Project', {
      metadata: meta(n.projectObject),
      spec: {
        name: n.project,
        connectionSecretRef: { name: n.apiKeySecret },
        projectIpAccessList: accessList,
        maintenanceWindow: c.atlas_maintenance_windows ? { dayOfWeek: c.atlas_maintenance_windows.day_of_week, hourOfDay: c.atlas_maintenance_windows.hour_of_day } : undefined,
        integrations: [{ type: AtlasProjectSpecIntegrationsType.PROMETHEUS, enabled: true, username: 'atlasprometheus', passwordRef: { name: n.prometheusSecret }, scheme: 'https', serviceDiscovery: 'http' }],
        encryptionAtRest:
          c.enable_customer_key_atlas_encryption && c.atlas_encryption_at_rest
            ? {
                azureKeyVault: {
                  enabled: true,
                  azureEnvironment: 'AZURE',
                  clientId: c.atlas_encryption_at_rest.client_id,
                  resourceGroupName: c.atlas_encryption_at_rest.resource_group_name,
                  tenantId: c.key_vault.tenant_id,
                  secretRef: { name: n.encryptionSecret },
                },
              }
            : undefined,
      },
    });

    const sharded = c.atlas_cluster_type === 'SHARDED';
    new AtlasDeployment(this, 'Deployment', {
      metadata: meta(n.deploymentObject),
      spec: {
        projectRef: { name: n.projectObject },
        deploymentSpec: {
          name: n.cluster,
          clusterType: sharded ? ClusterType.SHARDED : ClusterType.REPLICASET,
          mongoDbMajorVersion: c.atlas_mongo_major_version,
          terminationProtectionEnabled: c.atlas_termination_protection_enabled,
          backupEnabled: c.atlas_backup_enabled,
          diskSizeGb: c.atlas_autoscaling_disk ? undefined : c.atlas_disk_size,
          encryptionAtRestProvider: c.enable_customer_key_atlas_encryption ? EncryptionProvider.AZURE : EncryptionProvider.NONE,
          replicationSpecs: [
            {
              ...(sharded ? { numShards: c.atlas_num_shards ?? 2 } : {}),
              zoneName: 'Zone 1',
              regionConfigs: [
                {
                  providerName: ProviderName.AZURE,
                  regionName: ATLAS_REGIONS[c.azure_region],
                  priority: 7,
                  electableSpecs: { instanceSize: c.atlas_instance_size, nodeCount: 3 },
                  autoScaling: {
                    compute: {
                      enabled: c.atlas_autoscaling_compute,
                      scaleDownEnabled: c.atlas_scaledown_compute,
                      ...(c.atlas_autoscaling_compute ? { minInstanceSize: c.atlas_min_instance_size, maxInstanceSize: c.atlas_max_instance_size } : {}),
                    },
                    diskGb: { enabled: c.atlas_autoscaling_disk },
                  },
                },
              ],
            },
          ],
        },
      },
    });

    new AtlasDatabaseUser(this, 'AdminUser', {
      metadata: meta(n.adminUser),
      spec: {
        projectRef: { name: n.projectObject },
        username: n.adminUsername,
        databaseName: 'admin',
        passwordSecretRef: { name: n.adminUser },
        roles: [{ roleName: 'atlasAdmin', databaseName: 'admin' }],
        scopes: [{ name: n.cluster, type: AtlasDatabaseUserSpecScopesType.CLUSTER }],
      },
    });
  }
}

interface AtlasServicesUserProps {
  /** The core namespace the services run in. */
  namespace: string;
  /** Where the Atlas project object lives (aura-system of the cluster). */
  projectNamespace: string;
  config: Config;
}

/**
 * The core services' database user, in their namespace: the operator writes the connection
 * Secret they read beside it. Read and write on every database, nothing on the project.
 */
class AtlasServicesUser extends Construct {
  constructor(scope: Construct, id: string, props: AtlasServicesUserProps) {
    super(scope, id);
    const { namespace, config: c } = props;
    const n = atlasNames(c);
    const labels = standardLabels(ATLAS_SERVICES_USER.object, c);
    keyVaultProvider(this, 'Credentials', {
      name: ATLAS_SERVICES_USER.provider,
      namespace,
      labels,
      config: c,
      objects: [ATLAS_SERVICES_USER.keyVaultSecret],
      secretObjects: [{ secretName: ATLAS_SERVICES_USER.passwordSecret, type: 'Opaque', labels: ATLAS_CREDENTIALS_LABEL, data: [{ objectName: ATLAS_SERVICES_USER.keyVaultSecret, key: 'password' }] }],
    });
    secretsSync(this, 'Sync', { name: SYNC, namespace, config: c, providers: [ATLAS_SERVICES_USER.provider], pool: phaseInfo('core').nodePool });
    new AtlasDatabaseUser(this, 'User', {
      metadata: { name: ATLAS_SERVICES_USER.object, namespace, labels, annotations: atlasAnnotations(c) },
      spec: {
        projectRef: { name: n.projectObject, namespace: props.projectNamespace },
        username: atlasServicesUsername(c),
        databaseName: 'admin',
        passwordSecretRef: { name: ATLAS_SERVICES_USER.passwordSecret },
        roles: [{ roleName: 'readWriteAnyDatabase', databaseName: 'admin' }],
        scopes: [{ name: n.cluster, type: AtlasDatabaseUserSpecScopesType.CLUSTER }],
      },
    });
  }
}

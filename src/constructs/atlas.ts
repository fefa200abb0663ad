import { Construct } from 'constructs';
import { AtlasDatabaseUser, AtlasDatabaseUserSpecScopesType } from '../../imports/atlas-database-user-atlas.mongodb.com';
import {
  AtlasDeployment,
  AtlasDeploymentSpecDeploymentSpecClusterType as ClusterType,
  AtlasDeploymentSpecDeploymentSpecEncryptionAtRestProvider as EncryptionProvider,
  AtlasDeploymentSpecDeploymentSpecReplicationSpecsRegionConfigsProviderName as ProviderName,
} from '../../imports/atlas-deployment-atlas.mongodb.com';
import { AtlasProject, AtlasProjectSpecIntegrationsType } from '../../imports/atlas-project-atlas.mongodb.com';
import { keyVaultProvider, secretsSync } from './key-vault-secrets';
import { phaseInfo } from '../model/phases';
import { ATLAS_REGIONS, ATLAS_SERVICES_USER, atlasAnnotations, atlasNames, atlasSecrets, atlasServicesUsername } from '../components/atlas';
import { standardLabels } from '../platform/labels';
import type { Config } from '../profile/config.generated';
import { isCidr } from '../profile/formats';

const SYNC = 'atlas-secrets-sync';
const ATLAS_CREDENTIALS_LABEL = { 'atlas.mongodb.com/type': 'credentials' };

export interface AtlasResourcesProps {
  namespace: string;
  config: Config;
}

/**
 * The Atlas project, cluster and admin user the MongoDB Atlas operator creates, and the Secrets
 * it reads: synced from Key Vault by a SecretProviderClass that a pause pod mounts (the driver
 * syncs Secrets only for a mounted class).
 */
export class AtlasResources extends Construct {
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

export interface AtlasServicesUserProps {
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
export class AtlasServicesUser extends Construct {
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

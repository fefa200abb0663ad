import type { Config } from '../profile/config.generated';
import { environmentName } from '../platform/naming';
import type { Component } from '../platform/types';

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
export function atlasNames(c: Config) {
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
    adminUsername: 'adminuser',
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
        { key: 'orgId', objectName: 'atlas-org-id' },
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

export const atlas: Component = { name: 'atlas', enabled: (c) => c.atlas_enabled, workloads: [] };

import type { Config } from '../profile/config.generated';
import { backofficePasswordSecret } from '../profile/secrets';
import { chartOperators } from '../platform/operators';
import { ILM_POLICY, indexPattern, lifecycleProvisioning, LOG_STREAMS, SNAPSHOT_CONTAINER, SNAPSHOT_REPOSITORY } from '../platform/log-lifecycle';
import type { Component, Platform, PortSpec, ResourceSpec } from '../platform/types';

/**
 * Elasticsearch and Kibana through the ECK operator (the pods ECK runs, their Services and
 * ports), snapshots to Azure, and the Job that provisions index lifecycle, snapshot repository
 * and policy, roles and the Kibana users of backoffice_users.logs.
 */
export const ELASTIC_VERSION = '8.15.3';
export const ELASTICSEARCH_NODES = 3;
/** Index patterns of the platform's logs and of the NGINX App Protect security logs. */
export const LOG_INDICES = Object.values(LOG_STREAMS).map(indexPattern);
export { SNAPSHOT_CONTAINER, SNAPSHOT_REPOSITORY };

/**
 * The elastic user, as the guide defines it: its password is elastic_admin_password in Key Vault.
 * ECK takes it from a basic-auth Secret of its file realm, synced from Key Vault (the user name
 * too, as a basic-auth Secret needs it and the driver syncs only Key Vault objects); every
 * client reads the same two Key Vault secrets.
 */
export const ELASTIC_ADMIN = {
  secret: 'elasticsearch-admin-user',
  username: 'kv:elastic-admin-username',
  password: 'elastic_admin_password',
};
/** The client environment of the elastic user: the same Key Vault secrets as the server's file realm. */
export const elasticAdminSecrets = (user: string, password: string): Record<string, string> => ({ [user]: ELASTIC_ADMIN.username, [password]: ELASTIC_ADMIN.password });

/** The namespace the ECK operator runs in: it manages the cluster through the HTTP API. */
const eckNamespace = (c: Config): string[] => chartOperators({ ...c, tenant_name: 'default' }).filter((o) => o.key === 'eck').map((o) => o.namespace);
/** The Azure snapshot client's credentials, Key Vault object to Elasticsearch keystore setting. */
export const SNAPSHOT_CREDENTIALS = {
  name: 'elasticsearch-snapshot-credentials',
  objects: [
    { objectName: 'eck-snapshot-storage-account', key: 'azure.client.default.account' },
    { objectName: 'eck-snapshot-storage-key', key: 'azure.client.default.key' },
  ],
};
/** Container ports of the pods ECK creates (its defaults); the custom resources do not list them. */
export const ELASTICSEARCH_PORTS: PortSpec[] = [{ name: 'https', port: 9200 }, { name: 'transport', port: 9300 }];
export const KIBANA_PORTS: PortSpec[] = [{ name: 'https', port: 5601 }];
export const ELASTICSEARCH_RESOURCES: ResourceSpec = { requests: { cpu: '500m', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } };
export const KIBANA_RESOURCES: ResourceSpec = { requests: { cpu: '200m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };

const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** Kibana users of backoffice_users.logs with their roles (the older `role` form is a quoted, comma-separated list). */
export function logUsers(c: Config): { name: string; roles: string[] }[] {
  return c.backoffice_users.logs.map((u) => ({
    name: u.name,
    roles: u.roles ?? (u.role ?? '').split(',').map((r) => r.trim().replace(/^"|"$/g, '')).filter(Boolean),
  }));
}

/**
 * What the provisioning job applies: the log lifecycle (ILM bound to each stream's index template
 * and rollover alias, the first write indices, the snapshot repository and its lifecycle), the
 * role `aura` and the Kibana users. `requests.json` lists the API requests in order, each with
 * its body file; a request with `unless` is skipped when that path already exists.
 */
export function elasticsearchProvisioning(c: Config): Record<string, string> {
  const lifecycle = lifecycleProvisioning({
    streams: Object.values(LOG_STREAMS),
    retentionDays: c.log_retention_time,
    snapshot: { readonly: c.eck_azure_snapshot_readonly, basePath: c.cluster_name, schedule: c.eck_azure_snapshot_schedule, expireAfter: c.eck_azure_snapshot_expire },
  });
  return {
    ...lifecycle.files,
    'role-aura.json': json({ indices: [{ names: LOG_INDICES, privileges: ['read', 'view_index_metadata'] }] }),
    'users.json': json(logUsers(c)),
    'requests.json': json([...lifecycle.requests, { method: 'PUT', path: '/_security/role/aura', body: 'role-aura.json' }]),
  };
}

export const elasticsearch: Component = {
  name: 'elasticsearch',
  workloads: [
    {
      name: 'elasticsearch-provision', phase: 'system', talksTo: ['elasticsearch'], workload: 'Job', image: 'tools/elasticsearch-provision',
      ports: [], resources: SMALL, files: (p: Platform) => elasticsearchProvisioning(p.config),
      env: (p) => ({
        ELASTICSEARCH_URL: p.endpoint('elasticsearch', 'https').url('https'),
        SNAPSHOT_REPOSITORY,
        SNAPSHOT_REPOSITORY_READONLY: p.config.eck_azure_snapshot_readonly,
        ILM_POLICY,
      }),
      secrets: ({ config: c }): Record<string, string> => ({
        ...elasticAdminSecrets('ELASTIC_USERNAME', 'ELASTIC_PASSWORD'),
        ...Object.fromEntries(logUsers(c).map((u, i) => [`LOGS_USER_${i}_PASSWORD`, `kv:${backofficePasswordSecret('logs', u.name)}`])),
      }),
    },
  ],
  // Elasticsearch nodes talk among themselves; Kibana to Elasticsearch (and, per the guide, to Kibana).
  operatorPods: [
    { name: 'elasticsearch', app: 'elasticsearch', phase: 'system', talksTo: ['elasticsearch'], service: 'elasticsearch-es-http', ports: ELASTICSEARCH_PORTS },
    { name: 'kibana', app: 'kibana', phase: 'system', talksTo: ['elasticsearch', 'kibana'], service: 'kibana-kb-http', ports: KIBANA_PORTS },
  ],
  policies: [
    {
      target: 'elasticsearch', ports: [{ numberOf: 'https' }, { numberOf: 'transport' }], form: 'namespace-or-local-pod',
      // The ECK operator manages the cluster through its HTTP API, from the namespace the profile installs it in.
      admitNamespaces: (c) => eckNamespace(c).map((namespace) => ({ namespace, ports: [{ numberOf: 'https' }] })),
    },
    { target: 'kibana', ports: [{ numberOf: 'https' }], form: 'namespace-or-local-pod' },
  ],
  routes: [
    { name: 'logs', to: 'kibana', port: 'https', tls: true, allow: (c) => c.service_whitelist_source_ranges.logs, public: false },
    { name: 'raw-logs', to: 'elasticsearch', port: 'https', tls: true, allow: (c) => c.service_whitelist_source_ranges.raw_logs, public: false },
  ],
};

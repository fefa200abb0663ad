import type { Config } from '../profile/config.generated';
import { backofficePasswordSecret } from '../profile/secrets';
import type { Component, Platform, PortSpec, ResourceSpec } from '../platform/types';

/**
 * Elasticsearch and Kibana through the ECK operator (the pods ECK runs, their Services and
 * ports), snapshots to Azure, and the Job that provisions index lifecycle, snapshot repository
 * and policy, roles and the Kibana users of backoffice_users.logs.
 */
export const ELASTIC_VERSION = '8.15.3';
export const ELASTICSEARCH_NODES = 3;
/** Index patterns of the platform's logs and of the NGINX App Protect security logs. */
export const LOG_INDICES = ['aura-services-*', 'aurak8s-waf-*'];
export const SNAPSHOT_REPOSITORY = 'azure-snapshots';
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

/** The Elasticsearch API bodies the provisioning job applies, one file each. */
export function elasticsearchProvisioning(c: Config): Record<string, string> {
  return {
    'ilm-policy.json': json({
      policy: {
        phases: {
          hot: { actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
          delete: { min_age: `${c.log_retention_time}d`, actions: { delete: {} } },
        },
      },
    }),
    'snapshot-repository.json': json({
      type: 'azure',
      settings: { client: 'default', container: 'elasticsearch-snapshots', base_path: c.cluster_name, readonly: c.eck_azure_snapshot_readonly },
    }),
    // A read-only repository cannot take snapshots: the lifecycle exists only where this cluster writes.
    ...(c.eck_azure_snapshot_readonly
      ? {}
      : {
          'slm-policy.json': json({
            schedule: c.eck_azure_snapshot_schedule,
            name: '<aura-logs-{now/d}>',
            repository: SNAPSHOT_REPOSITORY,
            config: { indices: LOG_INDICES, include_global_state: false },
            retention: { expire_after: c.eck_azure_snapshot_expire },
          }),
        }),
    'role-aura.json': json({ indices: [{ names: LOG_INDICES, privileges: ['read', 'view_index_metadata'] }] }),
    'users.json': json(logUsers(c)),
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
        ILM_POLICY: 'aura-logs',
      }),
      secrets: ({ config: c }): Record<string, string> => ({
        ELASTIC_PASSWORD: 'elastic_admin_password',
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
    { target: 'elasticsearch', ports: [{ numberOf: 'https' }, { numberOf: 'transport' }], form: 'namespace-or-local-pod' },
    { target: 'kibana', ports: [{ numberOf: 'https' }], form: 'namespace-or-local-pod' },
  ],
  routes: [
    { name: 'logs', to: 'kibana', port: 'https', tls: true, allow: (c) => c.service_whitelist_source_ranges.logs, public: false, backoffice: 'logs' },
    { name: 'raw-logs', to: 'elasticsearch', port: 'https', tls: true, allow: (c) => c.service_whitelist_source_ranges.raw_logs, public: false, backoffice: 'logs' },
  ],
};

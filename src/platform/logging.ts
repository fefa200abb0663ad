import type { Config } from '../profile/config.generated';
import { backofficePasswordSecret } from '../profile/secrets';
import type { ComponentSpec, ResourceSpec } from './catalog';
import { serviceHost, SYSTEM_NAMESPACE } from './naming';

export const ELASTIC_VERSION = '8.15.3';
export const ELASTICSEARCH_NODES = 3;
/** Index patterns of the platform's logs and of the NGINX App Protect security logs. */
export const LOG_INDICES = ['aura-services-*', 'aurak8s-waf-*'];
export const SNAPSHOT_REPOSITORY = 'azure-snapshots';
/** Blob container of the snapshots, in the common storage account (infra/common.bicep creates it). */
export const SNAPSHOT_CONTAINER = 'elasticsearch-snapshots';
export const SYSLOG_PORT = 5140;
/** The Azure snapshot client's credentials, Key Vault object to Elasticsearch keystore setting. */
export const SNAPSHOT_CREDENTIALS = {
  name: 'elasticsearch-snapshot-credentials',
  objects: [
    { objectName: 'eck-snapshot-storage-account', key: 'azure.client.default.account' },
    { objectName: 'eck-snapshot-storage-key', key: 'azure.client.default.key' },
  ],
};

const ES_URL = `https://${serviceHost('elasticsearch-es-http', SYSTEM_NAMESPACE)}:9200`;
const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const FLUENT: ResourceSpec = { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '100m', memory: '512Mi' } };
const AGGREGATOR: ResourceSpec = { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } };
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
      settings: { client: 'default', container: SNAPSHOT_CONTAINER, base_path: c.cluster_name, readonly: c.eck_azure_snapshot_readonly },
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

/** fluent-bit on every node: container logs, enriched with Kubernetes metadata, forwarded to the aggregator. */
const fluentBitConfig = () => `[SERVICE]
    Flush         5
    Log_Level     info
    Parsers_File  /fluent-bit/etc/parsers.conf
    HTTP_Server   On
    HTTP_Listen   0.0.0.0
    HTTP_Port     2020

[INPUT]
    Name              tail
    Path              /host/var/log/containers/*.log
    multiline.parser  cri
    Tag               kube.*
    Mem_Buf_Limit     50MB
    Skip_Long_Lines   On

[FILTER]
    Name       kubernetes
    Match      kube.*
    Kube_Tag_Prefix  kube.host.var.log.containers.
    Merge_Log  On

[OUTPUT]
    Name   forward
    Match  *
    Host   ${serviceHost('fluent-bit-aggregator', SYSTEM_NAMESPACE)}
    Port   24224
`;

/** The aggregator: buffers on disk, indexes into Elasticsearch, and forwards to remote servers when asked. */
export function aggregatorConfig(c: Config): string {
  const sections = [
    `[SERVICE]
    Flush                      5
    HTTP_Server                On
    HTTP_Listen                0.0.0.0
    HTTP_Port                  2020
    storage.path               /buffer
    storage.sync               normal
    storage.backlog.mem_limit  64M
`,
    `[INPUT]
    Name          forward
    Listen        0.0.0.0
    Port          24224
    storage.type  filesystem
`,
    ...(c.nginx_plus_enabled
      ? [`[INPUT]
    Name          syslog
    Mode          tcp
    Listen        0.0.0.0
    Port          ${SYSLOG_PORT}
    Tag           waf
    storage.type  filesystem
`]
      : []),
    ...(['kube.*', ...(c.nginx_plus_enabled ? ['waf'] : [])] as const).map((match) => `[OUTPUT]
    Name                      es
    Match                     ${match}
    Host                      ${serviceHost('elasticsearch-es-http', SYSTEM_NAMESPACE)}
    Port                      9200
    tls                       On
    tls.verify                Off
    HTTP_User                 elastic
    HTTP_Passwd               \${ELASTIC_PASSWORD}
    Logstash_Format           On
    Logstash_Prefix           ${match === 'waf' ? 'aurak8s-waf' : 'aura-services'}
    Suppress_Type_Name        On
    Retry_Limit               False
    storage.total_limit_size  8G
`),
    ...(c.external_forwarding?.remote_servers ?? []).map((s) => `[OUTPUT]
    Name        forward
    Match       *
    Host        ${s.hostname}
    Port        ${s.port}
    Shared_Key  \${FORWARD_SHARED_KEY}
    tls         ${c.external_forwarding?.tls_config.tls_enabled === false ? 'Off' : 'On'}
    tls.verify  On
`),
  ];
  return sections.join('\n');
}

export const LOGGING_COMPONENTS: ComponentSpec[] = [
  {
    name: 'elasticsearch-provision', phase: 'system', talksTo: ['elasticsearch'], workload: 'Job', image: 'tools/elasticsearch-provision', enabled: () => true,
    ports: [], resources: SMALL, files: elasticsearchProvisioning,
    env: (c) => ({ ELASTICSEARCH_URL: ES_URL, SNAPSHOT_REPOSITORY, SNAPSHOT_REPOSITORY_READONLY: c.eck_azure_snapshot_readonly, ILM_POLICY: 'aura-logs' }),
    secrets: (c): Record<string, string> => ({
      ELASTIC_PASSWORD: 'elastic_admin_password',
      ...Object.fromEntries(logUsers(c).map((u, i) => [`LOGS_USER_${i}_PASSWORD`, `kv:${backofficePasswordSecret('logs', u.name)}`])),
    }),
  },
  {
    name: 'fluent-bit', phase: 'system', talksTo: ['fluent-bit-aggregator'], workload: 'DaemonSet', image: 'thirdparty/fluent-bit', imageTag: '3.1.9', enabled: () => true,
    ports: [{ name: 'metrics', port: 2020 }], resources: FLUENT, scrape: { port: 'metrics', path: '/api/v1/metrics/prometheus' },
    host: { paths: [{ name: 'var-log', path: '/var/log' }], root: true },
    files: () => ({ 'fluent-bit.conf': fluentBitConfig() }), filesPath: '/fluent-bit/etc/conf',
    args: () => ['-c', '/fluent-bit/etc/conf/fluent-bit.conf'],
    clusterAccess: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
  },
  {
    name: 'fluent-bit-aggregator', phase: 'system', talksTo: ['elasticsearch'], workload: 'StatefulSet', image: 'thirdparty/fluent-bit', imageTag: '3.1.9', enabled: () => true,
    replicas: () => 3, resources: AGGREGATOR, scrape: { port: 'http', path: '/api/v1/metrics/prometheus' },
    ports: [{ name: 'forward', port: 24224 }, { name: 'http', port: 2020 }],
    profilePorts: (c) => (c.nginx_plus_enabled ? [{ name: 'syslog', port: SYSLOG_PORT }] : []),
    // The buffer that survives an Elasticsearch outage.
    volume: { mountPath: '/buffer', size: () => '10Gi' },
    files: (c) => ({ 'fluent-bit.conf': aggregatorConfig(c) }), filesPath: '/fluent-bit/etc/conf',
    args: () => ['-c', '/fluent-bit/etc/conf/fluent-bit.conf'],
    secrets: (c): Record<string, string> => ({
      ELASTIC_PASSWORD: 'elastic_admin_password',
      ...(c.external_forwarding ? { FORWARD_SHARED_KEY: 'external_forwarding.secret_shared_key' } : {}),
    }),
  },
  {
    name: 'azure-logger', phase: 'system', talksTo: ['fluent-bit-aggregator', 'fluent-bit'], workload: 'Deployment', image: 'tools/azure-logger', enabled: () => true,
    ports: [{ name: 'http', port: 8080 }], resources: SMALL,
    env: () => ({ FLUENT_BIT_AGGREGATOR_URL: `http://${serviceHost('fluent-bit-aggregator', SYSTEM_NAMESPACE)}:2020` }),
  },
];

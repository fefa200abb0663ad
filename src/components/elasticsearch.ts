import { join } from 'node:path';
import { Construct } from 'constructs';
import { Elasticsearch, ElasticsearchSpecNodeSetsVolumeClaimTemplatesSpecResourcesRequests } from '../../imports/elasticsearch.k8s.elastic.co';
import { Kibana } from '../../imports/kibana.k8s.elastic.co';
import { keyVaultProvider, providerVolume, secretsSync } from '../constructs/key-vault-secrets';
import { poolSelector } from '../constructs/workloads/pod-template';
import { phaseInfo } from '../model/phases';
import { standardLabels } from '../platform/labels';
import { folderReader } from '../util/repository-folder';
import { ECK_CA_KEY, eckHttpCertsSecret, eckHttpService, eckPorts } from '../model/eck';
import type { RuleSet } from '../platform/alert-rules';
import type { Config } from '../profile/config.generated';
import { backofficePasswordSecret, keyVaultSecretFor } from '../profile/secrets';
import type { Component, Platform, PortSpec, ResourceSpec } from '../platform/types';
import { JOB_DEADLINES, JOB_FILES, JOB_IMAGES, runScript, SCRIPT_ENV, scriptFiles } from './job-tools';

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/**
 * The log lifecycle in Elasticsearch: each log stream is written through a rollover alias whose
 * indices an index template binds to the ILM policy, so rollover and deletion happen; a snapshot
 * lifecycle keeps copies in this cluster's folder of the shared Azure repository.
 */
export const ILM_POLICY = 'aura-logs';
export const SNAPSHOT_REPOSITORY = 'azure-snapshots';
/** Blob container of the snapshots, in the common storage account (infra/common.bicep creates it). */
export const SNAPSHOT_CONTAINER = 'elasticsearch-snapshots';

/** A log stream: what the aggregator matches, and the alias it writes (indices `<alias>-000001`, ...). */
export interface LogStream {
  alias: string;
  match: string;
}
export const LOG_STREAMS = { services: { alias: 'aura-services', match: 'kube.*' }, waf: { alias: 'aurak8s-waf', match: 'waf' } } satisfies Record<string, LogStream>;
/** Index patterns of the streams, as roles, templates and snapshots name them. */
export const indexPattern = (s: LogStream): string => `${s.alias}-*`;
export const firstIndex = (s: LogStream): string => `${s.alias}-000001`;

/**
 * Elasticsearch's `action.auto_create_index`: a write to a stream's alias name never creates a
 * concrete index of that name. On a first install the aggregator may write before the
 * provisioning Job has created the first index and its alias; such a write is refused (the
 * aggregator keeps it in its buffer and retries), where it would otherwise create an index
 * `aura-services` that takes the alias's name for good. Every other name may still be created.
 */
export const autoCreateIndex = (streams: LogStream[]): string => [...streams.map((s) => `-${s.alias}`), '+*'].join(',');


/** One request of the provisioning job (scripts/elasticsearch-provision.py), applied in order. */
export interface ProvisioningRequest {
  method: 'PUT' | 'POST';
  path: string;
  /** The file of the request's body, beside requests.json. */
  body: string;
  /** Skips the request when this path exists (HEAD answers 200). */
  unless?: string;
  /** Sent to Kibana's API (a saved-objects file upload). @default Elasticsearch */
  target?: 'kibana';
  /** The environment variable whose value becomes the body's `password` (Key Vault, never a file). */
  password?: string;
}

export interface LifecycleOptions {
  streams: LogStream[];
  retentionDays: number;
  snapshot: { readonly: boolean; basePath: string; schedule: string; expireAfter: string };
}

/** Files of the provisioning job for the lifecycle, and the requests that apply them. */
export function lifecycleProvisioning(o: LifecycleOptions): { files: Record<string, string>; requests: ProvisioningRequest[] } {
  const files: Record<string, string> = {
    'ilm-policy.json': json({
      policy: {
        phases: {
          hot: { actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
          delete: { min_age: `${o.retentionDays}d`, actions: { delete: {} } },
        },
      },
    }),
    'snapshot-repository.json': json({
      type: 'azure',
      // This cluster's own folder of the shared account: writing here never locks another cluster's snapshots.
      settings: { client: 'default', container: SNAPSHOT_CONTAINER, base_path: o.snapshot.basePath, readonly: o.snapshot.readonly },
    }),
  };
  const requests: ProvisioningRequest[] = [
    { method: 'PUT', path: `/_ilm/policy/${ILM_POLICY}`, body: 'ilm-policy.json' },
    { method: 'PUT', path: `/_snapshot/${SNAPSHOT_REPOSITORY}`, body: 'snapshot-repository.json' },
  ];
  // Every template before any write index: the first index takes its settings (the lifecycle and
  // its rollover alias) from the template when it is created.
  for (const s of o.streams) {
    const template = `index-template-${s.alias}.json`;
    files[template] = json({
      index_patterns: [indexPattern(s)],
      priority: 200,
      template: { settings: { 'index.lifecycle.name': ILM_POLICY, 'index.lifecycle.rollover_alias': s.alias } },
    });
    requests.push({ method: 'PUT', path: `/_index_template/${s.alias}`, body: template });
  }
  for (const s of o.streams) {
    const bootstrap = `write-index-${s.alias}.json`;
    files[bootstrap] = json({ aliases: { [s.alias]: { is_write_index: true } } });
    // The first index carries the alias once; later ones are the rollover's, so never recreate it.
    requests.push({ method: 'PUT', path: `/${firstIndex(s)}`, body: bootstrap, unless: `/_alias/${s.alias}` });
  }
  // A read-only repository cannot take snapshots: the lifecycle exists only where this cluster writes.
  if (!o.snapshot.readonly) {
    files['slm-policy.json'] = json({
      schedule: o.snapshot.schedule,
      name: '<aura-logs-{now/d}>',
      repository: SNAPSHOT_REPOSITORY,
      config: { indices: o.streams.map(indexPattern), include_global_state: false },
      retention: { expire_after: o.snapshot.expireAfter },
    });
    requests.push({ method: 'PUT', path: `/_slm/policy/${ILM_POLICY}`, body: 'slm-policy.json' });
  }
  return { files, requests };
}

/**
 * Elasticsearch and Kibana through the ECK operator (the pods ECK runs, their Services and
 * ports), snapshots to Azure, and the Job that provisions index lifecycle, snapshot repository
 * and policy, roles and the Kibana users of backoffice_users.logs.
 */
export const ELASTIC_VERSION = '8.15.3';
/** Index patterns of the platform's logs and of the NGINX App Protect security logs. */
export const LOG_INDICES = Object.values(LOG_STREAMS).map(indexPattern);

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

/** The Azure snapshot client's credentials, Key Vault object to Elasticsearch keystore setting. */
export const SNAPSHOT_CREDENTIALS = {
  name: 'elasticsearch-snapshot-credentials',
  objects: [
    { objectName: 'eck-snapshot-storage-account', key: 'azure.client.default.account' },
    { objectName: 'eck-snapshot-storage-key', key: 'azure.client.default.key' },
  ],
};
/** The names of the Elasticsearch and Kibana resources: ECK names their Services and Secrets after them. */
export const ELASTICSEARCH_NAME = 'elasticsearch';
export const KIBANA_NAME = 'kibana';
/** ECK's CA of the Elasticsearch HTTP certificates: the Secret it writes, and its key. */
export const ELASTICSEARCH_CA = { secret: eckHttpCertsSecret('Elasticsearch', ELASTICSEARCH_NAME), key: ECK_CA_KEY } as const;
/** ECK's CA of Kibana's HTTP certificate. */
export const KIBANA_CA = { secret: eckHttpCertsSecret('Kibana', KIBANA_NAME), key: ECK_CA_KEY } as const;
/** Container ports of the pods ECK creates (its defaults); the custom resources do not list them. */
export const ELASTICSEARCH_PORTS: PortSpec[] = eckPorts('Elasticsearch');
export const KIBANA_PORTS: PortSpec[] = eckPorts('Kibana');
export const ELASTICSEARCH_RESOURCES: ResourceSpec = { requests: { cpu: '500m', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } };
export const KIBANA_RESOURCES: ResourceSpec = { requests: { cpu: '200m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };

/** Where elasticsearch-provision mounts ECK's two CAs: it verifies both APIs against them. */
const PROVISION_CA_MOUNTS = [
  { name: 'elasticsearch-ca', secret: ELASTICSEARCH_CA.secret, mountPath: '/etc/elasticsearch-ca', file: ELASTICSEARCH_CA.key },
  { name: 'kibana-ca', secret: KIBANA_CA.secret, mountPath: '/etc/kibana-ca', file: KIBANA_CA.key },
];
const PROVISION_SCRIPT = 'elasticsearch-provision.py';
/** The environment variable of the i-th logs user's password (from Key Vault). */
const userPasswordEnv = (i: number) => `LOGS_USER_${i}_PASSWORD`;

const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };

/** Kibana users of backoffice_users.logs with their roles (the older `role` form is a quoted, comma-separated list). */
export function logUsers(c: Config): { name: string; roles: string[] }[] {
  return c.backoffice_users.logs.map((u) => ({
    name: u.name,
    roles: u.roles ?? (u.role ?? '').split(',').map((r) => r.trim().replace(/^"|"$/g, '')).filter(Boolean),
  }));
}

/** The repository folder of the Kibana saved objects (data views, visualizations, dashboards), as Kibana exports them. */
export const KIBANA_DIR = join(__dirname, '..', '..', 'kibana');

/** Saved-object files and whether a profile imports them. */
export const KIBANA_SAVED_OBJECTS: { file: string; enabled: (c: Config) => boolean }[] = [
  // The data view the guide asks users to create by hand on first login.
  { file: 'aura-services.ndjson', enabled: () => true },
  // The aurak8s-waf-* data view and the guide's two NGINX Plus dashboards.
  { file: 'nginx-plus.ndjson', enabled: (c) => c.nginx_plus_enabled },
];

/** A saved-object file's text, read once per process. */
export const savedObjectsText = folderReader(KIBANA_DIR);

export const WAF_INDEX_PATTERN = LOG_INDICES[1]!;
export const WAF_PIPELINE = 'aurak8s-waf';

/**
 * Fields of an App Protect security log (its default format: `key="value"` pairs separated by
 * commas), with their Elasticsearch types; everything else stays a keyword.
 */
export const WAF_FIELDS: Record<string, 'keyword' | 'integer' | 'ip' | 'text'> = {
  attack_type: 'keyword', blocking_exception_reason: 'keyword', ip_client: 'ip', method: 'keyword', outcome: 'keyword',
  outcome_reason: 'keyword', policy_name: 'keyword', request_status: 'keyword', response_code: 'integer', severity: 'keyword',
  sig_ids: 'keyword', sig_names: 'keyword', sub_violations: 'keyword', support_id: 'keyword', unit_hostname: 'keyword',
  uri: 'keyword', violation_rating: 'integer', violations: 'keyword', vs_name: 'keyword', request: 'text',
};

/** The ingest pipeline that splits the syslog message into the fields above. */
export const wafIngestPipeline = () => ({
  description: 'NGINX App Protect security log: key="value" pairs of the syslog message into fields',
  processors: [
    { kv: { field: 'message', field_split: ',(?=[a-z_]+=)', value_split: '=', trim_value: '"', ignore_missing: true, ignore_failure: true } },
    ...Object.entries(WAF_FIELDS).filter(([, t]) => t === 'integer').map(([f]) => ({ convert: { field: f, type: 'integer', ignore_missing: true, ignore_failure: true } })),
  ],
});

/** The index template of aurak8s-waf-*: typed fields, the pipeline above, the platform's log lifecycle. */
export const wafIndexTemplate = (ilmPolicy: string) => ({
  index_patterns: [WAF_INDEX_PATTERN],
  priority: 200,
  template: {
    // Replaces the stream's plain template (same file): the lifecycle and rollover alias stay.
    settings: { 'index.default_pipeline': WAF_PIPELINE, 'index.lifecycle.name': ilmPolicy, 'index.lifecycle.rollover_alias': LOG_STREAMS.waf.alias },
    mappings: {
      dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } }],
      properties: { '@timestamp': { type: 'date' }, message: { type: 'text' }, ...Object.fromEntries(Object.entries(WAF_FIELDS).map(([f, type]) => [f, { type }])) },
    },
  },
});

/** The Elasticsearch and Kibana bodies elasticsearch-provision applies for Kibana, by file name. */
export function kibanaProvisioning(c: Config, ilmPolicy: string): Record<string, string> {
  return {
    ...Object.fromEntries(KIBANA_SAVED_OBJECTS.filter((o) => o.enabled(c)).map((o) => [`kibana-${o.file}`, savedObjectsText(o.file)])),
    ...(c.nginx_plus_enabled
      ? { [`ingest-pipeline-${WAF_PIPELINE}.json`]: json(wafIngestPipeline()), [`index-template-${WAF_PIPELINE}.json`]: json(wafIndexTemplate(ilmPolicy)) }
      : {}),
  };
}

/**
 * What the provisioning job applies, in this order: the WAF ingest pipeline (before the template
 * that names it), the ILM policy, the snapshot repository, the index templates, the first write
 * index of each alias, the snapshot lifecycle, the role `aura`, the Kibana users and Kibana's saved
 * objects. `requests.json` lists the requests with their body files (see ProvisioningRequest).
 */
export function elasticsearchProvisioning(c: Config): Record<string, string> {
  const lifecycle = lifecycleProvisioning({
    streams: Object.values(LOG_STREAMS),
    retentionDays: c.log_retention_time,
    snapshot: { readonly: c.eck_azure_snapshot_readonly, basePath: c.cluster_name, schedule: c.eck_azure_snapshot_schedule, expireAfter: c.eck_azure_snapshot_expire },
  });
  const users = logUsers(c);
  const requests: ProvisioningRequest[] = [
    ...(c.nginx_plus_enabled ? [{ method: 'PUT' as const, path: `/_ingest/pipeline/${WAF_PIPELINE}`, body: `ingest-pipeline-${WAF_PIPELINE}.json` }] : []),
    ...lifecycle.requests,
    { method: 'PUT', path: '/_security/role/aura', body: 'role-aura.json' },
    ...users.map((u, i) => ({ method: 'PUT' as const, path: `/_security/user/${encodeURIComponent(u.name)}`, body: `user-${i}.json`, password: userPasswordEnv(i) })),
    // Kibana saved objects go to Kibana's API (KIBANA_URL), not Elasticsearch's.
    ...KIBANA_SAVED_OBJECTS.filter((o) => o.enabled(c)).map((o) => ({ method: 'POST' as const, target: 'kibana' as const, path: '/api/saved_objects/_import?overwrite=true', body: `kibana-${o.file}` })),
  ];
  return {
    ...lifecycle.files,
    // After the lifecycle files: with NGINX Plus the WAF stream's template gains the pipeline and typed fields.
    ...kibanaProvisioning(c, ILM_POLICY),
    'role-aura.json': json({ indices: [{ names: LOG_INDICES, privileges: ['read', 'view_index_metadata'] }] }),
    ...Object.fromEntries(users.map((u, i) => [`user-${i}.json`, json({ roles: u.roles, full_name: u.name })])),
    'requests.json': json(requests),
  };
}

/** Cluster health from elasticsearch-exporter: one series per colour, 1 for the current one. */
export const ELASTICSEARCH_RULES: RuleSet = {
  name: 'elasticsearch',
  rules: [
    {
      alert: 'ElasticsearchClusterNotGreen',
      expr: 'elasticsearch_cluster_health_status{job="elasticsearch-exporter", color="green"} == 0',
      for: '15m',
      severity: 'warning',
      summary: 'Elasticsearch cluster {{ $labels.cluster }} is not green',
      description: 'Some replica shards of {{ $labels.cluster }} are unassigned: a node is missing or a disk passed its watermark.',
    },
    {
      alert: 'ElasticsearchClusterRed',
      expr: 'elasticsearch_cluster_health_status{job="elasticsearch-exporter", color="red"} == 1',
      for: '5m',
      severity: 'critical',
      summary: 'Elasticsearch cluster {{ $labels.cluster }} is red',
      description: 'Primary shards of {{ $labels.cluster }} are unassigned: logs of those indices cannot be written or searched.',
    },
  ],
};

export const elasticsearch: Component = {
  name: 'elasticsearch',
  alertRules: [ELASTICSEARCH_RULES],
  // ECK calls the Elasticsearch API of the clusters it manages (health, settings, shard moves before a node goes).
  operator: { key: 'eck', repositoryName: 'elastic', manages: ['elasticsearch'] },
  objects: (scope, platform, phase) => {
    if (phase === 'system') new ElasticStack(scope, 'elastic', { platform });
  },
  workloads: [
    {
      // scripts/elasticsearch-provision.py applies requests.json in its order, checking ECK's certificates.
      name: 'elasticsearch-provision', phase: 'system', talksTo: ['elasticsearch', 'kibana'], workload: 'Job', ...JOB_IMAGES.python,
      ports: [], resources: SMALL, deadlineSeconds: JOB_DEADLINES.provision,
      files: (p: Platform) => ({ ...elasticsearchProvisioning(p.config), ...scriptFiles(PROVISION_SCRIPT, 'aura_http.py') }), filesPath: JOB_FILES,
      command: () => runScript('python3', PROVISION_SCRIPT),
      secretMounts: () => PROVISION_CA_MOUNTS.map((m) => ({ name: m.name, secret: m.secret, mountPath: m.mountPath })),
      env: (p) => ({
        ...SCRIPT_ENV,
        ELASTICSEARCH_URL: p.endpoint('elasticsearch', 'https').url('https'),
        ELASTICSEARCH_CA_FILE: `${PROVISION_CA_MOUNTS[0]!.mountPath}/${PROVISION_CA_MOUNTS[0]!.file}`,
        KIBANA_URL: p.endpoint('kibana', 'https').url('https'),
        KIBANA_CA_FILE: `${PROVISION_CA_MOUNTS[1]!.mountPath}/${PROVISION_CA_MOUNTS[1]!.file}`,
      }),
      secrets: ({ config: c }): Record<string, string> => ({
        ...elasticAdminSecrets('ELASTIC_USERNAME', 'ELASTIC_PASSWORD'),
        ...Object.fromEntries(logUsers(c).map((u, i) => [userPasswordEnv(i), `kv:${backofficePasswordSecret('logs', u.name)}`])),
      }),
    },
  ],
  // Elasticsearch nodes talk among themselves; Kibana to Elasticsearch (and, per the guide, to Kibana).
  operatorPods: [
    { name: ELASTICSEARCH_NAME, app: 'elasticsearch', phase: 'system', talksTo: ['elasticsearch'], service: eckHttpService('Elasticsearch', ELASTICSEARCH_NAME), ports: ELASTICSEARCH_PORTS },
    { name: KIBANA_NAME, app: 'kibana', phase: 'system', talksTo: ['elasticsearch', 'kibana'], service: eckHttpService('Kibana', KIBANA_NAME), ports: KIBANA_PORTS },
  ],
  policies: [
    {
      // The ECK operator's namespace is labelled for this access from the operators list (its `operator` above).
      target: 'elasticsearch', ports: [{ numberOf: 'https' }, { numberOf: 'transport' }], form: 'namespace-or-local-pod',
    },
    { target: 'kibana', ports: [{ numberOf: 'https' }], form: 'namespace-or-local-pod' },
  ],
  routes: [
    { name: 'logs', to: 'kibana', port: 'https', tls: true, allow: (c) => c.service_whitelist_source_ranges.logs, public: false, backoffice: 'logs' },
    { name: 'raw-logs', to: 'elasticsearch', port: 'https', tls: true, allow: (c) => c.service_whitelist_source_ranges.raw_logs, public: false, backoffice: 'logs' },
  ],
};

interface ElasticStackProps {
  platform: Platform;
}

/** The user Elastic's images run as (and own their data as). */
const ELASTIC_UID = 1000;
/**
 * Pod Security "restricted" for the pods ECK makes from these templates; ECK merges them into its
 * own defaults (which already drop every capability and forbid privilege escalation for 8.8+).
 */
const ECK_POD_SECURITY = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const ECK_CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, runAsNonRoot: true };
/**
 * ECK builds these pods from its own defaults: from the shared pod template they take the
 * placement only, and the security settings above.
 */
const MANAGEMENT_POOL = poolSelector(phaseInfo('system').nodePool);

/**
 * Elasticsearch and Kibana through the ECK operator. Their pods carry `app: elasticsearch` and
 * `app: kibana`, the labels the guide's network policies select (ECK's own labels stay too).
 */
class ElasticStack extends Construct {
  constructor(scope: Construct, id: string, props: ElasticStackProps) {
    super(scope, id);
    const { platform } = props;
    const { config } = platform;
    const namespace = platform.namespaces.system;

    // The Azure snapshot client's account and key reach the Elasticsearch keystore from Key Vault:
    // the driver syncs them into this Secret when the Elasticsearch pods mount the volume.
    keyVaultProvider(this, 'SnapshotCredentials', {
      name: SNAPSHOT_CREDENTIALS.name,
      namespace,
      labels: standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION),
      config,
      objects: SNAPSHOT_CREDENTIALS.objects.map((o) => o.objectName),
      secretObjects: [{ secretName: SNAPSHOT_CREDENTIALS.name, type: 'Opaque', data: SNAPSHOT_CREDENTIALS.objects.map((o) => ({ objectName: o.objectName, key: o.key })) }],
    });

    // The elastic user from Key Vault: a basic-auth Secret of ECK's file realm, in place of the password ECK would generate.
    keyVaultProvider(this, 'AdminUser', {
      name: ELASTIC_ADMIN.secret,
      namespace,
      labels: standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION),
      config,
      objects: [keyVaultSecretFor(ELASTIC_ADMIN.username), keyVaultSecretFor(ELASTIC_ADMIN.password)],
      secretObjects: [{
        secretName: ELASTIC_ADMIN.secret,
        type: 'kubernetes.io/basic-auth',
        data: [{ objectName: keyVaultSecretFor(ELASTIC_ADMIN.username), key: 'username' }, { objectName: keyVaultSecretFor(ELASTIC_ADMIN.password), key: 'password' }],
      }],
    });
    // ECK reads both Secrets before it creates a pod: a pod of their own keeps them synced.
    secretsSync(this, 'Sync', { name: 'elasticsearch-secrets-sync', namespace, config, providers: [ELASTIC_ADMIN.secret, SNAPSHOT_CREDENTIALS.name] });

    new Elasticsearch(this, 'Elasticsearch', {
      metadata: { name: ELASTICSEARCH_NAME, namespace, labels: standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION) },
      spec: {
        version: ELASTIC_VERSION,
        auth: { fileRealm: [{ secretName: ELASTIC_ADMIN.secret }] },
        secureSettings: [{ secretName: SNAPSHOT_CREDENTIALS.name }],
        nodeSets: [
          {
            name: config.elasticsearch.node_set_name,
            count: config.elasticsearch.node_count,
            config: {
              // No privileged init container to raise vm.max_map_count.
              'node.store.allow_mmap': false,
              // No write creates an index under a stream's alias name (first-install ingest order).
              'action.auto_create_index': autoCreateIndex(Object.values(LOG_STREAMS)),
            },
            zoneAwareness: config.aks_multi_az ? {} : undefined,
            podTemplate: {
              metadata: { labels: { ...standardLabels('elasticsearch', config, 'elasticsearch', ELASTIC_VERSION), ...platform.network.podLabels('elasticsearch') } },
              spec: {
                nodeSelector: MANAGEMENT_POOL,
                // Pod Security "restricted" (aura-system's admission policy): ECK's own init containers inherit the pod's part.
                securityContext: { ...ECK_POD_SECURITY, fsGroup: ELASTIC_UID },
                containers: [
                  {
                    name: 'elasticsearch',
                    securityContext: ECK_CONTAINER_SECURITY,
                    resources: ELASTICSEARCH_RESOURCES,
                    volumeMounts: [{ name: 'snapshot-credentials', mountPath: '/mnt/secrets-store', readOnly: true }],
                  },
                ],
                volumes: [providerVolume('snapshot-credentials', SNAPSHOT_CREDENTIALS.name)],
              },
            },
            volumeClaimTemplates: [
              {
                metadata: { name: 'elasticsearch-data' },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: ElasticsearchSpecNodeSetsVolumeClaimTemplatesSpecResourcesRequests.fromString(`${config.elasticsearch.storage_size_gb}Gi`) } },
                },
              },
            ],
          },
        ],
      },
    });

    new Kibana(this, 'Kibana', {
      metadata: { name: KIBANA_NAME, namespace, labels: standardLabels('kibana', config, 'kibana', ELASTIC_VERSION) },
      spec: {
        version: ELASTIC_VERSION,
        count: 1,
        elasticsearchRef: { name: ELASTICSEARCH_NAME },
        podTemplate: {
          metadata: { labels: { ...standardLabels('kibana', config, 'kibana', ELASTIC_VERSION), ...platform.network.podLabels('kibana') } },
          spec: {
            nodeSelector: MANAGEMENT_POOL,
            securityContext: ECK_POD_SECURITY,
            containers: [{ name: 'kibana', securityContext: ECK_CONTAINER_SECURITY, resources: KIBANA_RESOURCES }],
          },
        },
      },
    });
  }
}

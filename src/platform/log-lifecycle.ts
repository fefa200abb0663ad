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

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

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

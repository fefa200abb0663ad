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

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** One request of the provisioning job: applied in order; `unless` skips it when that path exists (HEAD answers 200). */
export interface ProvisioningRequest {
  method: 'PUT' | 'POST';
  path: string;
  body: string;
  unless?: string;
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
  for (const s of o.streams) {
    const template = `index-template-${s.alias}.json`;
    files[template] = json({
      index_patterns: [indexPattern(s)],
      priority: 200,
      template: { settings: { 'index.lifecycle.name': ILM_POLICY, 'index.lifecycle.rollover_alias': s.alias } },
    });
    const bootstrap = `write-index-${s.alias}.json`;
    files[bootstrap] = json({ aliases: { [s.alias]: { is_write_index: true } } });
    requests.push(
      { method: 'PUT', path: `/_index_template/${s.alias}`, body: template },
      // The first index carries the alias once; later ones are the rollover's, so never recreate it.
      { method: 'PUT', path: `/${firstIndex(s)}`, body: bootstrap, unless: `/_alias/${s.alias}` },
    );
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

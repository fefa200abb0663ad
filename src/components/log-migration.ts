import { join } from 'node:path';
import type { Component, Platform, ResourceSpec, WorkloadSpec } from '../platform/types';
import { folderReader } from '../util/repository-folder';
import { ELASTICSEARCH_CA, elasticAdminSecrets, LOG_INDICES, SNAPSHOT_CONTAINER, SNAPSHOT_REPOSITORY } from './elasticsearch';

/**
 * Moving the logs of a cluster to a new one (aura-manifests migrate-logs). The guide sets the
 * source's repository read-only and the destination's read-write, as one repository could be
 * written by one cluster only; here each cluster writes its own folder of the shared container,
 * so the destination reads the source's folder through a second repository, registered
 * read-only. Two suspended templates, run by the command with `kubectl create job --from`:
 * - elasticsearch-snapshot, on every cluster whose repository is writable: a snapshot now;
 * - elasticsearch-restore, on a destination (log_migration.source_cluster): the source's newest
 *   snapshot restored beside this cluster's own indices.
 * Both run the shipped script log-migration.py (docs/jobs.md's convention).
 */
export const LOG_MIGRATION = {
  snapshot: 'elasticsearch-snapshot',
  restore: 'elasticsearch-restore',
  /** The restore's variable naming the source cluster (in its ConfigMap `elasticsearch-restore-config`). */
  sourceVariable: 'SOURCE_CLUSTER',
} as const;

/** The destination's read-only repository over the source's folder. */
export const MIGRATION_REPOSITORY = 'migration-source';

const SCRIPT = 'log-migration.py';
const JOB_FILES = '/etc/aura-job';
const CA_DIR = '/etc/elasticsearch-ca';
/** A date that never comes: templates run only through `kubectl create job --from=cronjob/...`. */
const ON_DEMAND = '0 0 31 2 *';
const PYTHON = { image: 'thirdparty/python', imageTag: '3.12.7-slim-bookworm' } as const;
const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const scriptText = folderReader(join(__dirname, 'scripts'));

const template = (name: string, mode: 'snapshot' | 'restore', enabled: WorkloadSpec['enabled'], env: (p: Platform) => Record<string, string>): WorkloadSpec => ({
  name, phase: 'system', talksTo: ['elasticsearch'], workload: 'CronJob', schedule: ON_DEMAND, suspend: true, enabled, ...PYTHON, ports: [], resources: SMALL,
  files: () => ({ [SCRIPT]: scriptText(SCRIPT) }), filesPath: JOB_FILES,
  command: () => ['python3', `${JOB_FILES}/${SCRIPT}`, mode],
  // A snapshot or a restore of a cluster's logs may take hours; the script's own waits are shorter.
  deadlineSeconds: 4 * 3600,
  secretMounts: () => [{ name: 'elasticsearch-ca', secret: ELASTICSEARCH_CA.secret, mountPath: CA_DIR }],
  env: (p) => ({
    ELASTICSEARCH_URL: p.endpoint('elasticsearch', 'https').url('https'),
    ELASTICSEARCH_CA_FILE: `${CA_DIR}/${ELASTICSEARCH_CA.key}`,
    SNAPSHOT_INDICES: LOG_INDICES.join(','),
    HOME: '/tmp',
    ...env(p),
  }),
  secrets: () => elasticAdminSecrets('ELASTIC_USERNAME', 'ELASTIC_PASSWORD'),
});

export const logMigration: Component = {
  name: 'log-migration',
  workloads: [
    template(LOG_MIGRATION.snapshot, 'snapshot', (c) => !c.eck_azure_snapshot_readonly, () => ({ SNAPSHOT_REPOSITORY })),
    template(LOG_MIGRATION.restore, 'restore', (c) => c.log_migration !== undefined, ({ config: c }) => ({
      [LOG_MIGRATION.sourceVariable]: c.log_migration!.source_cluster,
      MIGRATION_REPOSITORY,
      SNAPSHOT_CONTAINER,
    })),
  ],
};

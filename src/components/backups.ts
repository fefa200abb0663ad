import type { RuleSet } from '../platform/alert-rules';
import { SYSTEM_NAMESPACE } from '../platform/naming';
import type { Component, Platform, ResourceSpec, WorkloadSpec } from '../platform/types';
import type { Config } from '../profile/config.generated';
import { REDIS_REPLICAS, SENTINEL_MASTER } from './redis';
import { JOB_DEADLINES, JOB_FILES, JOB_IMAGES, runScript, SCRIPT_ENV, scriptFiles } from './job-tools';
import { REDIS_TAG, redisMemoryMi } from './redis';
import { backofficePasswordSecret } from '../profile/secrets';
import { dashboardUsers } from './grafana';
import { mongodbClient } from './mongodb';

/**
 * Nightly backups of MongoDB (in-cluster or Atlas), Redis and Grafana's database to Blob Storage, and their restore
 * templates: suspended CronJobs run on demand with `kubectl create job --from=cronjob/<store>-restore`.
 */
/** Blob container of the nightly backups, and where restores read from. */
export const BACKUP_CONTAINER = 'aura-backups';
/** Schedules of the nightly backups (UTC), apart so they do not compete for the node. */
export const BACKUP_SCHEDULES = { mongodb: '0 2 * * *', redis: '30 2 * * *', grafana: '0 3 * * *' };
/** A date that never comes: restore templates run only through `kubectl create job --from=cronjob/...`. */
const NEVER = '0 0 31 2 *';
const TOOL: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };

/** The stores backed up nightly into aura-backups/<store>/, each with a restore template. */
type Store = 'mongodb' | 'redis' | 'grafana';
/** The pods' scratch folder: the snapshot step writes the file there, the upload step reads it (and the reverse for a restore). */
const BACKUP_DIR = '/backup';
/** The file each store's backup is, in the scratch folder; its blob is `<store>/<base>-<UTC time>.<extension>`. */
const BACKUP_FILES: Record<Store, string> = { mongodb: 'mongodb.archive.gz', redis: 'redis.rdb.gz', grafana: 'grafana.json.gz' };
const STORAGE_SCRIPT = 'backup-storage.sh';

/**
 * Where a store's data is read and written: the image whose tools speak to it, its scripts, and
 * the command of each action. The Blob side is always the Azure CLI image running backup-storage.sh.
 */
const STORE_TOOLS: Record<Store, { image: string; imageTag: string; scripts: string[]; command: (action: 'backup' | 'restore') => string[] }> = {
  mongodb: { ...JOB_IMAGES.mongoTools, scripts: ['mongodb.sh'], command: (a) => runScript('sh', 'mongodb.sh', a) },
  redis: { image: 'thirdparty/redis', imageTag: REDIS_TAG, scripts: ['redis.sh'], command: (a) => runScript('sh', 'redis.sh', a) },
  grafana: { ...JOB_IMAGES.python, scripts: ['grafana.py', 'aura_http.py'], command: (a) => runScript('python3', 'grafana.py', a === 'backup' ? 'export' : 'import') },
};

/**
 * Grafana's database (dashboards, folders, data sources, alerting, preferences) is exported and
 * imported through Grafana's HTTP API as its admin: its SQLite file sits on grafana-0's
 * ReadWriteOnce volume, which a backup pod cannot mount beside it, and a copy of a live SQLite
 * file can be torn.
 */
const grafanaBackupEnv = (p: Platform) => ({ GRAFANA_URL: p.endpoint('grafana', 'http').url('http'), GRAFANA_ADMIN_USER: dashboardUsers(p.config)[0] ?? '' });

/** Redis is read from and written to the master the sentinels name: two of three members are replicas, which refuse writes. */
const redisBackupEnv = (p: Platform) => {
  const sentinel = p.endpoint('redis', 'sentinel');
  return { REDIS_SENTINELS: Array.from({ length: REDIS_REPLICAS }, (_, i) => sentinel.member(i)).join(','), REDIS_SENTINEL_MASTER: SENTINEL_MASTER };
};

/** Environment of the backup and restore jobs: what to back up, where, and for how long. */
const backupEnv = (store: Store) => (p: Platform) => {
  const c = p.config;
  return {
    ...SCRIPT_ENV,
    BACKUP_CONTAINER,
    BACKUP_PREFIX: `${store}/`,
    RESTORE_PREFIX: `${store}/restore/`,
    BACKUP_RETENTION_DAYS: c.backup_retention_time,
    BACKUP_DIR,
    BACKUP_FILE: BACKUP_FILES[store],
    ...(store === 'grafana' ? grafanaBackupEnv(p) : store === 'redis' ? redisBackupEnv(p) : mongodbClient.env(p)),
  };
};
const backupSecrets = (store: Store) => (p: Platform): Record<string, string> => ({
  BACKUP_STORAGE_CONNECTION_STRING: 'kv:backup-storage-connection-string',
  ...(store === 'grafana' ? { GRAFANA_ADMIN_PASSWORD: `kv:${backofficePasswordSecret('dashboards', dashboardUsers(p.config)[0] ?? '')}` } : {}),
  ...(store === 'mongodb' ? mongodbClient.secrets(p) : {}),
});

/** A restore loads the snapshot into a private redis-server beside its own work: as much memory as a member, and some. */
const redisRestoreResources = (c: Config): ResourceSpec => {
  const memory = `${redisMemoryMi(c) + 256}Mi`;
  return { requests: { cpu: '100m', memory }, limits: { cpu: '1', memory } };
};

/**
 * A backup: the store's tool writes the file into the scratch folder (init container `snapshot`),
 * then the Azure CLI uploads it and prunes old backups. A restore: the Azure CLI downloads the
 * one blob under `<store>/restore/` (init container `download`), then the store's tool loads it.
 */
const job = (store: Store, action: 'backup' | 'restore'): WorkloadSpec => {
  const tool = STORE_TOOLS[store];
  const storage = (mode: 'upload' | 'download') => runScript('bash', STORAGE_SCRIPT, mode);
  const steps = action === 'backup'
    ? { main: { ...JOB_IMAGES.azureCli, command: storage('upload') }, init: { name: 'snapshot', image: tool.image, imageTag: tool.imageTag, command: () => tool.command('backup') } }
    : { main: { image: tool.image, imageTag: tool.imageTag, command: tool.command('restore') }, init: { name: 'download', ...JOB_IMAGES.azureCli, command: () => storage('download') } };
  return {
    name: `${store}-${action}`, phase: 'system', talksTo: [store], workload: 'CronJob', image: steps.main.image, imageTag: steps.main.imageTag,
    ...(action === 'backup' ? { schedule: BACKUP_SCHEDULES[store] } : { schedule: NEVER, suspend: true }),
    ports: [], resources: store === 'redis' && action === 'restore' ? redisRestoreResources : TOOL, deadlineSeconds: JOB_DEADLINES.backup,
    files: () => scriptFiles(STORAGE_SCRIPT, ...tool.scripts), filesPath: JOB_FILES,
    scratch: [{ name: 'backup', mountPath: BACKUP_DIR }],
    init: steps.init, command: () => steps.main.command,
    env: backupEnv(store), secrets: backupSecrets(store),
    ...(store === 'mongodb' ? { generatedSecrets: (p: Platform) => mongodbClient.generatedSecrets(p, 'system') } : {}),
  };
};

/** The nightly backup CronJobs, by name. */
export const BACKUP_CRONJOBS = Object.keys(BACKUP_SCHEDULES).map((store) => `${store}-backup`);
/** A daily backup may run late by two hours before it counts as missed. */
export const BACKUP_MAX_AGE_HOURS = 26;

const cronjobs = BACKUP_CRONJOBS.join('|');
const maxAge = BACKUP_MAX_AGE_HOURS * 3600;

/** The backups, seen by kube-state-metrics: a failed run, and no successful run in 26 hours (or ever, for a CronJob that old). */
export const BACKUP_RULES: RuleSet = {
  name: 'backups',
  rules: [
    {
      alert: 'BackupJobFailed',
      // Jobs of a CronJob are named <cronjob>-<scheduled minute>.
      expr: `kube_job_status_failed{namespace="${SYSTEM_NAMESPACE}", job_name=~"(${cronjobs})-[0-9]+"} > 0`,
      severity: 'warning',
      summary: 'Backup Job {{ $labels.job_name }} failed',
      description: 'The backup run {{ $labels.job_name }} failed; read its pod log. The alert clears when the failed Job is deleted.',
    },
    {
      alert: 'BackupNotRecent',
      expr: `time() - kube_cronjob_status_last_successful_time{namespace="${SYSTEM_NAMESPACE}", cronjob=~"${cronjobs}"} > ${maxAge}
or
(time() - kube_cronjob_created{namespace="${SYSTEM_NAMESPACE}", cronjob=~"${cronjobs}"} > ${maxAge})
  unless on (namespace, cronjob) kube_cronjob_status_last_successful_time`,
      severity: 'critical',
      summary: `CronJob {{ $labels.cronjob }} has not backed up in ${BACKUP_MAX_AGE_HOURS} hours`,
      description: `No run of {{ $labels.cronjob }} has succeeded for more than ${BACKUP_MAX_AGE_HOURS} hours: the last nightly backup is missing.`,
    },
  ],
};

export const backups: Component = {
  name: 'backups',
  alertRules: [BACKUP_RULES],
  workloads: (['mongodb', 'redis', 'grafana'] as const).flatMap((store) => [job(store, 'backup'), job(store, 'restore')]),
};

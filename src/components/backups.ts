import type { RuleSet } from '../platform/alert-rules';
import { SYSTEM_NAMESPACE } from '../platform/naming';
import type { Component, Platform, ResourceSpec, WorkloadSpec } from '../platform/types';
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
const BACKUP_IMAGES: Record<Store, string> = { mongodb: 'tools/mongo-backup', redis: 'tools/redis-backup', grafana: 'tools/grafana-backup' };

/**
 * Grafana's database (dashboards, folders, data sources, alerting, preferences) is exported and
 * imported through Grafana's HTTP API as its admin: its SQLite file sits on grafana-0's
 * ReadWriteOnce volume, which a backup pod cannot mount beside it, and a copy of a live SQLite
 * file can be torn.
 */
const grafanaBackupEnv = (p: Platform) => ({ GRAFANA_URL: p.endpoint('grafana', 'http').url('http'), GRAFANA_ADMIN_USER: dashboardUsers(p.config)[0] ?? '' });

/** Environment of the backup and restore jobs: what to back up, where, and for how long. */
const backupEnv = (store: Store) => (p: Platform) => {
  const c = p.config;
  return {
    BACKUP_CONTAINER,
    BACKUP_PREFIX: `${store}/`,
    RESTORE_PREFIX: `${store}/restore/`,
    BACKUP_RETENTION_DAYS: c.backup_retention_time,
    COMPRESSION: 'gzip',
    ...(store === 'grafana'
      ? grafanaBackupEnv(p)
      : store === 'redis'
      ? { REDIS_HOST: p.endpoint('redis', 'redis').host, REDIS_PORT: p.endpoint('redis', 'redis').port }
      : { MONGODB_SOURCE: c.atlas_enabled ? 'atlas' : 'in-cluster', ...mongodbClient.env(p) }),
  };
};
const backupSecrets = (store: Store) => (p: Platform): Record<string, string> => ({
  BACKUP_STORAGE_CONNECTION_STRING: 'kv:backup-storage-connection-string',
  ...(store === 'grafana' ? { GRAFANA_ADMIN_PASSWORD: `kv:${backofficePasswordSecret('dashboards', dashboardUsers(p.config)[0] ?? '')}` } : {}),
  ...(store === 'mongodb' ? mongodbClient.secrets(p) : {}),
});

const job = (store: Store, action: 'backup' | 'restore'): WorkloadSpec => ({
  name: `${store}-${action}`, phase: 'system', talksTo: [store], workload: 'CronJob', image: BACKUP_IMAGES[store], imageTag: '8.0.0',
  ...(action === 'backup' ? { schedule: BACKUP_SCHEDULES[store] } : { schedule: NEVER, suspend: true }),
  ports: [], resources: TOOL, env: backupEnv(store), secrets: backupSecrets(store), args: () => [action],
  ...(store === 'mongodb' ? { generatedSecrets: (p: Platform) => mongodbClient.generatedSecrets(p, 'system') } : {}),
});

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

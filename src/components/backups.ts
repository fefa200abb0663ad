import type { Component, Platform, ResourceSpec, WorkloadSpec } from '../platform/types';
import { MONGODB_REPLICA_SET, mongodbHosts } from './mongodb';

/**
 * Nightly backups of MongoDB (in-cluster or Atlas) and Redis to Blob Storage, and their restore
 * templates: suspended CronJobs run on demand with `kubectl create job --from=cronjob/<store>-restore`.
 */
/** Blob container of the nightly backups, and where restores read from. */
export const BACKUP_CONTAINER = 'aura-backups';
/** Schedules of the nightly backups (UTC), apart so they do not compete for the node. */
export const BACKUP_SCHEDULES = { mongodb: '0 2 * * *', redis: '30 2 * * *' };
/** A date that never comes: restore templates run only through `kubectl create job --from=cronjob/...`. */
const NEVER = '0 0 31 2 *';
const TOOL: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };

type Store = 'mongodb' | 'redis';

/** Environment of the backup and restore jobs: what to back up, where, and for how long. */
const backupEnv = (store: Store) => (p: Platform) => {
  const c = p.config;
  return {
    BACKUP_CONTAINER,
    BACKUP_PREFIX: `${store}/`,
    RESTORE_PREFIX: `${store}/restore/`,
    BACKUP_RETENTION_DAYS: c.backup_retention_time,
    COMPRESSION: 'gzip',
    ...(store === 'redis'
      ? { REDIS_HOST: p.endpoint('redis', 'redis').host, REDIS_PORT: p.endpoint('redis', 'redis').port }
      : c.atlas_enabled
        ? { MONGODB_SOURCE: 'atlas' }
        : { MONGODB_SOURCE: 'in-cluster', MONGODB_HOSTS: mongodbHosts(p), MONGODB_REPLICA_SET }),
  };
};
const backupSecrets = (store: Store) => (): Record<string, string> => ({
  BACKUP_STORAGE_CONNECTION_STRING: 'kv:backup-storage-connection-string',
  ...(store === 'mongodb' ? { MONGODB_URI: 'kv:mongodb-uri' } : {}),
});

const job = (store: Store, action: 'backup' | 'restore'): WorkloadSpec => ({
  name: `${store}-${action}`, phase: 'system', talksTo: [store], workload: 'CronJob', image: `tools/${store === 'mongodb' ? 'mongo' : 'redis'}-backup`, imageTag: '8.0.0',
  ...(action === 'backup' ? { schedule: BACKUP_SCHEDULES[store] } : { schedule: NEVER, suspend: true }),
  ports: [], resources: TOOL, env: backupEnv(store), secrets: backupSecrets(store), args: () => [action],
});

export const backups: Component = {
  name: 'backups',
  workloads: (['mongodb', 'redis'] as const).flatMap((store) => [job(store, 'backup'), job(store, 'restore')]),
};

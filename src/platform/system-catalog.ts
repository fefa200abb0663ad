import type { Config } from '../profile/config.generated';
import type { ComponentSpec, ResourceSpec } from './catalog';
import { serviceHost, SYSTEM_NAMESPACE } from './naming';
import { backofficePasswordSecret } from '../profile/secrets';
import { dashboardUsers } from './monitoring';

/** Blob container of the nightly backups, and where restores read from. */
export const BACKUP_CONTAINER = 'aura-backups';
export const ACTIVE_LISTENING_NAMESPACE = 'active-listening';
/** The replica set name the guide's connection strings use. */
export const MONGODB_REPLICA_SET = 'aura_replicaset';
/** Schedules of the nightly backups (UTC), apart so they do not compete for the node. */
export const BACKUP_SCHEDULES = { mongodb: '0 2 * * *', redis: '30 2 * * *', grafana: '0 3 * * *' };
/** A date that never comes: restore templates run only through `kubectl create job --from=cronjob/...`. */
const NEVER = '0 0 31 2 *';

const TOOL: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
const EXPORTER: ResourceSpec = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '128Mi' } };
const MONGODB: ResourceSpec = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } };

/**
 * Redis keeps context for context_expiration_days: 1 GiB for the default 15 days, in proportion
 * beyond, never under 512 MiB. Requests equal limits so the node never evicts it for memory.
 */
export function redisMemoryMi(c: Config): number {
  return Math.max(512, Math.ceil((c.context_expiration_days * 1024) / 15 / 64) * 64);
}
const redisResources = (c: Config): ResourceSpec => {
  const memory = `${redisMemoryMi(c)}Mi`;
  return { requests: { cpu: '250m', memory }, limits: { cpu: '1', memory } };
};

const inClusterMongo = (c: Config) => c.atlas_enabled === false;
const mongodbHosts = [0, 1, 2].map((i) => `mongodb-${i}.mongodb.${SYSTEM_NAMESPACE}.svc.cluster.local:27017`).join(',');

/** The stores backed up nightly into aura-backups/<store>/, each with a restore template. */
type BackupStore = 'mongodb' | 'redis' | 'grafana';
const BACKUP_IMAGES: Record<BackupStore, string> = { mongodb: 'tools/mongo-backup', redis: 'tools/redis-backup', grafana: 'tools/grafana-backup' };

/**
 * Grafana's database (dashboards, folders, data sources, alerting, preferences) is exported and
 * imported through Grafana's HTTP API as its admin: its SQLite file sits on grafana-0's
 * ReadWriteOnce volume, which a backup pod cannot mount beside it, and a copy of a live SQLite
 * file can be torn.
 */
const grafanaBackupEnv = (c: Config) => ({ GRAFANA_URL: `http://${serviceHost('grafana', SYSTEM_NAMESPACE)}:3000`, GRAFANA_ADMIN_USER: dashboardUsers(c)[0] ?? '' });

/** Environment of the backup and restore jobs: what to back up, where, and for how long. */
const backupEnv = (store: BackupStore) => (c: Config) => ({
  BACKUP_CONTAINER,
  BACKUP_PREFIX: `${store}/`,
  RESTORE_PREFIX: `${store}/restore/`,
  BACKUP_RETENTION_DAYS: c.backup_retention_time,
  COMPRESSION: 'gzip',
  ...(store === 'grafana'
    ? grafanaBackupEnv(c)
    : store === 'redis'
    ? { REDIS_HOST: serviceHost('redis', SYSTEM_NAMESPACE), REDIS_PORT: 6379 }
    : c.atlas_enabled
      ? { MONGODB_SOURCE: 'atlas' }
      : { MONGODB_SOURCE: 'in-cluster', MONGODB_HOSTS: mongodbHosts, MONGODB_REPLICA_SET }),
});
const backupSecrets = (store: BackupStore) => (c: Config): Record<string, string> => ({
  BACKUP_STORAGE_CONNECTION_STRING: 'kv:backup-storage-connection-string',
  ...(store === 'mongodb' ? { MONGODB_URI: 'kv:mongodb-uri' } : {}),
  ...(store === 'grafana' ? { GRAFANA_ADMIN_PASSWORD: `kv:${backofficePasswordSecret('dashboards', dashboardUsers(c)[0] ?? '')}` } : {}),
});

/** The aura-system data stores, their backups and restore templates, and Active Listening. */
export const SYSTEM_COMPONENTS: ComponentSpec[] = [
  {
    name: 'redis', phase: 'system', talksTo: ['redis'], workload: 'StatefulSet', image: 'thirdparty/redis', imageTag: '7.2.5', enabled: () => true,
    replicas: () => 3, ports: [{ name: 'redis', port: 6379 }], resources: TOOL, sizedResources: redisResources, scrape: { port: 'metrics' },
    volume: { mountPath: '/data', size: () => '8Gi' },
    args: (c) => ['--appendonly', 'yes', '--maxmemory', `${Math.floor(redisMemoryMi(c) * 0.8)}mb`, '--maxmemory-policy', 'volatile-lru'],
    sidecars: [
      { name: 'sentinel', image: 'thirdparty/redis', imageTag: '7.2.5', ports: [{ name: 'sentinel', port: 26379 }], resources: EXPORTER, args: () => ['/etc/redis/sentinel.conf', '--sentinel'] },
      { name: 'redis-exporter', image: 'thirdparty/redis-exporter', imageTag: 'v1.62.0', ports: [{ name: 'metrics', port: 9121 }], resources: EXPORTER },
    ],
  },
  {
    name: 'mongodb', phase: 'system', talksTo: ['mongodb'], workload: 'StatefulSet', image: 'thirdparty/mongo', imageTag: '7.0.14', enabled: inClusterMongo,
    replicas: () => 3, ports: [{ name: 'mongodb', port: 27017 }], resources: MONGODB, volume: { mountPath: '/data/db', size: () => '50Gi' },
    args: () => ['--replSet', MONGODB_REPLICA_SET, '--bind_ip_all', '--auth', '--keyFile', '/mnt/secrets-store/mongodb-replica-set-key'],
    // The replica-set key is read as a file from the Key Vault mount.
    secrets: () => ({ MONGO_INITDB_ROOT_PASSWORD: 'kv:mongodb-adminuser-password', MONGODB_REPLICA_SET_KEY: 'kv:mongodb-replica-set-key' }),
  },
  {
    name: 'mongodb-provision', app: 'mongodb', phase: 'system', talksTo: ['mongodb'], workload: 'Job', image: 'tools/mongo-backup', imageTag: '8.0.0', enabled: inClusterMongo,
    ports: [], resources: TOOL, env: () => ({ MONGODB_HOSTS: mongodbHosts, MONGODB_REPLICA_SET, MONGODB_ADMIN_USER: 'adminuser' }),
    secrets: () => ({ MONGODB_ADMIN_PASSWORD: 'kv:mongodb-adminuser-password' }),
  },
  ...(['mongodb', 'redis', 'grafana'] as const).flatMap((store): ComponentSpec[] => [
    {
      name: `${store}-backup`, phase: 'system', talksTo: [store], workload: 'CronJob', image: BACKUP_IMAGES[store], imageTag: '8.0.0',
      enabled: () => true, schedule: BACKUP_SCHEDULES[store], ports: [], resources: TOOL, env: backupEnv(store), secrets: backupSecrets(store),
      args: () => ['backup'],
    },
    {
      // Suspended template: `kubectl create job --from=cronjob/<store>-restore ...` runs it on demand.
      name: `${store}-restore`, phase: 'system', talksTo: [store], workload: 'CronJob', image: BACKUP_IMAGES[store], imageTag: '8.0.0',
      enabled: () => true, schedule: NEVER, suspend: true, ports: [], resources: TOOL, env: backupEnv(store), secrets: backupSecrets(store),
      args: () => ['restore'],
    },
  ]),
  {
    name: 'active-listening', phase: 'system', workload: 'CronJob', image: 'tools/active-listening', enabled: (c) => c.active_listening_enabled,
    namespace: () => ACTIVE_LISTENING_NAMESPACE, schedule: '0 4 * * *', ports: [], resources: TOOL,
    env: (c) => ({
      CONVERSATIONS_PLATFORM: c.fourth_platform.conversations.platform, CONVERSATIONS_BUCKET: c.fourth_platform.conversations.bucket,
      CONVERSATIONS_DAYS_TO_FIND: c.fourth_platform.conversations.days_to_find,
    }),
    secrets: () => ({
      ACTIVE_LISTENING_ENCRYPTION_KEY: 'active_listening_encryption_key',
      CONVERSATIONS_ACCESS_KEY: 'fourth_platform.conversations.access_key',
      CONVERSATIONS_SECRET_KEY: 'fourth_platform.conversations.secret_key',
    }),
  },
];

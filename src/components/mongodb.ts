import type { AlertRule, RuleSet } from '../platform/alert-rules';
import type { Config } from '../profile/config.generated';
import { fixedReplicas, type Component, type EnvValues, type Platform, type ResourceSpec } from '../platform/types';
import { JOB_DEADLINES, JOB_FILES, SCRIPT_ENV, scriptFiles } from './job-tools';
import { ATLAS_CONNECTION_KEYS, ATLAS_SERVICES_USER, atlasConnectionSecretName, atlasNames, atlasServicesUsername, MONGODB_ADMIN_USER } from './atlas';

/**
 * MongoDB in the cluster (a three-member replica set in aura-system) when the profile does not
 * use Atlas, and the Job that initiates the replica set and its admin user.
 */
/** The replica set name the guide's connection strings use. */
export const MONGODB_REPLICA_SET = 'aura_replicaset';
const MEMBERS = 3;
/** The MongoDB image (docker.io/library/mongo): mongod for the members, mongosh for their provisioning. */
export const MONGO_IMAGE = { image: 'thirdparty/mongo', imageTag: '7.0.14' } as const;
const MONGODB: ResourceSpec = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } };
const TOOL: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };

export const inClusterMongo = (c: Config): boolean => c.atlas_enabled === false;
/** The members' addresses, as a client's seed list. */
export const mongodbHosts = (p: Platform): string => Array.from({ length: MEMBERS }, (_, i) => p.endpoint('mongodb', 'mongodb').member(i)).join(',');

const ADMIN_PASSWORD = 'kv:mongodb-adminuser-password';
const PROVISION_SCRIPT = 'mongodb-provision.js';
const KEY_SOURCE = '/mnt/secrets-store/mongodb-replica-set-key';
/** mongod refuses a keyFile readable by others: an init container copies it here with mode 0400. */
const KEY_FILE = '/etc/mongodb-keyfile/keyfile';

/**
 * How a client reaches MongoDB, the same for every client: MONGODB_URI, MONGODB_USER and
 * MONGODB_PASSWORD. With Atlas, all three come from the connection Secret the operator writes
 * for the namespace's database user (the admin user in aura-system, the core services' own user
 * in a core namespace). In the cluster, the seed list and user are configuration and the
 * password is the admin user's Key Vault secret, the one the server was initialised with.
 */
export const mongodbClient = {
  env: (p: Platform): EnvValues =>
    inClusterMongo(p.config)
      ? { MONGODB_URI: `mongodb://${mongodbHosts(p)}/?replicaSet=${MONGODB_REPLICA_SET}&authSource=admin`, MONGODB_USER: MONGODB_ADMIN_USER }
      : {},
  secrets: (p: Platform): Record<string, string> => (inClusterMongo(p.config) ? { MONGODB_PASSWORD: ADMIN_PASSWORD } : {}),
  generatedSecrets: (p: Platform, where: 'system' | 'core'): Record<string, { secret: string; key: string }> => {
    if (inClusterMongo(p.config)) return {};
    const n = atlasNames(p.config);
    const secret = atlasConnectionSecretName(n.project, n.cluster, where === 'system' ? n.adminUsername : atlasServicesUsername(p.config));
    return {
      MONGODB_URI: { secret, key: ATLAS_CONNECTION_KEYS.uri },
      MONGODB_USER: { secret, key: ATLAS_CONNECTION_KEYS.username },
      MONGODB_PASSWORD: { secret, key: ATLAS_CONNECTION_KEYS.password },
    };
  },
};
export { ATLAS_SERVICES_USER };
/** Member state 1 is PRIMARY (MongoDB's replSetGetStatus). */
const PRIMARY = 1;
const members = 'mongodb_rs_members_state{job="mongodb-exporter"}';

/** The in-cluster replica set, from mongodb-exporter (only when Atlas is off: Atlas watches its own). */
export const MONGODB_RULES: RuleSet = {
  name: 'mongodb',
  enabled: (c) => c.atlas_enabled === false,
  rules: [
    {
      alert: 'MongoDBReplicaSetMemberUnhealthy',
      expr: 'mongodb_rs_members_health{job="mongodb-exporter"} == 0',
      for: '5m',
      severity: 'warning',
      summary: 'MongoDB member {{ $labels.member_idx }} is unhealthy',
      description: 'The replica set sees {{ $labels.member_idx }} as down: one more failure and it loses its majority.',
    },
    {
      alert: 'MongoDBReplicaSetNoPrimary',
      expr: `count(${members}) unless count(${members} == ${PRIMARY})`,
      for: '2m',
      severity: 'critical',
      summary: 'The MongoDB replica set has no primary',
      description: 'No member is PRIMARY: every write of the Aura services fails.',
    },
  ],
};


export const mongodb: Component = {
  name: 'mongodb',
  alertRules: [MONGODB_RULES],
  workloads: [
    {
      name: 'mongodb', phase: 'system', talksTo: ['mongodb'], workload: 'StatefulSet', ...MONGO_IMAGE, enabled: inClusterMongo,
      scale: fixedReplicas(MEMBERS), ports: [{ name: 'mongodb', port: 27017 }], resources: MONGODB, volume: { mountPath: '/data/db', size: '50Gi' },
      args: () => ['--replSet', MONGODB_REPLICA_SET, '--bind_ip_all', '--auth', '--keyFile', KEY_FILE],
      // The root user the image creates on an empty volume, the admin user every client logs in as.
      env: () => ({ MONGO_INITDB_ROOT_USERNAME: MONGODB_ADMIN_USER }),
      secrets: () => ({ MONGO_INITDB_ROOT_PASSWORD: ADMIN_PASSWORD, MONGODB_REPLICA_SET_KEY: 'kv:mongodb-replica-set-key' }),
      // The replica-set key comes from the Key Vault mount, whose files mongod finds too open.
      scratch: [{ name: 'keyfile', mountPath: KEY_FILE.slice(0, KEY_FILE.lastIndexOf('/')) }],
      init: { name: 'keyfile', command: () => ['sh', '-c', `cp ${KEY_SOURCE} ${KEY_FILE} && chmod 0400 ${KEY_FILE}`] },
    },
    {
      // Initiates the replica set on a first install; a re-run finds it initiated and changes nothing.
      name: 'mongodb-provision', app: 'mongodb', phase: 'system', talksTo: ['mongodb'], workload: 'Job', ...MONGO_IMAGE, enabled: inClusterMongo,
      ports: [], resources: TOOL, deadlineSeconds: JOB_DEADLINES.provision,
      files: () => scriptFiles(PROVISION_SCRIPT), filesPath: JOB_FILES,
      command: () => ['mongosh', '--nodb', '--quiet', '--file', `${JOB_FILES}/${PROVISION_SCRIPT}`],
      env: (p) => ({ ...SCRIPT_ENV, MONGODB_HOSTS: mongodbHosts(p), MONGODB_REPLICA_SET, MONGODB_ADMIN_USER }),
      secrets: () => ({ MONGODB_ADMIN_PASSWORD: ADMIN_PASSWORD }),
    },
  ],
  policies: [{ target: 'mongodb', ports: ['mongodb'], form: 'pod-in-namespace' }],
};

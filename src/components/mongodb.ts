import type { Config } from '../profile/config.generated';
import { fixedReplicas, type Component, type Platform, type ResourceSpec } from '../platform/types';

/**
 * MongoDB in the cluster (a three-member replica set in aura-system) when the profile does not
 * use Atlas, and the Job that initiates the replica set and its admin user.
 */
/** The replica set name the guide's connection strings use. */
export const MONGODB_REPLICA_SET = 'aura_replicaset';
const MEMBERS = 3;
const MONGODB: ResourceSpec = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } };
const TOOL: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };

export const inClusterMongo = (c: Config): boolean => c.atlas_enabled === false;
/** The members' addresses, as a client's seed list. */
export const mongodbHosts = (p: Platform): string => Array.from({ length: MEMBERS }, (_, i) => p.endpoint('mongodb', 'mongodb').member(i)).join(',');

export const mongodb: Component = {
  name: 'mongodb',
  workloads: [
    {
      name: 'mongodb', phase: 'system', talksTo: ['mongodb'], workload: 'StatefulSet', image: 'thirdparty/mongo', imageTag: '7.0.14', enabled: inClusterMongo,
      scale: fixedReplicas(MEMBERS), ports: [{ name: 'mongodb', port: 27017 }], resources: MONGODB, volume: { mountPath: '/data/db', size: '50Gi' },
      args: () => ['--replSet', MONGODB_REPLICA_SET, '--bind_ip_all', '--auth', '--keyFile', '/mnt/secrets-store/mongodb-replica-set-key'],
      // The replica-set key is read as a file from the Key Vault mount.
      secrets: () => ({ MONGO_INITDB_ROOT_PASSWORD: 'kv:mongodb-adminuser-password', MONGODB_REPLICA_SET_KEY: 'kv:mongodb-replica-set-key' }),
    },
    {
      name: 'mongodb-provision', app: 'mongodb', phase: 'system', talksTo: ['mongodb'], workload: 'Job', image: 'tools/mongo-backup', imageTag: '8.0.0', enabled: inClusterMongo,
      ports: [], resources: TOOL, env: (p) => ({ MONGODB_HOSTS: mongodbHosts(p), MONGODB_REPLICA_SET, MONGODB_ADMIN_USER: 'adminuser' }),
      secrets: () => ({ MONGODB_ADMIN_PASSWORD: 'kv:mongodb-adminuser-password' }),
    },
  ],
  policies: [{ target: 'mongodb', ports: ['mongodb'], form: 'pod-in-namespace' }],
};

import { fixedReplicas, SINGLETON, type Component, type Platform, type PortSpec, type ResourceSpec, type SidecarSpec } from '../platform/types';

/**
 * Thanos: long-term metrics in Azure Blob Storage. The sidecar beside each Prometheus replica
 * uploads blocks and serves them over gRPC; the querier merges the sidecars and the store
 * gateway; the compactor (one only) compacts and downsamples the bucket.
 */
const THANOS_TAG = 'v0.36.1';
/** The Key Vault secret holding Thanos' whole objstore configuration (it embeds the storage key). */
export const THANOS_OBJSTORE_SECRET = 'thanos-objstore-config';
const OBJSTORE_FILE = `/mnt/secrets-store/${THANOS_OBJSTORE_SECRET}`;
const GRPC: PortSpec = { name: 'grpc', port: 10901 };
const HTTP: PortSpec = { name: 'http', port: 10902 };
const THANOS_PORTS = [GRPC, HTTP];
const listen = (...ports: PortSpec[]) => ports.map((p) => `--${p.name}-address=0.0.0.0:${p.port}`);

const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const MEDIUM: ResourceSpec = { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };

/** The objstore configuration, read as a file from the Key Vault mount. */
export const objstoreSecret = () => ({ THANOS_OBJSTORE_CONFIG: `kv:${THANOS_OBJSTORE_SECRET}` });

/** Beside each Prometheus replica: exposes its data over the gRPC StoreAPI and uploads blocks to Azure Blob Storage. */
export const thanosSidecar = (prometheusUrl: string): SidecarSpec => ({
  name: 'thanos-sidecar', image: 'thirdparty/thanos', imageTag: THANOS_TAG, resources: SMALL,
  ports: [GRPC, { name: 'exposed', port: HTTP.port }],
  args: () => ['sidecar', '--tsdb.path=/prometheus', `--prometheus.url=${prometheusUrl}`, ...listen(GRPC, HTTP), `--objstore.config-file=${OBJSTORE_FILE}`],
});

const storeEndpoint = (p: Platform, owner: string) => `--endpoint=dnssrv+${p.endpoint(owner, 'grpc').srv}`;

export const thanos: Component = {
  name: 'thanos',
  workloads: [
    {
      name: 'thanos-querier', app: 'thanos', phase: 'system', talksTo: ['prometheus', 'thanos'], workload: 'Deployment', image: 'thirdparty/thanos', imageTag: THANOS_TAG,
      scale: fixedReplicas(2), ports: THANOS_PORTS, resources: MEDIUM, scrape: { port: 'http' },
      args: (p) => ['query', ...listen(GRPC, HTTP), '--query.replica-label=prometheus_replica', storeEndpoint(p, 'prometheus'), storeEndpoint(p, 'thanos-store-gateway')],
    },
    {
      name: 'thanos-store-gateway', app: 'thanos', phase: 'system', talksTo: ['thanos'], workload: 'StatefulSet', image: 'thirdparty/thanos', imageTag: THANOS_TAG,
      scale: fixedReplicas(2), ports: THANOS_PORTS, resources: MEDIUM, scrape: { port: 'http' }, volume: { mountPath: '/data', size: '10Gi' }, secrets: objstoreSecret,
      args: () => ['store', '--data-dir=/data', ...listen(GRPC, HTTP), `--objstore.config-file=${OBJSTORE_FILE}`],
    },
    {
      // A singleton: two compactors on one bucket corrupt it.
      name: 'thanos-compact', app: 'thanos', phase: 'system', workload: 'StatefulSet', image: 'thirdparty/thanos', imageTag: THANOS_TAG, scale: SINGLETON,
      ports: [HTTP], resources: MEDIUM, scrape: { port: 'http' }, volume: { mountPath: '/data', size: '20Gi' }, secrets: objstoreSecret,
      args: () => ['compact', '--wait', '--data-dir=/data', ...listen(HTTP), `--objstore.config-file=${OBJSTORE_FILE}`, '--downsampling.disable=false'],
    },
  ],
  policies: [{ target: 'thanos', ports: [{ numberOf: 'grpc' }, { numberOf: 'http' }], form: 'pod-in-namespace' }],
};

import type { RuleSet } from '../platform/alert-rules';
import { SYSTEM_NAMESPACE } from '../platform/naming';
import { endpointsJob } from '../platform/scrape';
import { fixedReplicas, SINGLETON, type Component, type Platform, type PortSpec, type ResourceSpec, type SidecarSpec } from '../platform/types';

/**
 * Thanos: long-term metrics in Azure Blob Storage. The sidecar beside each Prometheus replica
 * uploads blocks and serves them over gRPC; the querier merges the sidecars and the store
 * gateway; the compactor (one only) compacts and downsamples the bucket.
 */
const THANOS_TAG = 'v0.36.1';
/** The Key Vault secret holding Thanos' whole objstore configuration (it embeds the storage key). */
export const THANOS_OBJSTORE_SECRET = 'thanos-objstore-config';
/** Blob container of the Thanos blocks in the common storage account; the objstore configuration names it. */
export const THANOS_CONTAINER = 'thanos';
const OBJSTORE_FILE = `/mnt/secrets-store/${THANOS_OBJSTORE_SECRET}`;
const GRPC: PortSpec = { name: 'grpc', port: 10901 };
const HTTP: PortSpec = { name: 'http', port: 10902 };
const THANOS_PORTS = [GRPC, HTTP];
const listen = (...ports: PortSpec[]) => ports.map((p) => `--${p.name}-address=0.0.0.0:${p.port}`);

const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const MEDIUM: ResourceSpec = { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };

/** The objstore configuration, read as a file from the Key Vault mount (Thanos reads no variable for it). */
export const objstoreFile = (): string[] => [`kv:${THANOS_OBJSTORE_SECRET}`];

/** Beside each Prometheus replica: exposes its data over the gRPC StoreAPI and uploads blocks to Azure Blob Storage. */
/** The sidecar's HTTP port (metrics), under the guide's name on the Prometheus Service. */
const SIDECAR_HTTP: PortSpec = { name: 'exposed', port: HTTP.port };

export const thanosSidecar = (prometheusUrl: string): SidecarSpec => ({
  name: 'thanos-sidecar', image: 'thirdparty/thanos', imageTag: THANOS_TAG, resources: SMALL,
  ports: [GRPC, SIDECAR_HTTP],
  args: () => ['sidecar', '--tsdb.path=/prometheus', `--prometheus.url=${prometheusUrl}`, ...listen(GRPC, HTTP), `--objstore.config-file=${OBJSTORE_FILE}`],
});

const storeEndpoint = (p: Platform, owner: string) => `--endpoint=dnssrv+${p.endpoint(owner, 'grpc').srv}`;

/** Long-term storage: a halted compactor stops compaction and downsampling; a sidecar that cannot upload loses history after 15 days. */
export const THANOS_RULES: RuleSet = {
  name: 'thanos',
  rules: [
    {
      alert: 'ThanosCompactHalted',
      expr: 'thanos_compact_halted{job="thanos-compact"} == 1',
      for: '5m',
      severity: 'warning',
      summary: 'thanos-compact has halted',
      description: 'thanos-compact stopped on an error (often an overlapping or corrupt block): the bucket is neither compacted nor downsampled.',
    },
    {
      alert: 'ThanosSidecarUploadFailures',
      expr: 'increase(thanos_shipper_upload_failures_total{job="thanos-sidecar"}[30m]) > 0',
      severity: 'warning',
      summary: 'thanos-sidecar of {{ $labels.pod }} fails to upload blocks',
      description: 'Blocks of {{ $labels.pod }} do not reach Azure Blob Storage: after the local 15 days they are lost.',
    },
    {
      alert: 'ThanosSidecarBucketOperationsFailing',
      expr: 'sum by (pod, operation) (rate(thanos_objstore_bucket_operation_failures_total{job="thanos-sidecar"}[5m])) > 0',
      for: '15m',
      severity: 'warning',
      summary: 'thanos-sidecar of {{ $labels.pod }} fails bucket {{ $labels.operation }} operations',
      description: 'The object store refuses {{ $labels.operation }} requests of {{ $labels.pod }}: check the thanos-objstore-config secret and the storage account.',
    },
  ],
};

export const thanos: Component = {
  name: 'thanos',
  alertRules: [THANOS_RULES],
  // The sidecar runs in the Prometheus pods: its own job, so its upload metrics carry job="thanos-sidecar".
  scrapeJobs: () => [endpointsJob({ job: 'thanos-sidecar', service: 'prometheus', namespace: SYSTEM_NAMESPACE, port: SIDECAR_HTTP.name })],
  workloads: [
    {
      name: 'thanos-querier', app: 'thanos', phase: 'system', talksTo: ['prometheus', 'thanos'], workload: 'Deployment', image: 'thirdparty/thanos', imageTag: THANOS_TAG,
      scale: fixedReplicas(2), ports: THANOS_PORTS, resources: MEDIUM, scrape: { port: 'http' },
      args: (p) => ['query', ...listen(GRPC, HTTP), '--query.replica-label=prometheus_replica', storeEndpoint(p, 'prometheus'), storeEndpoint(p, 'thanos-store-gateway')],
    },
    {
      name: 'thanos-store-gateway', app: 'thanos', phase: 'system', talksTo: ['thanos'], workload: 'StatefulSet', image: 'thirdparty/thanos', imageTag: THANOS_TAG,
      scale: fixedReplicas(2), ports: THANOS_PORTS, resources: MEDIUM, scrape: { port: 'http' }, volume: { mountPath: '/data', size: '10Gi' }, secretFiles: objstoreFile,
      args: () => ['store', '--data-dir=/data', ...listen(GRPC, HTTP), `--objstore.config-file=${OBJSTORE_FILE}`],
    },
    {
      // A singleton: two compactors on one bucket corrupt it.
      name: 'thanos-compact', app: 'thanos', phase: 'system', workload: 'StatefulSet', image: 'thirdparty/thanos', imageTag: THANOS_TAG, scale: SINGLETON,
      ports: [HTTP], resources: MEDIUM, scrape: { port: 'http' }, volume: { mountPath: '/data', size: '20Gi' }, secretFiles: objstoreFile,
      args: () => ['compact', '--wait', '--data-dir=/data', ...listen(HTTP), `--objstore.config-file=${OBJSTORE_FILE}`, '--downsampling.disable=false',
        // Both Prometheus replicas upload their blocks: the compactor merges them on the replica label.
        '--deduplication.replica-label=prometheus_replica', '--deduplication.func=penalty'],
    },
  ],
  policies: [{ target: 'thanos', ports: [{ numberOf: 'grpc' }, { numberOf: 'http' }], form: 'pod-in-namespace' }],
};

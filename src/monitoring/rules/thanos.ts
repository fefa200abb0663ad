import type { RuleSet } from '../alert-rules';

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

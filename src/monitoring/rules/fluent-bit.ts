import type { RuleSet } from '../alert-rules';
import { SYSTEM_NAMESPACE } from '../../platform/naming';

const AGGREGATOR = 'fluent-bit-aggregator';
/** The aggregator's buffer: the claim template `data` of its StatefulSet. */
const bufferClaims = `data-${AGGREGATOR}-[0-9]+`;
const buffer = (metric: string) => `kubelet_volume_stats_${metric}_bytes{namespace="${SYSTEM_NAMESPACE}", persistentvolumeclaim=~"${bufferClaims}"}`;

/** The aggregator between the nodes and Elasticsearch: retries mean Elasticsearch refuses; a growing buffer means logs wait. */
export const FLUENT_BIT_RULES: RuleSet = {
  name: AGGREGATOR,
  rules: [
    {
      alert: 'FluentBitAggregatorRetrying',
      expr: `sum by (pod, name) (rate(fluentbit_output_retries_total{job="${AGGREGATOR}"}[5m])) > 0`,
      for: '15m',
      severity: 'warning',
      summary: 'Aggregator {{ $labels.pod }} keeps retrying output {{ $labels.name }}',
      description: 'Output {{ $labels.name }} of {{ $labels.pod }} has retried for 15 minutes: its destination refuses or is slow, and the buffer grows.',
    },
    {
      alert: 'FluentBitAggregatorDroppingLogs',
      expr: `sum by (pod, name) (increase(fluentbit_output_retries_failed_total{job="${AGGREGATOR}"}[10m])) > 0`,
      severity: 'critical',
      summary: 'Aggregator {{ $labels.pod }} dropped logs of output {{ $labels.name }}',
      description: 'Output {{ $labels.name }} of {{ $labels.pod }} gave up on records after its last retry: those logs are lost.',
    },
    {
      alert: 'FluentBitAggregatorBufferGrowing',
      expr: `${buffer('used')} / ${buffer('capacity')} > 0.5
  and deriv(${buffer('used')}[30m]) > 0`,
      for: '15m',
      severity: 'warning',
      summary: 'Log buffer {{ $labels.persistentvolumeclaim }} is more than half full and growing',
      description: 'The aggregator cannot deliver as fast as logs arrive; when the buffer fills, new logs are refused.',
    },
  ],
};

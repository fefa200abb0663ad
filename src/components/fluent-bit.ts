import type { RuleSet } from '../platform/alert-rules';
import { SYSTEM_NAMESPACE } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { elasticAdminSecrets, LOG_STREAMS } from './elasticsearch';
import { SINGLETON, type Component, type Platform, type PortSpec, type ResourceSpec } from '../platform/types';

/**
 * Logging: fluent-bit on every node forwards container logs to the aggregator, which buffers on
 * disk, indexes into Elasticsearch (and the NGINX App Protect security logs with NGINX Plus) and
 * forwards to remote servers when asked; azure-logger feeds Azure's logs into the same pipeline.
 */
const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };
const FLUENT: ResourceSpec = { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '100m', memory: '512Mi' } };
const AGGREGATOR: ResourceSpec = { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } };
const FLUENT_BIT_TAG = '3.1.9';
const HTTP_SERVER = 2020;
const FORWARD: PortSpec = { name: 'forward', port: 24224 };
const SYSLOG: PortSpec = { name: 'syslog', port: 5140 };
/** The aggregator's HTTP input: azure-logger posts Azure's logs here (JSON records). */
const HTTP_INPUT: PortSpec = { name: 'http-input', port: 9880 };
const AZURE_TAG = 'azure';
const CONFIG_PATH = '/fluent-bit/etc/conf';

/** fluent-bit on every node: container logs, enriched with Kubernetes metadata, forwarded to the aggregator. */
const fluentBitConfig = (p: Platform) => {
  const aggregator = p.endpoint('fluent-bit-aggregator', 'forward');
  return `[SERVICE]
    Flush         5
    Log_Level     info
    Parsers_File  /fluent-bit/etc/parsers.conf
    HTTP_Server   On
    HTTP_Listen   0.0.0.0
    HTTP_Port     ${HTTP_SERVER}

[INPUT]
    Name              tail
    Path              /host/var/log/containers/*.log
    multiline.parser  cri
    Tag               kube.*
    Mem_Buf_Limit     50MB
    Skip_Long_Lines   On

[FILTER]
    Name       kubernetes
    Match      kube.*
    Kube_Tag_Prefix  kube.host.var.log.containers.
    Merge_Log  On

[OUTPUT]
    Name   forward
    Match  *
    Host   ${aggregator.host}
    Port   ${aggregator.port}
`;
};

/** The aggregator: buffers on disk, indexes into Elasticsearch, and forwards to remote servers when asked. */
export function aggregatorConfig(p: Platform): string {
  const c = p.config;
  const es = p.endpoint('elasticsearch', 'https');
  const sections = [
    `[SERVICE]
    Flush                      5
    HTTP_Server                On
    HTTP_Listen                0.0.0.0
    HTTP_Port                  ${HTTP_SERVER}
    storage.path               /buffer
    storage.sync               normal
    storage.backlog.mem_limit  64M
`,
    `[INPUT]
    Name          forward
    Listen        0.0.0.0
    Port          ${FORWARD.port}
    storage.type  filesystem
`,
    `[INPUT]
    Name          http
    Listen        0.0.0.0
    Port          ${HTTP_INPUT.port}
    Tag           ${AZURE_TAG}
    storage.type  filesystem
`,
    ...(c.nginx_plus_enabled
      ? [`[INPUT]
    Name          syslog
    Mode          tcp
    Listen        0.0.0.0
    Port          ${SYSLOG.port}
    Tag           waf
    storage.type  filesystem
`]
      : []),
    // Each stream is written through its rollover alias, so the ILM policy rolls it over and deletes it.
    ...[
      { stream: LOG_STREAMS.services, match: `Match_Regex               ^(${LOG_STREAMS.services.match.replace('.', '\\.').replace('*', '.*')}|${AZURE_TAG})$` },
      ...(c.nginx_plus_enabled ? [{ stream: LOG_STREAMS.waf, match: `Match                     ${LOG_STREAMS.waf.match}` }] : []),
    ].map(({ stream, match }) => `[OUTPUT]
    Name                      es
    ${match}
    Host                      ${es.host}
    Port                      ${es.port}
    tls                       On
    tls.verify                Off
    HTTP_User                 \${ELASTIC_USERNAME}
    HTTP_Passwd               \${ELASTIC_PASSWORD}
    Index                     ${stream.alias}
    Time_Key                  @timestamp
    Suppress_Type_Name        On
    Retry_Limit               False
    storage.total_limit_size  8G
`),
    ...(c.external_forwarding?.remote_servers ?? []).map((s) => `[OUTPUT]
    Name        forward
    Match       *
    Host        ${s.hostname}
    Port        ${s.port}
    Shared_Key  \${FORWARD_SHARED_KEY}
    tls         ${c.external_forwarding?.tls_config.tls_enabled === false ? 'Off' : 'On'}
    tls.verify  On
`),
  ];
  return sections.join('\n');
}

const AGGREGATOR_JOB = 'fluent-bit-aggregator';
/** The aggregator's buffer: the claim template `data` of its StatefulSet. */
const bufferClaims = `data-${AGGREGATOR_JOB}-[0-9]+`;
const buffer = (metric: string) => `kubelet_volume_stats_${metric}_bytes{namespace="${SYSTEM_NAMESPACE}", persistentvolumeclaim=~"${bufferClaims}"}`;

/** The aggregator between the nodes and Elasticsearch: retries mean Elasticsearch refuses; a growing buffer means logs wait. */
export const FLUENT_BIT_RULES: RuleSet = {
  name: AGGREGATOR_JOB,
  rules: [
    {
      alert: 'FluentBitAggregatorRetrying',
      expr: `sum by (pod, name) (rate(fluentbit_output_retries_total{job="${AGGREGATOR_JOB}"}[5m])) > 0`,
      for: '15m',
      severity: 'warning',
      summary: 'Aggregator {{ $labels.pod }} keeps retrying output {{ $labels.name }}',
      description: 'Output {{ $labels.name }} of {{ $labels.pod }} has retried for 15 minutes: its destination refuses or is slow, and the buffer grows.',
    },
    {
      alert: 'FluentBitAggregatorDroppingLogs',
      expr: `sum by (pod, name) (increase(fluentbit_output_retries_failed_total{job="${AGGREGATOR_JOB}"}[10m])) > 0`,
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

export const fluentBit: Component = {
  name: 'fluent-bit',
  alertRules: [FLUENT_BIT_RULES],
  workloads: [
    {
      name: 'fluent-bit', phase: 'system', talksTo: ['fluent-bit-aggregator'], workload: 'DaemonSet', image: 'thirdparty/fluent-bit', imageTag: FLUENT_BIT_TAG,
      ports: [{ name: 'metrics', port: HTTP_SERVER }], resources: FLUENT, scrape: { port: 'metrics', path: '/api/v1/metrics/prometheus' },
      host: { paths: [{ name: 'var-log', path: '/var/log' }], root: true },
      files: (p) => ({ 'fluent-bit.conf': fluentBitConfig(p) }), filesPath: CONFIG_PATH,
      args: () => ['-c', `${CONFIG_PATH}/fluent-bit.conf`],
      clusterAccess: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      name: 'fluent-bit-aggregator', phase: 'system', talksTo: ['elasticsearch'], workload: 'StatefulSet', image: 'thirdparty/fluent-bit', imageTag: FLUENT_BIT_TAG,
      scale: { mode: 'fixed', replicas: (c) => c.fluent_bit_aggregator.replicas }, resources: AGGREGATOR, scrape: { port: 'http', path: '/api/v1/metrics/prometheus' },
      ports: [FORWARD, { name: 'http', port: HTTP_SERVER }, HTTP_INPUT],
      // NGINX App Protect logs to the syslog input (NGINX Plus only).
      profilePorts: (c: Config) => (c.nginx_plus_enabled ? [SYSLOG] : []),
      // The buffer that survives an Elasticsearch outage.
      volume: { mountPath: '/buffer', size: '10Gi' },
      files: (p) => ({ 'fluent-bit.conf': aggregatorConfig(p) }), filesPath: CONFIG_PATH,
      args: () => ['-c', `${CONFIG_PATH}/fluent-bit.conf`],
      secrets: ({ config: c }): Record<string, string> => ({
        ...elasticAdminSecrets('ELASTIC_USERNAME', 'ELASTIC_PASSWORD'),
        ...(c.external_forwarding ? { FORWARD_SHARED_KEY: 'external_forwarding.secret_shared_key' } : {}),
      }),
    },
    {
      name: 'azure-logger', phase: 'system', talksTo: ['fluent-bit-aggregator', 'fluent-bit'], workload: 'Deployment', image: 'tools/azure-logger', scale: SINGLETON,
      ports: [{ name: 'http', port: 8080 }], resources: SMALL,
      // The aggregator's HTTP input, not its monitoring server.
      env: (p) => ({ FLUENT_BIT_AGGREGATOR_URL: p.endpoint('fluent-bit-aggregator', HTTP_INPUT.name).url('http') }),
    },
  ],
  policies: [
    // Added to the guide's: fluent-bit forwards on `forward`; NGINX App Protect logs to `syslog` (NGINX Plus only).
    // Added: the HTTP input azure-logger posts to.
    { target: 'fluent-bit-aggregator', ports: (c) => ['http', 'forward', HTTP_INPUT.name, ...(c.nginx_plus_enabled ? ['syslog'] : [])], form: 'pod-in-namespace' },
    { target: 'fluent-bit', ports: ['metrics'], form: 'pod-in-namespace' },
  ],
};

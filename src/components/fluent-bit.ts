import type { Config } from '../profile/config.generated';
import { fixedReplicas, SINGLETON, type Component, type Platform, type PortSpec, type ResourceSpec } from '../platform/types';

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
    ...(['kube.*', ...(c.nginx_plus_enabled ? ['waf'] : [])] as const).map((match) => `[OUTPUT]
    Name                      es
    Match                     ${match}
    Host                      ${es.host}
    Port                      ${es.port}
    tls                       On
    tls.verify                Off
    HTTP_User                 elastic
    HTTP_Passwd               \${ELASTIC_PASSWORD}
    Logstash_Format           On
    Logstash_Prefix           ${match === 'waf' ? 'aurak8s-waf' : 'aura-services'}
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

export const fluentBit: Component = {
  name: 'fluent-bit',
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
      scale: fixedReplicas(3), resources: AGGREGATOR, scrape: { port: 'http', path: '/api/v1/metrics/prometheus' },
      ports: [FORWARD, { name: 'http', port: HTTP_SERVER }],
      // NGINX App Protect logs to the syslog input (NGINX Plus only).
      profilePorts: (c: Config) => (c.nginx_plus_enabled ? [SYSLOG] : []),
      // The buffer that survives an Elasticsearch outage.
      volume: { mountPath: '/buffer', size: '10Gi' },
      files: (p) => ({ 'fluent-bit.conf': aggregatorConfig(p) }), filesPath: CONFIG_PATH,
      args: () => ['-c', `${CONFIG_PATH}/fluent-bit.conf`],
      secrets: ({ config: c }): Record<string, string> => ({
        ELASTIC_PASSWORD: 'elastic_admin_password',
        ...(c.external_forwarding ? { FORWARD_SHARED_KEY: 'external_forwarding.secret_shared_key' } : {}),
      }),
    },
    {
      name: 'azure-logger', phase: 'system', talksTo: ['fluent-bit-aggregator', 'fluent-bit'], workload: 'Deployment', image: 'tools/azure-logger', scale: SINGLETON,
      ports: [{ name: 'http', port: 8080 }], resources: SMALL,
      env: (p) => ({ FLUENT_BIT_AGGREGATOR_URL: p.endpoint('fluent-bit-aggregator', 'http').url('http') }),
    },
  ],
  policies: [
    // Added to the guide's: fluent-bit forwards on `forward`; NGINX App Protect logs to `syslog` (NGINX Plus only).
    { target: 'fluent-bit-aggregator', ports: (c) => ['http', 'forward', ...(c.nginx_plus_enabled ? ['syslog'] : [])], form: 'pod-in-namespace' },
    { target: 'fluent-bit', ports: ['metrics'], form: 'pod-in-namespace' },
  ],
};

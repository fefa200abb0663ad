/**
 * What each third-party program reads, at the image version we pin: its command-line flags and
 * environment variables, read from the program's source at that tag (the file named in `source`).
 * The wiring check refuses a container given a flag or variable its program does not read, and a
 * record whose version is not the image's (a bumped image needs its record read again); the
 * contract tests (test/programs/) start the Debian build of each program with these facts.
 *
 * A leaf: imports nothing.
 */

/** How the program parses its command line: the forms a flag may take. */
export type FlagStyle =
  /** alecthomas/kingpin: `--name=value`, `--name value`, `--no-name` for a boolean. */
  | 'kingpin'
  /** alecthomas/kong: as kingpin; `--no-name` only for a negatable flag, listed as such. */
  | 'kong'
  /** Go's flag package (and peterbourgon/ff over it): `-name=value` or `--name=value`. */
  | 'go-flag'
  /** spf13/pflag: `--name=value`. */
  | 'pflag'
  /** Python click: `--name value` or `--name=value`. */
  | 'click'
  /** redis-server: a configuration file, then `--directive value` pairs. */
  | 'redis';

export interface ProgramRecord {
  /** The upstream program. */
  program: string;
  /** Image repository below the registry, as components pin it. */
  image: string;
  /** The tag this record was read at: the image tag must be this one. */
  version: string;
  /** Where the facts come from: repository, tag, files. */
  source: string;
  flagStyle: FlagStyle;
  /** Flag names without dashes. */
  flags: readonly string[];
  /** Families the program generates (`collector.<name>`), as name prefixes. @default none */
  flagPrefixes?: readonly string[];
  /** What a bare argument is (a subcommand, a configuration file). @default no bare argument is read */
  positional?: string;
  /** Environment variables it reads. */
  env: readonly string[];
  /** Families of variables it reads, as name prefixes (`GF_`). @default none */
  envPrefixes?: readonly string[];
  /** It expands `${VAR}` of its environment inside its configuration files, when this flag is given. @default never */
  expandsEnvInFilesWith?: string;
  /** Where it listens unless told otherwise: the flag and its default (the contract tests move it to loopback). */
  listen?: { flag: string; default: string };
  /** What changed around this version that the wiring must know. */
  notes?: string;
}

/** kingpin flags prometheus/exporter-toolkit adds (web/kingpinflag) to every Prometheus-project program. */
const TOOLKIT_WEB = ['web.listen-address', 'web.config.file', 'web.systemd-socket'];
/** kingpin flags prometheus/common/promlog adds. */
const PROMLOG = ['log.level', 'log.format'];
const KINGPIN_COMMON = ['help', 'version'];

export const PROGRAMS: readonly ProgramRecord[] = [
  {
    program: 'prometheus', image: 'thirdparty/prometheus', version: 'v2.54.1',
    source: 'prometheus/prometheus v2.54.1 cmd/prometheus/main.go (a.Flag, serverOnlyFlag, agentOnlyFlag, promlogflag)',
    flagStyle: 'kingpin',
    flags: [
      ...KINGPIN_COMMON, ...PROMLOG, 'web.config.file', 'config.file', 'web.listen-address', 'auto-gomemlimit.ratio', 'web.read-timeout', 'web.max-connections', 'web.external-url',
      'web.route-prefix', 'web.user-assets', 'web.enable-lifecycle', 'web.enable-admin-api', 'web.enable-remote-write-receiver',
      'web.remote-write-receiver.accepted-protobuf-messages', 'web.console.templates', 'web.console.libraries', 'web.page-title', 'web.cors.origin',
      'storage.tsdb.path', 'storage.tsdb.min-block-duration', 'storage.tsdb.max-block-duration', 'storage.tsdb.max-block-chunk-segment-size',
      'storage.tsdb.wal-segment-size', 'storage.tsdb.retention', 'storage.tsdb.retention.time', 'storage.tsdb.retention.size', 'storage.tsdb.no-lockfile',
      'storage.tsdb.allow-overlapping-blocks', 'storage.tsdb.wal-compression', 'storage.tsdb.wal-compression-type', 'storage.tsdb.head-chunks-write-queue-size',
      'storage.tsdb.samples-per-chunk', 'storage.agent.path', 'storage.agent.wal-segment-size', 'storage.agent.wal-compression', 'storage.agent.wal-compression-type',
      'storage.agent.wal-truncate-frequency', 'storage.agent.retention.min-time', 'storage.agent.retention.max-time', 'storage.agent.no-lockfile',
      'storage.remote.flush-deadline', 'storage.remote.read-sample-limit', 'storage.remote.read-concurrent-limit', 'storage.remote.read-max-bytes-in-frame',
      'rules.alert.for-outage-tolerance', 'rules.alert.for-grace-period', 'rules.alert.resend-delay', 'rules.max-concurrent-evals',
      'scrape.adjust-timestamps', 'scrape.timestamp-tolerance', 'scrape.discovery-reload-interval', 'alertmanager.notification-queue-capacity',
      'alertmanager.drain-notification-queue-on-shutdown', 'alertmanager.timeout', 'query.lookback-delta', 'query.timeout', 'query.max-concurrency',
      'query.max-samples', 'enable-feature', 'write-documentation',
    ],
    env: [],
    expandsEnvInFilesWith: '--enable-feature=expand-external-labels',
    listen: { flag: 'web.listen-address', default: '0.0.0.0:9090' },
    notes: 'Reads no environment variable of its own; with expand-external-labels it replaces ${VAR} in external_labels from its environment.',
  },
  {
    program: 'thanos', image: 'thirdparty/thanos', version: 'v0.36.1',
    source: 'thanos-io/thanos v0.36.1 cmd/thanos/{main,config,sidecar,query,store,compact}.go; the union of the four subcommands we run',
    flagStyle: 'kingpin',
    positional: 'the subcommand: sidecar, query, store or compact',
    flags: [
      ...KINGPIN_COMMON, 'log.level', 'log.format', 'debug.name', 'tracing.config', 'tracing.config-file', 'objstore.config', 'objstore.config-file',
      'grpc-address', 'grpc-server-tls-cert', 'grpc-server-tls-key', 'grpc-server-tls-client-ca', 'grpc-server-max-connection-age', 'grpc-grace-period',
      'http-address', 'http-grace-period', 'http.config', 'prometheus.url', 'prometheus.ready_timeout', 'prometheus.get_config_interval', 'prometheus.get_config_timeout',
      'tsdb.path', 'reloader.config-file', 'reloader.config-envsubst-file', 'reloader.rule-dir', 'reloader.watch-interval', 'reloader.retry-interval',
      'shipper.upload-compacted', 'shipper.ignore-unequal-block-size', 'shipper.allow-out-of-order-uploads', 'hash-func', 'min-time', 'max-time',
      'web.route-prefix', 'web.external-prefix', 'web.prefix-header', 'web.disable-cors', 'web.disable', 'enable-auto-gomemlimit', 'auto-gomemlimit.ratio',
      'grpc-client-tls-secure', 'grpc-client-tls-skip-verify', 'grpc-client-tls-cert', 'grpc-client-tls-key', 'grpc-client-tls-ca', 'grpc-client-server-name',
      'grpc-compression', 'query.timeout', 'query.promql-engine', 'query.mode', 'query.max-concurrent', 'query.lookback-delta', 'query.dynamic-lookback-delta',
      'query.max-concurrent-select', 'query.replica-label', 'query.auto-downsampling', 'query.partial-response', 'query.default-evaluation-interval', 'query.default-step',
      'selector-label', 'endpoint', 'endpoint-group', 'endpoint-strict', 'endpoint-group-strict', 'store', 'store-strict', 'store.sd-files', 'store.sd-interval',
      'store.sd-dns-interval', 'store.sd-dns-resolver', 'store.unhealthy-timeout', 'store.response-timeout', 'rule', 'metadata', 'exemplar', 'target',
      'data-dir', 'cache-index-header', 'index-cache-size', 'chunk-pool-size', 'sync-block-duration', 'block-sync-concurrency', 'block-meta-fetch-concurrency',
      'block-discovery-strategy', 'consistency-delay', 'ignore-deletion-marks-delay', 'wait', 'wait-interval', 'downsampling.disable', 'retention.resolution-raw',
      'retention.resolution-5m', 'retention.resolution-1h', 'compact.concurrency', 'compact.cleanup-interval', 'compact.enable-vertical-compaction',
      'deduplication.func', 'deduplication.replica-label', 'delete-delay', 'downsample.concurrency', 'debug.halt-on-error', 'disable-admin-operations',
    ],
    env: [],
    notes: 'Reads no environment variable for its flags (extkingpin has no Envar); the objstore configuration is a file or the flag itself.',
  },
  {
    program: 'alertmanager', image: 'thirdparty/alertmanager', version: 'v0.27.0',
    source: 'prometheus/alertmanager v0.27.0 cmd/alertmanager/main.go, exporter-toolkit and promlog flags',
    flagStyle: 'kingpin',
    flags: [
      ...KINGPIN_COMMON, ...PROMLOG, ...TOOLKIT_WEB, 'config.file', 'storage.path', 'data.retention', 'data.maintenance-interval', 'alerts.gc-interval',
      'web.external-url', 'web.route-prefix', 'web.get-concurrency', 'web.timeout', 'cluster.listen-address', 'cluster.advertise-address', 'cluster.peer',
      'cluster.peer-timeout', 'cluster.gossip-interval', 'cluster.pushpull-interval', 'cluster.tcp-timeout', 'cluster.probe-timeout', 'cluster.probe-interval',
      'cluster.settle-timeout', 'cluster.reconnect-interval', 'cluster.reconnect-timeout', 'cluster.tls-config',
      'cluster.allow-insecure-public-advertise-address-discovery', 'cluster.label', 'enable-feature',
    ],
    env: [],
    listen: { flag: 'web.listen-address', default: ':9093' },
    notes: 'Reads no environment variable: the SMTP password is smtp_auth_password_file, a file.',
  },
  {
    program: 'prometheus-msteams', image: 'thirdparty/prometheus-msteams', version: 'v1.5.2',
    source: 'prometheus-msteams/prometheus-msteams v1.5.2 cmd/server/main.go (flag.FlagSet parsed by ff.WithEnvVarNoPrefix)',
    flagStyle: 'go-flag',
    flags: ['version', 'log-format', 'debug', 'jaeger-trace', 'jaeger-agent', 'http-addr', 'teams-request-uri', 'teams-incoming-webhook-url', 'template-file',
      'auto-escape-underscores', 'config-file', 'idle-conn-timeout', 'tls-handshake-timeout', 'max-idle-conns', 'insecure-skip-verify', 'max-retry-count', 'validate-webhook-url'],
    // ff without a prefix: every flag also as its upper-cased name, '-' as '_'.
    env: ['VERSION', 'LOG_FORMAT', 'DEBUG', 'JAEGER_TRACE', 'JAEGER_AGENT', 'HTTP_ADDR', 'TEAMS_REQUEST_URI', 'TEAMS_INCOMING_WEBHOOK_URL', 'TEMPLATE_FILE',
      'AUTO_ESCAPE_UNDERSCORES', 'CONFIG_FILE', 'IDLE_CONN_TIMEOUT', 'TLS_HANDSHAKE_TIMEOUT', 'MAX_IDLE_CONNS', 'INSECURE_SKIP_VERIFY', 'MAX_RETRY_COUNT', 'VALIDATE_WEBHOOK_URL'],
    listen: { flag: 'http-addr', default: ':2000' },
  },
  {
    program: 'node_exporter', image: 'thirdparty/node-exporter', version: 'v1.8.2',
    source: 'prometheus/node_exporter v1.8.2 node_exporter.go, collector/paths.go, collector/collector.go (collector.<name> per registered collector)',
    flagStyle: 'kingpin',
    flags: [...KINGPIN_COMMON, ...PROMLOG, ...TOOLKIT_WEB, 'web.telemetry-path', 'web.disable-exporter-metrics', 'web.max-requests', 'collector.disable-defaults',
      'runtime.gomaxprocs', 'path.procfs', 'path.sysfs', 'path.rootfs', 'path.udev.data'],
    flagPrefixes: ['collector.'],
    env: [],
    listen: { flag: 'web.listen-address', default: ':9100' },
  },
  {
    program: 'kube-state-metrics', image: 'thirdparty/kube-state-metrics', version: 'v2.13.0',
    source: 'kubernetes/kube-state-metrics v2.13.0 pkg/options/options.go (pflag)',
    flagStyle: 'pflag',
    flags: ['help', 'version', 'logtostderr', 'custom-resource-state-only', 'enable-gzip-encoding', 'use-apiserver-cache', 'port', 'telemetry-port', 'total-shards',
      'shard', 'apiserver', 'auto-gomemlimit', 'auto-gomemlimit-ratio', 'custom-resource-state-config', 'custom-resource-state-config-file', 'host', 'kubeconfig',
      'pod-namespace', 'pod', 'tls-config', 'telemetry-host', 'config', 'node', 'metric-annotations-allowlist', 'metric-labels-allowlist', 'metric-allowlist',
      'metric-denylist', 'metric-opt-in-list', 'namespaces', 'namespaces-denylist', 'resources', 'server-read-timeout', 'server-write-timeout',
      'server-idle-timeout', 'server-read-header-timeout'],
    env: [],
  },
  {
    program: 'blackbox_exporter', image: 'thirdparty/blackbox-exporter', version: 'v0.25.0',
    source: 'prometheus/blackbox_exporter v0.25.0 main.go, exporter-toolkit and promlog flags',
    flagStyle: 'kingpin',
    flags: [...KINGPIN_COMMON, ...PROMLOG, ...TOOLKIT_WEB, 'config.file', 'config.check', 'history.limit', 'log.prober', 'timeout-offset', 'web.external-url', 'web.route-prefix'],
    env: [],
    listen: { flag: 'web.listen-address', default: ':9115' },
  },
  {
    program: 'pushgateway', image: 'thirdparty/pushgateway', version: 'v1.9.0',
    source: 'prometheus/pushgateway v1.9.0 main.go, exporter-toolkit and promlog flags',
    flagStyle: 'kingpin',
    flags: [...KINGPIN_COMMON, ...PROMLOG, ...TOOLKIT_WEB, 'web.telemetry-path', 'web.external-url', 'web.route-prefix', 'web.enable-lifecycle', 'web.enable-admin-api',
      'persistence.file', 'persistence.interval', 'push.disable-consistency-check'],
    env: [],
    listen: { flag: 'web.listen-address', default: ':9091' },
  },
  {
    program: 'mongodb_exporter (Percona)', image: 'thirdparty/mongodb-exporter', version: '0.40.0',
    source: 'percona/mongodb_exporter v0.40.0 main.go (kong tags name/env), exporter/exporter.go (collectors enabled only when asked)',
    flagStyle: 'kong',
    flags: ['help', 'version', 'mongodb.user', 'mongodb.password', 'mongodb.collstats-colls', 'mongodb.indexstats-colls', 'mongodb.uri', 'mongodb.global-conn-pool',
      'no-mongodb.global-conn-pool', 'mongodb.direct-connect', 'no-mongodb.direct-connect', 'web.listen-address', 'web.telemetry-path', 'web.config',
      'web.timeout-offset', 'log.level', 'mongodb.connect-timeout-ms', 'collector.diagnosticdata', 'collector.replicasetstatus', 'collector.dbstats',
      'collector.dbstatsfreestorage', 'collector.topmetrics', 'collector.currentopmetrics', 'collector.indexstats', 'collector.collstats', 'collector.profile',
      'metrics.overridedescendingindex', 'collect-all', 'collector.collstats-limit', 'collector.profile-time-ts', 'discovering-mode', 'no-discovering-mode',
      'compatible-mode', 'no-compatible-mode'],
    env: ['MONGODB_USER', 'MONGODB_PASSWORD', 'MONGODB_URI'],
    listen: { flag: 'web.listen-address', default: ':9216' },
    notes: 'No collector runs unless enabled: the mongodb_rs_* and mongodb_ss_* series come from --collector.diagnosticdata. --mongodb.direct-connect defaults to true, which a seed list or an SRV URI refuses.',
  },
  {
    program: 'elasticsearch_exporter', image: 'thirdparty/elasticsearch-exporter', version: 'v1.7.0',
    source: 'prometheus-community/elasticsearch_exporter v1.7.0 main.go (kingpin, os.Getenv), collector/collector.go (collector.<name>)',
    flagStyle: 'kingpin',
    flags: [...KINGPIN_COMMON, ...PROMLOG, ...TOOLKIT_WEB, 'web.telemetry-path', 'es.uri', 'es.timeout', 'es.all', 'es.node', 'es.indices', 'es.indices_settings',
      'es.indices_mappings', 'es.aliases', 'es.ilm', 'es.shards', 'es.slm', 'es.data_stream', 'es.clusterinfo.interval', 'es.ca', 'es.client-private-key',
      'es.client-cert', 'es.ssl-skip-verify', 'log.output', 'aws.region', 'aws.role-arn'],
    flagPrefixes: ['collector.'],
    env: ['ES_USERNAME', 'ES_PASSWORD', 'ES_API_KEY'],
    listen: { flag: 'web.listen-address', default: ':9114' },
    notes: 'Since v1.4.0 no flag has an environment form: ES_URI, read up to v1.3.x, is ignored and the exporter queries http://localhost:9200.',
  },
  {
    program: 'prometheus-es-exporter', image: 'thirdparty/prometheus-es-exporter', version: '0.14.1',
    source: 'braedon/prometheus-es-exporter 0.14.1 prometheus_es_exporter/__init__.py (click, auto_envvar_prefix ES_EXPORTER)',
    flagStyle: 'click',
    flags: ['help', 'es-cluster', 'ca-certs', 'client-cert', 'client-key', 'basic-user', 'basic-password', 'header', 'port', 'query-disable', 'config-file',
      'config-dir', 'threads', 'cluster-health-disable', 'cluster-health-timeout', 'cluster-health-level', 'nodes-stats-disable', 'nodes-stats-timeout',
      'nodes-stats-metrics', 'indices-aliases-disable', 'indices-aliases-timeout', 'indices-mappings-disable', 'indices-mappings-timeout', 'indices-stats-disable',
      'indices-stats-timeout', 'indices-stats-mode', 'indices-stats-indices', 'indices-stats-metrics', 'indices-stats-fields', 'json-logging', 'log-level', 'verbose'],
    envPrefixes: ['ES_EXPORTER_'],
    env: [],
    listen: { flag: 'port', default: '9206' },
    notes: 'Without --ca-certs it connects with verify_certs=False: TLS is not verified.',
  },
  {
    program: 'redis_exporter', image: 'thirdparty/redis-exporter', version: 'v1.62.0',
    source: 'oliver006/redis_exporter v1.62.0 main.go (flag.* with getEnv defaults)',
    flagStyle: 'go-flag',
    flags: ['redis.addr', 'redis.user', 'redis.password', 'redis.password-file', 'namespace', 'check-keys', 'check-single-keys', 'check-key-groups', 'check-streams',
      'check-single-streams', 'streams-exclude-consumer-metrics', 'count-keys', 'check-keys-batch-size', 'script', 'web.listen-address', 'web.telemetry-path',
      'log-format', 'config-command', 'connection-timeout', 'tls-client-key-file', 'tls-client-cert-file', 'tls-ca-cert-file', 'tls-server-key-file',
      'tls-server-cert-file', 'tls-server-ca-cert-file', 'tls-server-min-version', 'max-distinct-key-groups', 'debug', 'set-client-name', 'is-tile38', 'is-cluster',
      'export-client-list', 'export-client-port', 'version', 'redis-only-metrics', 'ping-on-connect', 'include-config-metrics', 'disable-exporting-key-values',
      'exclude-latency-histogram-metrics', 'redact-config-metrics', 'include-system-metrics', 'skip-tls-verification'],
    env: ['REDIS_ADDR', 'REDIS_USER', 'REDIS_PASSWORD', 'REDIS_PASSWORD_FILE'],
    envPrefixes: ['REDIS_EXPORTER_'],
    listen: { flag: 'web.listen-address', default: ':9121' },
  },
  {
    program: 'redis-server', image: 'thirdparty/redis', version: '7.2.5',
    source: 'redis/redis 7.2.5 src/server.c main() and config.c: a configuration file, then --<directive> <value> pairs; --sentinel runs redis-sentinel',
    flagStyle: 'redis',
    positional: 'the configuration file',
    // Any configuration directive may be given as --<directive>: we use these.
    flags: ['sentinel', 'port', 'bind', 'dir', 'appendonly', 'replicaof', 'maxmemory', 'maxmemory-policy', 'protected-mode', 'loglevel', 'logfile', 'daemonize', 'save'],
    env: [],
  },
  {
    program: 'grafana', image: 'thirdparty/grafana', version: '11.2.0',
    source: 'grafana/grafana 11.2.0 docs setup-grafana/configure-grafana: every configuration key as GF_<SECTION>_<KEY>; GF_PATHS_* in the image',
    flagStyle: 'go-flag',
    flags: ['config', 'homepath', 'packaging', 'pidfile'],
    env: [],
    envPrefixes: ['GF_'],
  },
];

/** Images whose programs have no record yet, and why: the check names them instead of passing them silently. */
export const UNRECORDED: Readonly<Record<string, string>> = {
  'thirdparty/mongo': 'mongod and the image entrypoint (MONGO_INITDB_*): configured by the mongodb component',
  'thirdparty/fluent-bit': 'configured by its files, not by flags or variables of its own',
  'thirdparty/nginx-ingress': 'the NGINX Ingress Controller, configured by its own chart conventions',
  'thirdparty/nginx-plus-ingress-nap': 'the NGINX Plus Ingress Controller, configured by its own chart conventions',
  'thirdparty/qdrant': 'configured by its defaults',
  'thirdparty/pause': 'runs nothing',
};

/** The record of an image (`<registry>/<repository>:<tag>`, or a repository below the registry), if any. */
export function programRecordOf(image: string): ProgramRecord | undefined {
  const repository = image.replace(/:[^/:]+$/, '');
  return PROGRAMS.find((p) => repository === p.image || repository.endsWith(`/${p.image}`));
}

/** The tag of an image reference, or undefined. */
export const imageTag = (image: string): string | undefined => /:([^/:]+)$/.exec(image)?.[1];

/** The flag an argument sets, without dashes and value, or undefined for a bare argument. */
export function flagName(arg: string): string | undefined {
  const m = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)(=.*)?$/s.exec(arg);
  return m ? m[1] : undefined;
}

/** Whether a program reads this flag (kingpin also reads `--no-<boolean>`). */
export function readsFlag(p: ProgramRecord, name: string): boolean {
  const known = (n: string) => p.flags.includes(n) || (p.flagPrefixes ?? []).some((prefix) => n.startsWith(prefix));
  return known(name) || (p.flagStyle === 'kingpin' && name.startsWith('no-') && known(name.slice(3)));
}

/** Whether a program reads this environment variable. */
export const readsEnv = (p: ProgramRecord, name: string): boolean => p.env.includes(name) || (p.envPrefixes ?? []).some((prefix) => name.startsWith(prefix));

/**
 * The arguments a program does not read: flags it does not know, and bare arguments where it
 * takes none. An argument after a flag given without `=` is taken as that flag's value.
 */
export function unreadArguments(p: ProgramRecord, args: readonly string[]): string[] {
  const problems: string[] = [];
  let positionalSeen = false;
  args.forEach((arg, i) => {
    const name = flagName(arg);
    if (name !== undefined) {
      if (!readsFlag(p, name)) problems.push(`flag ${arg.split('=')[0]}`);
      return;
    }
    const previous = i > 0 ? args[i - 1]! : undefined;
    const valueOfPrevious = previous !== undefined && flagName(previous) !== undefined && !previous.includes('=');
    if (valueOfPrevious) return;
    if (p.positional && !positionalSeen) {
      positionalSeen = true;
      return;
    }
    problems.push(`argument ${arg}`);
  });
  return problems;
}

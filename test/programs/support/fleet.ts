import { cpSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { join } from 'node:path';
import type { Manifest } from '../../../src/compile';
import { programRecordOf, type ProgramRecord } from '../../../src/model/programs';
import { escapeRegExp } from '../../../src/util/regexp';
import { freePort, getJson, type Programs, tool, until } from './processes';
import { alertmanagerOnLoopback, configMapData, containersOf, prometheusOnLoopback, type ServiceView, servicesOf, withShortFor } from './rewrite';
import { elasticsearchStandIn, metricsStandIn, smtpStandIn, type StandIn, tlsStandIn, webhookStandIn } from './stand-ins';

/**
 * The monitoring of one compiled profile on loopback: the Debian builds of Prometheus (both
 * replicas), Alertmanager (both replicas), node, blackbox, pushgateway, elasticsearch and redis
 * exporters and redis-server, each started with the compiled arguments, environment and files;
 * stand-ins for Elasticsearch, the SMTP relay, the webhooks, the public hosts' TLS, the kubelet and
 * the metrics of programs Debian does not package.
 */

/** Debian's program for each pinned image (the commands .ci/run installs). */
export const DEBIAN: Record<string, { command: string; version: string }> = {
  'thirdparty/prometheus': { command: 'prometheus', version: '2.42.0' },
  'thirdparty/alertmanager': { command: 'prometheus-alertmanager', version: '0.25.0' },
  'thirdparty/node-exporter': { command: 'prometheus-node-exporter', version: '1.5.0' },
  'thirdparty/blackbox-exporter': { command: 'prometheus-blackbox-exporter', version: '0.23.0' },
  'thirdparty/pushgateway': { command: 'prometheus-pushgateway', version: '1.5.1' },
  'thirdparty/elasticsearch-exporter': { command: 'prometheus-elasticsearch-exporter', version: '1.5.0' },
  'thirdparty/redis-exporter': { command: 'prometheus-redis-exporter', version: '1.45.0' },
  'thirdparty/redis': { command: 'redis-server', version: '7.0.15' },
};

/** Test-only changes besides addresses and paths, listed as the contract tests make them. */
export const TUNING = {
  /** Prometheus scrapes and evaluates every second instead of every 30 s. */
  interval: '1s',
  /** Alertmanager sends a new group after 1 s instead of 30 s. */
  groupWait: '1s',
  /** The second Alertmanager waits 2 s (instead of 15 s) for the first's notification log before sending itself. */
  peerTimeout: '2s',
  /** Prometheus resends a firing alert every second instead of every minute (a reloaded configuration reaches Alertmanager at once). */
  resendDelay: '1s',
  /** pushgateway: Debian's build persists to /var/lib/prometheus by default; upstream's default is no persistence. */
  pushgatewayPersistence: '',
};

export interface Fleet {
  programs: Programs;
  manifests: readonly Manifest[];
  prometheus: string[];
  alertmanager: string[];
  pushgateway: string;
  es: StandIn & { health: { status: 'green' | 'yellow' | 'red' } };
  smtp: Awaited<ReturnType<typeof smtpStandIn>>;
  webhooks: StandIn;
  waf: { hits: number };
  redis: { redis: number; exporter: number }[];
  esExporter: string;
  /** Every test-only change made to the compiled configuration. */
  changes: string[];
  /** Rule files Prometheus was given. */
  ruleFiles: string[];
  /** Each public host the probes reach, and the loopback TLS endpoint standing in for it. */
  probes: Map<string, string>;
}

/** Secrets are sentinel placeholders. */
export const SENTINEL = { esUser: 'elastic-sentinel-user', esPassword: 'es-sentinel-password', smtpPassword: 'smtp-sentinel-password' };

/** Replaces the compiled listen address (or adds it) with a loopback port. */
function listenOn(record: ProgramRecord, args: string[], address: string): string[] {
  const flag = record.listen!.flag;
  const dashes = record.flagStyle === 'go-flag' ? '-' : '--';
  const rest = args.filter((a) => !new RegExp(`^--?${escapeRegExp(flag)}(=|$)`).test(a));
  return [...rest, `${dashes}${flag}=${address}`];
}

export interface StartOptions {
  /** Alerts whose `for:` is cut so they reach Alertmanager during the test. */
  shortFor?: Record<string, string>;
  /** Rewrites each Prometheus configuration after the loopback rewrite (mutation tests). */
  mutatePrometheus?: (text: string) => string;
}

export async function startFleet(programs: Programs, manifests: readonly Manifest[], tls: { ca: string; cert: string; key: string }, options: StartOptions = {}): Promise<Fleet> {
  const changes: string[] = [];
  const services: ServiceView[] = servicesOf(manifests);
  const ports = new Map<string, number>();
  const portOf = async (key: string) => {
    if (!ports.has(key)) ports.set(key, await freePort());
    return ports.get(key)!;
  };
  // Programs this fleet runs, by Service and port name; each pod of the Service on its own port.
  const running = new Set(['prometheus/http', 'alertmanager/http', 'node-exporter/metrics', 'blackbox-exporter/http', 'pushgateway/http', 'elasticsearch-exporter/http', 'redis/metrics', 'prometheus-es-exporter/http']);
  const standInPort = await freePort();
  const kubeletPort = await freePort();
  for (const s of services) for (const p of s.ports) if (p.name && running.has(`${s.name}/${p.name}`)) for (let i = 0; i < s.pods.length; i++) await portOf(`${s.namespace}/${s.name}/${p.name}/${i}`);
  const resolve = (ns: string, service: string, port: string, pod: number) => {
    const k = `${ns}/${service}/${port}/${pod}`;
    return `127.0.0.1:${ports.get(k) ?? standInPort}`;
  };
  const serviceAddress = (service: string, ns: string, port: number) => {
    const s = services.find((x) => x.name === service && x.namespace === ns);
    const name = s?.ports.find((p) => p.port === port)?.name;
    if (!name) throw new Error(`no Service port ${service}.${ns}:${port}`);
    return resolve(ns, service, name, 0);
  };

  // Stand-ins.
  const generic = await metricsStandIn(standInPort, () => '# stand-in for a program Debian does not package\nstand_in_up 1\n');
  const kubelet = await metricsStandIn(kubeletPort, () => '# stand-in kubelet\n', tls);
  const waf = { hits: 1 };
  const wafStandIn = await metricsStandIn(ports.get('aura-system/prometheus-es-exporter/http/0') ?? (await freePort()), () => `waf_policy_hits_policy_name_doc_count{policy_name="aura-default"} ${waf.hits}\n`);
  // One TLS endpoint per public host, so that each probe keeps its own instance.
  const probeTargets = new Map<string, Awaited<ReturnType<typeof tlsStandIn>>>();
  const publicHost = (hostPort: string) => `127.0.0.1:${probeTargets.get(hostPort)!.port}`;
  for (const job of (parse(configMapData(manifests, 'prometheus-files')['prometheus.yml']!).scrape_configs as any[]).filter((j) => j.metrics_path === '/probe'))
    for (const t of job.static_configs?.[0]?.targets ?? []) if (!probeTargets.has(t)) probeTargets.set(t, await tlsStandIn(await freePort(), tls));
  const es = await elasticsearchStandIn(await freePort(), tls, `${SENTINEL.esUser}:${SENTINEL.esPassword}`);
  const smtp = await smtpStandIn(await freePort(), tls);
  const webhooks = await webhookStandIn(await freePort());
  const closers = [generic, kubelet, wafStandIn, ...probeTargets.values(), es, smtp, webhooks];
  programs.onStop(() => Promise.all(closers.map((c) => c.close())));

  // Files every pod would find: the Key Vault mount (sentinel values), the service-account token and CA.
  const secrets = programs.dir('mnt', 'secrets-store');
  writeFileSync(join(secrets, 'alertmanager-smtp-password'), SENTINEL.smtpPassword);
  writeFileSync(join(secrets, 'thanos-objstore-config'), 'type: FILESYSTEM\nconfig: { directory: /nonexistent }\n');
  const serviceAccount = programs.dir('serviceaccount');
  writeFileSync(join(serviceAccount, 'token'), 'sentinel-token\n');
  cpSync(tls.ca, join(serviceAccount, 'ca.crt'));
  const mounted = (file: string) =>
    file.startsWith('/mnt/secrets-store/') ? join(secrets, file.slice('/mnt/secrets-store/'.length))
      : file.startsWith('/var/run/secrets/kubernetes.io/serviceaccount/') ? join(serviceAccount, file.split('/').pop()!)
        : (() => { throw new Error(`no loopback folder for ${file}`); })();

  // Redis: three redis-servers on the compiled redis.conf, member 0 the master; an exporter beside each.
  const redisFiles = configMapData(manifests, 'redis-files');
  const redisPod = containersOf(manifests, 'StatefulSet', 'redis');
  const redis: Fleet['redis'] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = programs.dir('redis', String(i));
    const conf = redisFiles['redis.conf']!.replace(/^port \d+$/m, `port ${port}`).replace(/^bind .*$/m, 'bind 127.0.0.1').replace(/^dir .*$/m, `dir ${dir}`);
    programs.start(`redis-${i}`, DEBIAN['thirdparty/redis']!.command, [programs.write(join(dir, 'redis.conf'), conf)]);
    redis.push({ redis: port, exporter: ports.get(`aura-system/redis/metrics/${i}`)! });
  }
  // Members 1 and 2 follow member 0, as configure.sh sets them on the set's first start (test/redis-runtime.test.ts runs that script and the sentinels).
  for (const i of [1, 2]) await until(`redis-${i} following redis-0`, () => {
    tool('redis-cli', ['-h', '127.0.0.1', '-p', String(redis[i]!.redis), 'replicaof', '127.0.0.1', String(redis[0]!.redis)]);
    return true;
  });
  const exporter = redisPod['redis-exporter'];
  const exporterRecord = programRecordOf(exporter.image)!;
  redis.forEach((r, i) => {
    const args = listenOn(exporterRecord, exporter.args.map((a: string) => a.replace(/^(--redis\.addr=redis:\/\/localhost:)\d+$/, `$1${r.redis}`)), `127.0.0.1:${r.exporter}`);
    programs.start(`redis-exporter-${i}`, DEBIAN['thirdparty/redis-exporter']!.command, args);
  });

  // node-exporter: the host's own /proc, /sys and / (what the DaemonSet mounts at /host).
  const node = containersOf(manifests, 'DaemonSet', 'node-exporter')['node-exporter'];
  programs.start('node-exporter', DEBIAN['thirdparty/node-exporter']!.command,
    listenOn(programRecordOf(node.image)!, node.args.map((a: string) => a.replace('=/host/', '=/')), resolve('aura-system', 'node-exporter', 'metrics', 0)));

  // blackbox-exporter: the compiled modules; trusts the test CA as Go's system roots.
  const blackbox = containersOf(manifests, 'Deployment', 'blackbox-exporter')['blackbox-exporter'];
  const blackboxDir = programs.dir('etc', 'blackbox-exporter');
  for (const [f, t] of Object.entries(configMapData(manifests, 'blackbox-exporter-files'))) writeFileSync(join(blackboxDir, f), t);
  programs.start('blackbox-exporter', DEBIAN['thirdparty/blackbox-exporter']!.command,
    listenOn(programRecordOf(blackbox.image)!, blackbox.args.map((a: string) => a.replace('/etc/blackbox-exporter', blackboxDir)), resolve('aura-system', 'blackbox-exporter', 'http', 0)),
    { SSL_CERT_FILE: tls.ca });

  // pushgateway: no compiled arguments.
  const push = containersOf(manifests, 'Deployment', 'pushgateway').pushgateway;
  const pushgateway = resolve('aura-system', 'pushgateway', 'http', 0);
  changes.push(`pushgateway --persistence.file=${TUNING.pushgatewayPersistence} (Debian's default path)`);
  programs.start('pushgateway', DEBIAN['thirdparty/pushgateway']!.command,
    listenOn(programRecordOf(push.image)!, [...(push.args ?? []), `--persistence.file=${TUNING.pushgatewayPersistence}`], pushgateway));

  // elasticsearch-exporter: the compiled flags; ECK's CA (the mounted Secret) is the test CA; the elastic user's variables.
  const esContainer = containersOf(manifests, 'Deployment', 'elasticsearch-exporter')['elasticsearch-exporter'];
  const esExporter = resolve('aura-system', 'elasticsearch-exporter', 'http', 0);
  startElasticsearchExporter(programs, 'elasticsearch-exporter', esContainer, manifests, es.port, tls.ca, esExporter);

  // Alertmanager, two replicas gossiping on loopback.
  const amContainer = containersOf(manifests, 'StatefulSet', 'alertmanager').alertmanager;
  const am = alertmanagerOnLoopback(configMapData(manifests, 'alertmanager-files')['alertmanager.yml']!, {
    smtp: `127.0.0.1:${smtp.port}`, webhook: (receiver) => `http://127.0.0.1:${webhooks.port}/${receiver}`, path: mounted, groupWait: TUNING.groupWait,
  });
  changes.push(...am.changes, `alertmanager --cluster.peer-timeout=${TUNING.peerTimeout}`);
  const amDir = programs.dir('etc', 'alertmanager');
  writeFileSync(join(amDir, 'alertmanager.yml'), am.text);
  const cluster = [await freePort(), await freePort()];
  const alertmanager = [0, 1].map((i) => resolve('aura-system', 'alertmanager', 'http', i));
  const amRecord = programRecordOf(amContainer.image)!;
  for (const i of [0, 1]) {
    const args = (amContainer.args as string[]).map((a) =>
      a.replace('/etc/alertmanager', amDir).replace(/^--storage\.path=.*/, `--storage.path=${programs.dir('alertmanager', String(i))}`)
        .replace(/^--cluster\.listen-address=.*/, `--cluster.listen-address=127.0.0.1:${cluster[i]}`)
        .replace(/^--cluster\.peer=alertmanager-(\d)\..*$/, (_, n) => `--cluster.peer=127.0.0.1:${cluster[Number(n)]}`));
    programs.start(`alertmanager-${i}`, DEBIAN['thirdparty/alertmanager']!.command, [...listenOn(amRecord, args, alertmanager[i]!), `--cluster.peer-timeout=${TUNING.peerTimeout}`], { SSL_CERT_FILE: tls.ca });
  }

  // Prometheus, two replicas: the compiled configuration with discovery replaced, the compiled rule files.
  const promContainer = containersOf(manifests, 'StatefulSet', 'prometheus').prometheus;
  const rulesDir = programs.dir('etc', 'prometheus', 'rules');
  const ruleFiles: string[] = [];
  for (const [f, t] of Object.entries(configMapData(manifests, 'prometheus-rules'))) {
    const short = withShortFor(t, options.shortFor ?? {});
    changes.push(...short.changes);
    writeFileSync(join(rulesDir, f), short.text);
    ruleFiles.push(f);
  }
  const loopback = prometheusOnLoopback(configMapData(manifests, 'prometheus-files')['prometheus.yml']!, {
    services, resolve, node: `127.0.0.1:${kubeletPort}`, host: serviceAddress, publicHost, path: mounted, rulesDir, interval: TUNING.interval,
  });
  changes.push(...loopback.changes, `prometheus --rules.alert.resend-delay=${TUNING.resendDelay}`);
  const promDir = programs.dir('etc', 'prometheus');
  writeFileSync(join(promDir, 'prometheus.yml'), options.mutatePrometheus ? options.mutatePrometheus(loopback.text) : loopback.text);
  const prometheus = [0, 1].map((i) => resolve('aura-system', 'prometheus', 'http', i));
  const promRecord = programRecordOf(promContainer.image)!;
  for (const i of [0, 1]) {
    const args = (promContainer.args as string[]).map((a) => a.replace('=/etc/prometheus', `=${promDir}`).replace(/^--storage\.tsdb\.path=.*/, `--storage.tsdb.path=${programs.dir('prometheus', String(i))}`));
    // POD_NAME, as the downward API gives it to each replica.
    programs.start(`prometheus-${i}`, DEBIAN['thirdparty/prometheus']!.command, [...listenOn(promRecord, args, prometheus[i]!), `--rules.alert.resend-delay=${TUNING.resendDelay}`], { POD_NAME: `prometheus-${i}` });
  }
  for (const url of [...prometheus, ...alertmanager]) await until(`${url} ready`, async () => (await fetch(`http://${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok);
  return { programs, manifests, prometheus, alertmanager, pushgateway, es, smtp, webhooks, waf, redis, esExporter, changes, ruleFiles, probes: new Map([...probeTargets].map(([h, t]) => [h, `127.0.0.1:${t.port}`])) };
}

/** Starts an elasticsearch-exporter container of the compiled objects against the stand-in. */
export function startElasticsearchExporter(programs: Programs, name: string, container: any, manifests: readonly Manifest[], esPort: number, ca: string, listen: string): void {
  const record = programRecordOf(container.image)!;
  const caDir = programs.dir('etc', 'elasticsearch-ca');
  cpSync(ca, join(caDir, 'ca.crt'));
  const toStandIn = (v: string) => v.replace(/https:\/\/elasticsearch-es-http\.aura-system\.svc\.cluster\.local:9200/, `https://127.0.0.1:${esPort}`);
  const args = (container.args ?? []).map((a: string) => toStandIn(a).replace('=/etc/elasticsearch-ca', `=${caDir}`));
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) for (const [k, v] of Object.entries(configMapData(manifests, from.configMapRef.name))) env[k] = toStandIn(String(v));
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = toStandIn(e.value);
    else if (e.name === 'ES_USERNAME') env[e.name] = SENTINEL.esUser;
    else if (e.name === 'ES_PASSWORD') env[e.name] = SENTINEL.esPassword;
  }
  programs.start(name, DEBIAN['thirdparty/elasticsearch-exporter']!.command, listenOn(record, args, listen), env);
}

/** Prometheus' view: the firing and pending alerts by name, and the targets. */
export async function alerts(prometheus: string): Promise<{ name: string; state: string; labels: Record<string, string> }[]> {
  const r = await getJson(`http://${prometheus}/api/v1/alerts`);
  return r.data.alerts.map((a: any) => ({ name: a.labels.alertname, state: a.state, labels: a.labels }));
}

export async function query(prometheus: string, expr: string): Promise<any[]> {
  const r = await getJson(`http://${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return r.data.result;
}

import { mkdtempSync, cpSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProfile } from '../../src/build';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { CATALOG } from '../../src/components/catalog';
import { compileConfig, type Manifest } from '../../src/compile';
import { validateProfile } from '../../src/profile/validate';
import { loadProfile } from '../../src/profile/load';
import type { Component } from '../../src/platform/types';
import { SHIPPED } from '../helpers';
import { alerts, DEBIAN, type Fleet, query, SENTINEL, startElasticsearchExporter, startFleet, TUNING } from './support/fleet';
import { freePort, get, getJson, installed, Programs, sleep, testCertificates, tool, until } from './support/processes';
import { alertmanagerOnLoopback, configMapData, containersOf, prometheusOnLoopback, servicesOf } from './support/rewrite';
import { elasticsearchStandIn, metricsStandIn } from './support/stand-ins';

/**
 * Contract tests with the real programs (npm run test:programs). What runs is Debian's build of
 * each program, which is older than the image we pin: docs/runtime-contracts.md says which
 * behaviour is proven on which version. Test-only changes to the compiled values are listed in
 * TUNING (support/fleet.ts) and the `changes` each rewrite returns; the first test prints them.
 */
const missing = Object.values(DEBIAN).map((d) => d.command).filter((c) => !installed(c));
if (missing.length) throw new Error(`not installed: ${missing.join(', ')} (.ci/run installs them from Debian)`);

const configOf = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
const CLUSTER_PROFILES = SHIPPED.filter((p) => configOf(p).tenant_name === 'default');

/** de-pro (Atlas, NGINX Plus and its info rule) with a webhook for each severity, compiled through the whole pipeline. */
function scenarioProfile(): readonly Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), 'aura-programs-profiles-'));
  cpSync(DEFAULT_PROFILES_DIR, dir, { recursive: true });
  writeFileSync(join(dir, 'contract.yaml'), `# de-pro with a webhook per severity, for the delivery contract
extends: de-pro
notifications_webhooks:
  - { name: pager, url: "https://pager.example.com/hook", severity: critical }
  - { name: tickets, url: "https://tickets.example.com/hook", severity: warning }
  - { name: chat, url: "https://chat.example.com/hook", severity: info }
`);
  return buildProfile('contract', dir).objects.map((o) => o.manifest);
}

/** The alerts Alertmanager holds, by name: one per alert when both replicas' copies merge. */
async function copiesPerAlert(alertmanager: string): Promise<Record<string, number>> {
  const list = (await getJson(`http://${alertmanager}/api/v2/alerts`)) as any[];
  const out: Record<string, number> = {};
  for (const a of list) out[a.labels.alertname] = (out[a.labels.alertname] ?? 0) + 1;
  return out;
}

/** The contract of alert delivery: each alert held once, never with the replica label. Problems, or none. */
async function deliveryProblems(alertmanager: string): Promise<string[]> {
  const list = (await getJson(`http://${alertmanager}/api/v2/alerts`)) as any[];
  const problems = list.filter((a) => 'prometheus_replica' in a.labels).map((a) => `${a.labels.alertname} carries prometheus_replica=${a.labels.prometheus_replica}`);
  for (const [name, n] of Object.entries(await copiesPerAlert(alertmanager))) if (n > 1) problems.push(`${name} is held ${n} times`);
  return problems;
}

/** The contract of an exporter: it queried the address we gave it and reports the target up. */
async function exporterProblems(exporter: string, standIn: { requests: unknown[] }, upMetric: string): Promise<string[]> {
  const before = standIn.requests.length;
  const metrics = (await get(`http://${exporter}/metrics`)).text;
  const up = new RegExp(`^${upMetric} 1$`, 'm').test(metrics);
  return [
    ...(standIn.requests.length > before ? [] : ['the target it was given received no request']),
    ...(up ? [] : [`it reports ${upMetric} ${/^(\S+) (\S+)$/m.exec(metrics.split('\n').find((l) => l.startsWith(upMetric)) ?? '')?.[2] ?? 'absent'}`]),
  ];
}

describe('monitoring of a compiled profile, on the real programs', () => {
  const programs = new Programs();
  let fleet: Fleet;
  const tls = () => testCertificates(programs.dir('tls'));
  let certs: ReturnType<typeof testCertificates>;
  /**
   * Alerts that must reach Alertmanager during the test, `for:` cut to 0: one critical, one warning.
   * The one info rule (waf_policy_hits_increase) compares with a minute before, longer than the
   * test runs: its route is proven by amtool (test/monitoring.test.ts), its expression by promtool.
   */
  const DELIVERED = { ElasticsearchClusterRed: '0s', ElasticsearchClusterNotGreen: '0s' };

  beforeAll(async () => {
    certs = tls();
    fleet = await startFleet(programs, scenarioProfile(), certs, { shortFor: DELIVERED });
  }, 120_000);
  afterAll(() => programs.stopAll());

  it('lists every test-only change to the compiled configuration', () => {
    console.info(`test-only changes:\n  ${fleet.changes.join('\n  ')}`);
    expect(fleet.changes).toEqual(expect.arrayContaining([
      'global.scrape_interval 30s → 1s', 'global.evaluation_interval 30s → 1s', 'route.group_wait 30s → 1s', `alertmanager --cluster.peer-timeout=${TUNING.peerTimeout}`,
      'ElasticsearchClusterRed for 5m → 0s', 'ElasticsearchClusterNotGreen for 15m → 0s',
    ]));
    expect(fleet.changes.filter((c) => / for .* → 0s$/.test(c)).map((c) => c.split(' ')[0]).sort()).toEqual(Object.keys(DELIVERED).sort());
  });

  it('Prometheus accepts the compiled configuration and loads every rule file, with no evaluation error', async () => {
    for (const p of fleet.prometheus) {
      const groups = await until(`${p} evaluating every group`, async () => {
        const g = (await getJson(`http://${p}/api/v1/rules`)).data.groups as any[];
        return g.length === fleet.ruleFiles.length && g.every((x) => x.rules.every((r: any) => r.health === 'ok')) ? g : undefined;
      });
      expect(groups.map((g) => `${g.name}.rules.yml`).sort()).toEqual([...fleet.ruleFiles].sort());
    }
  });

  it('scrapes the real exporters through the compiled relabelling: kept targets up and labelled, the other Service ports dropped', async () => {
    const p = fleet.prometheus[0]!;
    const targets = await until('every kept target up', async () => {
      const t = (await getJson(`http://${p}/api/v1/targets`)).data;
      return t.activeTargets.length && t.activeTargets.every((x: any) => x.health === 'up') ? t : undefined;
    });
    const labels = (job: string) => targets.activeTargets.filter((t: any) => t.labels.job === job).map((t: any) => ({ namespace: t.labels.namespace, pod: t.labels.pod })).sort((a: any, b: any) => (a.pod < b.pod ? -1 : 1));
    expect(labels('redis')).toEqual([0, 1, 2].map((i) => ({ namespace: 'aura-system', pod: `redis-${i}` })));
    expect(labels('elasticsearch-exporter')).toEqual([{ namespace: 'aura-system', pod: 'elasticsearch-exporter-0' }]);
    expect(labels('prometheus').map((l: any) => l.pod)).toEqual(['prometheus-0', 'prometheus-1']);
    expect(targets.droppedTargets.length).toBeGreaterThan(0);
    // Each series carries its replica's external label (expand-external-labels from POD_NAME).
    expect((await query(fleet.prometheus[1]!, 'up{job="node-exporter"}'))[0].metric).not.toHaveProperty('prometheus_replica');
    const external = (await getJson(`http://${fleet.prometheus[1]}/api/v1/status/config`)).data.yaml as string;
    expect(parse(external).global.external_labels.prometheus_replica).toBe('prometheus-1');
  });

  it('each exporter reaches the address we give it', async () => {
    // elasticsearch-exporter: the stand-in saw the elastic user's basic auth over TLS verified by the CA we mount.
    const auth = `Basic ${Buffer.from(`${SENTINEL.esUser}:${SENTINEL.esPassword}`).toString('base64')}`;
    await until('elasticsearch-exporter querying the stand-in', () => fleet.es.requests.some((r) => r.path.startsWith('/_cluster/health')) && fleet.es.requests.some((r) => r.path.startsWith('/_nodes/stats')));
    expect(fleet.es.requests.every((r) => r.headers.authorization === auth)).toBe(true);
    expect(await exporterProblems(fleet.esExporter, fleet.es, 'elasticsearch_node_stats_up')).toEqual([]);
    // redis-exporter beside each member reports the port of its own Redis.
    const p = fleet.prometheus[0]!;
    const info = await until('redis_instance_info of the three members', async () => {
      const r = await query(p, 'redis_instance_info{job="redis"}');
      return r.length === 3 ? r : undefined;
    });
    expect(info.map((s: any) => [s.metric.pod, s.metric.tcp_port, s.metric.role]).sort()).toEqual(fleet.redis.map((r, i) => [`redis-${i}`, String(r.redis), i ? 'slave' : 'master']));
    // blackbox-exporter: the compiled tls_connect module on every public host (the TLS stand-in), its certificate read.
    const probes = await until('TLS probes', async () => {
      const r = await query(p, 'probe_success{job="blackbox-tls"}');
      return r.length && r.every((s: any) => s.value[1] === '1') ? r : undefined;
    });
    const hosts = parse(configMapData(fleet.manifests, 'prometheus-files')['prometheus.yml']!).scrape_configs.find((j: any) => j.job_name === 'blackbox-tls').static_configs[0].targets;
    expect(probes.map((s: any) => s.metric.instance).sort()).toEqual(hosts.map((h: string) => fleet.probes.get(h)).sort());
    // The stand-in certificate is valid for 30 days: CertificateExpiringSoon's 14 days are not reached.
    expect((await query(p, 'probe_ssl_earliest_cert_expiry{job="blackbox-tls"} - time() > 14 * 86400')).length).toBe(hosts.length);
    // node-exporter reads the host.
    expect((await query(p, 'node_uname_info{job="node-exporter"}')).length).toBe(1);
    // pushgateway: a pushed series keeps the job its pusher gave (honor_labels).
    const pushed = await fetch(`http://${fleet.pushgateway}/metrics/job/mongodb-backup`, { method: 'PUT', body: 'contract_probe_last_success 1\n', signal: AbortSignal.timeout(5000) });
    expect(pushed.ok).toBe(true);
    const series = await until('the pushed series', async () => {
      const r = await query(p, 'contract_probe_last_success');
      return r.length ? r : undefined;
    });
    expect(series[0].metric).toMatchObject({ job: 'mongodb-backup' });
    expect(series[0].metric).not.toHaveProperty('exported_job');
  });

  it('stays silent at steady state', async () => {
    for (const p of fleet.prometheus) {
      await until(`${p} five evaluations of every group`, async () => {
        const r = await query(p, 'min(prometheus_rule_group_iterations_total{job="prometheus"})');
        return r.length && Number(r[0].value[1]) >= 5;
      });
      // Silent: nothing fires, and no condition holds across five more evaluations (a scrape that
      // times out once on a loaded machine is what the rules' `for:` durations exist to ignore).
      const key = (a: { name: string; labels: Record<string, string> }) => `${a.name}${JSON.stringify(a.labels)}`;
      const first = await alerts(p);
      const start = Number((await query(p, 'min(prometheus_rule_group_iterations_total{job="prometheus"})'))[0].value[1]);
      await until(`${p} five more evaluations`, async () => Number((await query(p, 'min(prometheus_rule_group_iterations_total{job="prometheus"})'))[0].value[1]) >= start + 5);
      const second = await alerts(p);
      expect([...first, ...second].filter((a) => a.state === 'firing')).toEqual([]);
      expect(second.filter((a) => first.some((b) => key(a) === key(b)))).toEqual([]);
    }
  });

  it('Alertmanager delivers each severity exactly once to the HTTP and SMTP stand-ins although both Prometheus replicas send', async () => {
    fleet.es.health.status = 'red';
    for (const p of fleet.prometheus)
      await until(`${p} sending to Alertmanager`, async () => /^prometheus_notifications_sent_total\{alertmanager="[^"]+"\} [1-9]/m.test((await get(`http://${p}/metrics`)).text));
    const receivers = ['webhook-pager', 'webhook-tickets'];
    await until('a notification at every webhook', () => receivers.every((r) => fleet.webhooks.requests.some((x) => x.path === `/${r}`)));
    await until('an e-mail for every alert', () => Object.keys(DELIVERED).every((a) => fleet.smtp.mails.some((m) => m.data.includes(a))));
    // Both Alertmanagers have seen both replicas' alerts; the second waits its peer timeout, then reads the first's log.
    await sleep(3 * 2000 + 2000);
    expect(await Promise.all(fleet.alertmanager.map(deliveryProblems))).toEqual([[], []]);
    for (const r of receivers) {
      const posts = fleet.webhooks.requests.filter((x) => x.path === `/${r}`).map((x) => JSON.parse(x.body));
      expect(posts, r).toHaveLength(1);
      expect(posts[0].alerts, r).toHaveLength(1);
      expect(posts[0].alerts[0].labels).not.toHaveProperty('prometheus_replica');
    }
    // Each webhook gets its severity only: the info webhook nothing.
    expect(fleet.webhooks.requests.map((x) => [x.path, JSON.parse(x.body).alerts[0].labels.severity]).sort()).toEqual([['/webhook-pager', 'critical'], ['/webhook-tickets', 'warning']]);
    for (const alert of Object.keys(DELIVERED)) {
      const mails = fleet.smtp.mails.filter((m) => m.data.includes(alert));
      expect(mails, alert).toHaveLength(1);
      // Over STARTTLS, logged in with the password file's content, one alert in the group.
      expect(mails[0]).toMatchObject({ tls: true, auth: `aura-alerts\0${SENTINEL.smtpPassword}` });
      expect(mails[0]!.data).toMatch(/\[FIRING:1\]/);
    }
  });

  // Mutation tests: the contracts above fail on the faults this issue found.
  it('fails the delivery contract when the alert relabelling is removed: both replicas\' copies are held', async () => {
    const file = join(programs.root, 'etc', 'prometheus', 'prometheus.yml');
    const config = parse(require('node:fs').readFileSync(file, 'utf8'));
    delete config.alerting.alert_relabel_configs;
    writeFileSync(file, stringify(config));
    for (const p of fleet.prometheus) expect((await fetch(`http://${p}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) })).ok).toBe(true);
    const problems = await until('the labelled copies at Alertmanager', async () => {
      const found = await deliveryProblems(fleet.alertmanager[0]!);
      return found.some((x) => x.includes('carries prometheus_replica')) && found.some((x) => x.includes('held')) ? found : undefined;
    });
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^ElasticsearchClusterRed carries prometheus_replica=prometheus-[01]$/), expect.stringMatching(/^ElasticsearchClusterRed is held [23] times$/)]));
  });

  it('fires each rule family when its condition is staged (pending at least)', async () => {
    const p = fleet.prometheus[0]!;
    const pendingOrFiring = async (name: string, labels: Record<string, string> = {}) =>
      until(`${name} ${JSON.stringify(labels)}`, async () => (await alerts(p)).some((a) => a.name === name && Object.entries(labels).every(([k, v]) => a.labels[k] === v)));
    // Elasticsearch red, through the stand-in the real exporter queries.
    await pendingOrFiring('ElasticsearchClusterRed', { cluster: 'elasticsearch' });
    await pendingOrFiring('ElasticsearchClusterNotGreen');
    // A Redis without master: every member a replica of a server that is gone.
    const gone = await freePort();
    for (const r of fleet.redis) tool('redis-cli', ['-h', '127.0.0.1', '-p', String(r.redis), 'replicaof', '127.0.0.1', String(gone)]);
    await pendingOrFiring('RedisNoMaster');
    // An exporter that cannot reach its target: one Redis stopped, then Elasticsearch.
    programs.stop('redis-2');
    await pendingOrFiring('RedisUnreachable', { pod: 'redis-2' });
    await fleet.es.close();
    await pendingOrFiring('ElasticsearchUnreachable');
    // A target that does not answer.
    programs.stop('node-exporter');
    await pendingOrFiring('TargetDown', { job: 'node-exporter' });
  });

  it('fails the exporter contract on the old ES_URI wiring: the exporter queries localhost:9200, not the address given', async () => {
    const old: Component[] = CATALOG.map((k) => (k.name !== 'exporters' ? k : {
      ...k,
      workloads: k.workloads.map((w) => (w.name !== 'elasticsearch-exporter' ? w : { ...w, args: undefined, secretMounts: undefined, env: (pl) => ({ ES_URI: pl.endpoint('elasticsearch', 'https').url('https') }) })),
    }));
    // Compiled without the checks, which refuse it (test/checks/program-records.test.ts): what the cluster would have run.
    const manifests = compileConfig(configOf('de-pro'), { catalog: old }).map((o) => o.manifest);
    const container = containersOf(manifests, 'Deployment', 'elasticsearch-exporter')['elasticsearch-exporter'];
    expect(container.args).toBeUndefined();
    const standIn = await elasticsearchStandIn(await freePort(), certs, `${SENTINEL.esUser}:${SENTINEL.esPassword}`);
    programs.onStop(() => standIn.close());
    const listen = `127.0.0.1:${await freePort()}`;
    startElasticsearchExporter(programs, 'elasticsearch-exporter-old-wiring', container, manifests, standIn.port, certs.ca, listen);
    await until('the old-wiring exporter answering', async () => (await get(`http://${listen}/metrics`)).status === 200);
    expect(await exporterProblems(listen, standIn, 'elasticsearch_node_stats_up')).toEqual(['the target it was given received no request', 'it reports elasticsearch_node_stats_up 0']);
    // The compiled wiring against the same stand-in passes.
    const fixed = containersOf(fleet.manifests, 'Deployment', 'elasticsearch-exporter')['elasticsearch-exporter'];
    const fixedListen = `127.0.0.1:${await freePort()}`;
    startElasticsearchExporter(programs, 'elasticsearch-exporter-compiled', fixed, fleet.manifests, standIn.port, certs.ca, fixedListen);
    await until('the compiled exporter answering', async () => (await get(`http://${fixedListen}/metrics`)).status === 200);
    expect(await exporterProblems(fixedListen, standIn, 'elasticsearch_node_stats_up')).toEqual([]);
  });
});

describe.each(CLUSTER_PROFILES)('%s: the compiled Prometheus and Alertmanager configurations run', (name) => {
  const programs = new Programs();
  afterAll(() => programs.stopAll());

  it('Prometheus loads every rule file and scrapes every kept target; Alertmanager starts on its configuration', async () => {
    const manifests = buildProfile(name, DEFAULT_PROFILES_DIR).objects.map((o) => o.manifest);
    const standIn = await metricsStandIn(await freePort(), () => 'stand_in_up 1\n');
    const certs = testCertificates(programs.dir('tls'));
    // The kubelet jobs speak HTTPS with the service account's CA and token.
    const kubelet = await metricsStandIn(await freePort(), () => 'stand_in_up 1\n', certs);
    programs.onStop(() => Promise.all([standIn.close(), kubelet.close()]));
    const at = `127.0.0.1:${standIn.port}`;
    const rulesDir = programs.dir('rules');
    const rules = configMapData(manifests, 'prometheus-rules');
    for (const [f, t] of Object.entries(rules)) writeFileSync(join(rulesDir, f), t);
    const secrets = programs.dir('files');
    const loopback = prometheusOnLoopback(configMapData(manifests, 'prometheus-files')['prometheus.yml']!, {
      services: servicesOf(manifests), resolve: () => at, node: `127.0.0.1:${kubelet.port}`, host: () => at, publicHost: () => at, rulesDir, interval: TUNING.interval,
      path: (f) => (f.endsWith('ca.crt') ? certs.ca : programs.write(join(secrets, f.split('/').pop()!), 'sentinel\n')),
    });
    const config = parse(loopback.text);
    const file = programs.write(join(programs.dir('prometheus'), 'prometheus.yml'), stringify(config));
    const port = await freePort();
    programs.start('prometheus', DEBIAN['thirdparty/prometheus']!.command, [`--config.file=${file}`, `--storage.tsdb.path=${programs.dir('tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--enable-feature=expand-external-labels'], { POD_NAME: 'prometheus-0' });
    const groups = await until(`${name}: every rule group evaluated`, async () => {
      const g = (await getJson(`http://127.0.0.1:${port}/api/v1/rules`)).data.groups as any[];
      return g.length === Object.keys(rules).length && g.every((x) => x.rules.every((r: any) => r.health === 'ok')) ? g : undefined;
    });
    expect(groups.map((g) => `${g.name}.rules.yml`).sort()).toEqual(Object.keys(rules).sort());
    const targets = await until(`${name}: every kept target up`, async () => {
      const t = (await getJson(`http://127.0.0.1:${port}/api/v1/targets`)).data.activeTargets as any[];
      return t.length && t.every((x) => x.health === 'up') ? t : undefined;
    });
    const jobs = new Set(targets.map((t) => t.labels.job));
    expect([...jobs].sort()).toEqual(config.scrape_configs.map((j: any) => j.job_name).sort());

    const am = alertmanagerOnLoopback(configMapData(manifests, 'alertmanager-files')['alertmanager.yml']!, {
      smtp: at, webhook: () => `http://${at}/`, groupWait: TUNING.groupWait, path: (f) => programs.write(join(secrets, f.split('/').pop()!), 'sentinel\n'),
    });
    const amFile = programs.write(join(programs.dir('alertmanager'), 'alertmanager.yml'), am.text);
    const amPort = await freePort();
    programs.start('alertmanager', DEBIAN['thirdparty/alertmanager']!.command, [`--config.file=${amFile}`, `--storage.path=${programs.dir('am-data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=']);
    const status = await until(`${name}: Alertmanager ready`, async () => ((await get(`http://127.0.0.1:${amPort}/-/ready`)).status === 200 ? getJson(`http://127.0.0.1:${amPort}/api/v2/status`) : undefined));
    expect(parse(status.config.original).receivers.map((r: any) => r.name)).toEqual(parse(configMapData(manifests, 'alertmanager-files')['alertmanager.yml']!).receivers.map((r: any) => r.name));
  });
});

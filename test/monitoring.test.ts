import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { resolvePlatform } from '../src/platform/resolve';
import { CATALOG } from '../src/components/catalog';
import { alertmanagerConfig } from '../src/components/alertmanager';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { compileConfig } from '../src/compile';
import { catchError, configOf as configOfYaml, find, manifests, MINIMAL, SHIPPED } from './helpers';
import { folderWith, run } from './monitoring/tools';

const configOf = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
const CLUSTER_PROFILES = SHIPPED.filter((p) => configOf(p).tenant_name === 'default');
const podSpec = (m: any) => m.spec.template.spec;
const ports = (m: any) => podSpec(m).containers.flatMap((c: any) => c.ports.map((p: any) => `${c.name}/${p.name}:${p.containerPort}`));

describe.each(CLUSTER_PROFILES)('monitoring of %s', (name) => {
  const config = configOf(name);

  it('runs Prometheus in HA with 15 days of retention and the profile volume, plus the Thanos sidecar', () => {
    const p = find(name, 'StatefulSet', 'prometheus') as any;
    expect(p.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(podSpec(p).containers[0].args).toContain('--storage.tsdb.retention.time=15d');
    // The guide's PVC data-prometheus-0 comes from the claim template named data.
    expect(p.spec.volumeClaimTemplates[0]).toMatchObject({ metadata: { name: 'data' }, spec: { resources: { requests: { storage: `${config.prometheus.storage_size_gb}Gi` } } } });
    expect(ports(p)).toEqual(['prometheus/http:9090', 'thanos-sidecar/grpc:10901', 'thanos-sidecar/exposed:10902']);
    expect(podSpec(p).containers[1].args).toContain('--objstore.config-file=/mnt/secrets-store/thanos-objstore-config');
  });

  it('scrapes every component that declares a metrics port, every 30 seconds', () => {
    const config_ = parse((find(name, 'ConfigMap', 'prometheus-files') as any).data['prometheus.yml']);
    expect(config_.global.scrape_interval).toBe('30s');
    const jobs = config_.scrape_configs.map((j: any) => j.job_name).sort();
    const platform = resolvePlatform(config, CATALOG);
    const declared = [...platform.workloads('system'), ...platform.workloads('core')].filter((c) => c.scrape).map((c) => c.name);
    // Plus the jobs components declare: probes, the Thanos sidecar, the Redis sentinels (and Atlas once its project id is known).
    const extra = platform.components.flatMap((c) => c.scrapeJobs?.(platform) ?? []).map((j) => String(j.job_name));
    // And the kubelet and cAdvisor of every node.
    expect(jobs).toEqual([...declared, ...extra, 'cadvisor', 'kubelet'].sort());
    expect(extra).toEqual(expect.arrayContaining(['blackbox-tls', 'thanos-sidecar', 'redis-sentinel']));
    // Loaded rule files are exactly the ones the rules ConfigMap holds.
    const rules = Object.keys((find(name, 'ConfigMap', 'prometheus-rules') as any).data).sort();
    expect([...config_.rule_files].map((f: string) => f.replace('/etc/prometheus/rules/', '')).sort()).toEqual(rules);
    expect(podSpec(find(name, 'StatefulSet', 'prometheus')).containers[0].volumeMounts).toContainEqual({ name: 'files-rules', mountPath: '/etc/prometheus/rules', readOnly: true });
    expect(jobs).toEqual(expect.arrayContaining(['prometheus', 'node-exporter', 'kube-state-metrics', 'pushgateway', 'mongodb-exporter', 'elasticsearch-exporter', 'aura-bot', 'nginx', 'context', 'tac', 'nlp', 'thanos-querier']));
    expect(jobs.includes('prometheus-es-exporter')).toBe(config.prometheus_es_exporter_enabled);
  });

  it('gives Prometheus read-only discovery access and nothing more', () => {
    const role = find(name, 'ClusterRole', 'aura-prometheus') as any;
    expect(role.rules.flatMap((r: any) => r.verbs)).not.toContain('create');
    expect(find(name, 'ClusterRoleBinding', 'aura-system-prometheus')).toMatchObject({ subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'aura-system' }] });
    expect(podSpec(find(name, 'StatefulSet', 'prometheus'))).toMatchObject({ serviceAccountName: 'prometheus', automountServiceAccountToken: true });
  });

  it('keeps the singletons single: thanos-compact and kube-state-metrics, never autoscaled', () => {
    expect((find(name, 'StatefulSet', 'thanos-compact') as any).spec.replicas).toBe(1);
    expect((find(name, 'Deployment', 'kube-state-metrics') as any).spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    expect(manifests(name).filter((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.namespace === 'aura-system')).toEqual([]);
  });

  it('exposes the Thanos StoreAPI and queries both store sources', () => {
    expect(ports(find(name, 'Deployment', 'thanos-querier'))).toEqual(['thanos-querier/grpc:10901', 'thanos-querier/http:10902']);
    const args = podSpec(find(name, 'Deployment', 'thanos-querier')).containers[0].args;
    expect(args).toContain('--endpoint=dnssrv+_grpc._tcp.prometheus.aura-system.svc.cluster.local');
    expect(args).toContain('--endpoint=dnssrv+_grpc._tcp.thanos-store-gateway.aura-system.svc.cluster.local');
  });

  it('runs node-exporter on every node with read-only host access, in a namespace that allows it but warns', () => {
    const ne = find(name, 'DaemonSet', 'node-exporter') as any;
    expect(podSpec(ne)).toMatchObject({ hostNetwork: true, hostPID: true, tolerations: [{ operator: 'Exists' }] });
    expect(podSpec(ne).nodeSelector).toBeUndefined();
    expect(podSpec(ne).containers[0].volumeMounts.filter((v: any) => v.name.startsWith('host-')).every((v: any) => v.readOnly)).toBe(true);
    expect(find(name, 'Namespace', 'aura-system')!.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted' });
  });

  it('labels pushgateway pods as the guide policy selects them', () => {
    expect((find(name, 'Deployment', 'pushgateway') as any).spec.template.metadata.labels).toMatchObject({ app: 'pushgateway', release: 'pushgateway' });
    expect(ports(find(name, 'Deployment', 'pushgateway'))).toEqual(['pushgateway/http:9091']);
  });
});

describe('alerting and dashboards', () => {
  const compiled = (extra: string) => compileConfig(configOfYaml(`${MINIMAL}${extra}`)).map((o) => o.manifest);
  const file = (objects: any[], cm: string, key: string) => parse(objects.find((m) => m.kind === 'ConfigMap' && m.metadata.name === cm).data[key]);

  const PLUS = 'nginx_plus_enabled: true\nprometheus_es_exporter_enabled: true\n';
  const byName = (objects: any[], kind: string, name: string) => objects.find((m) => m.kind === kind && m.metadata.name === name);
  const podOf = (objects: any[], kind: string, name: string) => byName(objects, kind, name).spec.template.spec;
  const prometheusYml = (objects: any[]) => file(objects, 'prometheus-files', 'prometheus.yml');
  const job = (objects: any[], name: string) => prometheusYml(objects).scrape_configs.find((j: any) => j.job_name === name);

  it('provisions the dashboards of dashboards/ through a file provider, the NGINX Plus one only with NGINX Plus', () => {
    const plain = compiled('');
    const plus = compiled(PLUS);
    expect(Object.keys(byName(plain, 'ConfigMap', 'grafana-dashboards').data).sort()).toEqual(['aura-overview.json', 'elasticsearch.json', 'kubernetes-storage.json', 'redis-mongodb.json']);
    expect(Object.keys(byName(plus, 'ConfigMap', 'grafana-dashboards').data)).toContain('nginx-plus.json');
    const provider = file(plain, 'grafana-dashboard-providers', 'aura.yaml').providers[0];
    const mounts = podOf(plain, 'StatefulSet', 'grafana').containers[0].volumeMounts;
    // The provider reads the folder where the dashboards ConfigMap is mounted; its own file is where Grafana looks for providers.
    expect(mounts).toContainEqual({ name: 'files-dashboards', mountPath: provider.options.path, readOnly: true });
    expect(mounts).toContainEqual({ name: 'files-dashboard-providers', mountPath: '/etc/grafana/provisioning/dashboards', readOnly: true });
    expect(provider).toMatchObject({ type: 'file', allowUiUpdates: false });
    // Every panel queries the data source Grafana provisions.
    const uid = file(plain, 'grafana-files', 'datasources.yaml').datasources[0].uid;
    expect(JSON.parse(byName(plain, 'ConfigMap', 'grafana-dashboards').data['aura-overview.json']).panels.filter((x: any) => x.type !== 'row').every((x: any) => x.datasource.uid === uid)).toBe(true);
  });

  it('probes every public host\'s certificate and the external health endpoint through blackbox-exporter modules that exist', () => {
    const objects = compiled('external_health_endpoint: https://health.example.com/aura\n');
    const modules = Object.keys(file(objects, 'blackbox-exporter-files', 'blackbox.yml').modules);
    const tls = job(objects, 'blackbox-tls');
    const health = job(objects, 'blackbox-health');
    expect(modules).toEqual(expect.arrayContaining([tls.params.module[0], health.params.module[0]]));
    expect(health.static_configs[0].targets).toEqual(['https://health.example.com/aura']);
    const hosts = objects.filter((m) => m.kind === 'VirtualServer').map((m: any) => `${m.spec.host}:443`).sort();
    expect([...tls.static_configs[0].targets].sort()).toEqual(hosts);
    expect(tls.relabel_configs.at(-1)).toEqual({ target_label: '__address__', replacement: 'blackbox-exporter.aura-system.svc.cluster.local:9115' });
    expect(podOf(objects, 'Deployment', 'blackbox-exporter').containers[0].args).toEqual(['--config.file=/etc/blackbox-exporter/blackbox.yml']);
    expect(job(compiled(''), 'blackbox-health')).toBeUndefined();
  });

  it('runs the WAF query with the Elasticsearch password from Key Vault, and imports the Kibana content', () => {
    const objects = compiled(PLUS);
    const container = podOf(objects, 'Deployment', 'prometheus-es-exporter').containers[0];
    expect(container.args).toEqual(expect.arrayContaining(['--basic-user=$(ES_USERNAME)', '--basic-password=$(ES_PASSWORD)', '--config-file=/etc/prometheus-es-exporter/exporter.cfg']));
    // The elastic user's name and password: the same Key Vault secrets as the server's file realm (issue 13).
    expect(container.env).toContainEqual({ name: 'ES_USERNAME', valueFrom: { secretKeyRef: { name: 'prometheus-es-exporter-keyvault', key: 'elastic-admin-username' } } });
    expect(container.env).toContainEqual({ name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'prometheus-es-exporter-keyvault', key: 'elastic-admin-password' } } });
    expect(byName(objects, 'ConfigMap', 'prometheus-es-exporter-files').data['exporter.cfg']).toContain('[query_waf_policy_hits]');
    expect(file(objects, 'prometheus-rules', 'nginx-plus.rules.yml').groups[0].rules.map((r: any) => r.alert)).toEqual(['waf_policy_hits_increase']);
    const provision = byName(objects, 'ConfigMap', 'elasticsearch-provision-files').data;
    expect(Object.keys(provision)).toEqual(expect.arrayContaining(['kibana-aura-services.ndjson', 'kibana-nginx-plus.ndjson', 'index-template-aurak8s-waf.json', 'ingest-pipeline-aurak8s-waf.json']));
    expect(byName(objects, 'ConfigMap', 'elasticsearch-provision-config').data.KIBANA_URL).toBe('https://kibana-kb-http.aura-system.svc.cluster.local:5601');
    expect(Object.keys(byName(compiled(''), 'ConfigMap', 'elasticsearch-provision-files').data)).not.toContain('kibana-nginx-plus.ndjson');
  });

  it('scrapes the Atlas Prometheus integration once the project id is known, with the password file Prometheus mounts', () => {
    const objects = compiled('atlas_project_id: 0123456789abcdef01234567\n');
    const atlas = job(objects, 'mongodb-atlas');
    expect(atlas.http_sd_configs[0].url).toBe('https://cloud.mongodb.com/prometheus/v1.0/groups/0123456789abcdef01234567/discovery');
    expect(atlas.basic_auth).toEqual({ username: 'atlasprometheus', password_file: '/mnt/secrets-store/atlas-prometheus-password' });
    expect(byName(objects, 'SecretProviderClass', 'prometheus-keyvault').spec.parameters.objects).toContain('objectName: atlas-prometheus-password');
    expect(job(compiled(''), 'mongodb-atlas')).toBeUndefined();
  });

  it('keeps kube-state-metrics\' own namespace and pod labels, and the job and instance a pusher gave the pushgateway', () => {
    const objects = compiled('');
    expect(job(objects, 'kube-state-metrics').honor_labels).toBe(true);
    expect(job(objects, 'pushgateway').honor_labels).toBe(true);
  });

  it('sends alerts without the replica label, so the two replicas\' copies are one alert', () => {
    const prometheus = prometheusYml(compiled(''));
    expect(prometheus.global.external_labels.prometheus_replica).toBe('${POD_NAME}');
    expect(prometheus.alerting.alert_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'prometheus_replica' }]);
  });

  it('points the exporters at their targets through flags they read, verifying ECK\'s CA', () => {
    const objects = compiled(PLUS);
    const es = podOf(objects, 'Deployment', 'elasticsearch-exporter');
    expect(es.containers[0].args).toEqual(['--es.uri=https://elasticsearch-es-http.aura-system.svc.cluster.local:9200', '--es.ca=/etc/elasticsearch-ca/ca.crt', '--es.all']);
    expect(es.containers[0].envFrom).toBeUndefined();
    expect(es.volumes).toContainEqual({ name: 'elasticsearch-ca', secret: { secretName: 'elasticsearch-es-http-certs-public' } });
    expect(podOf(objects, 'Deployment', 'prometheus-es-exporter').containers[0].args).toContain('--ca-certs=/etc/elasticsearch-ca/ca.crt');
    expect(podOf(objects, 'Deployment', 'mongodb-exporter').containers[0].args).toEqual(['--collector.diagnosticdata', '--no-mongodb.direct-connect']);
  });

  it('runs prometheus-msteams only where a Teams webhook routes to it, and the https_2xx module only where it probes', () => {
    expect(byName(compiled(''), 'Deployment', 'prometheus-msteams')).toBeUndefined();
    expect(Object.keys(file(compiled(''), 'blackbox-exporter-files', 'blackbox.yml').modules)).toEqual(['tls_connect']);
  });

  it('sends every alert by e-mail and each severity to its webhooks; Teams through prometheus-msteams', () => {
    const objects = compiled(`notifications_webhooks:
  - { name: pager, url: "https://pager.example.com/hook", severity: critical }
  - { name: teams, url: "https://contoso.webhook.office.com/webhookb2/abc", severity: warning }
`);
    const am = file(objects, 'alertmanager-files', 'alertmanager.yml');
    expect(am.route.routes).toEqual([
      { receiver: 'email', continue: true },
      { receiver: 'webhook-pager', matchers: ['severity="critical"'], continue: true },
      { receiver: 'webhook-teams', matchers: ['severity="warning"'], continue: true },
    ]);
    expect(am.receivers[0]).toEqual({ name: 'email', email_configs: [{ to: 'ops@example.com', send_resolved: true }] });
    expect(am.receivers[1].webhook_configs[0].url).toBe('https://pager.example.com/hook');
    expect(am.receivers[2].webhook_configs[0].url).toBe('http://prometheus-msteams.aura-system.svc.cluster.local:2000/teams');
    expect(file(objects, 'prometheus-msteams-files', 'connectors.yaml')).toEqual({ connectors: [{ teams: 'https://contoso.webhook.office.com/webhookb2/abc' }] });
    expect(am.global).toMatchObject({ smtp_smarthost: 'smtp.example.com:587', smtp_from: 'alerts@example.com' });
  });

  it('runs alertmanager as a 2-replica gossip cluster on the guide ports', () => {
    const am = compiled('').find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'alertmanager') as any;
    expect(am.spec.replicas).toBe(2);
    expect(am.spec.template.spec.containers[0].ports.map((p: any) => p.name)).toEqual(['http', 'cluster']);
    expect(am.spec.template.spec.containers[0].args).toContain('--cluster.peer=alertmanager-1.alertmanager.aura-system.svc.cluster.local:9094');
  });

  it('makes the first dashboards user the Grafana admin and the rest read-only, passwords from Key Vault', () => {
    const objects = compiled('');
    const withUsers = compileConfig(configOfYaml(MINIMAL.replace(/^backoffice_users:.*$/m, 'backoffice_users: { dashboards: [{ name: boss }, { name: ana }, { name: bo }] }'))).map((o) => o.manifest) as any[];
    const env = withUsers.find((m) => m.metadata.name === 'grafana-config').data;
    expect(env).toMatchObject({ GF_SECURITY_ADMIN_USER: 'boss', GF_USERS_ALLOW_SIGN_UP: 'false' });
    expect(withUsers.find((m) => m.metadata.name === 'grafana-provision-config').data.GRAFANA_VIEWERS).toBe('ana,bo');
    const spc = withUsers.find((m) => m.kind === 'SecretProviderClass' && m.metadata.name === 'grafana-provision-keyvault');
    for (const u of ['boss', 'ana', 'bo']) expect(spc.spec.parameters.objects).toContain(`objectName: backoffice-dashboards-${u}-password`);
    expect(objects.find((m: any) => m.kind === 'ConfigMap' && m.metadata.name === 'grafana-files')).toBeDefined();
  });

  it('refuses a profile without a dashboards user', () => {
    const e = catchError(() => configOfYaml(MINIMAL.replace(/^backoffice_users:.*$/m, 'backoffice_users: { dashboards: [] }')));
    expect(e.diagnostics).toContainEqual(expect.objectContaining({ path: 'backoffice_users', message: expect.stringContaining("the first is Grafana's admin") }));
  });
});

const configMapData = (profile: string, name: string): Record<string, string> => (find(profile, 'ConfigMap', name) as any).data;

/**
 * prometheus.yml as Debian's promtool can check it: that build has no Kubernetes service
 * discovery, so each job's kubernetes_sd_configs becomes a static target; rule files are read
 * from `rulesDir`, where the test wrote the compiled ones.
 */
function checkablePrometheusConfig(text: string, rulesDir: string): string {
  const config = parse(text);
  // promtool also opens the files a job reads its credentials from: the pod's service-account
  // token and CA exist only in a pod, so they point at a stand-in file here.
  const standIn = join(rulesDir, 'stand-in');
  writeFileSync(standIn, 'x\n');
  for (const job of config.scrape_configs ?? []) {
    if (job.authorization?.credentials_file) job.authorization.credentials_file = standIn;
    if (job.tls_config?.ca_file) job.tls_config.ca_file = standIn;
    if (!job.kubernetes_sd_configs) continue;
    delete job.kubernetes_sd_configs;
    job.static_configs = [{ targets: ['127.0.0.1:9'] }];
  }
  if (config.rule_files) config.rule_files = config.rule_files.map((f: string) => join(rulesDir, f.split('/').pop()!));
  return stringify(config);
}

describe('every cluster profile\'s monitoring configuration passes the real tools', () => {
  let dir: string;
  beforeAll(() => {
    const files: Record<string, string> = {};
    for (const p of CLUSTER_PROFILES) {
      files[`${p}.alertmanager.yml`] = configMapData(p, 'alertmanager-files')['alertmanager.yml']!;
    }
    dir = folderWith(files);
    for (const p of CLUSTER_PROFILES) {
      const prometheusFiles = configMapData(p, 'prometheus-files');
      const rulesDir = folderWith(configMapData(p, 'prometheus-rules'));
      writeFileSync(join(dir, `${p}.prometheus.yml`), checkablePrometheusConfig(prometheusFiles['prometheus.yml']!, rulesDir));
    }
  });

  it('amtool check-config accepts every Alertmanager configuration', () => {
    const r = run('amtool', ['check-config', ...CLUSTER_PROFILES.map((p) => `${p}.alertmanager.yml`)], dir);
    expect(r.output.match(/SUCCESS/g)).toHaveLength(CLUSTER_PROFILES.length);
    expect(r.status).toBe(0);
  });

  it('promtool check config accepts every prometheus.yml (Kubernetes discovery replaced by static targets)', () => {
    const r = run('promtool', ['check', 'config', ...CLUSTER_PROFILES.map((p) => `${p}.prometheus.yml`)], dir);
    expect(r.output).not.toMatch(/FAILED/);
    expect(r.status).toBe(0);
  });

  it('fails amtool check-config and promtool check config on a broken configuration', () => {
    const broken = folderWith({ 'am.yml': 'route:\n  receiver: nobody\nreceivers: []\n', 'prom.yml': 'scrape_configs:\n  - job_name: x\n    kubernetes_sd_configs: [{ role: pod }]\n' });
    expect(run('amtool', ['check-config', 'am.yml'], broken).status).not.toBe(0);
    expect(run('promtool', ['check', 'config', 'prom.yml'], broken).status).not.toBe(0);
  });
});

describe('amtool config routes test: where each severity goes', () => {
  const config = configOfYaml(`${MINIMAL}notifications_webhooks:
  - { name: pager, url: "https://pager.example.com/hook", severity: critical }
  - { name: oncall, url: "https://oncall.example.com/alerts", severity: critical }
  - { name: teams, url: "https://contoso.webhook.office.com/webhookb2/abc", severity: warning }
  - { name: chat, url: "https://chat.example.com/hook", severity: info }
`);
  const dir = folderWith({ 'alertmanager.yml': alertmanagerConfig(resolvePlatform(config, CATALOG)) });
  const routes = (labels: string[], verify?: string[]) =>
    run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', ...(verify ? [`--verify.receivers=${verify.join(',')}`] : []), ...labels], dir);

  it.each([
    ['critical', ['email', 'webhook-pager', 'webhook-oncall']],
    ['warning', ['email', 'webhook-teams']],
    ['info', ['email', 'webhook-chat']],
  ])('severity=%s reaches %j', (severity, receivers) => {
    const r = routes([`severity=${severity}`, 'alertname=TargetDown'], receivers);
    expect(r.status).toBe(0);
    expect(r.output.split('\n').filter((l) => l && !l.startsWith('Warning'))).toEqual([receivers.join(',')]);
  });

  it('sends an alert without a severity by e-mail only', () => {
    expect(routes(['alertname=Unlabelled'], ['email']).status).toBe(0);
  });

  it('reaches Teams through prometheus-msteams, other webhooks directly', () => {
    const receivers = parse(alertmanagerConfig(resolvePlatform(config, CATALOG))).receivers as any[];
    const url = (name: string) => receivers.find((r) => r.name === name).webhook_configs[0].url;
    expect(url('webhook-teams')).toBe('http://prometheus-msteams.aura-system.svc.cluster.local:2000/teams');
    expect(url('webhook-pager')).toBe('https://pager.example.com/hook');
  });

  it('fails when the receivers differ from the expected ones (mutation)', () => {
    expect(routes(['severity=warning'], ['email', 'webhook-pager']).status).not.toBe(0);
  });
});

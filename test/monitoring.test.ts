import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/cli';
import { enabledComponents } from '../src/platform/catalog';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { compileConfig } from '../src/compile';
import { catchError, configOf as configOfYaml, find, manifests, MINIMAL, SHIPPED } from './helpers';

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
    const declared = [...enabledComponents(config, 'system'), ...enabledComponents(config, 'core')].filter((c) => c.scrape).map((c) => c.name).sort();
    expect(jobs).toEqual(declared);
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

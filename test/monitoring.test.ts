import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/cli';
import { enabledComponents } from '../src/platform/catalog';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { find, manifests, SHIPPED } from './helpers';

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
    expect(find(name, 'ClusterRoleBinding', 'aura-prometheus')).toMatchObject({ subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'aura-system' }] });
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

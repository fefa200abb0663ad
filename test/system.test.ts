import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { BACKUP_CONTAINER, BACKUP_SCHEDULES } from '../src/components/backups';
import { redisMemoryMi } from '../src/components/redis';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { configOf as configOfYaml, find, manifests, MINIMAL, SHIPPED } from './helpers';
import { compileConfig } from '../src/compile';

const configOf = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
const CLUSTER_PROFILES = SHIPPED.filter((p) => configOf(p).tenant_name === 'default');
const container = (m: any, name: string) => m.spec.template.spec.containers.find((c: any) => c.name === name);

describe.each(CLUSTER_PROFILES)('aura-system of %s', (name) => {
  const config = configOf(name);
  const system = () => manifests(name).filter((m) => m.metadata.namespace === 'aura-system');

  it('emits the aura-system namespace on the management pool', () => {
    expect(find(name, 'Namespace', 'aura-system')).toBeDefined();
    for (const w of system().filter((m) => m.kind === 'StatefulSet'))
      expect((w as any).spec.template.spec.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': 'management' });
  });

  it('runs redis with sentinel and its exporter on the guide ports, memory sized for context_expiration_days', () => {
    const redis = find(name, 'StatefulSet', 'redis') as any;
    expect(redis.spec.replicas).toBe(3);
    const ports = redis.spec.template.spec.containers.flatMap((c: any) => c.ports.map((p: any) => [p.name, p.containerPort]));
    expect(ports).toEqual([['redis', 6379], ['sentinel', 26379], ['metrics', 9121]]);
    const memory = `${redisMemoryMi(config)}Mi`;
    expect(container(redis, 'redis').resources).toMatchObject({ requests: { memory }, limits: { memory } });
    expect(find(name, 'Service', 'redis')).toMatchObject({ spec: { clusterIP: 'None' } });
  });

  it('has nightly compressed backups keeping backup_retention_time days, and suspended restore templates', () => {
    for (const store of ['mongodb', 'redis', 'grafana'] as const) {
      const backup = find(name, 'CronJob', `${store}-backup`) as any;
      expect(backup.spec).toMatchObject({ schedule: BACKUP_SCHEDULES[store], concurrencyPolicy: 'Forbid' });
      expect(backup.spec.suspend).toBeUndefined();
      const env = (find(name, 'ConfigMap', `${store}-backup-config`) as any).data;
      expect(env).toMatchObject({ BACKUP_CONTAINER, BACKUP_PREFIX: `${store}/`, BACKUP_RETENTION_DAYS: String(config.backup_retention_time) });
      expect(env.BACKUP_FILE).toMatch(/\.gz$/);
      expect(backup.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['bash', '/etc/aura-job/backup-storage.sh', 'upload']);
      const restore = find(name, 'CronJob', `${store}-restore`) as any;
      expect(restore.spec.suspend).toBe(true);
      expect(restore.spec.jobTemplate.spec.template.spec.initContainers[0].command).toEqual(['bash', '/etc/aura-job/backup-storage.sh', 'download']);
      expect((find(name, 'ConfigMap', `${store}-restore-config`) as any).data.RESTORE_PREFIX).toBe(`${store}/restore/`);
    }
  });

  it('runs the in-cluster mongodb and its provisioning job only without Atlas', () => {
    expect(!!find(name, 'StatefulSet', 'mongodb')).toBe(!config.atlas_enabled);
    expect(!!find(name, 'Job', 'mongodb-provision')).toBe(!config.atlas_enabled);
  });

  it('runs Active Listening in its own namespace when enabled', () => {
    expect(!!find(name, 'Namespace', 'active-listening')).toBe(config.active_listening_enabled);
    if (config.active_listening_enabled) expect(find(name, 'CronJob', 'active-listening')?.metadata.namespace).toBe('active-listening');
  });
});

describe('aura-system specifics', () => {
  it('a tenant shares its parent cluster: no aura-system of its own', () => {
    expect(manifests('de-pro-wsim').filter((m) => m.metadata.namespace === 'aura-system' || m.metadata.name === 'aura-system')).toEqual([]);
  });

  it('without Atlas: a 3-member replica set named as the guide connects to it, with its headless Service', () => {
    const objects = compileConfig(configOfYaml(`${MINIMAL}atlas_enabled: false\n`)).map((o) => o.manifest);
    const mongo = objects.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'mongodb') as any;
    expect(mongo.spec.replicas).toBe(3);
    expect(mongo.spec.template.spec.containers[0].ports).toEqual([{ name: 'mongodb', containerPort: 27017, protocol: 'TCP' }]);
    expect(mongo.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--replSet', 'aura_replicaset']));
    expect(objects.find((m) => m.kind === 'Service' && m.metadata.name === 'mongodb')).toMatchObject({ spec: { clusterIP: 'None' } });
    expect(objects.find((m) => m.kind === 'Job' && m.metadata.name === 'mongodb-provision')).toBeDefined();
  });

  it.each([[7, 512], [15, 1024], [30, 2048]])('redis memory for %i days is %i MiB', (days, mi) => {
    expect(redisMemoryMi(configOfYaml(`${MINIMAL}context_expiration_days: ${days}\n`))).toBe(mi);
  });

  it('each restore template is a complete job for `kubectl create job --from=cronjob/...`', () => {
    for (const store of ['mongodb', 'redis', 'grafana']) {
      const spec = (find('es-pro', 'CronJob', `${store}-restore`) as any).spec.jobTemplate.spec;
      expect(spec.template.spec.restartPolicy).toBe('OnFailure');
      expect(spec.template.metadata.labels.app).toBe(`${store}-restore`);
      expect(spec.template.spec.containers[0].env.map((e: any) => e.name)).toContain('BACKUP_STORAGE_CONNECTION_STRING');
    }
  });

  it('backs up Grafana\'s database through its API as the admin, which its network policy allows', () => {
    for (const job of ['grafana-backup', 'grafana-restore']) {
      expect((find('es-pro', 'ConfigMap', `${job}-config`) as any).data).toMatchObject({ GRAFANA_URL: 'http://grafana.aura-system.svc.cluster.local:3000', GRAFANA_ADMIN_USER: 'admin' });
      const container = (find('es-pro', 'CronJob', job) as any).spec.jobTemplate.spec.template.spec.containers[0];
      expect(container.env.map((e: any) => e.name)).toEqual(expect.arrayContaining(['GRAFANA_ADMIN_PASSWORD', 'BACKUP_STORAGE_CONNECTION_STRING']));
      // The Python image runs grafana.py (export or import); the Azure CLI image moves the file.
      const images = [container, ...(find('es-pro', 'CronJob', job) as any).spec.jobTemplate.spec.template.spec.initContainers].map((c: any) => c.image.replace(/^.*\/aura\//, ''));
      expect(images.sort()).toEqual(['thirdparty/azure-cli:2.64.0', 'thirdparty/python:3.12.7-slim-bookworm']);
    }
    const policy = find('es-pro', 'NetworkPolicy', 'grafana-network-policy') as any;
    const pod = (find('es-pro', 'CronJob', 'grafana-backup') as any).spec.jobTemplate.spec.template.metadata.labels;
    const selects = (labels: Record<string, string> = {}) => Object.keys(labels).length > 0 && Object.entries(labels).every(([k, v]) => pod[k] === v);
    const admitted = policy.spec.ingress.some((rule: any) => (rule.from ?? []).some((peer: any) => selects(peer.podSelector?.matchLabels)));
    expect(admitted).toBe(true);
  });
});

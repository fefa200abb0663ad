import { describe, expect, it } from 'vitest';
import { checkWiring, formatConnections, providerObjects } from '../src/checks/wiring/check';
import { main as wiringCli } from '../src/commands/verify-wiring';
import type { Manifest } from '../src/compile';

/**
 * A small platform written by hand: a redis StatefulSet behind a policy, a grafana with its admin
 * password from Key Vault, a client Deployment and a CronJob. Each test breaks one rule.
 */
const NS = 'aura-system';
const APP = 'aura-app';
const spc = (name: string, ns: string, objects: string[], secret?: { name: string; keys: [string, string][] }) => ({
  apiVersion: 'secrets-store.csi.x-k8s.io/v1',
  kind: 'SecretProviderClass',
  metadata: { name, namespace: ns },
  spec: {
    provider: 'azure',
    parameters: { objects: `array:\n${objects.map((o) => `  - |\n    objectName: ${o}\n    objectType: secret\n`).join('')}` },
    secretObjects: secret ? [{ secretName: secret.name, type: 'Opaque', data: secret.keys.map(([k, o]) => ({ key: k, objectName: o })) }] : undefined,
  },
});
const kvVolume = (spcName: string) => ({ name: 'key-vault', csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: spcName } } });
const secretEnv = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

function platform(): Manifest[] {
  return structuredClone([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'networking/allow-namespace-redis-access': 'true' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APP, labels: { 'networking/allow-namespace-redis-access': 'true' } } },
    {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'redis', namespace: NS },
      spec: {
        serviceName: 'redis', replicas: 3,
        template: {
          metadata: { labels: { app: 'redis', 'networking/allow-pod-redis-access': 'true' } },
          spec: {
            containers: [
              { name: 'redis', ports: [{ name: 'redis', containerPort: 6379 }], args: ['/etc/redis/redis.conf'], volumeMounts: [{ name: 'files', mountPath: '/etc/redis' }, { name: 'data', mountPath: '/data' }] },
            ],
            volumes: [{ name: 'files', configMap: { name: 'redis-files' } }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' } }],
      },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'redis-files', namespace: NS }, data: { 'redis.conf': 'port 6379\n' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'redis', namespace: NS }, spec: { clusterIP: 'None', selector: { app: 'redis' }, ports: [{ name: 'redis', port: 6379, targetPort: 'redis' }] } },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'redis-network-policy', namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: 'redis' } }, policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { 'networking/allow-pod-redis-access': 'true' } }, namespaceSelector: { matchLabels: { 'networking/allow-namespace-redis-access': 'true' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
      },
    },
    {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'grafana', namespace: NS },
      spec: {
        serviceName: 'grafana',
        template: {
          metadata: { labels: { app: 'grafana' } },
          spec: {
            containers: [{ name: 'grafana', ports: [{ name: 'http', containerPort: 3000 }], env: [secretEnv('GF_SECURITY_ADMIN_PASSWORD', 'grafana-keyvault', 'grafana-admin')], volumeMounts: [{ name: 'key-vault', mountPath: '/mnt/secrets-store' }] }],
            volumes: [kvVolume('grafana-keyvault')],
          },
        },
      },
    },
    spc('grafana-keyvault', NS, ['grafana-admin'], { name: 'grafana-keyvault', keys: [['grafana-admin', 'grafana-admin']] }),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'grafana', namespace: NS }, spec: { selector: { app: 'grafana' }, ports: [{ name: 'http', port: 3000, targetPort: 'http' }] } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'context', namespace: APP },
      spec: {
        template: {
          metadata: { labels: { app: 'context', 'networking/allow-pod-redis-access': 'true' } },
          spec: {
            serviceAccountName: 'context',
            containers: [{
              name: 'context', envFrom: [{ configMapRef: { name: 'context-config' } }],
              args: ['--config=/etc/context/context.yml', '--token=/mnt/secrets-store/context-token'],
              volumeMounts: [{ name: 'files', mountPath: '/etc/context' }, { name: 'key-vault', mountPath: '/mnt/secrets-store' }],
            }],
            volumes: [{ name: 'files', configMap: { name: 'context-files' } }, kvVolume('context-keyvault')],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'context', namespace: APP } },
    spc('context-keyvault', APP, ['context-token']),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'context-config', namespace: APP }, data: { REDIS_HOST: `redis.${NS}.svc.cluster.local`, REDIS_PORT: '6379' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'context-files', namespace: APP }, data: { 'context.yml': `replicas:\n  - host: redis-2.redis.${NS}.svc.cluster.local\n    port: 6379\n` } },
    {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'grafana-provision', namespace: NS },
      spec: {
        schedule: '0 1 * * *',
        jobTemplate: {
          spec: {
            template: {
              metadata: { labels: { app: 'grafana-provision' } },
              spec: {
                containers: [{
                  name: 'provision', args: [`--url=http://grafana.${NS}.svc.cluster.local:3000`],
                  env: [secretEnv('GRAFANA_ADMIN_PASSWORD', 'provision-keyvault', 'grafana-admin')], volumeMounts: [{ name: 'key-vault', mountPath: '/mnt/secrets-store' }],
                }],
                volumes: [kvVolume('provision-keyvault')],
              },
            },
          },
        },
      },
    },
    spc('provision-keyvault', NS, ['grafana-admin'], { name: 'provision-keyvault', keys: [['grafana-admin', 'grafana-admin']] }),
  ] as Manifest[]);
}

const byName = (ms: Manifest[], kind: string, name: string): any => ms.find((m) => m.kind === kind && m.metadata.name === name);
const broken = (mutate: (ms: Manifest[]) => void) => {
  const ms = platform();
  mutate(ms);
  return checkWiring(ms).errors;
};

describe('wiring check', () => {
  it('passes on the intact platform and lists its connections', () => {
    const r = checkWiring(platform());
    expect(r.errors).toEqual([]);
    expect(r.connections.map((c) => `${c.client} ${c.server}:${c.port} ${c.protocol} ${c.policy} ${c.credential ?? '-'}`)).toEqual([
      'CronJob/aura-system/grafana-provision grafana:3000 http not isolated Key Vault grafana-admin',
      'Deployment/aura-app/context redis:6379 redis redis-network-policy -',
    ]);
    expect(formatConnections(r)).toMatch(/aura-app\/context\s+redis\.aura-system:6379\s+redis\s+-\s+redis-network-policy/);
  });

  it('a wrong port: the Service has no such port', () => {
    expect(broken((ms) => (byName(ms, 'ConfigMap', 'context-config').data.REDIS_PORT = '6380'))).toEqual([
      `Deployment/aura-app/context container context: endpoint redis.${NS}.svc.cluster.local (REDIS_PORT=6380) (env REDIS_HOST (ConfigMap context-config)): Service aura-system/redis has no port 6380 (it has redis/6379)`,
    ]);
  });

  it('a Service port whose target no selected pod declares', () => {
    expect(broken((ms) => (byName(ms, 'Service', 'redis').spec.ports[0].targetPort = 'redis-tls'))).toContainEqual(
      expect.stringMatching(/context: endpoint .*no pod selected by Service aura-system\/redis declares container port redis-tls/),
    );
  });

  it('an endpoint naming no Service, and a StatefulSet member that does not exist', () => {
    expect(broken((ms) => (byName(ms, 'ConfigMap', 'context-config').data.REDIS_HOST = `rediss.${NS}.svc.cluster.local`))).toContainEqual(
      expect.stringMatching(/endpoint rediss\.aura-system.* no Service rediss in aura-system/),
    );
    expect(broken((ms) => (byName(ms, 'StatefulSet', 'redis').spec.replicas = 2))).toEqual([
      expect.stringMatching(/context: endpoint redis-2\.redis\.aura-system\.svc\.cluster\.local \(file \/etc\/context\/context\.yml \(ConfigMap context-files\)\): redis-2 is not a member/),
    ]);
  });

  it('a denied flow: the client lost its access label', () => {
    expect(broken((ms) => delete byName(ms, 'Deployment', 'context').spec.template.metadata.labels['networking/allow-pod-redis-access'])).toContainEqual(
      expect.stringMatching(/context container context: endpoint .*: the network policies deny aura-app\/context → aura-system\/redis:6379/),
    );
  });

  it('a flow the policies allow that no configuration uses is reported, not an error', () => {
    const ms = platform();
    byName(ms, 'CronJob', 'grafana-provision').spec.jobTemplate.spec.template.metadata.labels['networking/allow-pod-redis-access'] = 'true';
    const r = checkWiring(ms);
    expect(r.errors).toEqual([]);
    expect(r.unused).toContain('grafana-provision → aura-system/redis:redis/6379');
  });

  it('a mismatched credential: the client reads another Key Vault secret than the server', () => {
    expect(broken((ms) => (byName(ms, 'SecretProviderClass', 'provision-keyvault').spec.secretObjects[0].data[0].objectName = 'grafana-old-admin'))).toEqual([
      `CronJob/aura-system/grafana-provision container provision: endpoint http://grafana.${NS}.svc.cluster.local:3000 (args[0]): credentials from Key Vault grafana-old-admin, but grafana accepts Key Vault grafana-admin`,
    ]);
    expect(broken((ms) => (byName(ms, 'CronJob', 'grafana-provision').spec.jobTemplate.spec.template.spec.containers[0].env = []))).toContainEqual(
      expect.stringMatching(/provision: endpoint .* sends no credentials, but grafana requires Key Vault grafana-admin/),
    );
  });

  it('a missing file: arguments name a key the mounted ConfigMap or Key Vault class lacks, or a file no volume provides', () => {
    expect(broken((ms) => (byName(ms, 'Deployment', 'context').spec.template.spec.containers[0].args[0] = '--config=/etc/context/missing.yml'))).toEqual([
      'Deployment/aura-app/context container context: args name /etc/context/missing.yml, but ConfigMap context-files mounted at /etc/context has no key missing.yml',
    ]);
    expect(broken((ms) => (byName(ms, 'SecretProviderClass', 'context-keyvault').spec.parameters.objects = 'array:\n  - |\n    objectName: other\n'))).toEqual([
      'Deployment/aura-app/context container context: args name /mnt/secrets-store/context-token, but Key Vault class context-keyvault mounted at /mnt/secrets-store has no key context-token',
    ]);
    expect(broken((ms) => (byName(ms, 'StatefulSet', 'redis').spec.template.spec.containers[0].args = ['/etc/sentinel/sentinel.conf']))).toEqual([
      'StatefulSet/aura-system/redis container redis: args name /etc/sentinel/sentinel.conf, which no volume provides',
    ]);
  });

  it('missing references, for every workload kind including CronJobs', () => {
    const cron = (ms: Manifest[]) => byName(ms, 'CronJob', 'grafana-provision').spec.jobTemplate.spec.template.spec;
    expect(broken((ms) => (cron(ms).containers[0].envFrom = [{ configMapRef: { name: 'provision-config' } }]))).toEqual([
      'CronJob/aura-system/grafana-provision: container provision reads ConfigMap provision-config, which is not emitted',
    ]);
    expect(broken((ms) => (cron(ms).serviceAccountName = 'provisioner'))).toEqual(['CronJob/aura-system/grafana-provision: runs as ServiceAccount provisioner, which is not emitted']);
    expect(broken((ms) => cron(ms).volumes.push({ name: 'state', persistentVolumeClaim: { claimName: 'state' } }))).toEqual([
      'CronJob/aura-system/grafana-provision: volume state claims PersistentVolumeClaim state, which is not emitted',
    ]);
    expect(broken((ms) => (cron(ms).volumes[0].csi.volumeAttributes.secretProviderClass = 'gone'))).toContainEqual(
      'CronJob/aura-system/grafana-provision: volume key-vault mounts SecretProviderClass gone, which is not emitted',
    );
    expect(broken((ms) => (cron(ms).containers[0].env[0].valueFrom.secretKeyRef.key = 'nope'))).toContainEqual(
      'CronJob/aura-system/grafana-provision: container provision env GRAFANA_ADMIN_PASSWORD reads key nope of Secret provision-keyvault, which has grafana-admin',
    );
    expect(broken((ms) => (byName(ms, 'StatefulSet', 'redis').spec.template.spec.containers[0].volumeMounts[1].name = 'datas'))).toEqual([
      'StatefulSet/aura-system/redis: container redis mounts volume datas, which the pod does not define',
    ]);
  });

  it('a Secret synced from Key Vault exists only while a pod mounts its class', () => {
    expect(broken((ms) => (cron(ms).volumes = []))).toContainEqual(
      'CronJob/aura-system/grafana-provision: container provision env GRAFANA_ADMIN_PASSWORD reads Secret provision-keyvault, synced by SecretProviderClass provision-keyvault, which no pod mounts',
    );
    function cron(ms: Manifest[]) {
      return byName(ms, 'CronJob', 'grafana-provision').spec.jobTemplate.spec.template.spec;
    }
  });

  it('reads Key Vault objects of a class, aliases first', () => {
    expect([...providerObjects({ spec: { parameters: { objects: 'array:\n  - |\n    objectName: a\n    objectAlias: b\n  - |\n    objectName: c\n' } } })]).toEqual([['b', 'a'], ['c', 'c']]);
  });
});

describe('npm run verify:wiring', () => {
  it('refuses a missing profile name (usage, exit 2)', () => {
    const err: string[] = [];
    expect(wiringCli([], { out: () => {}, err: (l) => err.push(l) })).toBe(2);
    expect(err.join('\n')).toMatch(/--profile/);
  });
});

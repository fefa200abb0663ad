import { chartOperators } from '../src/components/operators';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { profileWiring } from '../src/checks/wiring/profile';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { aggregatorConfig } from '../src/components/fluent-bit';
import { elasticsearchProvisioning, logUsers } from '../src/components/elasticsearch';
import { mongodbClient } from '../src/components/mongodb';
import { prometheusConfig } from '../src/components/prometheus';
import { withDeliveryMetadata } from '../src/delivery/ordering';
import { resolvePlatform } from '../src/platform/resolve';
import { CATALOG } from '../src/components/catalog';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { built, manifests } from './helpers';

/** The runtime points of issue 13, each at the lowest level that shows it. */
const shipped = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
const dePro = shipped('de-pro');
const esInt = shipped('es-int');
const wsim = shipped('de-pro-wsim');

describe('MongoDB clients', () => {
  it('with Atlas, read the connection Secret of their namespace\'s database user', () => {
    const p = resolvePlatform(dePro, CATALOG);
    expect(mongodbClient.generatedSecrets(p, 'core')).toEqual({
      MONGODB_URI: { secret: 'aura-project-de-pro-de-pro70-aura-de-pro', key: 'connectionStringStandardSrv' },
      MONGODB_USER: { secret: 'aura-project-de-pro-de-pro70-aura-de-pro', key: 'username' },
      MONGODB_PASSWORD: { secret: 'aura-project-de-pro-de-pro70-aura-de-pro', key: 'password' },
    });
    expect(mongodbClient.generatedSecrets(p, 'system').MONGODB_URI!.secret).toBe('aura-project-de-pro-de-pro70-adminuser');
    // A tenant has its own user, in its parent's project and cluster.
    expect(mongodbClient.generatedSecrets(resolvePlatform(wsim, CATALOG), 'core').MONGODB_URI!.secret).toBe('aura-project-de-pro-de-pro70-aura-de-pro-wsim');
    expect(mongodbClient.env(p)).toEqual({});
  });

  it('in the cluster, use the seed list, the admin user and the password the server was initialised with', () => {
    const p = resolvePlatform(esInt, CATALOG);
    expect(mongodbClient.env(p)).toEqual({
      MONGODB_URI: `mongodb://${[0, 1, 2].map((i) => `mongodb-${i}.mongodb.aura-system.svc.cluster.local:27017`).join(',')}/?replicaSet=aura_replicaset&authSource=admin`,
      MONGODB_USER: 'adminuser',
    });
    expect(mongodbClient.secrets(p)).toEqual({ MONGODB_PASSWORD: 'kv:mongodb-adminuser-password' });
    const mongo = manifests('es-int').find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'mongodb') as any;
    const pod = mongo.spec.template.spec;
    expect(pod.initContainers[0].command.join(' ')).toBe('sh -c cp /mnt/secrets-store/mongodb-replica-set-key /etc/mongodb-keyfile/keyfile && chmod 0400 /etc/mongodb-keyfile/keyfile');
    expect(pod.containers[0].args).toContain('/etc/mongodb-keyfile/keyfile');
    const config = manifests('es-int').find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'mongodb-config') as any;
    expect(config.data.MONGO_INITDB_ROOT_USERNAME).toBe('adminuser');
  });

  it('no client reads a hand-filled mongodb-uri any more', () => {
    for (const name of ['de-pro', 'es-int']) expect(JSON.stringify(manifests(name))).not.toContain('mongodb-uri');
  });
});

describe('Elasticsearch', () => {
  it('binds the ILM policy by index templates with rollover aliases, and bootstraps each alias once', () => {
    const files = elasticsearchProvisioning(esInt);
    for (const alias of ['aura-services', 'aurak8s-waf'])
      expect(JSON.parse(files[`index-template-${alias}.json`]!)).toEqual({
        index_patterns: [`${alias}-*`], priority: 200,
        template: { settings: { 'index.lifecycle.name': 'aura-logs', 'index.lifecycle.rollover_alias': alias } },
      });
    const requests = JSON.parse(files['requests.json']!);
    expect(requests.map((r: any) => `${r.method} ${r.path}${r.unless ? ` unless ${r.unless}` : ''}`)).toEqual([
      'PUT /_ilm/policy/aura-logs', 'PUT /_snapshot/azure-snapshots',
      // Every template before any first index, which takes its lifecycle from its template.
      'PUT /_index_template/aura-services', 'PUT /_index_template/aurak8s-waf',
      'PUT /aura-services-000001 unless /_alias/aura-services', 'PUT /aurak8s-waf-000001 unless /_alias/aurak8s-waf',
      'PUT /_slm/policy/aura-logs', 'PUT /_security/role/aura',
      ...logUsers(esInt).map((u) => `PUT /_security/user/${u.name}`),
      // Then Kibana's API: the aura-services-* data view (issue 14).
      'POST /api/saved_objects/_import?overwrite=true',
    ]);
    for (const r of requests) expect(Object.keys(files)).toContain(r.body);
  });

  it('takes snapshots by default, for the guide\'s year, into this cluster\'s own folder', () => {
    const files = elasticsearchProvisioning(esInt);
    expect(JSON.parse(files['snapshot-repository.json']!).settings).toMatchObject({ readonly: false, base_path: esInt.cluster_name });
    expect(JSON.parse(files['slm-policy.json']!).retention).toEqual({ expire_after: '366d' });
  });

  it('the aggregator writes through the aliases, and azure-logger posts to its HTTP input', () => {
    const conf = aggregatorConfig(resolvePlatform(dePro, CATALOG));
    expect(conf).toMatch(/Index +aura-services\n/);
    expect(conf).toMatch(/Index +aurak8s-waf\n/);
    expect(conf).not.toContain('Logstash_Format');
    expect(conf).toMatch(/\[INPUT\]\n +Name +http\n +Listen +0\.0\.0\.0\n +Port +9880\n +Tag +azure/);
    const logger = manifests('de-pro').find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'azure-logger-config') as any;
    expect(logger.data.FLUENT_BIT_AGGREGATOR_URL).toBe('http://fluent-bit-aggregator.aura-system.svc.cluster.local:9880');
  });

  it('the elastic user comes from Key Vault through the file realm; the ECK operator\'s namespace reaches 9200', () => {
    const es = manifests('de-pro').find((m) => m.kind === 'Elasticsearch') as any;
    expect(es.spec.auth).toEqual({ fileRealm: [{ secretName: 'elasticsearch-admin-user' }] });
    const spc = manifests('de-pro').find((m) => m.kind === 'SecretProviderClass' && m.metadata.name === 'elasticsearch-admin-user') as any;
    expect(spc.spec.secretObjects).toEqual([{
      secretName: 'elasticsearch-admin-user', type: 'kubernetes.io/basic-auth',
      data: [{ objectName: 'elastic-admin-username', key: 'username' }, { objectName: 'elastic-admin-password', key: 'password' }],
    }]);
    // The operator's namespace carries the access label the policy admits (derived from the operators list).
    const policy = manifests('de-pro').find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'elasticsearch-network-policy') as any;
    const admitted = policy.spec.ingress.find((r: any) => r.from[0].namespaceSelector)?.from[0].namespaceSelector.matchLabels;
    expect(chartOperators(dePro).find((o) => o.key === 'eck')!.namespaceLabels).toMatchObject(admitted);
    expect(policy.spec.ingress.find((r: any) => r.from[0].namespaceSelector).ports).toContainEqual({ protocol: 'TCP', port: 9200 });
  });
});

describe('Prometheus and Thanos', () => {
  const config = parse(prometheusConfig(resolvePlatform(dePro, CATALOG)));
  it('labels each replica, so Thanos deduplicates', () => {
    expect(config.global.external_labels.prometheus_replica).toBe('${POD_NAME}');
    const prometheus = manifests('de-pro').find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'prometheus') as any;
    const container = prometheus.spec.template.spec.containers[0];
    expect(container.args).toContain('--enable-feature=expand-external-labels');
    expect(container.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  });

  it('discovers the core services in the core namespace and every tenant\'s, and scrapes kubelet and cAdvisor', () => {
    const bot = config.scrape_configs.find((j: any) => j.job_name === 'aura-bot');
    const keep = new RegExp(`^(?:${bot.relabel_configs.find((r: any) => r.source_labels[0] === '__meta_kubernetes_namespace' && r.action === 'keep').regex})$`);
    expect(['aura-de-pro', 'aura-de-pro-wsim'].every((ns) => keep.test(ns))).toBe(true);
    expect(['aura-agents-de-pro', 'aura-system', 'aura-es-pro'].some((ns) => keep.test(ns))).toBe(false);
    expect(config.scrape_configs.filter((j: any) => j.kubernetes_sd_configs?.[0].role === 'node').map((j: any) => `${j.job_name} ${j.metrics_path}`)).toEqual([
      'kubelet /metrics', 'cadvisor /metrics/cadvisor',
    ]);
  });
});

describe('provisioning Jobs across upgrades', () => {
  it('are replaced by every delivery tool instead of patched; other kinds are not', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x', namespace: 'aura-system' } };
    expect(withDeliveryMetadata({ phase: 'system', manifest: job }).manifest.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'helm.sh/hook': 'post-install,post-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation',
      'kustomize.toolkit.fluxcd.io/force': 'Enabled',
    });
    const deployment = withDeliveryMetadata({ phase: 'system', manifest: { ...job, apiVersion: 'apps/v1', kind: 'Deployment' } }).manifest.metadata.annotations!;
    expect(Object.keys(deployment).filter((k) => /hook|force/.test(k))).toEqual([]);
  });
});

describe('the wiring of the shipped profiles', () => {
  it.each(['de-pro', 'es-int'])('%s: no wiring error, and the guide\'s MongoDB clients are connected', (name) => {
    const report = profileWiring(built(name).config, manifests(name));
    expect(report.errors).toEqual([]);
    const mongoClients = report.connections.filter((c) => c.server === 'mongodb' || c.serverNamespace === 'atlas').map((c) => c.client.split('/').pop());
    for (const client of ['aura-bot', 'authentication-api', 'tac', 'mongodb-exporter', 'mongodb-backup', 'mongodb-restore']) expect(mongoClients).toContain(client);
  });
});

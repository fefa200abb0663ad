import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { built, compiledObjects } from '../helpers';
import type { Manifest } from '../../src/compile';
import { botChannels, dnsRecords } from '../../src/infra/dns';

/**
 * Issue 26 item 2: every name that identifies data or an outside resource is the installer's, so
 * a profile taking over an installer-built environment finds its data instead of creating new,
 * empty resources beside it. Each row quotes the guide line the name comes from; the test checks
 * the quote is in the guide and the compiled output carries the name. Names the guide does not
 * give are listed at the end with what decides them (ours, and `npm run diff -- --live` compares
 * them with what runs).
 */
const GUIDE = readFileSync(join(__dirname, '../../../shared/spec/aura-deployment-guide.txt'), 'utf8');

const br = () => built('br-pro');
const objectsOf = (profile: string): Manifest[] => (profile === 'br-pro' ? br().objects : compiledObjects(profile)).map((o) => o.manifest);
const one = (profile: string, kind: string, name: string) => {
  const found = objectsOf(profile).filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found, `${kind} ${name} in ${profile}`).toHaveLength(1);
  return found[0] as any;
};
const environment = () => JSON.parse(br().files.get('infra/environment.json')!);
const claims = (profile: string, sts: string) => (one(profile, 'StatefulSet', sts).spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name);

interface Row {
  what: string;
  /** A line of the guide, quoted exactly. */
  guide: string;
  /** The name as compiled (br-pro unless said otherwise). */
  compiled: () => unknown;
  installer: unknown;
}

const ROWS: Row[] = [
  { what: 'Atlas cluster', guide: `atlas_cluster_name: "{{ environment_name }}{{ atlas_mongo_major_version | replace('.', '') }}"`, compiled: () => one('br-pro', 'AtlasDeployment', 'aura-br-pro-70').spec.deploymentSpec.name, installer: 'br-pro70' },
  { what: 'Atlas cluster in environment.json (migrations, stop/start)', guide: `atlas_cluster_name: "{{ environment_name }}{{ atlas_mongo_major_version | replace('.', '') }}"`, compiled: () => environment().atlas.cluster, installer: 'br-pro70' },
  { what: 'Atlas project', guide: 'atlas_project_name: "aura-project-{{ environment_name }}"', compiled: () => one('br-pro', 'AtlasProject', 'aura-project-br-pro').spec.name, installer: 'aura-project-br-pro' },
  { what: 'AtlasDeployment object', guide: 'export ATLAS_DEPLOYMENT_NAME=aura-br-pro-70 # Get from kubectl get -n aura-system atlasdeployments.atlas.mongodb.com', compiled: () => one('br-pro', 'AtlasDeployment', 'aura-br-pro-70').metadata.name, installer: 'aura-br-pro-70' },
  { what: 'Atlas admin user object', guide: 'kubectl get -n aura-system atlasdatabaseusers.atlas.mongodb.com mongodb-adminuser-password', compiled: () => one('br-pro', 'AtlasDatabaseUser', 'mongodb-adminuser-password').metadata.namespace, installer: 'aura-system' },
  { what: "Atlas admin user's Secret", guide: `kubectl get -n aura-system secret mongodb-adminuser-password -o go-template='{{ .data.password | base64decode }}'`, compiled: () => one('br-pro', 'SecretProviderClass', 'atlas-credentials').spec.secretObjects.map((s: any) => s.secretName).includes('mongodb-adminuser-password'), installer: true },
  { what: 'StatefulSets of aura-system', guide: 'alertmanager            2/2     82m', compiled: () => ['alertmanager', 'fluent-bit-aggregator', 'prometheus'].map((n) => one('br-pro', 'StatefulSet', n).metadata.namespace), installer: ['aura-system', 'aura-system', 'aura-system'] },
  { what: 'in-cluster MongoDB StatefulSet and replica set (es-int)', guide: 'mongodb-0.mongodb:27017,mongodb-1.mongodb:27017,mongodb-2.mongodb:27017/aura-users-${ENVIRONMENT}?replicaSet=aura_replicaset', compiled: () => [one('es-int', 'StatefulSet', 'mongodb').spec.serviceName, one('es-int', 'StatefulSet', 'mongodb').spec.replicas], installer: ['mongodb', 3] },
  { what: "Prometheus' volume claim", guide: 'looking for the PVC named data-prometheus-0', compiled: () => `${claims('br-pro', 'prometheus')[0]}-prometheus-0`, installer: 'data-prometheus-0' },
  { what: 'Grafana StatefulSet', guide: 'namespace: aura-system statefulset.apps/grafana', compiled: () => one('br-pro', 'StatefulSet', 'grafana').metadata.namespace, installer: 'aura-system' },
  { what: 'Redis StatefulSet', guide: 'namespace: aura-system statefulset.apps/redis', compiled: () => one('br-pro', 'StatefulSet', 'redis').metadata.namespace, installer: 'aura-system' },
  { what: 'Thanos store gateway StatefulSet', guide: 'namespace: aura-system statefulset.apps/thanos-store-gateway', compiled: () => one('br-pro', 'StatefulSet', 'thanos-store-gateway').metadata.namespace, installer: 'aura-system' },
  { what: 'Elasticsearch cluster (ECK)', guide: 'namespace: aura-system elasticsearch.k8s.elastic.co/elasticsearch', compiled: () => one('br-pro', 'Elasticsearch', 'elasticsearch').metadata.namespace, installer: 'aura-system' },
  { what: 'Kibana (ECK: <name>-kb)', guide: 'namespace: aura-system deployments.apps/kibana-kb', compiled: () => `${one('br-pro', 'Kibana', 'kibana').metadata.name}-kb`, installer: 'kibana-kb' },
  { what: 'backup container', guide: 'stored in a blob called aura-backups/mongodb, in the common account storage', compiled: () => environment().storageAccount.containers.backups, installer: 'aura-backups' },
  { what: 'MongoDB restore template', guide: 'kubectl create job --from=cronjob/mongodb-restore restore-backup -n aura-system', compiled: () => one('br-pro', 'CronJob', 'mongodb-restore').metadata.namespace, installer: 'aura-system' },
  { what: 'Redis restore template', guide: 'kubectl create job --from=cronjob/redis-restore restore-redis-backup -n aura-system', compiled: () => one('br-pro', 'CronJob', 'redis-restore').metadata.namespace, installer: 'aura-system' },
  { what: 'core namespace', guide: 'aura-$ENV: Aura Platform core services.', compiled: () => environment().namespaces.core, installer: 'aura-br-pro' },
  { what: 'agents namespace', guide: 'following the format aura-agents-{environment}', compiled: () => environment().namespaces.agents, installer: 'aura-agents-br-pro' },
  { what: 'provisioning Jobs of the core namespace', guide: 'nlp-provisioning          1/1           10m        68m', compiled: () => ['aura-bot-makeup', 'nlp-provisioning'].map((n) => one('br-pro', 'Job', n).metadata.namespace), installer: ['aura-br-pro', 'aura-br-pro'] },
  { what: 'log indices', guide: 'you need to create an index mapping against “aura-services-*”', compiled: () => JSON.stringify(one('br-pro', 'ConfigMap', 'elasticsearch-provision-files').data).includes('aura-services-*'), installer: true },
  { what: 'Bot Channel, created on a first deployment as deploy_core does', guide: 'Creation of the required services (Bot Channel Registration, etc)', compiled: () => environment().botChannels, installer: ['bot-br-pro'] },
  { what: 'the -next Bot Channel and DNS entries', guide: 'the installer will create a new Azure Bot Channel with the suffix -next', compiled: () => [botChannels({ ...br().config, next_domains_enabled: true }).map((b) => b.name), dnsRecords(br().config).next.includes('api-br-pro-next')], installer: [['bot-br-pro', 'bot-br-pro-next'], true] },
];

describe("installer-compatible names (each with the guide line it comes from)", () => {
  it.each(ROWS.map((r) => [r.what, r] as const))('%s', (_, row) => {
    expect(GUIDE, 'the quoted guide line').toContain(row.guide);
    expect(row.compiled()).toEqual(row.installer);
  });

  it('names the guide does not give are ours, listed (environment.json), and compared with what runs by diff --live', () => {
    const env = environment();
    // Not in the guide: the common storage account, its snapshot and Thanos containers, the Key Vaults, the public hosts.
    expect(env.storageAccount).toMatchObject({ name: 'stauracommonbrpro', containers: { snapshots: 'elasticsearch-snapshots', thanos: 'thanos' } });
    expect(env.hosts).toContain('api-br-pro.auracognitive.com');
    // The Elasticsearch node set: ECK's StatefulSet elasticsearch-es-<node_set_name>, the profile's key.
    expect(one('br-pro', 'Elasticsearch', 'elasticsearch').spec.nodeSets.map((n: any) => n.name)).toEqual(['default']);
  });
});

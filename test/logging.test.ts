import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { elasticsearchProvisioning, logUsers } from '../src/components/elasticsearch';
import { aggregatorConfig } from '../src/components/fluent-bit';
import { resolvePlatform } from '../src/platform/resolve';
import { CATALOG } from '../src/components/catalog';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { componentObjects, configOf as configOfYaml, find, manifests, MINIMAL, SHIPPED } from './helpers';

const configOf = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
const CLUSTER_PROFILES = SHIPPED.filter((p) => configOf(p).tenant_name === 'default');

describe.each(CLUSTER_PROFILES)('logging of %s', (name) => {
  const config = configOf(name);

  it('declares Elasticsearch through ECK with the profile storage and the policy label', () => {
    const es = find(name, 'Elasticsearch', 'elasticsearch') as any;
    expect(es.apiVersion).toBe('elasticsearch.k8s.elastic.co/v1');
    const set = es.spec.nodeSets[0];
    expect(set.count).toBe(config.elasticsearch.node_count);
    expect(set.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(`${config.elasticsearch.storage_size_gb}Gi`);
    expect(set.podTemplate.metadata.labels.app).toBe('elasticsearch');
    expect(es.spec.secureSettings).toEqual([{ secretName: 'elasticsearch-snapshot-credentials' }]);
    const kb = find(name, 'Kibana', 'kibana') as any;
    expect(kb.spec).toMatchObject({ elasticsearchRef: { name: 'elasticsearch' }, version: es.spec.version });
    expect(kb.spec.podTemplate.metadata.labels.app).toBe('kibana');
  });

  it('deletes logs after log_retention_time days and registers the snapshot repository read-only unless told', () => {
    const files = (find(name, 'ConfigMap', 'elasticsearch-provision-files') as any).data;
    expect(JSON.parse(files['ilm-policy.json']).policy.phases.delete.min_age).toBe(`${config.log_retention_time}d`);
    expect(JSON.parse(files['snapshot-repository.json'])).toMatchObject({ type: 'azure', settings: { readonly: config.eck_azure_snapshot_readonly } });
    expect(JSON.parse(files['role-aura.json']).indices[0]).toEqual({ names: ['aura-services-*', 'aurak8s-waf-*'], privileges: ['read', 'view_index_metadata'] });
  });

  it('collects logs on every node into the aggregator, with its 10 GiB buffer, into Elasticsearch', () => {
    const fb = find(name, 'DaemonSet', 'fluent-bit') as any;
    expect(fb.spec.template.spec.containers[0].ports).toEqual([{ name: 'metrics', containerPort: 2020, protocol: 'TCP' }]);
    const agg = find(name, 'StatefulSet', 'fluent-bit-aggregator') as any;
    expect(agg.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    const ports = agg.spec.template.spec.containers[0].ports.map((p: any) => `${p.name}:${p.containerPort}`);
    expect(ports).toEqual(['forward:24224', 'http:2020', 'http-input:9880', ...(config.nginx_plus_enabled ? ['syslog:5140'] : [])]);
    const conf = (find(name, 'ConfigMap', 'fluent-bit-aggregator-files') as any).data['fluent-bit.conf'];
    // Written through the rollover alias that the ILM policy's index template names.
    expect(conf).toContain('Index                     aura-services');
    expect(conf.includes('Port          5140')).toBe(config.nginx_plus_enabled);
    expect(conf).toMatch(/HTTP_Passwd +\$\{ELASTIC_PASSWORD\}/); // the password is an environment reference, never a value
    expect(conf).toMatch(/HTTP_User +\$\{ELASTIC_USERNAME\}/);
  });
});

describe('logging specifics', () => {
  it('takes Kibana roles from roles or from the older quoted role string', () => {
    const c = configOfYaml(`${MINIMAL.replace(/^backoffice_users:.*$/m, '')}backoffice_users:
  dashboards: [{ name: admin }]
  logs:
    - { name: ops, roles: [superuser, aura] }
    - { name: legacy, role: '"kibana_admin","aura"' }
`);
    expect(logUsers(c)).toEqual([{ name: 'ops', roles: ['superuser', 'aura'] }, { name: 'legacy', roles: ['kibana_admin', 'aura'] }]);
    const spc = componentObjects(c, 'elasticsearch').find((m) => m.metadata.name === 'elasticsearch-provision-keyvault') as any;
    expect(spc.spec.parameters.objects).toContain('objectName: backoffice-logs-legacy-password');
  });

  it('adds the snapshot lifecycle only where the repository is writable', () => {
    const readonly = elasticsearchProvisioning(configOfYaml(`${MINIMAL}eck_azure_snapshot_readonly: true\n`));
    expect(readonly['slm-policy.json']).toBeUndefined();
    const writable = elasticsearchProvisioning(configOfYaml(`${MINIMAL}eck_azure_snapshot_schedule: "0 30 1 * * ?"\neck_azure_snapshot_expire: 90d\n`));
    expect(JSON.parse(writable['slm-policy.json']!)).toMatchObject({ schedule: '0 30 1 * * ?', repository: 'azure-snapshots', retention: { expire_after: '90d' } });
  });

  it('forwards to external servers with TLS and the shared key from Key Vault', () => {
    const c = configOfYaml(`${MINIMAL}external_forwarding:\n  remote_servers: [{ hostname: logs.example.com, port: 24224 }]\n`);
    const conf = aggregatorConfig(resolvePlatform(c, CATALOG));
    expect(conf).toContain('Host        logs.example.com');
    expect(conf).toContain('Shared_Key  ${FORWARD_SHARED_KEY}');
    expect(conf).toContain('tls         On');
    const spc = componentObjects(c, 'fluent-bit').find((m) => m.metadata.name === 'fluent-bit-aggregator-keyvault') as any;
    expect(spc.spec.parameters.objects).toContain('objectName: external-forwarding-shared-key');
  });

  it('a tenant emits no logging of its own', () => {
    expect(manifests('de-pro-wsim').filter((m) => m.kind === 'Elasticsearch' || m.metadata.name.startsWith('fluent-bit'))).toEqual([]);
  });
});

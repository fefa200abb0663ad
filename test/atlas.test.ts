import { describe, expect, it } from 'vitest';
import { compileConfig } from '../src/compile';
import { catchError, configOf, find, manifests, MINIMAL } from './helpers';

const atlas = (extra = '') => {
  const objects = compileConfig(configOf(`${MINIMAL}${extra}`)).map((o) => o.manifest) as any[];
  const get = (kind: string) => objects.find((m) => m.kind === kind);
  return { objects, project: get('AtlasProject'), deployment: get('AtlasDeployment'), user: get('AtlasDatabaseUser'), spc: objects.find((m) => m.metadata.name === 'atlas-credentials') };
};
const region = (d: any) => d.spec.deploymentSpec.replicationSpecs[0].regionConfigs[0];

describe('MongoDB Atlas resources', () => {
  it('names the objects as the guide operates them, with its default Atlas names', () => {
    const { project, deployment, user } = atlas();
    expect(project.metadata.name).toBe('aura-project-es-pro');
    expect(project.spec.name).toBe('aura-project-es-pro');
    expect(deployment.metadata.name).toBe('aura-es-pro-70');
    expect(deployment.spec.deploymentSpec).toMatchObject({ name: 'es-pro70', mongoDBMajorVersion: '7.0' });
    expect(user.metadata.name).toBe('mongodb-adminuser-password');
    expect(user.spec).toMatchObject({ username: 'adminuser', passwordSecretRef: { name: 'mongodb-adminuser-password' }, projectRef: { name: 'aura-project-es-pro' } });
    expect([project, deployment, user].every((o) => o.metadata.namespace === 'aura-system')).toBe(true);
  });

  it('takes atlas_project_name and atlas_cluster_name, validated as lowercase RFC 1123', () => {
    const { project, deployment } = atlas('atlas_project_name: shared-dev\natlas_cluster_name: dev70\n');
    expect(project.spec.name).toBe('shared-dev');
    expect(deployment.spec.deploymentSpec.name).toBe('dev70');
    expect(catchError(() => configOf(`${MINIMAL}atlas_cluster_name: Dev_70\n`)).message).toMatch(/atlas_cluster_name: expected a lowercase RFC 1123 subdomain/);
  });

  it('keeps every Atlas resource in Atlas when its object goes, and skips reconciliation for the new-cluster migration', () => {
    for (const o of [atlas().project, atlas().deployment, atlas().user]) expect(o.metadata.annotations).toEqual({ 'mongodb.com/atlas-resource-policy': 'keep' });
    const skipped = atlas('atlas_skip_reconciliation: true\n');
    for (const o of [skipped.project, skipped.deployment, skipped.user])
      expect(o.metadata.annotations).toEqual({ 'mongodb.com/atlas-resource-policy': 'keep', 'mongodb.com/atlas-reconciliation-policy': 'skip' });
  });

  it('maps the defaults: replica set, M30, termination protection, backup, disk autoscaling, no compute autoscaling', () => {
    const { deployment } = atlas();
    expect(deployment.spec.deploymentSpec).toMatchObject({ clusterType: 'REPLICASET', terminationProtectionEnabled: true, backupEnabled: true, encryptionAtRestProvider: 'NONE' });
    expect(deployment.spec.deploymentSpec.diskSizeGB).toBeUndefined();
    expect(deployment.spec.deploymentSpec.replicationSpecs[0].numShards).toBeUndefined();
    expect(region(deployment)).toMatchObject({ providerName: 'AZURE', regionName: 'EUROPE_WEST', electableSpecs: { instanceSize: 'M30', nodeCount: 3 }, autoScaling: { compute: { enabled: false, scaleDownEnabled: false }, diskGB: { enabled: true } } });
  });

  it('maps every option the guide lists', () => {
    const { deployment, project } = atlas(`atlas_cluster_type: SHARDED
atlas_num_shards: 3
atlas_instance_size: M40
atlas_autoscaling_compute: true
atlas_scaledown_compute: true
atlas_min_instance_size: M30
atlas_max_instance_size: M50
atlas_autoscaling_disk: false
atlas_disk_size: 512
atlas_backup_enabled: false
atlas_termination_protection_enabled: false
atlas_maintenance_windows: { day_of_week: 2, hour_of_day: 13 }
azure_region: northeurope
atlas_network_allowed: [195.235.92.0/23, 10.1.2.3]
`);
    expect(deployment.spec.deploymentSpec).toMatchObject({ clusterType: 'SHARDED', diskSizeGB: 512, backupEnabled: false, terminationProtectionEnabled: false });
    expect(deployment.spec.deploymentSpec.replicationSpecs[0].numShards).toBe(3);
    expect(region(deployment)).toMatchObject({
      regionName: 'EUROPE_NORTH',
      electableSpecs: { instanceSize: 'M40' },
      autoScaling: { compute: { enabled: true, scaleDownEnabled: true, minInstanceSize: 'M30', maxInstanceSize: 'M50' }, diskGB: { enabled: false } },
    });
    expect(project.spec.maintenanceWindow).toEqual({ dayOfWeek: 2, hourOfDay: 13 });
    expect(project.spec.projectIpAccessList).toEqual([
      { cidrBlock: '195.235.92.0/23', comment: 'atlas_network_allowed' },
      { ipAddress: '10.1.2.3', comment: 'atlas_network_allowed' },
      { ipAddress: '203.0.113.10', comment: 'auraclusterproes outbound' },
    ]);
  });

  it('wires the Prometheus integration and the credentials by reference, through Secrets labelled for the operator', () => {
    const { project, spc, objects } = atlas();
    expect(project.spec.integrations).toEqual([{ type: 'PROMETHEUS', enabled: true, username: 'atlasprometheus', passwordRef: { name: 'atlas-prometheus-password' }, scheme: 'https', serviceDiscovery: 'http' }]);
    expect(project.spec.connectionSecretRef).toEqual({ name: 'atlas-operator-api-key' });
    expect(spc.spec.secretObjects.map((s: any) => [s.secretName, s.labels['atlas.mongodb.com/type'], s.data.map((d: any) => d.key)])).toEqual([
      ['atlas-operator-api-key', 'credentials', ['orgId', 'publicApiKey', 'privateApiKey']],
      ['mongodb-adminuser-password', 'credentials', ['password']],
      ['atlas-prometheus-password', 'credentials', ['password']],
    ]);
    const sync = objects.find((m) => m.metadata.name === 'atlas-secrets-sync');
    expect(sync.spec.template.spec.volumes[0].csi.volumeAttributes.secretProviderClass).toBe('atlas-credentials');
    expect(objects.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  it('encrypts with a customer-managed key when enabled', () => {
    const { project, deployment, spc } = atlas('enable_customer_key_atlas_encryption: true\natlas_encryption_at_rest: { client_id: 11111111-2222-3333-4444-555555555555, resource_group_name: rg-keys }\n');
    expect(deployment.spec.deploymentSpec.encryptionAtRestProvider).toBe('AZURE');
    expect(project.spec.encryptionAtRest.azureKeyVault).toEqual({
      enabled: true, azureEnvironment: 'AZURE', clientID: '11111111-2222-3333-4444-555555555555', resourceGroupName: 'rg-keys',
      tenantID: '9a1e6f2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', secretRef: { name: 'atlas-encryption-at-rest' },
    });
    expect(spc.spec.secretObjects.map((s: any) => s.secretName)).toContain('atlas-encryption-at-rest');
  });

  it('refuses customer-managed keys without the Azure identity', () => {
    expect(catchError(() => configOf(`${MINIMAL}enable_customer_key_atlas_encryption: true\n`)).message).toMatch(/enable_customer_key_atlas_encryption: needs atlas_encryption_at_rest/);
  });

  it('without Atlas there is none of it, and the in-cluster replica set instead', () => {
    const { objects } = atlas('atlas_enabled: false\n');
    expect(objects.filter((m) => m.apiVersion.startsWith('atlas.mongodb.com') || m.metadata.name.startsWith('atlas-'))).toEqual([]);
    expect(objects.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'mongodb')).toBeDefined();
  });

  it('Germany compiles with customer-managed key encryption', () => {
    expect((find('de-pro', 'AtlasDeployment', 'aura-de-pro-70') as any).spec.deploymentSpec.encryptionAtRestProvider).toBe('AZURE');
    // A tenant has only its core services' database user, in its parent's project.
    const tenantAtlas = manifests('de-pro-wsim').filter((m) => m.apiVersion.startsWith('atlas.mongodb.com')) as any[];
    expect(tenantAtlas.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['AtlasDatabaseUser/aura-de-pro-wsim/aura-services']);
    expect(tenantAtlas[0].spec).toMatchObject({ projectRef: { name: 'aura-project-de-pro', namespace: 'aura-system' }, username: 'aura-de-pro-wsim', roles: [{ roleName: 'readWriteAnyDatabase', databaseName: 'admin' }] });
  });
});

import { describe, expect, it } from 'vitest';
import type { CompiledObject, Manifest } from '../../src/compile';
import { checkInvariants } from '../../src/checks/invariants';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSchemas, kindScope, schemaEntry } from '../../src/checks/schema';
import { cachedValidator } from '../../src/checks/validator-cache';
import { strictify } from '../../src/checks/strict-schemas';
import { built } from '../helpers';

const obj = (manifest: Manifest): CompiledObject => ({ phase: 'core', manifest });
const base = () => built('es-pro').objects.map((o) => structuredClone(o));
const deployment = (objects: CompiledObject[], name: string) => objects.find((o) => o.manifest.kind === 'Deployment' && o.manifest.metadata.name === name)!.manifest as any;

describe('strict schema check', () => {
  it('passes the real output', () => expect(checkSchemas(base())).toEqual([]));

  it('rejects an unknown field, naming the object and the path', () => {
    const objects = base();
    deployment(objects, 'aura-bot').spec.template.spec.containers[0].imagePullPolcy = 'Always';
    expect(checkSchemas(objects)).toEqual(['Deployment/aura-es-pro/aura-bot: /spec/template/spec/containers/0: must NOT have additional properties "imagePullPolcy"']);
  });

  it('rejects a wrong type and an unknown field of a custom resource', () => {
    const objects = base();
    deployment(objects, 'aura-bot').spec.template.spec.containers[0].ports[0].containerPort = '8080';
    (objects.find((o) => o.manifest.kind === 'SecretProviderClass')!.manifest as any).spec.provder = 'azure';
    const problems = checkSchemas(objects);
    expect(problems).toContainEqual(expect.stringMatching(/aura-bot: \/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort: must be integer/));
    expect(problems).toContainEqual(expect.stringMatching(/SecretProviderClass\/.*: \/spec: must NOT have additional properties "provder"/));
  });

  it('rejects an unknown kind or version', () => {
    const m = { apiVersion: 'apps/v7', kind: 'Deployment', metadata: { name: 'x', namespace: 'aura-es-pro' } };
    expect(checkSchemas([obj(m)], { kubernetesVersion: '1.35' })).toEqual(['Deployment/aura-es-pro/x: unknown kind Deployment in apps/v7 (no schema in schemas/strict for Kubernetes 1.35)']);
  });

  it('a validator loaded from the cache reports exactly what a fresh one does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-validators-'));
    const { ajv, ref, fileHash } = schemaEntry('apps/v1', 'Deployment');
    const compile = () => ({ ajv: ajv(), validate: ajv().compile({ allOf: [{ $ref: ref }], required: ['apiVersion', 'kind', 'metadata'] }) });
    const fresh = cachedValidator(`${fileHash}|${ref}`, compile, dir);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const cached = cachedValidator(`${fileHash}|${ref}`, compile, dir);
    expect(cached).not.toBe(fresh);
    const bad = structuredClone(deployment(base(), 'tac'));
    bad.spec.template.spec.containers[0].imagePullPolcy = 'Always';
    bad.spec.replicas = 'two';
    expect(fresh(bad)).toBe(false);
    expect(cached(bad)).toBe(false);
    expect(cached.errors).toEqual(fresh.errors);
    expect(cached(deployment(base(), 'tac'))).toBe(true);
    expect(existsSync(join(dir, files[0]!))).toBe(true);
  });

  it('knows scopes', () => {
    expect(kindScope('v1', 'Namespace')).toBe('Cluster');
    expect(kindScope('apps/v1', 'Deployment')).toBe('Namespaced');
    expect(kindScope('secrets-store.csi.x-k8s.io/v1', 'SecretProviderClass')).toBe('Namespaced');
  });

  it('strictify closes objects, keeps open maps and preserve-unknown-fields, maps int-or-string and nullable', () => {
    expect(strictify({ type: 'object', description: 'd', properties: { a: { type: 'string', nullable: true } } })).toEqual({
      type: 'object', properties: { a: { type: ['string', 'null'] } }, additionalProperties: false,
    });
    expect(strictify({ type: 'object', properties: { a: {} }, 'x-kubernetes-preserve-unknown-fields': true })).toEqual({ type: 'object', properties: { a: {} } });
    expect(strictify({ type: 'object', additionalProperties: { type: 'string' } })).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(strictify({ 'x-kubernetes-int-or-string': true, anyOf: [] })).toEqual({ oneOf: [{ type: 'string' }, { type: 'integer' }] });
  });
});

describe('invariants', () => {
  it('pass the real output', () => expect(checkInvariants(base())).toEqual([]));

  it.each<[string, (objects: CompiledObject[]) => void, RegExp]>([
    ['missing namespace', (o) => o.splice(o.findIndex((x) => x.manifest.kind === 'Namespace' && x.manifest.metadata.name === 'aura-es-pro'), 1), /namespace aura-es-pro is not emitted/],
    ['duplicate name', (o) => o.push(structuredClone(o.find((x) => x.manifest.kind === 'ConfigMap')!)), /ConfigMap\/aura-[a-z-]+\/.*: emitted twice/],
    ['Secret with data', (o) => o.push(obj({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'aura-es-pro' }, data: { k: 'dg==' } })), /Secret\/aura-es-pro\/s: a Secret with data/],
    ['Service without workload', (o) => { o.splice(o.findIndex((x) => x.manifest.kind === 'Deployment' && x.manifest.metadata.name === 'tac'), 1); }, /Service\/aura-es-pro\/tac: selects no workload/],
    ['HPA without target', (o) => { (o.find((x) => x.manifest.kind === 'HorizontalPodAutoscaler')!.manifest as any).spec.scaleTargetRef.name = 'ghost'; }, /scaleTargetRef Deployment\/ghost is not emitted/],
    ['unnamed target port', (o) => { (o.find((x) => x.manifest.kind === 'Service' && x.manifest.metadata.name === 'tac')!.manifest as any).spec.ports[0].targetPort = 'grpc'; }, /Service\/aura-es-pro\/tac: targetPort grpc is not a named port/],
    ['probe job through a Service port that is not published', (o) => { (o.find((x) => x.manifest.kind === 'Service' && x.manifest.metadata.name === 'blackbox-exporter')!.manifest as any).spec.ports[0].port = 9116; }, /scrape job blackbox-tls probes through blackbox-exporter\.aura-system\.svc\.cluster\.local:9115, which no emitted Service publishes/],
    ['scrape job without its Service port', (o) => { (o.find((x) => x.manifest.kind === 'Service' && x.manifest.metadata.name === 'tac')!.manifest as any).spec.ports[0].name = 'web'; }, /scrape job tac keeps Service tac port http, which is not emitted/],
    ['namespaced kind without namespace', (o) => { delete o.find((x) => x.manifest.kind === 'ConfigMap')!.manifest.metadata.namespace; }, /namespaced kind without a namespace/],
    ['missing ConfigMap', (o) => o.splice(o.findIndex((x) => x.manifest.metadata.name === 'aura-bot-config'), 1), /reads ConfigMap aura-bot-config, which is not emitted/],
    ['missing SecretProviderClass', (o) => o.splice(o.findIndex((x) => x.manifest.metadata.name === 'aura-bot-keyvault'), 1), /mounts SecretProviderClass aura-bot-keyvault, which is not emitted/],
    // CronJobs and the pods ECK runs are checked like every workload.
    ['CronJob reading a missing ConfigMap', (o) => o.splice(o.findIndex((x) => x.manifest.metadata.name === 'redis-backup-config'), 1), /CronJob\/aura-system\/redis-backup: container redis-backup reads ConfigMap redis-backup-config/],
    ['Elasticsearch mounting a missing SecretProviderClass', (o) => o.splice(o.findIndex((x) => x.manifest.kind === 'SecretProviderClass' && x.manifest.metadata.name === 'elasticsearch-snapshot-credentials'), 1), /Elasticsearch\/aura-system\/elasticsearch: volume snapshot-credentials mounts SecretProviderClass elasticsearch-snapshot-credentials/],
  ])('%s', (_, mutate, expected) => {
    const objects = base();
    mutate(objects);
    expect(checkInvariants(objects)).toContainEqual(expect.stringMatching(expected));
  });
});

import { describe, expect, it } from 'vitest';
import { checkWiring, podSpecOf } from '../../src/checks/wiring/check';
import { CATALOG } from '../../src/components/catalog';
import { compileConfig } from '../../src/compile';
import { PROGRAMS, programRecordOf, readsEnv, readsFlag, UNRECORDED, unreadArguments } from '../../src/model/programs';
import type { Component, WorkloadSpec } from '../../src/platform/types';
import { imageOf } from '../../src/platform/naming';
import { configOf, manifests, MINIMAL, SHIPPED } from '../helpers';

const record = (image: string) => programRecordOf(image)!;

describe('program records', () => {
  it('know each program\'s flags in its own syntax', () => {
    const es = record('thirdparty/elasticsearch-exporter');
    expect(readsFlag(es, 'es.uri')).toBe(true);
    expect(readsFlag(es, 'collector.snapshots')).toBe(true);
    expect(readsFlag(es, 'no-es.all')).toBe(true);
    expect(readsFlag(es, 'es.url')).toBe(false);
    expect(readsEnv(es, 'ES_USERNAME')).toBe(true);
    // elasticsearch_exporter stopped reading ES_URI in v1.4.0.
    expect(readsEnv(es, 'ES_URI')).toBe(false);
    expect(readsEnv(record('thirdparty/redis-exporter'), 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS')).toBe(true);
    expect(readsEnv(record('thirdparty/grafana'), 'GF_SECURITY_ADMIN_USER')).toBe(true);
  });

  it('take a bare argument only where the program has one, and a flag\'s separate value as its value', () => {
    expect(unreadArguments(record('thirdparty/thanos'), ['sidecar', '--tsdb.path=/prometheus'])).toEqual([]);
    expect(unreadArguments(record('thirdparty/redis'), ['/etc/redis/sentinel.conf', '--sentinel'])).toEqual([]);
    expect(unreadArguments(record('thirdparty/prometheus'), ['--config.file', '/etc/prometheus/prometheus.yml'])).toEqual([]);
    expect(unreadArguments(record('thirdparty/prometheus'), ['/etc/prometheus/prometheus.yml', '--storage.tsdb.paht=/x'])).toEqual(['argument /etc/prometheus/prometheus.yml', 'flag --storage.tsdb.paht']);
  });

  it('are read at the tag each component pins, one record per image', () => {
    const pinned = new Map<string, string>();
    for (const w of CATALOG.flatMap((k) => k.workloads)) {
      const image = typeof w.image === 'string' ? w.image : undefined;
      if (image && typeof w.imageTag === 'string') pinned.set(image, w.imageTag);
      for (const s of w.sidecars ?? []) if (s.imageTag) pinned.set(s.image, s.imageTag);
    }
    for (const p of PROGRAMS) expect(pinned.get(p.image), p.image).toBe(p.version);
    expect(new Set(PROGRAMS.map((p) => p.image)).size).toBe(PROGRAMS.length);
  });

  it('cover every third-party program a shipped profile runs by its entrypoint, or say why not', () => {
    const images = new Set<string>();
    for (const name of SHIPPED)
      for (const m of manifests(name)) {
        const pod = podSpecOf(m);
        for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])])
          if (!c.command && /\/thirdparty\//.test(c.image)) images.add(c.image.replace(/^.*\/(thirdparty\/[^:]+):.*$/, '$1'));
      }
    expect([...images].filter((i) => !PROGRAMS.some((p) => p.image === i) && !(i in UNRECORDED))).toEqual([]);
  });
});

/** The catalog with one workload of one component replaced. */
function mutated(component: string, workload: string, change: (w: WorkloadSpec) => WorkloadSpec): Component[] {
  return CATALOG.map((k) => (k.name !== component ? k : { ...k, workloads: k.workloads.map((w) => (w.name === workload ? change(w) : w)) }));
}

describe('the wiring check refuses what a program does not read (mutations of the shipped components)', () => {
  const config = configOf(`${MINIMAL}atlas_enabled: false\n`);
  const wiring = (catalog: readonly Component[]) => checkWiring(compileConfig(config, { catalog }).map((o) => o.manifest)).errors;

  it('passes the components as shipped', () => {
    expect(wiring(CATALOG)).toEqual([]);
  });

  it('fails the old elasticsearch-exporter wiring: the endpoint in ES_URI, which v1.7.0 ignores', () => {
    const old = mutated('exporters', 'elasticsearch-exporter', (w) => ({ ...w, args: undefined, secretMounts: undefined, env: (p) => ({ ES_URI: p.endpoint('elasticsearch', 'https').url('https') }) }));
    expect(wiring(old)).toEqual([
      'Deployment/aura-system/elasticsearch-exporter container elasticsearch-exporter: env ES_URI (ConfigMap elasticsearch-exporter-config): elasticsearch_exporter v1.7.0 does not read it (it reads ES_USERNAME, ES_PASSWORD, ES_API_KEY; record: src/model/programs.ts)',
    ]);
  });

  it('fails a flag the program does not have, and a secret given as a variable to a program that reads files', () => {
    const typo = mutated('exporters', 'mongodb-exporter', (w) => ({ ...w, args: () => ['--collectors.diagnosticdata'] }));
    expect(wiring(typo)).toEqual([expect.stringMatching(/^Deployment\/aura-system\/mongodb-exporter container mongodb-exporter: flag --collectors\.diagnosticdata: mongodb_exporter \(Percona\) 0\.40\.0 does not read it/)]);
    const asVariable = mutated('thanos', 'thanos-compact', (w) => ({ ...w, secretFiles: undefined, secrets: () => ({ THANOS_OBJSTORE_CONFIG: 'kv:thanos-objstore-config' }) }));
    expect(wiring(asVariable)).toEqual([expect.stringContaining('StatefulSet/aura-system/thanos-compact container thanos-compact: env THANOS_OBJSTORE_CONFIG: thanos v0.36.1 does not read it')]);
  });

  it('fails an image bumped past its record, and a third-party image without one', () => {
    const bumped = mutated('exporters', 'pushgateway', (w) => ({ ...w, imageTag: 'v1.10.0' }));
    expect(wiring(bumped)).toEqual([expect.stringContaining('runs thirdparty/pushgateway:v1.10.0, but its program record was read at v1.9.0')]);
    const unknown = mutated('exporters', 'pushgateway', (w) => ({ ...w, image: 'thirdparty/some-exporter' }));
    expect(wiring(unknown)).toEqual([expect.stringContaining('image thirdparty/some-exporter has no program record')]);
    expect(imageOf(config, 'thirdparty/some-exporter', 'v1')).toMatch(/\/thirdparty\/some-exporter:v1$/);
  });
});

import { ApiObject } from 'cdk8s';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/compile';
import { CATALOG } from '../../src/components/catalog';
import { chartOperators, crdSources, OPERATOR_MANAGES } from '../../src/components/operators';
import type { Component } from '../../src/platform/types';
import { configOf, MINIMAL } from '../helpers';

/**
 * A component declares its own objects (custom resources and what they read) and the operator
 * they need; the phases loop over the enabled components and name none (issue 24, item 4).
 */
const PHASES_DIR = join(__dirname, '../../src/phases');
const CONSTRUCTS_DIR = join(__dirname, '../../src/constructs');

/** A component of nothing but objects: one ConfigMap per phase it is called in. */
const marker = (enabled: boolean): Component => ({
  name: 'marker',
  workloads: [],
  enabled: () => enabled,
  objects: (scope, platform, phase) => {
    new ApiObject(scope, `marker-${phase}`, {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: `marker-${phase}`, ...(phase === 'crds' ? { namespace: platform.namespaces.system } : { namespace: platform.namespaces[phase] }) },
    });
  },
});

describe('a component owns its objects', () => {
  const config = configOf(MINIMAL);

  it('is asked for its objects in every phase, and they land in that phase', () => {
    const objects = compileConfig(config, { catalog: [...CATALOG, marker(true)] });
    expect(objects.filter((o) => o.manifest.metadata.name.startsWith('marker-')).map((o) => [o.phase, o.manifest.metadata.name])).toEqual([
      ['crds', 'marker-crds'], ['system', 'marker-system'], ['core', 'marker-core'], ['agents', 'marker-agents'],
    ]);
  });

  it('builds nothing when the profile does not run it (mutation: the same component disabled)', () => {
    const objects = compileConfig(config, { catalog: [...CATALOG, marker(false)] });
    expect(objects.filter((o) => o.manifest.metadata.name.startsWith('marker-'))).toEqual([]);
  });

  it("takes Elasticsearch's, Atlas', NGINX's and the Aura operator's objects from their components", () => {
    const kindsOf = (name: string) => {
      const without = CATALOG.map((k) => (k.name === name ? { ...k, objects: undefined } : k));
      const all = new Set(compileConfig(config).map((o) => o.manifest.kind));
      const lost = new Set(compileConfig(config, { catalog: without }).map((o) => o.manifest.kind));
      return [...all].filter((k) => !lost.has(k)).sort();
    };
    expect(kindsOf('elasticsearch')).toEqual(['Elasticsearch', 'Kibana']);
    expect(kindsOf('nginx')).toEqual(expect.arrayContaining(['VirtualServer']));
    expect(kindsOf('aura-operator')).toEqual(expect.arrayContaining(['CustomResourceDefinition', 'ResolutionResources']));
  });

  it('declares the operator it needs: the installed operators follow the catalog', () => {
    expect(chartOperators(configOf(`${MINIMAL}atlas_enabled: false\n`)).map((o) => o.key)).toEqual(['eck']);
    expect(chartOperators(config).map((o) => o.key)).toEqual(['eck', 'mongodb_atlas']);
    expect(OPERATOR_MANAGES).toEqual({ eck: ['elasticsearch'], mongodb_atlas: [] });
    expect(chartOperators(config, CATALOG.filter((k) => k.name !== 'elasticsearch')).map((o) => o.key)).toEqual(['mongodb_atlas']);
    expect(crdSources(config).map((s) => s.name)).toEqual(['nginx-ingress-crds']);
  });

  it('leaves the phases without a component name, and constructs/ without a custom resource of one', () => {
    const names = CATALOG.map((k) => k.name);
    const named = readdirSync(PHASES_DIR).flatMap((f) => {
      const text = readFileSync(join(PHASES_DIR, f), 'utf8');
      return names.filter((n) => text.includes(`'${n}'`) || text.includes(`components/${n}'`)).map((n) => `${f}: ${n}`);
    });
    expect(named).toEqual([]);
    const constructs = readdirSync(CONSTRUCTS_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const componentImports = constructs.filter((f) => /from '\.\.\/(\.\.\/)?components\//.test(readFileSync(join(CONSTRUCTS_DIR, f), 'utf8')));
    expect(componentImports).toEqual([]);
  });
});

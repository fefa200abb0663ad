import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PHASE_ORDER } from '../src/output/kustomize';
import { built, byKey, SHIPPED } from './helpers';

const DIST = join(__dirname, '../dist');
const kustomize = (dir: string) =>
  parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).map((d) => d.toJS());

describe.each(SHIPPED)('kubectl kustomize of %s', (name) => {
  const objects = () => built(name).objects;

  it('renders exactly the compiled objects from the profile root, Namespaces and CRDs first', () => {
    const rendered = kustomize(join(DIST, name));
    expect(byKey(rendered)).toEqual(byKey(objects().map((o) => o.manifest)));
    const kinds = rendered.map((m) => m.kind);
    const lastNamespace = kinds.lastIndexOf('Namespace');
    const firstOther = kinds.findIndex((k) => k !== 'Namespace' && k !== 'CustomResourceDefinition');
    expect(lastNamespace).toBeLessThan(firstOther);
    if (kinds.includes('CustomResourceDefinition')) expect(kinds.lastIndexOf('CustomResourceDefinition')).toBeLessThan(firstOther);
  });

  it('renders each phase folder as exactly that phase', () => {
    for (const phase of PHASE_ORDER) {
      const inPhase = objects().filter((o) => o.phase === phase).map((o) => o.manifest);
      if (!inPhase.length) continue;
      expect(byKey(kustomize(join(DIST, name, 'manifests', phase))), phase).toEqual(byKey(inPhase));
    }
  });
});

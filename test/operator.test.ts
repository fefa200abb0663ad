import { describe, expect, it } from 'vitest';
import { checkSchemas } from '../src/checks/schema';
import { compileConfig } from '../src/compile';
import { configOf, find, manifests, MINIMAL, SHIPPED } from './helpers';

describe('Aura operator', () => {
  it('emits the three CRDs of auracognitive.com in the crds phase, ahead of every object of theirs', () => {
    const objects = compileConfig(configOf(`${MINIMAL}nlp_packages: { resources_es: 1.2.3 }\n`));
    const crds = objects.filter((o) => o.manifest.kind === 'CustomResourceDefinition');
    expect(crds.map((o) => o.manifest.metadata.name).sort()).toEqual(['agents.auracognitive.com', 'nlptrainings.auracognitive.com', 'resolutionresources.auracognitive.com']);
    expect(crds.every((o) => o.phase === 'crds')).toBe(true);
    const phases = ['crds', 'system', 'core', 'agents'];
    const firstCr = objects.findIndex((o) => o.manifest.apiVersion === 'auracognitive.com/v1');
    expect(Math.max(...crds.map((o) => objects.indexOf(o)))).toBeLessThan(firstCr);
    expect(objects.map((o) => phases.indexOf(o.phase))).toEqual([...objects.map((o) => phases.indexOf(o.phase))].sort((a, b) => a - b));
  });

  it('gives each kind its schema: a version (or tag), and an optional Patch/Minor/Major update strategy', () => {
    const schema = (n: string) => (find('es-pro', 'CustomResourceDefinition', n) as any).spec.versions[0].schema.openAPIV3Schema;
    expect(schema('nlptrainings.auracognitive.com').properties.spec).toMatchObject({ required: ['version'], properties: { update: { enum: ['Patch', 'Minor', 'Major'] } } });
    expect(schema('agents.auracognitive.com').properties.spec.required).toEqual(['tag']);
    expect(schema('resolutionresources.auracognitive.com')['x-kubernetes-validations'][0].rule).toBe("self.metadata.name == 'resolutionresources'");
  });

  it('creates NlpTrainings from nlp_packages and the single ResolutionResources from resolutions', () => {
    expect((find('de-pro', 'NlpTraining', 'resources-de') as any).spec).toEqual({ version: '0.10.0' });
    const rr = manifests('de-pro').filter((m) => m.kind === 'ResolutionResources');
    expect(rr).toHaveLength(1);
    expect(rr[0]).toMatchObject({ metadata: { name: 'resolutionresources', namespace: 'aura-de-pro' }, spec: { version: '0.0.0' } });
  });

  it('creates the agents namespace and an Agent per context_agents entry, the external account by reference', () => {
    expect(find('es-pro', 'Namespace', 'aura-agents-es-pro')).toBeDefined();
    expect((find('es-pro', 'Agent', 'billing') as any).spec).toEqual({ tag: '7.2.0' });
    expect((find('es-pro', 'Agent', 'partner-care') as any)).toMatchObject({
      metadata: { namespace: 'aura-agents-es-pro' },
      spec: { tag: '7.2.0', storage: { account: 'partnercarestore', container: 'transformations', sasTokenSecret: 'context-agent-partner-care-sas-token' } },
    });
  });

  it('runs one operator with the RBAC it needs and no more', () => {
    expect((find('es-pro', 'Deployment', 'aura-operator') as any).spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    const rules = (find('es-pro', 'ClusterRole', 'aura-es-pro-aura-operator') as any).rules;
    expect(rules[0]).toMatchObject({ apiGroups: ['auracognitive.com'] });
    expect(rules.flatMap((r: any) => r.resources)).not.toContain('secrets');
  });

  it('with aura_operator_enabled: false there is none of it', () => {
    const objects = compileConfig(configOf(`${MINIMAL}aura_operator_enabled: false\n`)).map((o) => o.manifest);
    expect(objects.filter((m) => m.apiVersion.startsWith('auracognitive.com') || m.kind === 'CustomResourceDefinition' || m.metadata.name === 'aura-operator')).toEqual([]);
  });

  it('a tenant gets its own objects but leaves the CRDs to its parent cluster', () => {
    expect(find('de-pro-wsim', 'ResolutionResources', 'resolutionresources')).toBeDefined();
    expect(manifests('de-pro-wsim').filter((m) => m.kind === 'CustomResourceDefinition')).toEqual([]);
  });

  it('the strict check validates our custom resources against their schemas', () => {
    const objects = structuredClone(compileConfig(configOf(MINIMAL)));
    (objects.find((o) => o.manifest.kind === 'ResolutionResources')!.manifest as any).spec.update = 'Sometimes';
    expect(checkSchemas(objects)).toContainEqual(expect.stringMatching(/ResolutionResources\/.*\/resolutionresources: \/spec\/update: must be equal to one of the allowed values/));
  });

  it.each(SHIPPED)('%s: every custom resource has its CRD in the profile or its parent', (name) => {
    expect(manifests(name).filter((m) => m.apiVersion === 'auracognitive.com/v1').every((m) => ['NlpTraining', 'ResolutionResources', 'Agent'].includes(m.kind))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { CompiledObject, Manifest } from '../src/compile';
import { gitopsObjects } from '../src/delivery/gitops';
import { FLUX_SSA_ANNOTATION, runtimeOwnedFields, withFluxOwnership } from '../src/delivery/runtime-owned';
import { ARGOCD_FOLDER } from '../src/delivery/gitops';
import { built } from './helpers';

const object = (kind: string, name: string, rest: Record<string, unknown> = {}, labels: Record<string, string> = {}): CompiledObject => ({
  phase: 'core',
  manifest: { apiVersion: 'v1', kind, metadata: { name, namespace: 'ns', labels }, ...rest } as Manifest,
});
const hpa = (target: string) => object('HorizontalPodAutoscaler', target, { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target } } });
const userHelperConfig = (data: Record<string, string>) => object('ConfigMap', 'user-helper-config', { data }, { app: 'user-helper' });

describe('fields the cluster owns at run time', () => {
  it('the replicas of each HPA target, and the ConfigMap key the Aura operator rewrites', () => {
    const objects = [hpa('aura-bot'), object('Deployment', 'aura-bot'), userHelperConfig({ RESOLUTIONS_VERSION: '0.0.0' }), object('ConfigMap', 'other', { data: { RESOLUTIONS_VERSION: '1' } })];
    expect(runtimeOwnedFields(objects, true)).toEqual([
      { phase: 'core', group: '', kind: 'ConfigMap', name: 'user-helper-config', namespace: 'ns', jsonPointers: ['/data/RESOLUTIONS_VERSION'], owner: 'aura-operator' },
      { phase: 'core', group: 'apps', kind: 'Deployment', name: 'aura-bot', namespace: 'ns', jsonPointers: ['/spec/replicas'], owner: 'HorizontalPodAutoscaler aura-bot' },
    ]);
  });

  it('without the Aura operator, the ConfigMap is the profile\'s', () => {
    expect(runtimeOwnedFields([userHelperConfig({ RESOLUTIONS_VERSION: '0.0.0' })], false)).toEqual([]);
  });

  it('Flux leaves alone a ConfigMap whose every key the operator owns, and only that', () => {
    const owned = runtimeOwnedFields([userHelperConfig({ RESOLUTIONS_VERSION: '0.0.0' })], true);
    expect(withFluxOwnership(userHelperConfig({ RESOLUTIONS_VERSION: '0.0.0' }), owned).manifest.metadata.annotations).toEqual({ [FLUX_SSA_ANNOTATION]: 'IfNotPresent' });
    // A key of the profile's beside it: Flux must keep applying the object.
    expect(withFluxOwnership(userHelperConfig({ RESOLUTIONS_VERSION: '0.0.0', OTHER: 'x' }), owned).manifest.metadata.annotations).toBeUndefined();
  });

  it('Argo CD ignores exactly them, in the Application of their phase, and respects that on sync', () => {
    const owned = runtimeOwnedFields([hpa('aura-bot')], true);
    const apps = gitopsObjects(built('de-pro').config, 'de-pro', ['system', 'core'], owned).get(ARGOCD_FOLDER)!;
    const core = apps.find((a) => a.metadata.name === 'aura-de-pro-core') as any;
    expect(core.spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'aura-bot', namespace: 'ns', jsonPointers: ['/spec/replicas'] }]);
    expect(core.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    const system = apps.find((a) => a.metadata.name === 'aura-de-pro-system') as any;
    expect(system.spec.ignoreDifferences).toBeUndefined();
    expect(system.spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
  });
});

describe('de-pro', () => {
  it('its core Application ignores the replicas of every autoscaled Deployment and user-helper\'s resolutions version, nothing else', () => {
    const b = built('de-pro');
    const core = [...b.files].find(([p]) => p === 'gitops/argocd/application-aura-de-pro-core.yaml');
    expect(core).toBeDefined();
    const hpas = b.objects.filter((o) => o.phase === 'core' && o.manifest.kind === 'HorizontalPodAutoscaler').map((o) => (o.manifest as any).spec.scaleTargetRef.name).sort();
    const ignored = [...core![1].matchAll(/kind: (\w+)\n\s+name: (\S+)/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(ignored).toEqual(['ConfigMap/user-helper-config', ...hpas.map((n) => `Deployment/${n}`)]);
    // The compiled Deployments leave replicas to their HPA.
    for (const name of hpas) expect((b.objects.find((o) => o.manifest.kind === 'Deployment' && o.manifest.metadata.name === name)!.manifest as any).spec.replicas).toBeUndefined();
  });
});

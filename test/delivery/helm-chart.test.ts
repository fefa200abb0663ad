import { describe, expect, it } from 'vitest';
import { templateImages } from '../../src/delivery/helm-chart';
import type { Manifest } from '../../src/model/manifest';

const images = { registry: 'acr.example.io', tag: '1.2.3' };
const pod = (...image: string[]): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'x' },
  spec: { template: { spec: { containers: image.map((i, n) => ({ name: `c${n}`, image: i })) } } },
});

describe('templateImages', () => {
  it('templates the registry of every image field, and the tag when it is the release tag', () => {
    const m = templateImages(pod('acr.example.io/core/api-gw:1.2.3', 'acr.example.io/thirdparty/redis:7.2.5'), images) as any;
    expect(m.spec.template.spec.containers.map((c: any) => c.image)).toEqual([
      'AURA-HELM-VALUE-IMAGE-REGISTRY/core/api-gw:AURA-HELM-VALUE-IMAGE-TAG',
      'AURA-HELM-VALUE-IMAGE-REGISTRY/thirdparty/redis:7.2.5',
    ]);
  });

  it('leaves other registries, text that merely looks like an image line, and image-less objects alone', () => {
    expect(templateImages(pod('docker.io/library/busybox:1'), images)).toBeUndefined();
    const configMap: Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'x.yaml': 'image: acr.example.io/core/api-gw:1.2.3\n' } };
    expect(templateImages(configMap, images)).toBeUndefined();
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree } from '../src/output/write';
import { buildProfile } from '../src/build';
import { PHASE_LABEL, PHASE_WAVE } from '../src/delivery/ordering';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { coreServices } from '../src/components/core-services';
import { nginx } from '../src/components/nginx';
import { resolvePlatform } from '../src/platform/resolve';
import { CATALOG } from '../src/components/catalog';

const CORE_COMPONENTS = [...coreServices.workloads, ...nginx.workloads];
import { coreNamespace } from '../src/platform/naming';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { built, find, manifests, SHIPPED } from './helpers';

const configOf = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
const STANDARD_LABELS = ['app', 'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by'];

it('ships es, uk, de and br in pro and pre, plus a tenant', () => {
  expect(SHIPPED).toEqual(expect.arrayContaining(['es-pro', 'es-pre', 'uk-pro', 'uk-pre', 'de-pro', 'de-pre', 'br-pro', 'br-pre', 'de-pro-wsim']));
});

describe.each(SHIPPED)('profile %s', (name) => {
  const config = configOf(name);
  const ns = coreNamespace(config);
  /** The core namespace's objects (aura-system has its own tests). */
  const all = () => manifests(name).filter((m) => m.metadata.namespace === ns || m.metadata.name === ns);

  it('compiles with every check passing, into one file per object', () => {
    const b = built(name);
    expect(b.objects.length).toBeGreaterThan(40);
    expect([...b.files.keys()].filter((f) => f.startsWith('manifests/') && !f.endsWith('kustomization.yaml')).length).toBe(b.objects.length);
  });

  it('is deterministic: a second compile gives identical files', () => {
    expect(buildProfile(name, DEFAULT_PROFILES_DIR).files).toEqual(built(name).files);
  });

  it('marks every object with its phase wave and label, and keeps data-bearing objects from being pruned', () => {
    for (const { phase, manifest: m } of built(name).objects) {
      const a = m.metadata.annotations ?? {};
      expect(a['argocd.argoproj.io/sync-wave'], `${m.kind}/${m.metadata.name}`).toBe(String(PHASE_WAVE[phase]));
      expect(m.metadata.labels?.[PHASE_LABEL]).toBe(phase);
      const kept = ['Namespace', 'CustomResourceDefinition', 'PersistentVolumeClaim', 'Elasticsearch', 'AtlasProject', 'AtlasDeployment'].includes(m.kind);
      expect(a['kustomize.toolkit.fluxcd.io/prune'] === 'disabled', `${m.kind}/${m.metadata.name}`).toBe(kept);
      expect(a['helm.sh/resource-policy'] === 'keep').toBe(kept);
      expect((a['argocd.argoproj.io/sync-options'] ?? '').includes('Prune=false')).toBe(kept);
      const custom = /^[^/]+\.[^/]+\//.test(m.apiVersion) && !/\.k8s\.io\//.test(m.apiVersion);
      expect((a['argocd.argoproj.io/sync-options'] ?? '').includes('SkipDryRunOnMissingResource=true'), m.apiVersion).toBe(custom);
    }
  });

  it('puts the standard labels on every object and pod template', () => {
    for (const m of manifests(name)) {
      expect(Object.keys(m.metadata.labels ?? {}), `${m.kind}/${m.metadata.name}`).toEqual(expect.arrayContaining(STANDARD_LABELS));
      const tpl = (m as any).spec?.template?.metadata?.labels;
      if (tpl) expect(tpl['app.kubernetes.io/name']).toBe(m.metadata.name);
    }
  });

  it('emits the core namespace under the restricted pod security standard', () => {
    expect(find(name, 'Namespace', ns)?.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('deploys exactly the core components its flags enable', () => {
    const workloads = all().filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.kind)).map((m) => m.metadata.name).sort();
    // With Atlas, the pause pod that keeps the core services' database user password synced.
    const expected = [...resolvePlatform(config, CATALOG).workloads('core').map((c) => c.name), ...(config.atlas_enabled ? ['atlas-secrets-sync'] : [])].sort();
    const corePhase = built(name).objects.filter((o) => o.phase === 'core').map((o) => o.manifest);
    expect(corePhase.filter((m) => m.metadata.namespace === ns || m.kind === 'Namespace')).toEqual(all());
    // Besides: RBAC and the IngressClass (cluster-wide), and the routes of the management pages in aura-system.
    const elsewhere = corePhase.filter((m) => m.metadata.namespace !== ns && m.kind !== 'Namespace');
    expect(new Set(elsewhere.map((m) => `${m.kind}${m.metadata.namespace ? `@${m.metadata.namespace}` : ''}`))).toEqual(
      new Set(['ClusterRole', 'ClusterRoleBinding', 'IngressClass', ...(config.tenant_name === 'default' ? ['VirtualServerRoute@aura-system'] : [])]),
    );
    expect(workloads).toEqual(expected);
    const bridge = config.whatsapp_enabled || config.rcs_enabled || config.genesys_enabled || config.async_callback_enabled;
    expect(workloads.includes('aura-bridge')).toBe(bridge);
    expect(workloads.includes('qdrant')).toBe(config.openai_enabled);
    expect(workloads.includes('atria-rag-server')).toBe(config.atria_rag_enabled);
    expect(workloads.includes('aura-gateway-api')).toBe(config.nlpaas_enabled || config.generative_enabled || config.atria_rag_enabled);
    expect(workloads.includes('aura-manager')).toBe(config.generative_enabled || config.atria_rag_enabled);
    expect(workloads).toEqual(expect.arrayContaining(['api-gw', 'aura-bot', 'authentication-api', 'nginx', 'nlp', 'user-helper', 'web-sdk', 'aog-bridge', 'aura-groot', 'context', 'tac', 'insights-loader', 'aura-bot-makeup', 'nlp-provisioning']));
  });

  it('gives every replicated Deployment an HPA (min = profile, max = 3x, CPU 80%) and a PDB when above one replica', () => {
    const replicated = new Set(CORE_COMPONENTS.filter((c) => c.scale?.mode === 'autoscaled').map((c) => c.name));
    for (const d of all().filter((m) => m.kind === 'Deployment' && replicated.has(m.metadata.name))) {
      const replicas = config.service_replicas[d.metadata.name as keyof typeof config.service_replicas] as number;
      const hpa = find(name, 'HorizontalPodAutoscaler', d.metadata.name) as any;
      expect(hpa.spec).toMatchObject({ minReplicas: replicas, maxReplicas: 3 * replicas, scaleTargetRef: { kind: 'Deployment', name: d.metadata.name } });
      expect(hpa.spec.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } });
      expect(!!find(name, 'PodDisruptionBudget', d.metadata.name)).toBe(replicas > 1);
      expect((d as any).spec.replicas).toBeUndefined(); // owned by the HPA
      expect(find(name, 'Service', d.metadata.name)).toBeDefined();
    }
  });

  it('runs exactly one insights-loader, never autoscaled nor rolled with two', () => {
    expect((find(name, 'Deployment', 'insights-loader') as any).spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    expect(find(name, 'HorizontalPodAutoscaler', 'insights-loader')).toBeUndefined();
    expect(find(name, 'PodDisruptionBudget', 'insights-loader')).toBeUndefined();
  });

  it("sizes containers with the guide's figures and a restricted security context", () => {
    const services = new Set(CORE_COMPONENTS.map((c) => c.name));
    for (const w of all().filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.kind) && services.has(m.metadata.name))) {
      const pod = (w as any).spec.template.spec;
      const c = pod.containers[0];
      const expected = w.metadata.name === 'nginx' ? { requests: { cpu: '600m', memory: '768Mi' }, limits: { cpu: '2', memory: '1Gi' } } : { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };
      expect(c.resources, w.metadata.name).toEqual(expected);
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      if (w.kind !== 'Job') expect(c.readinessProbe && c.livenessProbe).toBeTruthy();
    }
  });

  it('passes configuration through ConfigMaps and secrets only by Key Vault reference', () => {
    expect(manifests(name).filter((m) => m.kind === 'Secret')).toEqual([]);
    const bot = find(name, 'ConfigMap', 'aura-bot-config') as any;
    expect(bot.data).toMatchObject({ CONTEXT_EXPIRATION_DAYS: String(config.context_expiration_days), KERNEL_APIGW_URL: `https://api.${config.environment_profile}-${config.environment_type}.baikalplatform.com` });
    const spc = find(name, 'SecretProviderClass', 'aura-bot-keyvault') as any;
    expect(spc.spec.parameters).toMatchObject({ keyvaultName: config.key_vault.name, tenantId: config.key_vault.tenant_id });
    expect(spc.spec.parameters.objects).toContain('objectName: aura-bot-services-api-key');
    const env = (find(name, 'Deployment', 'aura-bot') as any).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'AURA_BOT_SERVICES_API_KEY', valueFrom: { secretKeyRef: { name: 'aura-bot-keyvault', key: 'aura-bot-services-api-key' } } });
  });

  it('uses the guide names exactly, without hash suffixes', () => {
    for (const m of manifests(name)) expect(m.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
  });
});

describe('profile specifics', () => {
  it('de-pro raises aura-bot and nginx to three replicas', () => {
    expect((find('de-pro', 'HorizontalPodAutoscaler', 'aura-bot') as any).spec).toMatchObject({ minReplicas: 3, maxReplicas: 9 });
  });
  it('the tenant example gets its own core namespace', () => {
    expect(find('de-pro-wsim', 'Namespace', 'aura-de-pro-wsim')).toBeDefined();
    expect(find('de-pro-wsim', 'Deployment', 'qdrant')).toBeUndefined();
  });
  it('Germany runs Qdrant for OpenAI as a one-replica StatefulSet with its own volume', () => {
    const q = find('de-pro', 'StatefulSet', 'qdrant') as any;
    expect(q.spec.replicas).toBe(1);
    expect(q.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(find('de-pro', 'HorizontalPodAutoscaler', 'qdrant')).toBeUndefined();
  });
});

describe('no secret in dist/', () => {
  it('no committed file holds a Secret, a key, a password or a token value', () => {
    const files = readTree(join(__dirname, '../dist'));
    expect(files.size).toBeGreaterThan(1000);
    for (const [path, text] of files) {
      expect(text, path).not.toMatch(/^kind: Secret$/m);
      expect(text, path).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----|AccountKey=|SharedAccessSignature=|sig=[A-Za-z0-9%]{20,}/);
      // Keys that hold values (a `secret:` key in these objects names a Secret, like tls.secret).
      expect(text, path).not.toMatch(/^\s*(password|apiKey|api_key|privateApiKey|client_secret|clientSecret|token|sasToken|sharedKey):\s*\S+/im);
    }
  });
});

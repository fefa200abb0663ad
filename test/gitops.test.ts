import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KUBERNETES_VERSION } from '../src/model/kubernetes-versions';
import { buildProfile } from '../src/build';
import { checkSchemas } from '../src/checks/schema';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { main } from '../src/commands/synth';
import { APPLICATIONSET_FILE, gitopsObjects } from '../src/delivery/gitops';
import { kindScope } from '../src/checks/schema';
import { OPERATORS_WAVE, PHASE_WAVE } from '../src/delivery/ordering';
import { readTree } from '../src/output/write';
import { runHelm } from '../src/tools/helm';
import { built, catchError, configOf, MINIMAL, SHIPPED, withKey } from './helpers';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const folder = (name: string, sub: string) =>
  [...built(name).files].filter(([p]) => p.startsWith(`${sub}/`) && !p.slice(sub.length + 1).includes('/')).map(([, text]) => parse(text));

describe.each(SHIPPED)('GitOps objects of %s', (name) => {
  const config = () => built(name).config;
  const phases = () => [...new Set(built(name).objects.map((o) => o.phase))];
  const env = () => built(name).files.get('chart/Chart.yaml')!.match(/name: aura-(\S+)/)![1]!;

  it('has an Argo CD Application per phase, pointing at that phase folder, with the phase wave', () => {
    const apps = folder(name, 'gitops/argocd');
    for (const phase of phases()) {
      const app = apps.find((a) => a.metadata.name === `aura-${env()}-${phase}`);
      expect(app, phase).toBeDefined();
      expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(PHASE_WAVE[phase]));
      expect(app.spec.source.path).toBe(`dist/${name}/manifests/${phase}`);
      expect(existsSync(join(ROOT, app.spec.source.path, 'kustomization.yaml'))).toBe(true);
      expect(app.spec.destination.name).toBe(config().cluster_name);
    }
  });

  it('installs the operators first (wave 0), at the versions pinned in the profile, only where the cluster is the profile own', () => {
    const operators = folder(name, 'gitops/argocd').filter((a) => a.metadata.annotations['argocd.argoproj.io/sync-wave'] === String(OPERATORS_WAVE));
    const ownCluster = config().tenant_name === 'default';
    const expected = ownCluster ? ['elastic-operator', 'nginx-ingress-crds', ...(config().atlas_enabled ? ['mongodb-atlas-operator'] : [])] : [];
    expect(operators.map((a) => a.metadata.name.slice(`aura-${env()}-`.length)).sort()).toEqual(expected.sort());
    const eck = operators.find((a) => a.metadata.name.endsWith('elastic-operator'));
    if (eck) expect(eck.spec.source).toMatchObject({ repoURL: 'https://helm.elastic.co', chart: 'eck-operator', targetRevision: config().operators.eck.version });
    const nginx = operators.find((a) => a.metadata.name.endsWith('nginx-ingress-crds'));
    if (nginx) expect(nginx.spec).toMatchObject({ source: { targetRevision: config().operators.nginx_ingress_crds.version, path: 'config/crd/bases' }, syncPolicy: { automated: { prune: false } } });
  });

  it('chains the Flux Kustomizations with dependsOn in install order, each at an existing folder', () => {
    const ks = folder(name, 'gitops/flux').filter((k) => k.kind === 'Kustomization');
    const byName = new Map(ks.map((k) => [k.metadata.name, k]));
    const order = [...(byName.has(`aura-${env()}-operators`) ? ['operators'] : []), ...phases()];
    expect(ks.map((k) => k.metadata.name).sort()).toEqual(order.map((p) => `aura-${env()}-${p}`).sort());
    order.forEach((step, i) => {
      const k = byName.get(`aura-${env()}-${step}`)!;
      const deps = (k.spec.dependsOn ?? []).map((d: { name: string }) => d.name);
      if (i > 0) expect(deps, step).toContain(`aura-${env()}-${order[i - 1]}`);
      expect(existsSync(join(ROOT, k.spec.path)), k.spec.path).toBe(true);
      expect(k.spec).toMatchObject({ prune: true, wait: true, sourceRef: { kind: 'GitRepository', name: `aura-${env()}` } });
    });
    if (config().tenant_name !== 'default') {
      const parent = `${config().environment_profile}-${config().environment_type}`;
      expect(byName.get(`aura-${env()}-core`)!.spec.dependsOn).toContainEqual({ name: `aura-${parent}-system` });
      expect(folder(parent, 'gitops/flux').map((k) => k.metadata.name)).toContain(`aura-${parent}-system`);
    }
  });

  it('gives Flux a HelmRelease per chart operator, from a HelmRepository it defines', () => {
    const objects = folder(name, 'gitops/flux-operators');
    const repositories = new Set(objects.filter((o) => o.kind === 'HelmRepository').map((o) => o.metadata.name));
    const releases = objects.filter((o) => o.kind === 'HelmRelease');
    expect(releases.length).toBe(config().tenant_name !== 'default' ? 0 : config().atlas_enabled ? 2 : 1);
    for (const r of releases) {
      expect(repositories.has(r.spec.chart.spec.sourceRef.name)).toBe(true);
      expect(r.spec.chart.spec.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(r.spec.install).toEqual({ createNamespace: true, crds: 'CreateReplace', remediation: { retries: 3 } });
      expect(r.spec.upgrade).toEqual({ crds: 'CreateReplace', cleanupOnFail: true, remediation: { retries: 3, remediateLastFailure: true, strategy: 'rollback' } });
    }
    // Named after the profile, like every other GitOps object: one Flux may serve several profiles.
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.name.startsWith(`aura-${env()}-`), o.metadata.name).toBe(true);
  });

  it("puts the profile's Applications in its own Argo CD project, which allows exactly their sources, namespaces and cluster-scoped kinds", () => {
    const argo = folder(name, 'gitops/argocd');
    const project = argo.find((o) => o.kind === 'AppProject');
    expect(project.metadata.name).toBe(`aura-${env()}`);
    expect(project.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    const apps = argo.filter((o) => o.kind === 'Application');
    for (const app of apps) {
      expect(app.spec.project).toBe(`aura-${env()}`);
      expect(project.spec.sourceRepos).toContain(app.spec.source.repoURL);
    }
    const cluster = config().gitops.argocd_cluster ?? config().cluster_name;
    expect(new Set(project.spec.destinations.map((d: { name: string }) => d.name))).toEqual(new Set([cluster]));
    expect(built(name).objects.every((o) => allows(project, o.manifest))).toBe(true);
    // The check can fail: an object elsewhere, or of a kind the profile never deploys, is refused.
    const any = built(name).objects.find((o) => o.manifest.metadata.namespace)!.manifest;
    expect(allows(project, { ...any, metadata: { ...any.metadata, namespace: 'kube-system' } })).toBe(false);
    expect(allows(project, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'x' } })).toBe(false);
  });

  it('leaves finalizers off every Application: deleting one never deletes what it deployed', () => {
    for (const o of [...folder(name, 'gitops/argocd')]) expect(o.metadata.finalizers, o.metadata.name).toBeUndefined();
  });

  it('labels every object, compiled and GitOps, with its version and component', () => {
    const gitops = [...built(name).files].filter(([p]) => p.startsWith('gitops/')).map(([, t]) => parse(t));
    for (const m of [...built(name).objects.map((o) => o.manifest), ...gitops]) {
      expect(m.metadata.labels['app.kubernetes.io/version'], `${m.kind}/${m.metadata.name}`).toMatch(/^v?\d+\.\d+\.\d+/);
      expect(m.metadata.labels['app.kubernetes.io/component'], `${m.kind}/${m.metadata.name}`).toBeTruthy();
    }
    const bot = built(name).objects.find((o) => o.manifest.kind === 'Deployment' && o.manifest.metadata.name === 'aura-bot');
    if (bot) expect(bot.manifest.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': config().images.tag, 'app.kubernetes.io/component': 'aura-bot' });
  });

  it('keeps every tool in its own folder: manifests only under Flux paths, Chart.yaml only in chart/, kustomization.yaml only for kustomize', () => {
    const tree = readTree(join(DIST, name));
    for (const [path, text] of tree) {
      if (path.startsWith('gitops/') || (path.startsWith('manifests/') && !path.endsWith('kustomization.yaml'))) {
        const doc = parse(text);
        expect(doc.apiVersion && doc.kind && doc.metadata?.name, path).toBeTruthy();
      }
      if (path.endsWith('Chart.yaml')) expect(path).toBe('chart/Chart.yaml');
      if (path.endsWith('kustomization.yaml')) expect(path.startsWith('chart/') || path.startsWith('gitops/') || path.startsWith('infra/'), path).toBe(false);
    }
    expect(tree.has('kustomization.yaml')).toBe(true);
    expect([...tree.keys()].filter((p) => p.startsWith('infra/')).every((p) => p.endsWith('.json'))).toBe(true);
  });
});

/** Whether an Argo CD project lets an Application deploy this object (namespace and cluster-scoped kind). */
function allows(project: any, m: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): boolean {
  if (kindScope(m.apiVersion, m.kind) === 'Cluster') {
    const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
    return project.spec.clusterResourceWhitelist.some((k: { group: string; kind: string }) => k.group === group && k.kind === m.kind);
  }
  return project.spec.destinations.some((d: { namespace: string }) => d.namespace === m.metadata.namespace);
}

describe('GitOps settings', () => {
  it('give Flux the Secret of a private repository by name', () => {
    const config = configOf(withKey('gitops: { flux_secret_ref: aura-git-credentials }'));
    const source = gitopsObjects(config, 'test', ['core'], []).get('gitops/flux')!.find((m) => m.kind === 'GitRepository')!;
    expect((source.spec as any).secretRef).toEqual({ name: 'aura-git-credentials' });
    expect((gitopsObjects(configOf(MINIMAL), 'test', ['core'], []).get('gitops/flux')![0]!.spec as any).secretRef).toBeUndefined();
  });

  it("refuse Argo CD's default project, which allows everything", () => {
    expect(catchError(() => configOf(withKey('gitops: { argocd_project: default }'))).message).toMatch(/gitops\.argocd_project.*must not be Argo CD's default project/);
  });
});

describe('the ApplicationSet', () => {
  const docs = parseAllDocuments(readFileSync(join(DIST, APPLICATIONSET_FILE), 'utf8')).map((d) => d.toJS());
  const set = docs.find((d) => d.kind === 'ApplicationSet');
  const project = docs.find((d) => d.kind === 'AppProject');

  it("keeps what the Applications deployed when it is deleted, and its parents' project allows only creating Applications and projects in Argo CD's namespace", () => {
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
    expect(set.spec.template.spec.project).toBe(project.metadata.name);
    expect(project.metadata.name).toBe('aura');
    expect(project.spec).toMatchObject({
      sourceRepos: [set.spec.template.spec.source.repoURL],
      destinations: [set.spec.template.spec.destination],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'AppProject' }, { group: 'argoproj.io', kind: 'Application' }],
    });
    expect(checkSchemas([{ manifest: project }])).toEqual([]);
  });

  it('finds every profile folder and names each parent Application after its profile', () => {
    const glob = set.spec.generators[0].git.directories[0].path as string;
    const pattern = new RegExp(`^${glob.replace('*', '[^/]+')}$`);
    for (const name of SHIPPED) {
      const path = `dist/${name}/gitops/argocd`;
      expect(pattern.test(path), path).toBe(true);
      const segment = Number(set.spec.template.metadata.name.match(/segments (\d+)/)[1]);
      expect(path.split('/')[segment]).toBe(name);
    }
    expect(set.spec.template.spec.source.path).toBe('{{ .path.path }}');
  });

  it('passes the strict schema of the upstream CRD, which catches a wrong field', () => {
    expect(checkSchemas([{ manifest: set }])).toEqual([]);
    const broken = { ...set, spec: { ...set.spec, generator: set.spec.generators } };
    expect(checkSchemas([{ manifest: broken }]).join('\n')).toMatch(/must NOT have additional properties "generator"/);
  });

  it('is not checked again once it passed with the same schema, while a failing one always fails', () => {
    const renamed = { ...set, metadata: { ...set.metadata, name: `aura-${process.pid}-${Date.now()}` } };
    expect(checkSchemas([{ manifest: renamed }], { remember: true })).toEqual([]);
    expect(checkSchemas([{ manifest: renamed }], { remember: true })).toEqual([]);
    const broken = { ...renamed, spec: { ...renamed.spec, generator: [] } };
    for (let i = 0; i < 2; i++) expect(checkSchemas([{ manifest: broken }], { remember: true })).toHaveLength(1);
  });

  it('refuses profiles that disagree on the GitOps settings, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-gitops-'));
    writeFileSync(join(dir, 'a.yaml'), MINIMAL);
    // Another cluster: two profiles of one cluster with different content are the cluster view's to refuse.
    writeFileSync(join(dir, 'b.yaml'), `${MINIMAL.replace('cluster_name: auraclusterproes', 'cluster_name: auraclusterprees')}gitops: { revision: release-7 }\n`);
    const out = join(dir, 'out');
    const err: string[] = [];
    expect(main(['--profiles', dir, '--all', '--out', out], { out: () => {}, err: (l) => err.push(l) })).toBe(1);
    expect(err.join('\n')).toMatch(/must share gitops\.repository, revision/);
    expect(err.join('\n')).toMatch(/b: gitops .*release-7/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('an operator chart rendered inline with the cdk8s Helm construct', () => {
  /** A small chart made here: a CRD, a namespaced ConfigMap without a namespace, a ClusterRole. */
  function makeArchive(dir: string): string {
    const chart = join(dir, 'src', 'tiny-operator');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    mkdirSync(join(chart, 'crds'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny-operator\nversion: 1.2.3\n');
    writeFileSync(join(chart, 'values.yaml'), 'greeting: hello\n');
    writeFileSync(join(chart, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}\n');
    writeFileSync(join(chart, 'templates', 'clusterrole.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {{ .Release.Name }}\nrules:\n  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get]\n');
    writeFileSync(join(chart, 'crds', 'widgets.yaml'), [
      'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata:', '  name: widgets.example.com', 'spec:', '  group: example.com',
      '  names: { kind: Widget, plural: widgets }', '  scope: Namespaced', '  versions:', '    - name: v1', '      served: true', '      storage: true',
      '      schema: { openAPIV3Schema: { type: object } }', '',
    ].join('\n'));
    runHelm(['package', chart, '--destination', join(dir, 'charts')]);
    return 'charts/tiny-operator-1.2.3.tgz';
  }

  const dir = mkdtempSync(join(tmpdir(), 'aura-inline-'));
  const archive = makeArchive(dir);
  writeFileSync(join(dir, 'inline.yaml'), `${MINIMAL.replace('eck: { version: 3.5.0 }', `eck: { version: 3.5.0, chart_archive: ${archive}, values: { greeting: hola } }`)}`);

  it('puts the chart objects in the crds phase, namespaced into the operator namespace, with our checks passing', () => {
    const b = buildProfile(join(dir, 'inline.yaml'), DEFAULT_PROFILES_DIR);
    const crds = b.objects.filter((o) => o.phase === 'crds').map((o) => o.manifest);
    const find = (kind: string) => crds.find((m) => m.kind === kind && m.metadata.name !== 'agents.auracognitive.com' && !m.metadata.name.endsWith('auracognitive.com'));
    expect(find('Namespace')?.metadata.name).toBe('elastic-system');
    expect(find('ConfigMap')).toMatchObject({ metadata: { name: 'elastic-operator-settings', namespace: 'elastic-system' }, data: { greeting: 'hola', kubeVersion: `v${DEFAULT_KUBERNETES_VERSION}.0` } });
    expect(find('ClusterRole')?.metadata.namespace).toBeUndefined();
    expect(find('CustomResourceDefinition')?.metadata.name).toBe('widgets.example.com');
    expect(b.files.has('manifests/crds/elastic-system/configmap-elastic-operator-settings.yaml')).toBe(true);
  });

  it('leaves that operator out of Argo CD and Flux, which install the others', () => {
    const b = buildProfile(join(dir, 'inline.yaml'), DEFAULT_PROFILES_DIR);
    const paths = [...b.files.keys()].filter((p) => p.startsWith('gitops/'));
    expect(paths.some((p) => p.includes('elastic-operator'))).toBe(false);
    expect(paths).toContain('gitops/argocd/application-aura-es-pro-nginx-ingress-crds.yaml');
  });

  it('reports a missing archive at its key, relative to the profile that sets it', () => {
    writeFileSync(join(dir, 'missing.yaml'), MINIMAL.replace('eck: { version: 3.5.0 }', 'eck: { version: 3.5.0, chart_archive: charts/nope.tgz }'));
    const e = catchError(() => buildProfile(join(dir, 'missing.yaml'), DEFAULT_PROFILES_DIR));
    expect(e.message).toMatch(/missing\.yaml:\d+:\d+: operators\.eck\.chart_archive: no chart archive at the path named here/);
  });
});

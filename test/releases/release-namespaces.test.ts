/**
 * The release walkthrough of docs/releases-and-migrations.md, step by step, through the commands
 * a team runs: `synth` (every check, the cluster view with the other profiles of the cluster) and
 * `infra` with fake az and kubectl that log their arguments. The profiles are copies of the shipped
 * de-pro and its tenant de-pro-wsim in a folder of their own, edited as each step says.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildProfile } from '../../src/build';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { main as cli } from '../../src/commands/synth';
import { compileConfig, type Manifest } from '../../src/compile';
import { loadProfile } from '../../src/profile/load';
import { validateProfile } from '../../src/profile/validate';
import { main as infraMain } from '../../src/commands/infra';
import { profileWiring, undiscovered } from '../../src/checks/wiring/profile';
import { clusterViewProblems } from '../../src/checks/cluster-view';
import { fakeTools } from '../support/fake-tools';

const work = mkdtempSync(join(tmpdir(), 'aura-release-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const profiles = join(work, 'profiles');
const dist = join(work, 'dist');
cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(profiles, 'layers'), { recursive: true });
const shipped = (name: string) => readFileSync(join(DEFAULT_PROFILES_DIR, `${name}.yaml`), 'utf8');
const write = (name: string, text: string) => writeFileSync(join(profiles, `${name}.yaml`), text);
const remove = (name: string) => rmSync(join(profiles, `${name}.yaml`));

/** The running profile owns the live names (force_dns_update: true): what the DNS switch moves and the rollback moves back. */
const RUNNING = `${shipped('de-pro')}force_dns_update: true\n`;
const TENANT = shipped('de-pro-wsim');
const RELEASE_TAG = '7.3.0';
/** Step 1's release profile, as the docs write it. */
const RELEASE_BESIDE = `extends: de-pro
release_suffix: r42
core_only: true
next_domains_enabled: true   # the -next hosts and the -next Bot Channel point at r42
force_dns_update: false      # the live hosts stay with the running release
images:
  tag: "${RELEASE_TAG}"
`;

function synth(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = cli(['--all', '--profiles', profiles, '--out', dist, '--allow-outside-repo', '--no-cache', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function infra(fake: ReturnType<typeof fakeTools>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await infraMain([...args, '--profiles', profiles, '--out', dist, '--allow-outside-repo'], { out: (l) => out.push(l), err: (l) => err.push(l), env: fake.env });
  return { code, out: out.join('\n'), err: err.join('\n'), calls: fake.calls() };
}

/** The objects of a compiled folder of dist (what kubectl would apply), by phase folder. */
function applied(profile: string, phase: string): Manifest[] {
  const root = join(dist, profile, 'manifests', phase);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml')
    .flatMap((e) => parseAllDocuments(readFileSync(join(e.parentPath, e.name), 'utf8')).map((d) => d.toJS() as Manifest));
}
const json = (profile: string, file: string) => JSON.parse(readFileSync(join(dist, profile, 'infra', file), 'utf8'));
const parameter = (profile: string, name: string) => json(profile, 'dns.parameters.json').parameters[name].value;
const envOf = (objects: Manifest[], name: string) => (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === `${name}-config`) as unknown as { data: Record<string, string> }).data;
const key = (m: Manifest) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;

describe('release namespaces, the walkthrough', () => {
  write('de-pro', RUNNING);
  write('de-pro-wsim', TENANT);
  write('de-pro-r42', RELEASE_BESIDE);
  const step1 = synth();

  describe('1. deploy beside', () => {
    it('the release compiles with every check, beside the running profile and its tenant', () => {
      expect(step1.err).toBe('');
      expect(step1.code).toBe(0);
      expect(step1.out).toMatch(/de-pro-r42: \d+ objects/);
    });

    it('it holds its core and agents phases only, in namespaces of its own, on the new images', () => {
      expect(readdirSync(join(dist, 'de-pro-r42', 'manifests')).sort()).toEqual(['agents', 'core']);
      const objects = [...applied('de-pro-r42', 'core'), ...applied('de-pro-r42', 'agents')];
      const namespaces = new Set(objects.map((o) => o.metadata.namespace).filter(Boolean));
      // The agents namespace holds the release operator's RoleBinding (it acts in its own namespaces only).
      expect(namespaces).toEqual(new Set(['aura-de-pro-r42', 'aura-agents-de-pro-r42']));
      expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort()).toEqual(['aura-agents-de-pro-r42', 'aura-de-pro-r42']);
      const bot = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'aura-bot') as any;
      expect(bot.spec.template.spec.containers[0].image).toMatch(new RegExp(`/aura-bot:${RELEASE_TAG.replace(/\./g, '\\.')}$`));
      // Every object is the release's: its instance label, its IngressClass, nothing of the running profile's.
      expect(new Set(objects.map((o) => o.metadata.labels?.['app.kubernetes.io/instance']))).toEqual(new Set(['de-pro-r42']));
      const running = new Set([...applied('de-pro', 'crds'), ...applied('de-pro', 'system'), ...applied('de-pro', 'core'), ...applied('de-pro', 'agents')].map(key));
      expect(objects.filter((o) => running.has(key(o))).map(key)).toEqual([]);
      expect(objects.some((o) => o.kind === 'IngressClass' && o.metadata.name === 'nginx-de-pro-r42')).toBe(true);
      expect(json('de-pro-r42', 'environment.json')).toMatchObject({ release: 'r42', cluster: { name: 'auraclusterprode', ownCluster: false }, namespaces: { core: 'aura-de-pro-r42' } });
      expect(existsSync(join(dist, 'de-pro-r42', 'infra', 'aks.parameters.json'))).toBe(false);
    });

    it("its clients reach the running profile's aura-system, and the running Prometheus discovers it", () => {
      const release = buildProfile('de-pro-r42', profiles);
      const running = buildProfile('de-pro', profiles).config;
      const report = profileWiring(release.config, release.objects.map((o) => o.manifest), running);
      expect(report.errors).toEqual([]);
      const reached = (client: string, server: string) => report.connections.some((c) => c.client.endsWith(`/${client}`) && c.server === server && c.serverNamespace === 'aura-system');
      expect(reached('context', 'redis')).toBe(true);
      expect(reached('nlp-provisioning', 'pushgateway')).toBe(true);
      const prometheus = applied('de-pro', 'system').find((o) => o.metadata.name === 'prometheus-files') as any;
      expect(prometheus.data['prometheus.yml']).toContain('regex: "aura-de-pro(-[a-z0-9-]+)?"');
    });

    it('the address, the -next records and the -next Bot Channel are deployed for the release', async () => {
      expect(parameter('de-pro-r42', 'publicIpName')).toBe('pip-aura-de-pro-r42');
      const records: string[] = parameter('de-pro-r42', 'recordNames');
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r) => r.endsWith('-de-pro-next'))).toBe(true);
      expect(parameter('de-pro-r42', 'botChannels').map((b: { name: string }) => b.name)).toEqual(['bot-de-pro', 'bot-de-pro-next']);
      const fake = fakeTools();
      const r = await infra(fake, '--profile', 'de-pro-r42', '--dns', '--apply');
      expect([r.code, r.err]).toEqual([0, '']);
      expect(r.calls.at(-1)).toMatch(/^az deployment sub create --name aura-dns-aura-de-pro-r42 --location westeurope --template-file infra\/dns\.bicep --parameters @.*\/dist\/de-pro-r42\/infra\/dns\.parameters\.json --output table$/);
      // A release has no cluster of its own to deploy.
      expect((await infra(fakeTools(), '--profile', 'de-pro-r42', '--apply')).code).toBe(1);
    });
  });

  describe('2. switch, 3. roll back', () => {
    it('the release takes the live hosts and the main Bot Channel; the running profile keeps its address and the management hosts', async () => {
      write('de-pro-r42', RELEASE_BESIDE.replace('next_domains_enabled: true', 'next_domains_enabled: false').replace('force_dns_update: false', 'force_dns_update: true'));
      write('de-pro', RUNNING.replace('force_dns_update: true', 'force_dns_update: false'));
      expect(synth()).toMatchObject({ code: 0, err: '' });
      expect(parameter('de-pro-r42', 'recordNames')).toEqual(expect.arrayContaining(['api-de-pro', 'bot-de-pro']));
      expect(parameter('de-pro-r42', 'recordNames')).not.toContain('dashboards-de-pro');
      expect(parameter('de-pro', 'recordNames')).toEqual([]);
      expect(envOf(applied('de-pro-r42', 'core'), 'aura-groot')).toMatchObject({ BOT_CHANNEL_NAME: 'bot-de-pro' });
      const fake = fakeTools();
      expect((await infra(fake, '--profile', 'de-pro-r42', '--dns', '--apply')).code).toBe(0);
    });

    it('rollback: the running profile takes the live hosts back onto its own address', async () => {
      write('de-pro', RUNNING);
      write('de-pro-r42', RELEASE_BESIDE);
      expect(synth()).toMatchObject({ code: 0, err: '' });
      expect(parameter('de-pro', 'publicIpName')).toBe('pip-aura-de-pro');
      expect(parameter('de-pro', 'recordNames')).toEqual(expect.arrayContaining(['api-de-pro', 'dashboards-de-pro']));
      const r = await infra(fakeTools(), '--profile', 'de-pro', '--dns', '--apply');
      expect(r.code).toBe(0);
      expect(r.calls.at(-1)).toContain('--name aura-dns-aura-de-pro ');
    });
  });

  describe('4. retire the old release, promote the new one', () => {
    let releaseCore: Manifest[] = [];

    it('deleting the old core takes the running namespaces only, never the release', async () => {
      write('de-pro-r42', RELEASE_BESIDE.replace('next_domains_enabled: true', 'next_domains_enabled: false').replace('force_dns_update: false', 'force_dns_update: true'));
      write('de-pro', RUNNING.replace('force_dns_update: true', 'force_dns_update: false'));
      expect(synth().code).toBe(0);
      releaseCore = applied('de-pro-r42', 'core');
      for (const args of [['--yes'], ['--include-data', '--yes'], ['--full', '--include-data', '--yes']]) {
        const r = await infra(fakeTools(), '--profile', 'de-pro', '--delete', 'core', ...args);
        expect(r.code).toBe(0);
        const deletes = r.calls.filter((c) => c.startsWith('kubectl delete'));
        expect(deletes.length).toBeGreaterThan(0);
        expect(deletes.join('\n')).not.toContain('r42');
        // By the owner labels: the running profile's instance, which the release's objects do not carry.
        for (const d of deletes.filter((c) => c.includes('--selector'))) expect(d).toContain('app.kubernetes.io/instance=de-pro,');
      }
    });

    it('promoted, the environment profile compiles the same core objects into the release namespace, and its tenant keeps its own', () => {
      write('de-pro', `${RUNNING}release_suffix: r42\nimages:\n  tag: "${RELEASE_TAG}"\n`);
      // A tenant that extends the environment profile would inherit its release: it keeps its namespace.
      write('de-pro-wsim', `${TENANT}release_suffix: null\n`);
      remove('de-pro-r42');
      const r = synth();
      expect([r.code, r.err]).toEqual([0, '']);
      expect(existsSync(join(dist, 'de-pro-r42'))).toBe(false);
      const promoted = applied('de-pro', 'core');
      const withoutInstance = (ms: Manifest[]) =>
        new Map(ms.map((m) => [key(m), JSON.stringify(m, (k, v) => (k === 'app.kubernetes.io/instance' ? undefined : v))]));
      // Only the instance label differs: an apply updates the release's objects in place.
      const [before, after] = [withoutInstance(releaseCore), withoutInstance(promoted)];
      // Every object of the release, unchanged but for the instance label: an apply updates them in place.
      // Added: the management pages the running profile served (now served from r42), and their htpasswd files in nginx's mount.
      const pages = ['alerts', 'dashboards', 'logs', 'metrics', 'raw-logs'];
      expect([...before.keys()].filter((k) => !after.has(k))).toEqual([]);
      expect([...before.keys()].filter((k) => after.get(k) !== before.get(k))).toEqual(['SecretProviderClass/aura-de-pro-r42/nginx-tls']);
      const added = [...after.keys()].filter((k) => !before.has(k));
      expect(added.length).toBe(3 * pages.length);
      for (const k of added) expect(pages).toContain(k.split('/')[2]!.replace(/-(auth|access)$/, ''));
      expect(parameter('de-pro', 'publicIpName')).toBe('pip-aura-de-pro-r42');
      expect(json('de-pro-wsim', 'environment.json').namespaces.core).toBe('aura-de-pro-wsim');
      // Argo CD: the release's Applications were its own; the environment's keep their names.
      expect(readdirSync(join(dist, 'de-pro', 'gitops', 'argocd')).some((f) => f.includes('aura-de-pro-core'))).toBe(true);
    });

    it('without pinning it, the tenant moves with the promoted release (what the docs warn of)', () => {
      write('de-pro-wsim', TENANT);
      expect(synth().code).toBe(0);
      expect(json('de-pro-wsim', 'environment.json').namespaces.core).toBe('aura-de-pro-wsim-r42');
    });
  });
});

describe('a release is checked against the profile it runs beside', () => {
  const folder = mkdtempSync(join(tmpdir(), 'aura-release-rules-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(folder, 'layers'), { recursive: true });
  writeFileSync(join(folder, 'de-pro.yaml'), shipped('de-pro'));
  const compile = (name: string, text: string) => {
    writeFileSync(join(folder, `${name}.yaml`), text);
    const out: string[] = [];
    const err: string[] = [];
    const code = cli(['--profile', name, '--profiles', folder, '--out', join(folder, 'dist'), '--allow-outside-repo', '--no-cache'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    rmSync(join(folder, `${name}.yaml`));
    return { code, err: err.join('\n') };
  };

  it('a release needing what the running aura-system does not run fails, naming it (the mutation: its own aura-system would have it)', () => {
    // de-pro runs Atlas; a release asking for the in-cluster MongoDB would reach a Service the running profile has not.
    const text = 'extends: de-pro\nrelease_suffix: r1\ncore_only: true\natlas_enabled: false\nenable_customer_key_atlas_encryption: false\n';
    const r = compile('de-pro-r1', text);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Deployment\/aura-de-pro-r1\/tac container tac: endpoint mongodb:\/\/mongodb-0\.mongodb\.aura-system\.svc\.cluster\.local:27017 .*: no Service mongodb in aura-system/);
    // Checked against an aura-system compiled from the release's own keys (the check before this change), it would pass.
    writeFileSync(join(folder, 'de-pro-r1.yaml'), text);
    const release = validateProfile(loadProfile('de-pro-r1', folder));
    rmSync(join(folder, 'de-pro-r1.yaml'));
    const own = profileWiring(release, compileConfig(release).map((o) => o.manifest), { ...release, core_only: false, release_suffix: undefined });
    expect(own.errors.filter((e) => /no Service mongodb/.test(e))).toEqual([]);
  });

  it('the running profile is found among the profiles of the cluster when the release extends layers only', () => {
    // The release restates the environment's keys over its layers: its running profile is the one profile of its cluster.
    const r = compile('de-pro-r2', `${shipped('de-pro')}release_suffix: r2\ncore_only: true\n`);
    expect([r.code, r.err]).toEqual([0, '']);
    const orphan = compile('xx-pro-r3', `${shipped('de-pro').replace('auraclusterprode', 'auraclusterother')}release_suffix: r3\ncore_only: true\n`);
    expect(orphan.code).toBe(1);
    expect(orphan.err).toMatch(/core_only: a release runs beside its environment's running profile, whose aura-system its clients reach; no profile of the profiles folder runs this cluster/);
  });

  it('a release of a release, or one that keeps the running suffix, is refused at the key', () => {
    writeFileSync(join(folder, 'de-pro-r4.yaml'), 'extends: de-pro\nrelease_suffix: r4\ncore_only: true\n');
    const nested = compile('de-pro-r5', 'extends: de-pro-r4\nrelease_suffix: r5\n');
    rmSync(join(folder, 'de-pro-r4.yaml'));
    expect(nested.code).toBe(1);
    expect(nested.err).toMatch(/extends: de-pro-r4 is a release itself \(core_only: true\)/);
    writeFileSync(join(folder, 'de-pro.yaml'), `${shipped('de-pro')}release_suffix: r6\n`);
    const same = compile('de-pro-r6', 'extends: de-pro\ncore_only: true\n');
    writeFileSync(join(folder, 'de-pro.yaml'), shipped('de-pro'));
    expect(same.err).toMatch(/release_suffix: is the running profile de-pro's own/);
  });

  it("a tenant's release is discovered by the cluster's Prometheus (a suffix after the tenant's name)", () => {
    writeFileSync(join(folder, 'de-pro-wsim.yaml'), TENANT);
    const r = compile('de-pro-wsim-r-7', 'extends: de-pro-wsim\nrelease_suffix: r-7\ncore_only: true\n');
    rmSync(join(folder, 'de-pro-wsim.yaml'));
    expect([r.code, r.err]).toEqual([0, '']);
  });

  it("the cluster view refuses an object a release shares with the profile it runs beside, even the same (the IngressClass it had before)", () => {
    const shared = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx-de-pro' }, spec: { controller: 'nginx.org/ingress-controller' } } as Manifest;
    // The keys namespaces are named from too: the cluster view also holds each profile to namespaces of its own.
    const output = (name: string, core_only: boolean, manifests: Manifest[]) => ({
      name,
      config: { cluster_name: 'auraclusterprode', tenant_name: 'default', environment_profile: 'de' as const, environment_type: 'pro' as const, core_only, ...(core_only ? { release_suffix: 'r42' } : {}) },
      manifests,
    });
    expect(clusterViewProblems([output('de-pro', false, [shared]), output('de-pro-r42', true, [shared])])).toEqual([
      "cluster auraclusterprode: IngressClass/nginx-de-pro is emitted by de-pro and de-pro-r42; a release's objects must be its own (retiring one release would delete the other's)",
    ]);
    expect(clusterViewProblems([output('de-pro', false, [shared]), output('de-pro-r42', true, [])])).toEqual([]);
  });

  it('the discovery check fails on a namespace filter that leaves the release out (the filter before this change)', () => {
    const prometheus = (regex: string): Manifest => ({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prometheus-files', namespace: 'aura-system' },
      data: { 'prometheus.yml': `scrape_configs:\n- job_name: nlp\n  relabel_configs:\n  - source_labels: [__meta_kubernetes_service_name, __meta_kubernetes_endpoint_port_name]\n    action: keep\n    regex: nlp;http\n  - source_labels: [__meta_kubernetes_namespace]\n    action: keep\n    regex: ${regex}\n` },
    } as Manifest);
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nlp', namespace: 'aura-de-pro-wsim-r-7' }, spec: { ports: [{ name: 'http', port: 80 }] } } as Manifest;
    expect(undiscovered([prometheus('aura-de-pro(-[a-z0-9]+)?')], [service])).toEqual([
      'ConfigMap/aura-system/prometheus-files (prometheus.yml): scrape job nlp of the running Prometheus does not discover namespace aura-de-pro-wsim-r-7 (it keeps aura-de-pro(-[a-z0-9]+)?): Service/aura-de-pro-wsim-r-7/nlp would not be scraped',
    ]);
    expect(undiscovered([prometheus('aura-de-pro(-[a-z0-9-]+)?')], [service])).toEqual([]);
  });
});

/**
 * Local use cases (local_modules): the guide's build_local, deploy_local and the undeployment,
 * through synth with every check and build-local with a fake az that logs its arguments.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { main as cli } from '../../src/commands/synth';
import { main as buildLocalMain } from '../../src/commands/build-local';
import { fakeMigrationTools } from '../support/fake-migration-tools';

const work = mkdtempSync(join(tmpdir(), 'aura-local-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const profiles = join(work, 'profiles');
const dist = join(work, 'dist');
cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(profiles, 'layers'), { recursive: true });
const RUNNING = readFileSync(join(DEFAULT_PROFILES_DIR, 'de-pro.yaml'), 'utf8');
const LOCAL = `local_modules:
  modules:
    - { name: "@ob-de/care-flows", version: 1.4.0 }
    - { name: billing-dialogs, version: 2.0.1 }
  config:
    care_flows: { enabled: true, queue: care-de }
  configuration_api_url: https://configuration.example.com/aura
  cases:
    - { id: care.callback, title: Callback, steps: [ask, confirm] }
  locales:
    de-DE: { care.callback.title: Rückruf }
`;

function synth(profile: string) {
  writeFileSync(join(profiles, 'de-pro.yaml'), profile);
  const err: string[] = [];
  const code = cli(['--profile', 'de-pro', '--profiles', profiles, '--out', dist, '--allow-outside-repo', '--no-cache'], { out: () => {}, err: (l) => err.push(l) });
  return { code, err: err.join('\n') };
}
const read = (path: string) => readFileSync(join(dist, 'de-pro', path), 'utf8');
const object = (path: string) => parseAllDocuments(read(path))[0]!.toJS();
const exists = (path: string) => {
  try {
    read(path);
    return true;
  } catch {
    return false;
  }
};
const CORE = 'manifests/core/aura-de-pro';

/** An npm pack bundle: a gzip tar whose first entry is package/package.json. */
function bundle(folder: string, file: string, manifest: object) {
  const dir = mkdtempSync(join(work, 'pack-'));
  mkdirSync(join(dir, 'package'));
  writeFileSync(join(dir, 'package', 'package.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'package', 'index.js'), 'module.exports = {};\n');
  mkdirSync(folder, { recursive: true });
  execFileSync('tar', ['-czf', join(folder, file), '-C', dir, 'package/package.json', 'package/index.js']);
}

async function buildLocal(fake: ReturnType<typeof fakeMigrationTools>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await buildLocalMain(['--profile', 'de-pro', '--profiles', profiles, '--out', dist, '--allow-outside-repo', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env: fake.env });
  return { code, out: out.join('\n'), err: err.join('\n'), calls: fake.calls() };
}

describe('local modules, deployed', () => {
  const r = synth(`${RUNNING}${LOCAL}`);
  const deployment = () => object(`${CORE}/deployment-aura-bot.yaml`);

  it('compiles with every check; aura-bot runs the local image, tagged from the release and the libraries', () => {
    expect([r.code, r.err]).toEqual([0, '']);
    const container = deployment().spec.template.spec.containers[0];
    expect(container.image).toMatch(/^auraregistry\.azurecr\.io\/aura\/core\/aura-bot-local:7\.2\.0-local\.[0-9a-f]{12}$/);
    // The makeup Job and every other service keep the global release.
    expect(object(`${CORE}/job-aura-bot-makeup.yaml`).spec.template.spec.containers[0].image).toBe('auraregistry.azurecr.io/aura/core/aura-bot-makeup:7.2.0');
  });

  it('the plugin configuration and the local configuration are ConfigMaps aura-bot mounts, at the paths its environment names', () => {
    const plugins = JSON.parse(object(`${CORE}/configmap-aura-bot-plugin-config.yaml`).data['plugin-config.json']);
    expect(plugins).toEqual({
      plugins: [
        { name: '@ob-de/care-flows', version: '1.4.0', path: '/opt/aura/local_modules/node_modules/@ob-de/care-flows' },
        { name: 'billing-dialogs', version: '2.0.1', path: '/opt/aura/local_modules/node_modules/billing-dialogs' },
      ],
    });
    expect(object(`${CORE}/configmap-aura-bot-local-config.yaml`).data['local_config.yml']).toBe('care_flows:\n  enabled: true\n  queue: care-de\n');
    const env = object(`${CORE}/configmap-aura-bot-config.yaml`).data;
    expect(env).toMatchObject({ PLUGIN_CONFIG_FILE: '/etc/aura-bot/plugin-config/plugin-config.json', LOCAL_CONFIG_FILE: '/etc/aura-bot/local-config/local_config.yml', LOCAL_MODULES_PATH: '/opt/aura/local_modules/node_modules' });
    const mounts = deployment().spec.template.spec.containers[0].volumeMounts.map((v: { mountPath: string }) => v.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/etc/aura-bot/plugin-config', '/etc/aura-bot/local-config']));
  });

  it('the build context is compiled beside the manifests: the global image plus the bundles, the two files', () => {
    const image = JSON.parse(read('local-modules/image.json'));
    expect(image.image).toBe(deployment().spec.template.spec.containers[0].image);
    expect(image.base).toBe('auraregistry.azurecr.io/aura/core/aura-bot:7.2.0');
    expect(read('local-modules/Dockerfile').split('\n').slice(1, 5)).toEqual([
      'FROM auraregistry.azurecr.io/aura/core/aura-bot:7.2.0',
      'COPY bundles/ /opt/aura/local_modules/bundles/',
      'COPY plugin-config.json local_config.yml /opt/aura/local_modules/',
      'RUN cd /opt/aura/local_modules && npm install --omit=dev --ignore-scripts --no-audit --no-fund --no-save bundles/ob-de-care-flows-1.4.0.tgz bundles/billing-dialogs-2.0.1.tgz',
    ]);
    expect(read('local-modules/plugin-config.json')).toBe(object(`${CORE}/configmap-aura-bot-plugin-config.yaml`).data['plugin-config.json']);
  });

  it('another version of a library is another image; a change of the cases restarts aura-bot', () => {
    const before = { image: deployment().spec.template.spec.containers[0].image, checksum: deployment().spec.template.metadata.annotations['checksum/config'] };
    expect(synth(`${RUNNING}${LOCAL.replace('version: 2.0.1', 'version: 2.0.2')}`).code).toBe(0);
    expect(deployment().spec.template.spec.containers[0].image).not.toBe(before.image);
    expect(synth(`${RUNNING}${LOCAL.replace('title: Callback', 'title: Call me back')}`).code).toBe(0);
    expect(deployment().spec.template.spec.containers[0].image).toBe(before.image);
    expect(deployment().spec.template.metadata.annotations['checksum/config']).not.toBe(before.checksum);
  });

  it('undeployed by removing the entry: the global image, no local ConfigMaps, no build context', () => {
    expect(synth(RUNNING).code).toBe(0);
    expect(deployment().spec.template.spec.containers[0].image).toBe('auraregistry.azurecr.io/aura/core/aura-bot:7.2.0');
    expect(exists(`${CORE}/configmap-aura-bot-plugin-config.yaml`)).toBe(false);
    expect(exists(`${CORE}/configmap-aura-bot-local-config.yaml`)).toBe(false);
    expect(exists('local-modules/Dockerfile')).toBe(false);
    expect(object(`${CORE}/configmap-aura-bot-config.yaml`).data.PLUGIN_CONFIG_FILE).toBeUndefined();
  });

  it.each([
    ['cases without the API', LOCAL.replace(/ {2}configuration_api_url: .*\n/, ''), /local_modules: has cases or locales, so local_modules\.configuration_api_url is required/],
    ['one case id twice', LOCAL.replace('  locales:', '    - { id: care.callback, title: Again }\n  locales:'), /local_modules\.cases\[1\]\.id: is the id of an earlier case too/],
    ['a library name that is not a package name', LOCAL.replace('billing-dialogs', '../../etc'), /local_modules\.modules\[1\]\.name: /],
    ['no library', 'local_modules:\n  modules: []\n', /local_modules\.modules: /],
  ])('refuses %s at its key', (_, text, message) => {
    const r = synth(`${RUNNING}${text}`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
  });
});

describe('build-local: the image, from the compiled context and the checked bundles', () => {
  const bundles = join(work, 'local_modules');
  bundle(bundles, 'ob-de-care-flows-1.4.0.tgz', { name: '@ob-de/care-flows', version: '1.4.0' });
  bundle(bundles, 'billing-dialogs-2.0.1.tgz', { name: 'billing-dialogs', version: '2.0.1' });

  it('prints the plan; --yes builds with az acr build and checks the image is there; a second run builds nothing', async () => {
    expect(synth(`${RUNNING}${LOCAL}`).code).toBe(0);
    const tag = JSON.parse(read('local-modules/image.json')).image.split(':').at(-1);
    const fake = fakeMigrationTools({});
    const plan = await buildLocal(fake, '--bundles', bundles);
    expect([plan.code, plan.err, plan.calls]).toEqual([0, '', []]);
    expect(plan.out).toContain(`  image   auraregistry.azurecr.io/aura/core/aura-bot-local:${tag}`);
    expect(plan.out).toMatch(/ {2}library @ob-de\/care-flows 1\.4\.0 \(ob-de-care-flows-1\.4\.0\.tgz, sha256 [0-9a-f]{64}\)/);
    expect(plan.out.split('\n').at(-1)).toBe('Nothing was built: add --yes to run this plan.');
    const built = await buildLocal(fake, '--bundles', bundles, '--yes');
    expect([built.code, built.err]).toEqual([0, '']);
    const show = `az acr repository show --name auraregistry --image aura/core/aura-bot-local:${tag} --output none`;
    expect(built.calls).toEqual([
      'az version --output none',
      'az account show --output none',
      show,
      expect.stringMatching(new RegExp(`^az acr build --registry auraregistry --image aura/core/aura-bot-local:${tag} --file /\\S+/aura-build-local-\\w+/Dockerfile /\\S+/aura-build-local-\\w+$`)),
      show,
    ]);
    // The context az was given: exactly the compiled files and the two bundles.
    expect(fake.state().builds).toEqual([
      { image: `aura/core/aura-bot-local:${tag}`, files: ['Dockerfile', 'bundles/billing-dialogs-2.0.1.tgz', 'bundles/ob-de-care-flows-1.4.0.tgz', 'local_config.yml', 'plugin-config.json'], dockerfile: read('local-modules/Dockerfile') },
    ]);
    const again = await buildLocal(fake, '--bundles', bundles, '--yes');
    expect(again.out).toContain('exists already (its tag is a digest of its inputs): nothing to build');
    expect(again.calls.filter((c) => c.startsWith('az acr build'))).toHaveLength(1);
    fake.remove();
  });

  it('refuses bundles that are not what the profile declares, a stale compile, a registry that is not ACR', async () => {
    const fake = fakeMigrationTools({});
    const odd = join(work, 'odd-modules');
    bundle(odd, 'ob-de-care-flows-1.4.0.tgz', { name: '@ob-de/care-flows', version: '1.4.1' });
    bundle(odd, 'stray-0.1.0.tgz', { name: 'stray', version: '0.1.0' });
    const wrong = await buildLocal(fake, '--bundles', odd, '--yes');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('ob-de-care-flows-1.4.0.tgz holds @ob-de/care-flows 1.4.1, but local_modules.modules names @ob-de/care-flows 1.4.0');
    expect(wrong.err).toContain('billing-dialogs-2.0.1.tgz (billing-dialogs 2.0.1) is not in');
    expect(wrong.err).toContain('stray-0.1.0.tgz is not a library of local_modules.modules');
    const notGzip = join(work, 'bad-modules');
    mkdirSync(notGzip, { recursive: true });
    writeFileSync(join(notGzip, 'ob-de-care-flows-1.4.0.tgz'), 'not a bundle');
    symlinkSync('/etc/passwd', join(notGzip, 'billing-dialogs-2.0.1.tgz'));
    expect((await buildLocal(fake, '--bundles', notGzip)).err).toMatch(/billing-dialogs-2\.0\.1\.tgz: not a regular file/);
    rmSync(join(notGzip, 'billing-dialogs-2.0.1.tgz'));
    expect((await buildLocal(fake, '--bundles', notGzip)).err).toMatch(/ob-de-care-flows-1\.4\.0\.tgz: not a gzip file/);
    // The profile changed since its compile: what would be built is not what was reviewed.
    writeFileSync(join(profiles, 'de-pro.yaml'), `${RUNNING}${LOCAL.replace('version: 2.0.1', 'version: 2.0.3')}`);
    expect((await buildLocal(fake, '--bundles', bundles)).err).toMatch(/local-modules\/Dockerfile is stale: run npm run synth -- --profile de-pro/);
    expect(synth(`${RUNNING}${LOCAL}images: { registry: registry.example.com/aura }\n`).code).toBe(0);
    expect((await buildLocal(fake, '--bundles', bundles)).err).toMatch(/images\.registry \(de-pro\) is not an Azure Container Registry/);
    expect(synth(RUNNING).code).toBe(0);
    expect((await buildLocal(fake, '--bundles', bundles)).err).toMatch(/de-pro has no local_modules/);
    expect(fake.calls().filter((c) => c.startsWith('az acr build'))).toEqual([]);
    fake.remove();
  });
});

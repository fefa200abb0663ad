/**
 * Issue 27 item 7: aura-groot's MongoDB connection (its context database aura-groot-<env>, the
 * subject of the guide's context migrations), the tenant's own resource group, the locale and
 * time zone environment_profile selects, and Qdrant at its own version; through `synth --all`
 * with every check, and `infra` on the compiled output.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { main as infraMain } from '../../src/commands/infra';
import { QDRANT_TAG } from '../../src/components/core-services';
import { OPERATING_BUSINESS } from '../../src/profile/operating-business';
import { keysWorkspace } from './workspace';

const ws = keysWorkspace('environment');
afterAll(() => ws.remove());

async function infra(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await infraMain([...args, '--profiles', ws.profiles, '--out', ws.dist, '--allow-outside-repo'], { out: (l) => out.push(l), err: (l) => err.push(l), env: { PATH: '/nonexistent' } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const CORE = 'manifests/core/aura-de-pro';
const config = (profile: string, ns: string, name: string) => ws.object(profile, `manifests/core/${ns}/configmap-${name}-config.yaml`).data;

describe('the environment keys, compiled with every check', () => {
  // de-pro as shipped (Atlas), its tenant, and an es profile on the in-cluster MongoDB with its own time zone.
  ws.write('de-pro', ws.shipped('de-pro'));
  ws.write('de-pro-wsim', ws.shipped('de-pro-wsim'));
  ws.write('es-pro', ws.withKeys('es-pro', 'atlas_enabled: false\ntime_zone: Atlantic/Canary'));
  const r = ws.synth('--all');

  it('compiles', () => expect([r.code, r.err]).toEqual([0, '']));

  it('aura-groot reaches MongoDB like the other clients, in its own database aura-groot-<environment>', () => {
    expect(config('de-pro', 'aura-de-pro', 'aura-groot').MONGODB_DATABASE).toBe('aura-groot-de-pro');
    expect(config('de-pro-wsim', 'aura-de-pro-wsim', 'aura-groot').MONGODB_DATABASE).toBe('aura-groot-de-pro-wsim');
    // Atlas: the connection Secret the operator writes, as aura-bot's.
    const env = (profile: string, ns: string, name: string) => ws.object(profile, `manifests/core/${ns}/deployment-${name}.yaml`).spec.template.spec.containers[0].env;
    const fromSecret = (e: any[]) => e.filter((v) => ['MONGODB_URI', 'MONGODB_USER', 'MONGODB_PASSWORD'].includes(v.name));
    expect(fromSecret(env('de-pro', 'aura-de-pro', 'aura-groot'))).toEqual(fromSecret(env('de-pro', 'aura-de-pro', 'aura-bot')));
    expect(fromSecret(env('de-pro', 'aura-de-pro', 'aura-groot'))).toHaveLength(3);
    // In-cluster MongoDB: the members' URI, and the network policy admits aura-groot's pods.
    expect(config('es-pro', 'aura-es-pro', 'aura-groot').MONGODB_URI).toMatch(/^mongodb:\/\/mongodb-0\.mongodb\.aura-system/);
    const pod = ws.object('es-pro', 'manifests/core/aura-es-pro/deployment-aura-groot.yaml').spec.template.metadata.labels;
    expect(pod['networking/allow-pod-mongodb-access']).toBe('true');
  });

  it('the core services run in the operating business\' locale and time zone; a profile may set its own', () => {
    for (const service of ['aura-bot', 'aura-groot', 'nlp', 'insights-loader'])
      expect(config('de-pro', 'aura-de-pro', service)).toMatchObject({ DEFAULT_LOCALE: OPERATING_BUSINESS.de.locale, TZ: OPERATING_BUSINESS.de.timeZone });
    expect(OPERATING_BUSINESS.de).toEqual({ locale: 'de-DE', timeZone: 'Europe/Berlin' });
    expect(config('es-pro', 'aura-es-pro', 'aura-bot')).toMatchObject({ DEFAULT_LOCALE: 'es-ES', TZ: 'Atlantic/Canary' });
  });

  it('Qdrant runs its own release, not the Aura release tag', () => {
    const image = ws.object('de-pro', `${CORE}/statefulset-qdrant.yaml`).spec.template.spec.containers[0].image;
    expect(image).toBe(`auraregistry.azurecr.io/aura/thirdparty/qdrant:${QDRANT_TAG}`);
    expect(QDRANT_TAG).toMatch(/^v1\.\d+\.\d+$/);
  });

  it('a tenant gets its own resource group, which holds its Bot Channels; the main tenant keeps the common group', () => {
    const params = (profile: string) => JSON.parse(ws.read(profile, 'infra/dns.parameters.json')).parameters;
    expect([params('de-pro-wsim').tenantResourceGroup.value, params('de-pro-wsim').botResourceGroup.value]).toEqual(['rg-aura-de-pro-wsim', 'rg-aura-de-pro-wsim']);
    expect([params('de-pro').tenantResourceGroup.value, params('de-pro').botResourceGroup.value]).toEqual(['', 'rg-aura-common-de-pro']);
    expect(JSON.parse(ws.read('de-pro-wsim', 'infra/environment.json')).resourceGroups.tenant).toBe('rg-aura-de-pro-wsim');
    expect(JSON.parse(ws.read('de-pro', 'infra/environment.json')).resourceGroups.tenant).toBeNull();
  });

  it('deleting the tenant fully deletes its Bot Channels there, then its group; the main tenant\'s plan has no group of its own', async () => {
    const tenant = await infra('--profile', 'de-pro-wsim', '--delete', 'core', '--full', '--include-data');
    expect([tenant.code, tenant.err]).toEqual([0, '']);
    const plan = tenant.out.split('\n');
    expect(plan).toContain('  az bot delete --resource-group rg-aura-de-pro-wsim --name bot-de-pro-wsim   # when it exists');
    expect(plan.at(plan.findIndex((l) => l.includes('az group delete')))).toBe('  az group delete --name rg-aura-de-pro-wsim --yes   # when it exists');
    expect(plan.findIndex((l) => l.includes('az group delete'))).toBeGreaterThan(plan.findIndex((l) => l.includes('az bot delete')));
    const main = await infra('--profile', 'de-pro', '--delete', 'core', '--full', '--include-data');
    expect(main.out).not.toContain('az group delete');
  });
});

describe('a time zone the runtime does not know', () => {
  it('is a profile error: exit 1, one line naming the key, nothing written', () => {
    ws.write('es-pro', ws.withKeys('es-pro', 'time_zone: Europe/Atlantis'));
    const before = ws.snapshot();
    const r = ws.synth('--profile', 'es-pro');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/es-pro\.yaml:\d+:\d+: time_zone: is not an IANA time zone/);
    expect(r.err).not.toContain('Atlantis');
    expect(ws.snapshot()).toBe(before);
  });
});

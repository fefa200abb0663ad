/**
 * Issue 27 item 4: openai_enabled deploys the Azure OpenAI account, and every environment its CLU
 * (Language) account, each reachable from the cluster's outbound addresses and the guide's
 * openai_allowed_ranges / clu_allowed_ranges; nlp gets both endpoints and both keys from Key
 * Vault, and the `secrets` inventory says how they get there. Through `synth` with every check.
 * There is no Bicep CLI here: the templates' parameter contracts are checked as text, as
 * test/lifecycle.test.ts does for the others.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as secretsMain } from '../../src/commands/secrets';
import { keysWorkspace } from './workspace';

const ws = keysWorkspace('cognitive');
afterAll(() => ws.remove());
const ROOT = join(__dirname, '../..');
const bicep = (file: string) => readFileSync(join(ROOT, 'infra', file), 'utf8');
const params = (text: string) => [...text.matchAll(/^param\s+(\w+)\s/gm)].map((m) => m[1]!).sort();
/** The params a `module <name> '<path>'` call of aks.bicep passes. */
const passed = (name: string) => {
  const block = bicep('aks.bicep').match(new RegExp(`^module ${name} '([^']+)'[^\\n]*\\n([\\s\\S]*?)^\\}`, 'm'))!;
  return { path: block[1]!, params: [...block[2]!.split(/^\s*params:\s*\{/m)[1]!.split(/^\s{2}\}/m)[0]!.matchAll(/^\s{4}(\w+):/gm)].map((m) => m[1]!).sort() };
};

const RANGES = `openai_enabled: true
openai_allowed_ranges: [195.235.92.0/23]
clu_allowed_ranges: [198.51.100.0/24]
`;

describe('Azure OpenAI and CLU, compiled with every check', () => {
  ws.write('es-pro', ws.withKeys('es-pro', RANGES));
  ws.write('es-pre', ws.shipped('es-pre'));
  const r = ws.synth('--all');
  const aks = (profile: string) => JSON.parse(ws.read(profile, 'infra/aks.parameters.json')).parameters;

  it('compiles', () => expect([r.code, r.err]).toEqual([0, '']));

  it('the cluster template creates both accounts, allowed from the cluster and the profile ranges only', () => {
    const outbound = aks('es-pro');
    expect(outbound.cognitiveAccounts.value).toEqual([
      { name: 'clu-aura-es-pro', kind: 'TextAnalytics', allowedRanges: [expect.stringMatching(/^203\.0\.113\./), '198.51.100.0/24'], keySecret: 'clu-api-key' },
      { name: 'oai-aura-es-pro', kind: 'OpenAI', allowedRanges: [expect.stringMatching(/^203\.0\.113\./), '195.235.92.0/23'], keySecret: 'openai-api-key' },
    ]);
    // openai_enabled false: CLU alone.
    expect(aks('es-pre').cognitiveAccounts.value.map((a: any) => a.kind)).toEqual(['TextAnalytics']);
    expect(bicep('modules/cognitive-account.bicep')).toMatch(/defaultAction: 'Deny'/);
  });

  it('the templates take exactly what is passed (the parameter contract, as text)', () => {
    expect(params(bicep('aks.bicep'))).toEqual(Object.keys(aks('es-pro')).sort());
    for (const module of ['cognitive', 'cognitiveKeys']) {
      const call = passed(module);
      expect(call.params, module).toEqual(params(bicep(call.path)));
    }
    // Mutation: a parameter the module does not declare is seen.
    expect(params(bicep('modules/cognitive-account.bicep').replace(/^param tags object$/m, ''))).not.toEqual(passed('cognitive').params);
  });

  it('nlp reads both endpoints from its configuration and both keys from Key Vault', () => {
    const env = ws.object('es-pro', 'manifests/core/aura-es-pro/configmap-nlp-config.yaml').data;
    expect(env).toMatchObject({ CLU_ENDPOINT: 'https://clu-aura-es-pro.cognitiveservices.azure.com/', OPENAI_ENDPOINT: 'https://oai-aura-es-pro.openai.azure.com/', OPENAI_ENABLED: 'true' });
    expect(env.QDRANT_URL).toMatch(/^http:\/\/qdrant\./);
    const provider = ws.object('es-pro', 'manifests/core/aura-es-pro/secretproviderclass-nlp-keyvault.yaml');
    expect(provider.spec.parameters.objects).toContain('objectName: clu-api-key');
    expect(provider.spec.parameters.objects).toContain('objectName: openai-api-key');
    const container = ws.object('es-pro', 'manifests/core/aura-es-pro/deployment-nlp.yaml').spec.template.spec.containers[0];
    expect(container.env.map((e: any) => e.name)).toEqual(expect.arrayContaining(['CLU_API_KEY', 'OPENAI_API_KEY']));
    expect(ws.object('es-pre', 'manifests/core/aura-es-pre/configmap-nlp-config.yaml').data.OPENAI_ENDPOINT).toBeUndefined();
  });

  it('the secrets inventory lists both keys, with what uses them and how they are stored', async () => {
    const out: string[] = [];
    const code = await secretsMain(['--profile', 'es-pro', '--profiles', ws.profiles, '--allow-outside-repo', '--json'], { out: (l) => out.push(l), err: () => {}, env: {} });
    expect(code).toBe(0);
    const byName = new Map((JSON.parse(out.join('\n')).objects as any[]).map((o) => [o.name, o]));
    for (const [name, variable] of [['openai-api-key', 'OPENAI_API_KEY'], ['clu-api-key', 'CLU_API_KEY']] as const) {
      expect(byName.get(name)?.usedBy).toEqual(expect.arrayContaining([expect.stringContaining(`Deployment/nlp (nlp.${variable})`)]));
      expect(JSON.stringify(byName.get(name))).toContain('npm run infra -- --profile <profile> --apply');
    }
  });
});

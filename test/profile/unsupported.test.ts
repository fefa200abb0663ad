import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePlatform } from '../../src/platform/resolve';
import { CATALOG } from '../../src/components/catalog';
import { formatPath } from '../../src/profile/errors';
import { PROFILE_SCHEMA } from '../../src/profile/schema';
import { UNSUPPORTED_KEYS } from '../../src/profile/unsupported';
import { catchError, configOf, MINIMAL } from '../helpers';

/** A value that makes each refused key matter. */
const SETTINGS: Record<string, string> = {
  ssh_allowed_sources: 'ssh_allowed_sources: [10.0.0.0/8]',
  'fourth_platform.synchronizer_sdk_repos': 'fourth_platform: { synchronizer_sdk_repos: "https://repo.example.com/maven" }',
  databricks_enabled: 'databricks_enabled: true',
  databricks: 'databricks: { job: { schedule: "0 0 1 * * ?" } }',
  enable_customer_key_databricks_encryption: 'enable_customer_key_databricks_encryption: true',
  databricks_enhanced_security_compliance: 'databricks_enhanced_security_compliance: true',
  databricks_requireInfrastructureEncryption: 'databricks_requireInfrastructureEncryption: true',
};

describe('keys aura-manifests does not implement', () => {
  it('every refused key has a test setting', () => expect(Object.keys(SETTINGS).sort()).toEqual(UNSUPPORTED_KEYS.map((k) => formatPath(k.path)).sort()));

  it.each(UNSUPPORTED_KEYS.map((k) => formatPath(k.path)))('%s is refused with what to do instead, at its line', (path) => {
    const e = catchError(() => configOf(`${MINIMAL}${SETTINGS[path]}\n`));
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]).toMatchObject({ path, line: MINIMAL.split('\n').length });
    expect(e.diagnostics[0]!.message).toMatch(/^is not supported: .*\b[Rr]emove\b/);
  });

  it('their defaults and empty values are accepted: an installer config.yml with the template values loads', () => {
    expect(() => configOf(`${MINIMAL}ssh_allowed_sources: []\nclu_allowed_ranges: []\nopenai_allowed_ranges: []\nforce_dns_update: false\ndatabricks_enabled: false\ndatabricks: {}\n`)).not.toThrow();
  });
});

describe('keys that act', () => {
  it('aurapush_feedback_endpoint turns on the feedback plugin of aura-bot, its key from Key Vault', () => {
    const bot = (yaml: string) => {
      const platform = resolvePlatform(configOf(yaml), CATALOG);
      const spec = platform.workloads('core').find((w) => w.name === 'aura-bot')!;
      return { env: spec.env!(platform), secrets: spec.secrets!(platform) };
    };
    const on = bot(`${MINIMAL}aurapush_feedback_endpoint: https://feedback.example.com/send\n`);
    expect(on.env).toMatchObject({ AURAPUSH_FEEDBACK_ENDPOINT: 'https://feedback.example.com/send' });
    expect(on.secrets).toMatchObject({ AURAPUSH_FEEDBACK_SUBSCRIPTION_KEY: 'aurapush_feedback_subscription_key' });
    const off = bot(MINIMAL);
    expect(off.env).not.toHaveProperty('AURAPUSH_FEEDBACK_ENDPOINT');
    expect(off.secrets).not.toHaveProperty('AURAPUSH_FEEDBACK_SUBSCRIPTION_KEY');
  });

  it('legacy_services_domain publishes the old services host, like the api host, on the parent cluster only', () => {
    const legacy = 'legacy_services_domain: ai-services-pro.auracognitive.com\n';
    const routes = (yaml: string) => resolvePlatform(configOf(yaml), CATALOG).routes;
    expect(routes(`${MINIMAL}${legacy}`).find((r) => r.name === 'legacy-services')).toMatchObject({ host: 'ai-services-pro.auracognitive.com', service: 'api-gw', spec: { name: 'api' } });
    expect(routes(`${MINIMAL}${legacy}tenant_name: wsim\n`).map((r) => r.name)).not.toContain('legacy-services');
    expect(routes(MINIMAL).map((r) => r.name)).not.toContain('legacy-services');
  });

  it.each(['ai-services-pro.example.com', 'a.b.auracognitive.com'])('legacy_services_domain %s, outside the wildcard certificate, is refused', (host) => {
    const message = catchError(() => configOf(`${MINIMAL}legacy_services_domain: ${host}\n`)).message;
    // Profile values are never quoted back (issue 12).
    expect(message).not.toContain(host);
    expect(message).toMatch(/legacy_services_domain: must be a host directly under dns_domain, such as/);
  });
});

/** Every leaf key of the profile schema, as a dotted path (`[]` for list items, `*` for map values). */
function schemaKeys(node: any, path: string[] = []): { path: string[]; secret?: string }[] {
  const resolve = (n: any) => (n?.$ref ? (PROFILE_SCHEMA as any).definitions[n.$ref.split('/').pop()] : n);
  node = resolve(node);
  if (node?.['x-key-vault-secret']) return [{ path, secret: node['x-key-vault-secret'] }];
  if (node?.properties) return Object.entries<any>(node.properties).flatMap(([k, v]) => schemaKeys(v, [...path, k]));
  if (resolve(node?.items)?.properties) return schemaKeys(node.items, [...path, '[]']);
  if (typeof node?.additionalProperties === 'object' && node.additionalProperties.properties) return schemaKeys(node.additionalProperties, [...path, '*']);
  return [{ path }];
}

/** The compiler's source, without the generated types and the refused-keys table. */
function source(): string {
  const dir = join(__dirname, '../../src');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !/config\.generated|unsupported/.test(f));
  return files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

describe('no inert key', () => {
  it('every schema key is read by the compiler, or refused by the table of unsupported keys', () => {
    const src = source();
    const refused = UNSUPPORTED_KEYS.map((k) => formatPath(k.path));
    const inert = schemaKeys(PROFILE_SCHEMA)
      .filter(({ path, secret }) => {
        const dotted = path.filter((s) => s !== '[]' && s !== '*').join('.');
        if (refused.some((r) => dotted === r || dotted.startsWith(`${r}.`))) return false;
        const key = path[path.length - 1]!;
        // A secret is read by its path (a workload's secret map) or by its Key Vault name (its fixed part); a key by property access.
        // (or through the schema's name template, for the secrets of list and map entries).
        if (secret) return !src.includes(`'${dotted}'`) && !new RegExp(`['\`]${secret.split('{')[0]}`).test(src) && !src.includes(`${key}['x-key-vault-secret']`);
        return !new RegExp(`(\\.|\\[')${key}\\b`).test(src) && !src.includes(`'${key}'`);
      })
      .map(({ path }) => path.join('.'));
    expect(inert).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { main as diffMain } from '../../src/commands/diff';
import { main as networkMain } from '../../src/commands/verify-network';
import { join } from 'node:path';
import { populatedOut, profilesWith, runMain, SENTINEL, sentinelNowhere, snapshot, synth } from './harness';

// Root causes 1 and 2: a secret never reaches a message, a file or a compile, whatever YAML shape carries it.
const S = SENTINEL;

describe('secret keys are refused by their source text', () => {
  it.each([
    ['an alias', `aura_encryption_key: *${S}`],
    ['a tag', `aura_encryption_key: !!str ${S}`],
    ['a custom tag', `aura_encryption_key: !${S}`],
    ['an anchor only', `aura_encryption_key: &${S}`],
    ['a comment only', `aura_encryption_key: # ${S}`],
    ['an empty string and a comment', `aura_encryption_key: "" # ${S}`],
    ['a block scalar on the next lines', `aura_encryption_key: |\n  ${S}`],
    ['a folded scalar', `aura_encryption_key: >-\n  ${S}`],
    ['a plain value on the next line', `aura_encryption_key:\n  ${S}`],
    ['a flow mapping', `genesys: { secret: !!str ${S} }`],
    ['a list item (backoffice user)', `backoffice_users:\n  dashboards:\n    - name: admin\n      password: &a ${S}`],
  ])('%s', (_, line) => {
    const profiles = profilesWith(line, 'p', line.startsWith('backoffice_users') ? MINIMAL_NO_USERS : undefined);
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/p\.yaml:\d+:\d+: .*holds a secret value; .*Azure Key Vault as the secret "[a-z0-9-]+"/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(sentinelNowhere(r, out)).toBe(true);
    expect(snapshot(out)).toEqual(before);
  });

  it('an empty secret key (installer templates) is still accepted by the scan', async () => {
    const { loadProfile } = await import('../../src/profile/load');
    const dir = profilesWith('aura_encryption_key: ""\natlas_private_apikey: ~ \nelastic_admin_password:');
    expect(() => loadProfile('p', dir)).not.toThrow();
  });
});

describe('YAML errors never quote the source', () => {
  it.each([
    ['an unresolved alias', `notifications_email: *${S}`, /alias refers to no anchor/],
    ['a block scalar header with junk', `notifications_email: |x ${S}\n  a`, /YAML syntax: unexpected characters/],
    ['an unexpected scalar', `notifications_email: a: ${S}`, /YAML syntax: a mapping nested on one line/],
    ['an unclosed quote', `notifications_email: "${S}`, /YAML syntax: a missing closing quote/],
    ['an unclosed flow list', `service_whitelist_source_ranges: [${S}`, /YAML syntax/],
    ['a tab indentation', `smtp_relay:\n\tfrom: ${S}`, /YAML syntax/],
    ['a binary tag', `notifications_email: !!binary ${S}`, /YAML tag that profiles do not use/],
    ['a second document', `---\n${S}: 1`, /YAML syntax: more than one YAML document/],
    ['a mistyped secret-looking key', `aura_encryption_ky: ${S}`, /unknown key/],
    ['a secret pasted as a key', `${S}: 1`, /<key>: (unknown key|has a credential-like name)/],
    ['an unknown key holding a value', `Sup3rSentinelXyz: 1`, /<key>: unknown key/],
    ['a secret as a value of the wrong type', `log_retention_time: ${S}`, /log_retention_time: expected/],
  ])('%s', (_, line, message) => {
    const profiles = profilesWith(line);
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/p\.yaml:\d+:\d+:/); // by position
    expect(sentinelNowhere(r, out)).toBe(true);
    expect(snapshot(out)).toEqual(before);
  });

  it('verify:network and diff --with report the same without the value', () => {
    const profiles = profilesWith(`aura_encryption_key: *${S}`);
    const file = join(profiles, 'p.yaml');
    const net = runMain(networkMain, ['--profile', file, '--allow-outside-repo']);
    const diff = runMain(diffMain, ['--profile', 'p', '--with', 'p', '--profiles', profiles]);
    for (const r of [net, diff]) {
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/holds a secret value/);
      expect(sentinelNowhere(r)).toBe(true);
    }
  });
});

describe('prototype keys and free-form maps', () => {
  it.each([
    ['__proto__ holding a secret key', `__proto__: { aura_encryption_key: ${S} }`, /__proto__: unknown key \(__proto__ is never a profile key\)/],
    ['constructor', `constructor: { prototype: ${S} }`, /constructor: unknown key/],
    ['a nested prototype key', `smtp_relay: { __proto__: { polluted: ${S} } }`, /smtp_relay\.__proto__: unknown key/],
    ['resources_tags with a password-like name', `resources_tags: { db_password: ${S} }`, /resources_tags\.<key>: has a credential-like name/],
    ['resources_tags with a token-like name', `resources_tags: { apiToken: ${S} }`, /resources_tags\.<key>: has a credential-like name/],
    ['resources_tags with credentials in a URL', `resources_tags: { owner: "https://me:${S}@example.com" }`, /looks like a credential/],
    ['operator values with a nested password', `operators: { eck: { version: 3.5.0, values: { es: { password: ${S} } } }, mongodb_atlas: { version: 2.15.1 }, nginx_ingress_crds: { version: v4.0.1 } }`, /operators\.eck\.values\.<key>\.<key>: has a credential-like name/],
    ['operator values with a connection string', `operators: { eck: { version: 3.5.0, values: { db: "Server=x;Password=${S}" } }, mongodb_atlas: { version: 2.15.1 }, nginx_ingress_crds: { version: v4.0.1 } }`, /looks like a credential/],
    ['operator values with a private key', `operators: { eck: { version: 3.5.0, values: { pem: "-----BEGIN RSA PRIVATE KEY-----${S}" } }, mongodb_atlas: { version: 2.15.1 }, nginx_ingress_crds: { version: v4.0.1 } }`, /looks like a credential/],
  ])('%s', (_, line, message) => {
    const base = line.startsWith('operators') ? MINIMAL.replace(/^operators:.*\n/m, '') : MINIMAL;
    const profiles = profilesWith(line, 'p', base);
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(sentinelNowhere(r, out)).toBe(true);
    expect(snapshot(out)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('merging layers never assigns a prototype', async () => {
    const { mergeDeep } = await import('../../src/profile/load');
    const overlay = JSON.parse('{"__proto__": {"polluted": 1}, "a": {"constructor": {"prototype": {"x": 1}}}}');
    const merged = mergeDeep({ a: {} }, overlay) as Record<string, any>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.hasOwn(merged, '__proto__')).toBe(false);
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.keys(merged.a)).toEqual([]);
  });
});

import { MINIMAL } from '../helpers';
const MINIMAL_NO_USERS = MINIMAL.replace(/^backoffice_users:.*\n/m, '');

// Item 7 of issue 23: credential-like keys are found by their words, whatever the case style or
// separator; values that look like an Authorization header are credentials; derived Key Vault
// names are unique and fit Key Vault; no error quotes a value, extends targets included.
const OPERATORS_WITH = (values: string) => `operators: { eck: { version: 3.5.0, values: ${values} }, mongodb_atlas: { version: 2.15.1 }, nginx_ingress_crds: { version: v4.0.1 } }`;
const WITHOUT_OPERATORS = MINIMAL.replace(/^operators:.*\n/m, '');

describe('credential-like keys by their words', () => {
  it.each([
    ['camelCase continuing the word (secretValue)', `resources_tags: { secretValue: ${S} }`],
    ['privateKeyPem', `resources_tags: { privateKeyPem: ${S} }`],
    ['sasUrl', `resources_tags: { sasUrl: "https://x.blob.core.windows.net/c?sv=1&${S}" }`],
    ['Authorization with a Bearer value', `resources_tags: { Authorization: "Bearer ${S}" }`],
    ['a webhook URL', `resources_tags: { teamsWebhookUrl: "https://example.com/${S}" }`],
    ['a DSN with dots', `resources_tags: { sentry.dsn: "https://${S}.example.com/1" }`],
    ['X-Api-Key', `resources_tags: { X-Api-Key: ${S} }`],
    ['APIKey (an acronym)', `resources_tags: { APIKey: ${S} }`],
    ['SCREAMING_SNAKE with a digit', `resources_tags: { DB_PASSWORD_1: ${S} }`],
    ['connectionString', `resources_tags: { connectionString: ${S} }`],
    ['kebab-case bearer', `resources_tags: { bearer-value: ${S} }`],
    ['nested in operator values (authToken)', OPERATORS_WITH(`{ config: { authToken: ${S} } }`)],
    ['a number under a credential name', OPERATORS_WITH(`{ smtp: { pass: 123456789 } }`)],
  ])('%s: exit 1, "credential-like name", nothing written', (_, line) => {
    const profiles = profilesWith(line, 'p', line.startsWith('operators') ? WITHOUT_OPERATORS : MINIMAL);
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/p\.yaml:\d+:\d+: .*<key>: has a credential-like name/);
    expect(sentinelNowhere(r, out)).toBe(true);
    expect(snapshot(out)).toEqual(before);
  });

  it.each([
    ['a Bearer token under a neutral key', `resources_tags: { owner: "Bearer ${S}1234" }`],
    ['a Basic credential', OPERATORS_WITH(`{ headers: { x: "Basic ${S}==" } }`)],
  ])('%s: exit 1, "looks like a credential"', (_, line) => {
    const profiles = profilesWith(line, 'p', line.startsWith('operators') ? WITHOUT_OPERATORS : MINIMAL);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/looks like a credential/);
    expect(sentinelNowhere(r)).toBe(true);
  });

  it('switches and words that only contain a credential word are not credentials (authorEmail, tokenizer, webhook: enabled)', async () => {
    const { credentialLikeKey } = await import('../../src/profile/source-scan');
    for (const key of ['author', 'authorEmail', 'tokenizer', 'passThroughLimit', 'keyFile', 'monkey', 'tolerations.key', 'publicKeyId', 'passive', 'authUrl']) expect(credentialLikeKey(key), key).toBe(false);
    for (const key of ['secretValue', 'privateKeyPem', 'sasUrl', 'Authorization', 'sentry.dsn', 'X-Api-Key', 'APIKey', 'DB_PASSWORD_1', 'webhookUrl', 'bearerToken', 'ssh_keys', 'conn-string', 'clientSecret', 'smtp_pass', 'basicAuth'])
      expect(credentialLikeKey(key), key).toBe(true);
    const profiles = profilesWith(OPERATORS_WITH('{ webhook: { enabled: true }, config: { authEnabled: false } }'), 'p', WITHOUT_OPERATORS);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', populatedOut());
    expect(r.err).not.toMatch(/credential/);
    expect(r.code).toBe(0);
  });
});

describe('derived Key Vault names', () => {
  const users = (...names: string[]) => `backoffice_users: { dashboards: [${names.map((n) => `{ name: "${n}" }`).join(', ')}] }`;
  const lower = S.toLowerCase();
  it.each([
    ['ana.smith and ana_smith (one secret for two users)', users('admin', 'ana.smith', 'ana_smith'), /backoffice_users\.dashboards\[2\]\.name: gives the same Key Vault secret name as backoffice_users\.dashboards\[1\]\.name/],
    ['a 130-character user name (a 161-character secret name)', users('admin', `${lower}${'x'.repeat(130 - lower.length)}`), /backoffice_users\.dashboards\[1\]\.name: gives a Key Vault secret name of 161 characters; Key Vault allows 127/],
    ['two context agents a_b and a-b with external storage', `context_agents: { a_b: { azure_account: acct1, azure_container: c1 }, a-b: { azure_account: acct2, azure_container: c2 } }`, /context_agents\.a-b: gives the same Key Vault secret name as another context agent's SAS token/],
  ])('%s: exit 1 at the key, nothing written', (_, line, message) => {
    const profiles = profilesWith(line, 'p', line.startsWith('backoffice_users') ? MINIMAL_NO_USERS : MINIMAL);
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(`${r.out}${r.err}`).not.toContain(lower);
    expect(snapshot(out)).toEqual(before);
  });

  it('the shipped profiles derive unique names that fit', async () => {
    const { keyVaultNameProblems } = await import('../../src/profile/secrets');
    const { built } = await import('../helpers');
    for (const name of ['de-pro', 'es-pro', 'de-pro-wsim']) expect(keyVaultNameProblems(built(name).config as any)).toEqual([]);
  });
});

describe('an extends target is never quoted', () => {
  it.each([`extends: ${S}`, `extends: ./${S}.yaml`, `extends: [layers/nope.yaml, "${S} x"]`])('%s', (line) => {
    const profiles = profilesWith(line);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/extends: names a profile or layer file that does not exist/);
    expect(sentinelNowhere(r)).toBe(true);
  });
});

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

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { populatedOut, profilesWith, snapshot, synth } from '../hostile/harness';
import { MINIMAL } from '../helpers';

// Issue 27 item 7: the guide's own examples run in aura-es-test; types beyond the reserved ones
// compile, with the guide's caution (agree them with the Aura Team first).
describe('environment types beyond the reserved ones', () => {
  it('test compiles with every check, with the guide\'s caution, into the names the guide shows', () => {
    const profiles = profilesWith('', 'es-test', MINIMAL.replace('environment_type: pro', 'environment_type: test'));
    const out = mkdtempSync(join(tmpdir(), 'aura-envtype-'));
    const r = synth('--profiles', profiles, '--profile', 'es-test', '--out', out);
    expect(r.err).toMatch(/⚠ es-test: environment_type test is not one of the types the guide reserves for the OBs \(pro, pre, int\): the guide asks to agree another type with the Aura Team/);
    expect(r.code).toBe(0);
    // The guide's `kubectl get jobs --namespace aura-es-test`.
    const environment = JSON.parse(readFileSync(join(out, 'es-test/infra/environment.json'), 'utf8'));
    expect(environment).toMatchObject({ environment: 'es-test', type: 'test', namespaces: { core: 'aura-es-test' }, storageAccount: { name: 'stauracommonestest' } });
  });

  it.each([
    ['Test', /environment_type: expected an environment type: 2 to 9 lowercase letters or digits/],
    ['integration', /environment_type: expected an environment type/],
    ['t', /environment_type: expected an environment type/],
  ])('%s is refused by its rule', (type, message) => {
    const profiles = profilesWith('', 'p', MINIMAL.replace('environment_type: pro', `environment_type: ${type}`));
    const out = populatedOut();
    const before = snapshot(out);
    const r = synth('--profiles', profiles, '--profile', 'p', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(snapshot(out)).toEqual(before);
  });

  it('a reserved type has no warning', () => {
    const r = synth('--profiles', profilesWith('', 'es-pro', MINIMAL), '--profile', 'es-pro', '--out', mkdtempSync(join(tmpdir(), 'aura-envtype-')));
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/environment_type/);
  });
});

describe('a near miss of a common type is a typo, not a new environment', () => {
  it.each([['prod', 'pro'], ['prp', 'pro'], ['inr', 'int'], ['deb', 'dev']])('%s', (type, meant) => {
    const r = synth('--profiles', profilesWith('', 'p', MINIMAL.replace('environment_type: pro', `environment_type: ${type}`)), '--profile', 'p', '--out', populatedOut());
    expect(r.code).toBe(1);
    expect(r.err).toContain(`environment_type: is one letter away from "${meant}"; did you mean "${meant}"?`);
  });
});

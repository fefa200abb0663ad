import { describe, expect, it } from 'vitest';
import { compileConfig } from '../src/compile';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { checkInvariants } from '../src/checks/invariants';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { scaledCatalog } from '../src/bench/scale';

// The benchmark's figures are read, never asserted; this only checks that its scale profiles
// are what the table says they are.
describe('benchmark scale profiles', () => {
  const config = validateProfile(loadProfile('de-pro', DEFAULT_PROFILES_DIR));
  const count = (factor: number) => compileConfig(config, { catalog: scaledCatalog(factor) }).length;

  it('x1 is the profile itself', () => expect(count(1)).toBe(compileConfig(config).length));

  it('multiplies the core objects by the factor, and stays valid', () => {
    const perCopy = count(2) - count(1);
    expect(count(10)).toBe(count(1) + 9 * perCopy);
    expect(checkInvariants(compileConfig(config, { catalog: scaledCatalog(3) }))).toEqual([]);
  });
});

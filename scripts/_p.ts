const t0 = performance.now();
import { loadProfile, listProfiles } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { compileConfig } from '../src/compile';
import { checkSchemas } from '../src/checks/schema';
import { checkInvariants } from '../src/checks/invariants';
import { checkNetworkPolicies } from '../src/checks/network';
import { verifyNetwork } from '../src/network/verify';
import { renderProfile } from '../src/build';
const t: Record<string, number> = { start: performance.now() - t0 };
const time = <T>(k: string, f: () => T): T => { const s = performance.now(); const r = f(); t[k] = (t[k] ?? 0) + performance.now() - s; return r; };
for (const p of listProfiles('profiles')) {
  const c = time('validate', () => validateProfile(loadProfile(p, 'profiles')));
  const o = time('compile', () => compileConfig(c));
  const m = o.map((x) => x.manifest);
  time('schema', () => checkSchemas(o)); time('invariants', () => checkInvariants(o)); time('netchecks', () => checkNetworkPolicies(m)); time('verify', () => verifyNetwork(m, c as any)); time('render', () => renderProfile(p, c, o));
}
console.log(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])));

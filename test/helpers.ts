import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProfile, type BuiltProfile } from '../src/build';
import { DEFAULT_PROFILES_DIR } from '../src/cli';
import type { Manifest } from '../src/compile';
import { describeObject } from '../src/checks/describe';
import { canonical } from '../src/output/yaml';
import { listProfiles, loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { ProfileError } from '../src/profile/errors';

export const SHIPPED = listProfiles(DEFAULT_PROFILES_DIR);
export const FIXTURES = join(__dirname, 'fixtures/profiles');

const cache = new Map<string, BuiltProfile>();
/** Every shipped profile is compiled once per test file. */
export function built(name: string): BuiltProfile {
  if (!cache.has(name)) cache.set(name, buildProfile(name, DEFAULT_PROFILES_DIR));
  return cache.get(name)!;
}

export const manifests = (name: string): Manifest[] => built(name).objects.map((o) => o.manifest);
export const find = (name: string, kind: string, objName: string): Manifest | undefined =>
  manifests(name).find((m) => m.kind === kind && m.metadata.name === objName);

/** A minimal valid profile, as YAML lines, that tests extend with the keys they exercise. */
export const MINIMAL = `environment_type: pro
environment_profile: es
cluster_name: auraclusterproes
notifications_email: ops@example.com
atlas_orgId: 5f1a2b3c4d5e6f7a8b9c0d1e
smtp_relay: { smarthost: "smtp.example.com:587", from: alerts@example.com }
backoffice_users: { dashboards: [{ name: admin }] }
key_vault:
  name: kv-aura-test
  tenant_id: 9a1e6f2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b
  identity_client_id: 9a1e6f2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b
operators: { eck: { version: 3.5.0 }, mongodb_atlas: { version: 2.15.1 }, nginx_ingress_crds: { version: v4.0.1 } }
`;

/** Writes a profile into a fresh temporary folder and returns its path. */
export function writeProfile(yaml: string, name = 'test'): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-profile-'));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** Validates a profile given as YAML text; returns the config or throws the ProfileError. */
export const configOf = (yaml: string) => validateProfile(loadProfile(writeProfile(yaml), FIXTURES));

/** Runs fn and returns the ProfileError it throws. */
export function catchError(fn: () => unknown): ProfileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProfileError) return e;
    throw e;
  }
  throw new Error('expected a ProfileError');
}

/** MINIMAL with one top-level key replaced (or added). */
export const withKey = (line: string): string => {
  const key = line.split(':')[0]!;
  return MINIMAL.split('\n').some((l) => l.startsWith(`${key}:`)) ? MINIMAL.replace(new RegExp(`^${key}:.*$`, 'm'), line) : `${MINIMAL}${line}\n`;
};

/** JSON with every map's keys sorted: YAML maps are unordered, and tools (kustomize) reorder them. */
const sortedJson = (v: unknown) => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
/** Objects by kind/namespace/name, each as canonical JSON: what rendering tools must give back exactly. */
export const byKey = (ms: readonly Manifest[]) => new Map(ms.map((m) => [describeObject(m), sortedJson(canonical(m))]));

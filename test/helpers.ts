import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProfile, type BuiltProfile } from '../src/build';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import type { CompiledObject, Manifest } from '../src/compile';
import { Testing } from 'cdk8s';
import { CATALOG } from '../src/components/catalog';
import { AuraWorkload } from '../src/constructs/aura-workload';
import { resolvePlatform } from '../src/platform/resolve';
import type { Component } from '../src/platform/types';
import type { Config } from '../src/profile/config.generated';
import { describeObject } from '../src/checks/describe';
import { canonical } from '../src/output/yaml';
import { listProfiles, loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { ProfileError } from '../src/profile/errors';
import { shared } from './support/shared-fixtures';

export const SHIPPED = listProfiles(DEFAULT_PROFILES_DIR);
export const FIXTURES = join(__dirname, 'fixtures/profiles');

/**
 * A shipped profile built with every check, once per test run for all test files and workers
 * (test/support/shared-fixtures.ts), deep-frozen: copy what a test changes.
 */
export const built = (name: string): BuiltProfile => shared(`built-${name}`, () => buildProfile(name, DEFAULT_PROFILES_DIR));

/**
 * A shipped profile's objects, as built() compiled them: tests of what a component emits read the
 * objects; their checks and files are tested on built() (profiles, cli, helm, kustomize).
 */
export const compiledObjects = (name: string): CompiledObject[] => built(name).objects;

export const manifests = (name: string): Manifest[] => compiledObjects(name).map((o) => o.manifest);
export const find = (name: string, kind: string, objName: string): Manifest | undefined =>
  manifests(name).find((m) => m.kind === kind && m.metadata.name === objName);

/** A minimal valid profile, as YAML lines, that tests extend with the keys they exercise. */
export const MINIMAL = `environment_type: pro
environment_profile: es
cluster_name: auraclusterproes
notifications_email: ops@example.com
smtp_relay: { smarthost: "smtp.example.com:587", from: alerts@example.com }
aks_outbound_ips: [203.0.113.10]
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

/**
 * The objects of one component alone, synthesized in a cdk8s test chart: its workloads with
 * everything AuraWorkload derives for them. For tests of a component's flag variants, which need
 * no whole-profile compile.
 */
export function componentObjects(config: Config, component: string, catalog: readonly Component[] = CATALOG): Manifest[] {
  const platform = resolvePlatform(config, catalog);
  const family = catalog.find((k) => k.name === component);
  if (!family) throw new Error(`no component ${component} in the catalog`);
  const chart = Testing.chart();
  for (const spec of family.workloads.filter((w) => platform.enabled(w.name))) new AuraWorkload(chart, spec.name, { spec, platform });
  return chart.toJson() as Manifest[];
}

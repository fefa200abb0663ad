import { App, type Chart } from 'cdk8s';
import type { CompiledObject, Manifest } from './model/manifest';
import type { Phase } from './model/phases';
import { AgentsPhase } from './phases/agents';
import { CorePhase } from './phases/core';
import { CrdsPhase } from './phases/crds';
import { SystemPhase } from './phases/system';
import { CATALOG } from './components/catalog';
import { resolvePlatform } from './platform/resolve';
import type { Component, Platform } from './platform/types';
import type { Config } from './profile/config.generated';
import { deepFreeze } from './util/deep-freeze';

export type { CompiledObject, Manifest } from './model/manifest';

export interface CompileOptions {
  /** Replaces the ordered list of components (the benchmark's scale profiles, tests' fixture components). */
  catalog?: readonly Component[];
}

/** Phases in install order; each is one cdk8s Chart. */
const PHASE_CHARTS: [Phase, (app: App, p: Platform) => Chart | undefined][] = [
  // Tenants share their parent's cluster-wide objects and aura-system: only a profile with its own cluster emits them.
  ['crds', (app, p) => (p.ownCluster ? new CrdsPhase(app, p) : undefined)],
  ['system', (app, p) => (p.ownCluster ? new SystemPhase(app, p) : undefined)],
  ['core', (app, p) => new CorePhase(app, p)],
  ['agents', (app, p) => new AgentsPhase(app, p)],
];

/** Builds one resolved platform's constructs and returns its objects (of the phases named, or all). */
export function compilePlatform(platform: Platform, phases?: readonly Phase[]): CompiledObject[] {
  // One App per profile: a single App holding many profiles slows down far faster than linearly.
  const app = new App({ outdir: '/nonexistent' }); // synthesised in memory only
  return PHASE_CHARTS.filter(([phase]) => !phases || phases.includes(phase)).flatMap(([phase, build]) => build(app, platform)?.toJson().map((manifest: Manifest) => ({ phase, manifest })) ?? []);
}

/** Resolves the profile's platform and compiles it. */
export function compileConfig(config: Config, options: CompileOptions = {}): CompiledObject[] {
  return compilePlatform(resolvePlatform(config, options.catalog ?? CATALOG));
}

const clusterBases = new Map<string, readonly Manifest[]>();

/**
 * The cluster-wide objects and aura-system that a configuration owning a cluster compiles to (its
 * crds and system phases only), once per process for each configuration: the checks of a tenant
 * and of a release read their parent's, and a run compiles many profiles of one cluster.
 * Deep-frozen, since every reader shares them.
 */
export function clusterBaseObjects(config: Config): readonly Manifest[] {
  const key = JSON.stringify(config);
  let objects = clusterBases.get(key);
  if (!objects) {
    objects = deepFreeze(compilePlatform(resolvePlatform(config, CATALOG), ['crds', 'system']).map((o) => o.manifest));
    clusterBases.set(key, objects);
    if (clusterBases.size > 8) clusterBases.delete(clusterBases.keys().next().value!);
  }
  return objects;
}

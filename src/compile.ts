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

/** Builds one resolved platform's constructs and returns its objects. */
export function compilePlatform(platform: Platform): CompiledObject[] {
  // One App per profile: a single App holding many profiles slows down far faster than linearly.
  const app = new App({ outdir: '/nonexistent' }); // synthesised in memory only
  return PHASE_CHARTS.flatMap(([phase, build]) => build(app, platform)?.toJson().map((manifest: Manifest) => ({ phase, manifest })) ?? []);
}

/** Resolves the profile's platform and compiles it. */
export function compileConfig(config: Config, options: CompileOptions = {}): CompiledObject[] {
  return compilePlatform(resolvePlatform(config, options.catalog ?? CATALOG));
}

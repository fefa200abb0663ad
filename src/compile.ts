import { App, type Chart } from 'cdk8s';
import type { ComponentSpec, Phase } from './platform/catalog';
import { hasOwnCluster } from './infra/parameters';
import { AgentsPhase } from './phases/agents';
import { CorePhase } from './phases/core';
import { CrdsPhase } from './phases/crds';
import { SystemPhase } from './phases/system';
import type { Config } from './profile/config.generated';

/** A compiled Kubernetes object and the phase it is installed in. */
export interface CompiledObject {
  phase: Phase;
  manifest: Manifest;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface CompileOptions {
  /** Replaces the catalog's enabled core components (the benchmark's scale profiles). */
  coreComponents?: ComponentSpec[];
}

/** Phases in install order; each is one cdk8s Chart. */
const PHASES: [Phase, (app: App, c: Config, o: CompileOptions) => Chart | undefined][] = [
  // Tenants share their parent's cluster-wide objects and aura-system: only a profile with its own cluster emits them.
  ['crds', (app, c) => (hasOwnCluster(c) ? new CrdsPhase(app, c) : undefined)],
  ['system', (app, c) => (hasOwnCluster(c) ? new SystemPhase(app, c) : undefined)],
  ['core', (app, c, o) => new CorePhase(app, c, o.coreComponents)],
  ['agents', (app, c) => new AgentsPhase(app, c)],
];

/**
 * Builds one profile's constructs and returns its objects. One App per profile: a single App
 * holding many profiles slows down far faster than linearly.
 */
export function compileConfig(config: Config, options: CompileOptions = {}): CompiledObject[] {
  const app = new App({ outdir: '/nonexistent' }); // synthesised in memory only
  return PHASES.flatMap(([phase, build]) => build(app, config, options)?.toJson().map((manifest: Manifest) => ({ phase, manifest })) ?? []);
}

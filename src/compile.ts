import { App, type Chart } from 'cdk8s';
import type { Phase } from './platform/catalog';
import { CorePhase } from './phases/core';
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

/** Phases in install order; each is one cdk8s Chart. */
const PHASES: [Phase, (app: App, c: Config) => Chart][] = [['core', (app, c) => new CorePhase(app, c)]];

/**
 * Builds one profile's constructs and returns its objects. One App per profile: a single App
 * holding many profiles slows down far faster than linearly.
 */
export function compileConfig(config: Config): CompiledObject[] {
  const app = new App({ outdir: '/nonexistent' }); // synthesised in memory only
  return PHASES.flatMap(([phase, build]) => build(app, config).toJson().map((manifest: Manifest) => ({ phase, manifest })));
}

/**
 * Install phases, the one table of their order, sync wave and node pool. CRDs first, aura-system
 * before the core namespace that uses it, agents last. Everything that orders or places objects
 * (compile, kustomizations, Helm, Argo CD, Flux, node selectors) reads this table.
 */
export type Phase = 'crds' | 'system' | 'core' | 'agents';

export interface PhaseInfo {
  name: Phase;
  /** Argo CD sync wave of its objects (operators installed from charts are wave 0). */
  wave: number;
  /** AKS agent pool its pods run on. */
  nodePool: 'common' | 'management';
}

export const PHASES: readonly PhaseInfo[] = [
  { name: 'crds', wave: 1, nodePool: 'common' },
  { name: 'system', wave: 2, nodePool: 'management' },
  { name: 'core', wave: 3, nodePool: 'common' },
  { name: 'agents', wave: 4, nodePool: 'common' },
];

/** Phases in install order. */
export const PHASE_ORDER: readonly Phase[] = PHASES.map((p) => p.name);

/**
 * On an object that waits for Jobs of its phase (their names, comma-separated): Argo CD applies it
 * one sync wave after its phase's, once those Jobs have completed.
 */
export const AFTER_ANNOTATION = 'auracognitive.com/after';

/** Sync wave of the operators Argo CD installs from their charts, before any phase. */
export const OPERATORS_WAVE = 0;

const byName = new Map(PHASES.map((p) => [p.name, p]));
export const phaseInfo = (phase: Phase): PhaseInfo => byName.get(phase)!;

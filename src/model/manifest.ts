import type { Phase } from './phases';

/** A Kubernetes object as the compiler emits it: plain data. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** A compiled Kubernetes object and the phase it is installed in. */
export interface CompiledObject {
  phase: Phase;
  manifest: Manifest;
}

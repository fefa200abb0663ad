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

/** Kind/namespace/name, the way a reviewer finds an object. */
export const describeObject = (m: Manifest): string =>
  m.metadata.namespace ? `${m.kind}/${m.metadata.namespace}/${m.metadata.name}` : `${m.kind}/${m.metadata.name}`;

/** What makes an object unique in a cluster: API group, kind, namespace and name (the version does not). */
export const objectKey = (m: Manifest): string => `${m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : ''}|${m.kind}|${m.metadata.namespace ?? ''}|${m.metadata.name}`;

import type { Manifest } from '../compile';

/** Kind/namespace/name, the way a reviewer finds an object. */
export const describeObject = (m: Manifest): string =>
  m.metadata.namespace ? `${m.kind}/${m.metadata.namespace}/${m.metadata.name}` : `${m.kind}/${m.metadata.name}`;

import type { CompiledObject } from '../compile';

/** Folder for cluster-scoped objects; a namespace cannot be called this. */
export const CLUSTER_FOLDER = '_cluster';
export const MANIFESTS_FOLDER = 'manifests';

/** manifests/<phase>/<namespace or _cluster>/<kind>-<name>.yaml */
export function manifestPath({ phase, manifest }: CompiledObject): string {
  const folder = manifest.metadata.namespace ?? CLUSTER_FOLDER;
  return `${MANIFESTS_FOLDER}/${phase}/${folder}/${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml`;
}

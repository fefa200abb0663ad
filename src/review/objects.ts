import type { Manifest } from '../compile';
import { GITOPS_FOLDER, MANIFESTS_FOLDER } from '../output/layout';
import { parseBackYaml } from '../output/read-back';
import { InputError } from '../util/errors';

/** Files of a profile folder that hold deployed objects: the manifests and the GitOps objects. */
export const isObjectFile = (path: string) =>
  (path.startsWith(`${MANIFESTS_FOLDER}/`) || path.startsWith(`${GITOPS_FOLDER}/`)) && path.endsWith('.yaml') && !path.endsWith('kustomization.yaml');

/** The objects of a profile folder's files. A broken file (syntax, an alias bomb, empty, conflict markers) is an error naming it, exit 1 (src/output/read-back.ts). */
export const parseObjects = (files: Iterable<[string, string]>): Manifest[] =>
  [...files]
    .filter(([p]) => isObjectFile(p))
    .flatMap(([path, text]) =>
      parseBackYaml(text, path).map((doc) => {
        if (!isObject(doc)) throw new InputError(`${path}: not a Kubernetes object (apiVersion, kind and metadata.name)`);
        return doc;
      }),
    );

const isObject = (d: unknown): d is Manifest => {
  const m = d as Partial<Manifest> | null;
  return !!m && typeof m === 'object' && !Array.isArray(m) && typeof m.apiVersion === 'string' && typeof m.kind === 'string' && typeof m.metadata?.name === 'string';
};

import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../compile';
import { GITOPS_FOLDER, MANIFESTS_FOLDER } from '../output/layout';
import { EnvironmentError } from '../util/errors';

/** Files of a profile folder that hold deployed objects: the manifests and the GitOps objects. */
export const isObjectFile = (path: string) =>
  (path.startsWith(`${MANIFESTS_FOLDER}/`) || path.startsWith(`${GITOPS_FOLDER}/`)) && path.endsWith('.yaml') && !path.endsWith('kustomization.yaml');

export const parseObjects = (files: Iterable<[string, string]>): Manifest[] =>
  [...files]
    .filter(([p]) => isObjectFile(p))
    .flatMap(([path, text]) =>
      parseAllDocuments(text).map((d) => {
        // The yaml library's messages quote the file: a broken file is named, not quoted.
        if (d.errors.length) throw new EnvironmentError(`${path}: not valid YAML`);
        return d.toJS({ maxAliasCount: 100 }) as Manifest;
      }),
    )
    .filter(Boolean);

import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../compile';
import { GITOPS_FOLDER, MANIFESTS_FOLDER } from '../output/layout';
import { EnvironmentError } from '../util/errors';
import { printable } from '../util/printable';

/** Files of a profile folder that hold deployed objects: the manifests and the GitOps objects. */
export const isObjectFile = (path: string) =>
  (path.startsWith(`${MANIFESTS_FOLDER}/`) || path.startsWith(`${GITOPS_FOLDER}/`)) && path.endsWith('.yaml') && !path.endsWith('kustomization.yaml');

export const parseObjects = (files: Iterable<[string, string]>): Manifest[] =>
  [...files]
    .filter(([p]) => isObjectFile(p))
    .flatMap(([path, text]) =>
      parseAllDocuments(text).map((d) => {
        // The yaml library's messages quote the file: a broken file is named, not quoted.
        if (d.errors.length) throw new EnvironmentError(`${printable(path)}: not valid YAML`);
        return readBackObject(path, d.toJS({ maxAliasCount: 100 }));
      }),
    )
    .filter(Boolean);

/** A kind, namespace or name as Kubernetes allows it: printable, no line break, bounded. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$/;

/**
 * An object read back from a file the tool did not necessarily write (dist/ at a Git ref, a
 * committed folder): its identity, which every message and summary shows, must be a plain name,
 * so a forged kind or name (a newline, `::error`) is refused naming the file, never printed.
 * An empty document is undefined.
 */
export function readBackObject(path: string, value: unknown): Manifest {
  if (value === null || value === undefined) return value as unknown as Manifest;
  const m = value as Partial<Manifest>;
  const plain = (v: unknown) => typeof v === 'string' && PLAIN_NAME.test(v);
  if (typeof m !== 'object' || Array.isArray(m) || !plain(m.kind) || typeof m.apiVersion !== 'string' || typeof m.metadata !== 'object' || m.metadata === null || !plain(m.metadata.name) || (m.metadata.namespace !== undefined && !plain(m.metadata.namespace)))
    throw new EnvironmentError(`${printable(path)}: holds something that is not a Kubernetes object with a plain kind, name and namespace (was it edited by hand? run npm run synth)`);
  return m as Manifest;
}

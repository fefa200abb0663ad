import type { Manifest } from '../compile';
import { GITOPS_FOLDER, MANIFESTS_FOLDER } from '../output/layout';
import { parseBackYaml } from '../output/read-back';
import { InputError } from '../util/errors';
import { printable } from '../util/printable';

/** Files of a profile folder that hold deployed objects: the manifests and the GitOps objects. */
export const isObjectFile = (path: string) =>
  (path.startsWith(`${MANIFESTS_FOLDER}/`) || path.startsWith(`${GITOPS_FOLDER}/`)) && path.endsWith('.yaml') && !path.endsWith('kustomization.yaml');

/**
 * The objects of a profile folder's files. A broken file (syntax, an alias bomb, empty, conflict
 * markers, not an object) is an error naming it, exit 1 (src/output/read-back.ts).
 */
export const parseObjects = (files: Iterable<[string, string]>): Manifest[] =>
  [...files].filter(([p]) => isObjectFile(p)).flatMap(([path, text]) => parseBackYaml(text, printable(path)).map((doc) => readBackObject(path, doc)));

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
    throw new InputError(`${printable(path)}: not a Kubernetes object with a plain kind, name and namespace (was it edited by hand? run npm run synth)`);
  return m as Manifest;
}

import type { Manifest } from '../model/manifest';
import { emitYaml } from '../util/emit';

const TOP = ['apiVersion', 'kind', 'metadata', 'spec'];
const METADATA = ['name', 'namespace', 'labels', 'annotations'];

function ordered<T extends Record<string, unknown>>(obj: T, first: string[]): T {
  const keys = [...first.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !first.includes(k)).sort()];
  return Object.fromEntries(keys.map((k) => [k, obj[k]])) as T;
}

/** A manifest with its keys in the conventional order; nested keys are already sorted by cdk8s. */
export const canonical = (m: Manifest): Manifest => ordered({ ...m, metadata: ordered(m.metadata, METADATA) }, TOP);

/** One object as YAML: no line folding, no anchors, identical bytes for identical input. */
export function toYaml(m: Manifest, header?: string): string {
  const body = emitYaml(canonical(m));
  return header ? `# ${header}\n${body}` : body;
}

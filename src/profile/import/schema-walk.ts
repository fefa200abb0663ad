import type { PathSegment } from '../errors';
import { PROFILE_SCHEMA } from '../schema';

/** Reading the profile schema by key path, for the import. */

const deref = (node: any): any => {
  while (node && typeof node === 'object' && node.$ref) node = (PROFILE_SCHEMA as any).definitions[String(node.$ref).split('/').pop()!];
  return node;
};

/** The schema node of a key path; undefined when the schema has no such key. List items by any index. */
export function schemaAt(path: readonly PathSegment[]): any {
  let node: any = PROFILE_SCHEMA;
  for (const seg of path) {
    node = deref(node);
    if (!node) return undefined;
    if (typeof seg === 'number') node = node.items;
    else if (node.properties && Object.hasOwn(node.properties, seg)) node = node.properties[seg];
    else if (node.additionalProperties && typeof node.additionalProperties === 'object') node = node.additionalProperties;
    else if (node.additionalProperties === true) return {};
    else return undefined;
  }
  return deref(node);
}

/** Whether a schema node is a mapping of named keys (merged key by key), as opposed to a leaf or a free-form map. */
export const isStructured = (node: any): boolean => !!node && node.type === 'object' && !!node.properties && node.additionalProperties === false;

/** Whether a key is a free-form map's own key (an agent, a tag), not a schema property. */
export function isFreeFormKey(parent: readonly PathSegment[], key: string): boolean {
  const node = schemaAt(parent);
  return !!node && !(node.properties && Object.hasOwn(node.properties, key)) && node.additionalProperties !== false;
}

/** The Key Vault secret template of a secret key, or undefined. */
export const secretTemplateAt = (path: readonly PathSegment[]): string | undefined => {
  const t = schemaAt(path)?.['x-key-vault-secret'];
  return typeof t === 'string' ? t : undefined;
};

/** Every leaf key path of the schema's structured part (free-form maps and lists are leaves), with its default. */
export function schemaLeaves(): { path: string[]; default?: unknown; hasDefault: boolean }[] {
  const out: { path: string[]; default?: unknown; hasDefault: boolean }[] = [];
  const walk = (node: any, path: string[]) => {
    node = deref(node);
    if (isStructured(node)) {
      for (const [k, v] of Object.entries<any>(node.properties)) walk(v, [...path, k]);
      return;
    }
    if (path.length) out.push({ path, default: node?.default, hasDefault: node?.default !== undefined });
  };
  walk(PROFILE_SCHEMA, []);
  return out;
}

import type { PathSegment } from './errors';

type Data = Record<string, any>;

/**
 * Installer keys that aura-manifests does not implement. The schema keeps them so that an
 * installer config.yml loads, but a key that is accepted and then does nothing gives false
 * confidence: each is refused, when set to a value that would matter, with what to do instead.
 * Remove an entry from this table in the same change that makes its key act.
 */
export interface UnsupportedKey {
  path: PathSegment[];
  /** Whether the profile as written (`raw`, no defaults) sets the key to a value that would have an effect. */
  set: (raw: Data) => boolean;
  /** What is not supported and what to do instead. */
  message: string;
}

const at = (raw: Data, path: readonly PathSegment[]): unknown => path.reduce<any>((node, key) => (node == null ? undefined : node[key]), raw);
const nonEmptyList = (path: PathSegment[]) => (raw: Data) => {
  const v = at(raw, path);
  return Array.isArray(v) && v.length > 0;
};
const isTrue = (path: PathSegment[]) => (raw: Data) => at(raw, path) === true;
const present = (path: PathSegment[]) => (raw: Data) => at(raw, path) !== undefined;

const DATABRICKS = 'the Databricks workspace and job are not deployed by aura-manifests; remove the key and create the workspace with the Azure Databricks tooling of the common deployment';

export const UNSUPPORTED_KEYS: UnsupportedKey[] = [
  {
    path: ['ssh_allowed_sources'],
    set: nonEmptyList(['ssh_allowed_sources']),
    message:
      'is not supported: AKS nodes have no public SSH endpoint, so there is no source range to set (SSH reaches them only from inside the virtual network, with infrastructure.ssh_public_key). Remove it; leave infrastructure.ssh_public_key unset for no SSH at all',
  },
  {
    path: ['fourth_platform', 'synchronizer_sdk_repos'],
    set: present(['fourth_platform', 'synchronizer_sdk_repos']),
    message: `is not supported: only the Databricks synchronizer job uses the Kernel SDK repository, and ${DATABRICKS}`,
  },
  { path: ['databricks_enabled'], set: isTrue(['databricks_enabled']), message: `is not supported: ${DATABRICKS}` },
  { path: ['databricks'], set: (raw) => Object.keys(at(raw, ['databricks']) ?? {}).length > 0, message: `is not supported: ${DATABRICKS}` },
  { path: ['enable_customer_key_databricks_encryption'], set: isTrue(['enable_customer_key_databricks_encryption']), message: `is not supported: ${DATABRICKS}` },
  { path: ['databricks_enhanced_security_compliance'], set: isTrue(['databricks_enhanced_security_compliance']), message: `is not supported: ${DATABRICKS}` },
  { path: ['databricks_requireInfrastructureEncryption'], set: isTrue(['databricks_requireInfrastructureEncryption']), message: `is not supported: ${DATABRICKS}` },
];

/** A violation for every unsupported key the profile sets. */
export function unsupportedKeys(raw: Data): { path: PathSegment[]; message: string }[] {
  return UNSUPPORTED_KEYS.filter((k) => k.set(raw)).map((k) => ({ path: k.path, message: k.message }));
}

import { PROFILE_SCHEMA } from './schema';
import { formatPath, type PathSegment } from './errors';

/**
 * Key Vault secret names come from the `x-key-vault-secret` annotations of the profile schema.
 * Placeholders: {key:N} is the path segment N levels above the key, {sibling:F} the value of
 * field F next to it (for list items, such as a user's name).
 */
export function keyVaultSecretName(template: string, path: readonly PathSegment[], root: unknown): string {
  const parent = path.slice(0, -1).reduce<any>((node, seg) => node?.[seg], root);
  const name = template
    .replace(/\{key:(\d+)\}/g, (_, n: string) => String(path[path.length - 1 - Number(n)] ?? ''))
    .replace(/\{sibling:([a-z_]+)\}/g, (_, f: string) => String(parent?.[f] ?? 'unnamed'));
  // Key Vault allows letters, digits and dashes only.
  return name.replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase();
}

/** The Key Vault secret that holds the value of a secret profile key ('genesys.secret'), or of `kv:<name>`. */
export function keyVaultSecretFor(dottedKey: string): string {
  if (dottedKey.startsWith('kv:')) return dottedKey.slice(3);
  let node: any = PROFILE_SCHEMA;
  for (const seg of dottedKey.split('.')) node = node?.properties?.[seg];
  const template = node?.['x-key-vault-secret'];
  if (typeof template !== 'string') throw new Error(`${dottedKey} is not a secret key of the profile schema`);
  return keyVaultSecretName(template, dottedKey.split('.'), {});
}

/** The Key Vault secret of a management-page user's password (backoffice_users.<list>[].password). */
export function backofficePasswordSecret(list: string, user: string): string {
  const template = PROFILE_SCHEMA.definitions.backofficeUser.properties.password['x-key-vault-secret'] as string;
  return keyVaultSecretName(template, ['backoffice_users', list, 0, 'password'], { backoffice_users: { [list]: [{ name: user }] } });
}

/** Key Vault's limit on a secret's name (learn.microsoft.com: Key Vault object names): 1 to 127 letters, digits and dashes. */
export const KEY_VAULT_NAME_MAX = 127;

/** Every Key Vault secret name the schema fixes (templates without placeholders). */
function fixedSecretNames(): string[] {
  const names: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const template = (node as Record<string, unknown>)['x-key-vault-secret'];
    if (typeof template === 'string' && !template.includes('{')) names.push(template);
    for (const v of Object.values(node)) walk(v);
  };
  walk(PROFILE_SCHEMA);
  return names;
}

/**
 * The Key Vault secrets a profile's entries derive a name for (a management user's password, a
 * context agent's SAS token), with where each comes from. Two entries that derive one name
 * would share one secret (`ana.smith` and `ana_smith` are both `...-ana-smith-...`), and a name
 * over 127 characters cannot be created: both are problems at the entry's key.
 */
export function keyVaultNameProblems(cfg: Record<string, any>): { path: PathSegment[]; message: string }[] {
  // `shown` names an entry without its value: a user by its list and index, an agent by its kind.
  const derived: { path: PathSegment[]; name: string; shown: string; same?: string }[] = [];
  for (const [list, users] of Object.entries<unknown>(cfg.backoffice_users ?? {}))
    if (Array.isArray(users))
      users.forEach((u, i) => {
        // Names equal but for case and _ / - are reported by the unique-name rule already (src/profile/rules.ts).
        if (u && typeof u.name === 'string')
          derived.push({ path: ['backoffice_users', list, i, 'name'], name: backofficePasswordSecret(list, u.name), shown: formatPath(['backoffice_users', list, i, 'name']), same: `${list}\0${u.name.toLowerCase().replace(/_/g, '-')}` });
      });
  const sasTemplate = (PROFILE_SCHEMA as any).properties?.context_agents?.additionalProperties?.properties?.azure_sas_token?.['x-key-vault-secret'];
  if (typeof sasTemplate === 'string' && cfg.context_agents && typeof cfg.context_agents === 'object')
    for (const [agent, spec] of Object.entries<any>(cfg.context_agents))
      if (spec && typeof spec === 'object' && spec.azure_account)
        derived.push({ path: ['context_agents', agent], name: keyVaultSecretName(sasTemplate, ['context_agents', agent, 'azure_sas_token'], cfg), shown: "another context agent's SAS token" });
  const problems: { path: PathSegment[]; message: string }[] = [];
  const taken = new Map<string, { shown: string; same?: string }>(fixedSecretNames().map((n) => [n, { shown: 'a secret the schema names' }]));
  for (const d of derived) {
    if (d.name.length > KEY_VAULT_NAME_MAX)
      problems.push({ path: d.path, message: `gives a Key Vault secret name of ${d.name.length} characters; Key Vault allows ${KEY_VAULT_NAME_MAX}: shorten it by ${d.name.length - KEY_VAULT_NAME_MAX}` });
    const first = taken.get(d.name);
    if (first === undefined) taken.set(d.name, { shown: d.shown, same: d.same });
    else if (first.same === undefined || first.same !== d.same)
      problems.push({ path: d.path, message: `gives the same Key Vault secret name as ${first.shown} (names keep letters, digits and "-", anything else becomes "-", case aside), so both would read one secret: rename one` });
  }
  return problems;
}

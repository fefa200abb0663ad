import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, type Scalar } from 'yaml';
import { formatPath, type PathSegment } from '../errors';
import { describeYamlError, loadProfile, mergeDeep } from '../load';
import { keyVaultSecretName } from '../secrets';
import { credentialLikeKey, looksLikeSecretValue, PROTOTYPE_KEYS } from '../source-scan';
import { UNSUPPORTED_KEYS } from '../unsupported';
import { INSTALLER_DEFAULTS } from './installer-defaults';
import { hasJinja, type JinjaVariables, resolveJinja } from './jinja';
import { isFreeFormKey, isStructured, schemaAt, schemaLeaves, secretTemplateAt } from './schema-walk';
import { PROFILE_SCHEMA } from '../schema';
import { printable } from '../../util/printable';

/**
 * An installer config.yml, of any release the guide describes, turned into a profile: the
 * matching OB and environment layers, and only what differs from them. Secret values never reach
 * the profile or the report: each is named as the Key Vault secret it becomes. Every key that is
 * not imported is listed with the reason and what to do.
 */

/** A value ansible-vault encrypted in place (`key: !vault |`): a secret whose text is not readable without the vault password. */
export class Vaulted {
  constructor(readonly envelope: string) {}
}

export interface ConfigSource {
  /** As the user named it (printed in commands). */
  file: string;
  text: string;
}

export interface ImportOptions {
  name: string;
  profilesDir: string;
  keyVaultName?: string;
  tenantId?: string;
  identityClientId?: string;
  outboundIps?: string[];
}

export interface SecretEntry {
  /** The config key path, as written in commands (`backoffice_users.dashboards[0].password`). */
  key: string;
  line?: number;
  /** The Key Vault secret the compiled workloads read it from; undefined when no workload reads one. */
  keyVaultSecret?: string;
  vaulted: boolean;
}

export interface Note {
  key: string;
  line?: number;
  text: string;
}

export interface ImportResult {
  profile: Record<string, unknown>;
  extends: string[];
  secrets: SecretEntry[];
  /** Keys of config.yml not in the profile: no equivalent, unsupported, ignored by the installer too. */
  leftOut: Note[];
  /** Older layouts and names, mapped: from → to. */
  mapped: Note[];
  /** Jinja defaults resolved as the installer would. */
  resolved: Note[];
  /** Values the import could not know, written as placeholders to replace before applying. */
  placeholders: Note[];
  /** Required keys the config does not set. */
  missing: Note[];
  /** Keys written because the installer's default is not the compiler's. */
  installerDefaults: Note[];
  /** How many config keys equal what the layers give (left out). */
  sameAsLayers: number;
}

type Data = Record<string, any>;

const isObject = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Vaulted);
const isEmpty = (v: unknown) => v === undefined || v === null || v === '';
const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v;

const getAt = (data: unknown, path: readonly PathSegment[]): unknown => path.reduce<any>((n, k) => (n == null ? undefined : n[k]), data);
const hasAt = (data: unknown, path: readonly PathSegment[]): boolean => {
  let node: any = data;
  for (const k of path) {
    if (node == null || typeof node !== 'object' || !Object.hasOwn(node, k)) return false;
    node = node[k];
  }
  return true;
};
function setAt(data: Data, path: readonly PathSegment[], value: unknown): void {
  let node: any = data;
  path.slice(0, -1).forEach((k, i) => {
    if (!isObject(node[k]) && !Array.isArray(node[k])) Object.defineProperty(node, k, { value: typeof path[i + 1] === 'number' ? [] : {}, enumerable: true, writable: true, configurable: true });
    node = node[k];
  });
  Object.defineProperty(node, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
}
function deleteAt(data: Data, path: readonly PathSegment[]): void {
  const parent = getAt(data, path.slice(0, -1)) as any;
  if (parent && typeof parent === 'object') {
    if (Array.isArray(parent) && typeof path.at(-1) === 'number') parent[path.at(-1) as number] = undefined;
    else delete parent[path.at(-1)!];
  }
  // An emptied mapping goes too: `fourth_platform: {}` says nothing.
  if (path.length > 1 && isObject(parent) && !Object.keys(parent).length) deleteAt(data, path.slice(0, -1));
}

/** A key path as the report may print it: the schema's names, and a config key of its own only when it is a plain name. */
export function shownPath(path: readonly PathSegment[]): string {
  return formatPath(path.map((seg) => (typeof seg === 'number' || (/^[A-Za-z0-9_.-]{1,64}$/.test(seg) && !credentialLikeKey(seg) && !looksLikeSecretValue(seg)) ? seg : '<key>')));
}

/** Parses config.yml: YAML with ansible-vault's `!vault` tag; problems by position, never quoting it. */
export function parseConfig(source: ConfigSource): { data: Data; line: (path: readonly PathSegment[]) => number | undefined } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source.text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    customTags: [{ tag: '!vault', resolve: (text: string) => new Vaulted(text) } as any],
  });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const at = lineCounter.linePos(e.pos[0]);
    throw new ConfigError(`${printable(source.file)}:${at.line}:${at.col}: ${describeYamlError(e)}${doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : ''}`);
  }
  const positions = new Map<string, number>();
  const record = (node: Node | null, path: PathSegment[]) => {
    if (isMap(node))
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String((pair.key as Scalar).value);
        if (PROTOTYPE_KEYS.has(key)) throw new ConfigError(`${printable(source.file)}:${lineCounter.linePos((pair.key as Node).range![0]).line}: ${key} is never a config key`);
        const keyPath = [...path, key];
        positions.set(formatPath(keyPath), lineCounter.linePos((pair.key as Node).range![0]).line);
        record(pair.value as Node | null, keyPath);
      }
    else if (isSeq(node))
      node.items.forEach((item, i) => {
        if ((item as Node)?.range) positions.set(formatPath([...path, i]), lineCounter.linePos((item as Node).range![0]).line);
        record(item as Node | null, [...path, i]);
      });
    else if (isAlias(node)) throw new ConfigError(`${printable(source.file)}:${lineCounter.linePos(node.range![0]).line}: a YAML alias; the import reads no aliases (an alias could carry a secret into a key that is not one): write the value out`);
  };
  record(doc.contents as Node | null, []);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 }) ?? {};
  } catch {
    throw new ConfigError(`${printable(source.file)}: YAML aliases expand to too much data; write the values out`);
  }
  if (!isObject(data)) throw new ConfigError(`${printable(source.file)}: a config.yml is a YAML mapping of keys`);
  const line = (path: readonly PathSegment[]) => {
    for (let d = path.length; d > 0; d--) {
      const l = positions.get(formatPath(path.slice(0, d)));
      if (l) return l;
    }
    return undefined;
  };
  return { data: data as Data, line };
}

/** A config.yml that cannot be read as one: exit 1, one line, never its text. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What the import tells about keys the installer had and this project has not, by key. */
const NO_EQUIVALENT: Record<string, string> = {
  'infrastructure.compute.masters': 'AKS runs the control plane: there are no master nodes to size. Nothing to do',
  'infrastructure.compute.database_nodes':
    'the AKS layout has no database pool: the stateful services run on the management pool. If that pool needs the capacity, raise infrastructure.compute.agentpools.management.max_size',
};

/** Keys the installer itself ignores in the situation the config is in (the guide says so): left out, with its words. */
const INSTALLER_IGNORES: { path: string[]; when: (c: Data) => boolean; reason: string }[] = [
  {
    path: ['atlas_num_shards'],
    when: (c) => (c.atlas_cluster_type ?? 'REPLICASET') !== 'SHARDED',
    reason: 'the cluster is a replica set, for which the guide says atlas_num_shards must not be set (the installer ignores it). Left out; set it again with atlas_cluster_type: SHARDED',
  },
  {
    path: ['atlas_disk_size'],
    when: (c) => c.atlas_autoscaling_disk !== false,
    reason: 'disk autoscaling is on, so the installer ignores atlas_disk_size (the guide). Left out; set it again with atlas_autoscaling_disk: false',
  },
];

/** The Azure documentation address used where the cluster's outbound address must be filled in. */
export const OUTBOUND_IP_PLACEHOLDER = '203.0.113.10';
export const IDENTITY_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/** Which layers a profile of this OB and environment type extends (those that exist in the profiles folder). */
export function layersFor(profilesDir: string, ob: unknown, type: unknown): { refs: string[]; note?: string } {
  const exists = (ref: string) => existsSync(join(profilesDir, `${ref}.yaml`));
  const refs: string[] = [];
  let note: string | undefined;
  if (typeof ob === 'string' && exists(`layers/${ob}`)) refs.push(`layers/${ob}`);
  else if (exists('layers/global')) {
    refs.push('layers/global');
    note = `there is no OB layer for environment_profile ${typeof ob === 'string' && /^[a-z]{2}$/.test(ob) ? ob : '(unset)'}: the profile extends layers/global`;
  }
  if (typeof type === 'string' && exists(`layers/${type}`)) refs.push(`layers/${type}`);
  else if (exists('layers/pre')) {
    refs.push('layers/pre');
    note = `${note ? `${note}; ` : ''}there is no environment layer for environment_type ${typeof type === 'string' && /^[a-z0-9]{1,9}$/.test(type) ? type : '(unset)'}: the profile extends layers/pre (a production-shaped environment at a lower cost), and keeps the installer's values where pre's differ`;
  }
  return { refs, note };
}

export function importConfig(source: ConfigSource, options: ImportOptions): ImportResult {
  const { data: raw, line } = parseConfig(source);
  const result: ImportResult = { profile: {}, extends: [], secrets: [], leftOut: [], mapped: [], resolved: [], placeholders: [], missing: [], installerDefaults: [], sameAsLayers: 0 };
  const note = (list: Note[], path: readonly PathSegment[], text: string) => list.push({ key: shownPath(path), line: line(path), text });

  // 1. Secrets out, first: nothing after this step ever holds a secret value.
  const clean = takeSecrets(raw, [], raw, result, line);

  // 2. Older layouts and names.
  mapOlderLayouts(clean, result, line);

  // Ansible reads config.yml as YAML 1.1, where yes, no, on and off are booleans.
  yaml11Booleans(clean, [], result, line);

  // 3. Jinja, as the installer renders it before reading a value.
  const vars = jinjaVariables(clean);
  resolveValues(clean, [], vars, result, line);

  // 4. What has no equivalent here, or is not supported, or the installer ignores too.
  dropUnknown(clean, [], result, line);
  for (const rule of INSTALLER_IGNORES)
    if (hasAt(clean, rule.path) && rule.when(clean)) {
      note(result.leftOut, rule.path, rule.reason);
      deleteAt(clean, rule.path);
    }
  for (const entry of UNSUPPORTED_KEYS)
    if (entry.set(clean)) {
      note(result.leftOut, entry.path, entry.message.replace(/^is not supported: /, 'not supported here: '));
      deleteAt(clean, entry.path);
    }
  // Set to a value without effect (a default, false, an empty list): the installer did nothing with it either.
  for (const entry of UNSUPPORTED_KEYS) if (hasAt(clean, entry.path)) deleteAt(clean, entry.path);

  // 5. The layers, and only what differs from them.
  const { refs, note: layerNote } = layersFor(options.profilesDir, clean.environment_profile, clean.environment_type);
  if (layerNote) result.leftOut.push({ key: 'extends', text: layerNote });
  result.extends = refs;
  const layers = refs.map((ref) => loadProfile(ref, options.profilesDir));
  const ours: Data = layers.reduce<Data>((acc, l) => mergeDeep(acc, l.data) as Data, {});
  delete ours.extends;
  // The OB layer stands for the installer's per-OB defaults ("each profile has these components enabled for that OB").
  const obLayer = layers[0]?.layers.at(-1);
  const obOwn: Data = refs[0]?.startsWith('layers/') && refs[0] !== 'layers/global' ? (obLayer?.data ?? {}) : {};
  const globalOwn: Data = layers.flatMap((l) => l.layers).find((l) => /(^|\/)layers\/global\.yaml$/.test(l.file))?.data ?? {};

  const overlay: Data = {};
  const derived = (path: readonly PathSegment[], config: Data) => {
    const d = INSTALLER_DEFAULTS.find((x) => same(x.path, path));
    if (!d) return undefined;
    if (d.template === undefined) return { value: d.value, d };
    const r = resolveJinja(d.template, jinjaVariables(config));
    return 'value' in r ? { value: r.value, d } : undefined;
  };
  for (const path of leafPaths(clean)) {
    const desired = getAt(clean, path);
    const theirs = oursAt(ours, path, clean, derived);
    if (theirs.known && same(desired, theirs.value)) result.sameAsLayers++;
    else setAt(overlay, path, desired);
  }
  // Keys the config leaves out ran with the installer's default: written where ours differs.
  for (const leaf of schemaLeaves()) {
    if (hasAt(clean, leaf.path) || leaf.path[0] === 'extends') continue;
    let installer: { value: unknown; why: string } | undefined;
    const d = derived(leaf.path, clean);
    if (d) installer = { value: d.value, why: `the installer's default (the guide: ${d.d.guide})` };
    else if (hasAt(obOwn, leaf.path)) continue; // the OB layer is the installer's OB default
    else if (hasAt(globalOwn, leaf.path)) continue; // a setting this project adds, or the fleet's choice
    else if (leaf.hasDefault) installer = { value: leaf.default, why: "the guide's default" };
    if (!installer) continue;
    const theirs = oursAt(ours, leaf.path, clean, derived);
    if (theirs.known && same(installer.value, theirs.value)) continue;
    setAt(overlay, leaf.path, installer.value);
    note(result.installerDefaults, leaf.path, `not in config.yml, so it keeps ${installer.why}: ${showValue(installer.value)}; the layers would give ${theirs.known ? showValue(theirs.value) : 'nothing'}`);
  }

  // 6. What this project needs that the installer kept elsewhere.
  addOwnKeys(overlay, clean, ours, options, result);
  for (const key of (PROFILE_SCHEMA as any).required as string[])
    if (!hasAt(clean, [key]) && !hasAt(ours, [key]) && !hasAt(overlay, [key])) result.missing.push({ key, text: `required, and config.yml does not set it: add it to profiles/${options.name}.yaml` });

  result.profile = ordered({ extends: refs.length === 1 ? refs[0] : refs, ...overlay });
  return result;
}

/** A value as the report shows it: a short scalar or list, never anything that looks like a credential. */
function showValue(v: unknown): string {
  const text = JSON.stringify(v) ?? 'nothing';
  return text.length > 80 || looksLikeSecretValue(text) ? '(a value)' : text;
}

/** Our value at a path: the layers', else what the compiler derives, else the schema's default. */
function oursAt(ours: Data, path: readonly PathSegment[], config: Data, derived: (p: readonly PathSegment[], c: Data) => { value: unknown; d: { sameAsCompiler: boolean } } | undefined): { known: boolean; value?: unknown } {
  if (hasAt(ours, path)) return { known: true, value: getAt(ours, path) };
  const d = derived(path, mergeDeep(ours, config) as Data);
  if (d?.d.sameAsCompiler) return { known: true, value: d.value };
  const node = schemaAt(path);
  if (node && node.default !== undefined) return { known: true, value: node.default };
  return { known: false };
}

/** Leaf paths of a config along the schema: structured mappings are walked, everything else is a leaf. */
function leafPaths(data: Data, path: PathSegment[] = []): PathSegment[][] {
  const out: PathSegment[][] = [];
  for (const [k, v] of Object.entries(data)) {
    const p = [...path, k];
    if (isObject(v) && isStructured(schemaAt(p))) out.push(...leafPaths(v, p));
    else out.push(p);
  }
  return out;
}

/** The config without its secrets; each secret is recorded by key and Key Vault name. */
function takeSecrets(value: unknown, path: PathSegment[], root: Data, result: ImportResult, line: (p: readonly PathSegment[]) => number | undefined): any {
  if (Array.isArray(value)) return value.map((v, i) => takeSecrets(v, [...path, i], root, result, line));
  if (!isObject(value)) return value;
  const out: Data = {};
  for (const [k, v] of Object.entries(value)) {
    const p = [...path, k];
    const template = secretTemplateAt(p);
    // A map's own key (a tag, an agent) or a key the schema does not know: its name may say it is a credential.
    const freeForm = isFreeFormKey(path, k) || schemaAt(p) === undefined;
    if (template !== undefined || (freeForm && credentialLikeKey(k) && !isObject(v) && !Array.isArray(v)) || v instanceof Vaulted || (typeof v === 'string' && looksLikeSecretValue(v))) {
      if (isEmpty(v)) continue; // an empty secret (installer templates ship `access_key: ""`) carries nothing
      const onSecretKey = template !== undefined;
      // A schema key is named as written (the key --extract takes); a key the config chose itself only when it is a plain name.
      result.secrets.push({ key: onSecretKey ? formatPath(p) : shownPath(p), line: line(p), keyVaultSecret: onSecretKey ? keyVaultSecretName(template, p, root) : undefined, vaulted: v instanceof Vaulted });
      continue;
    }
    Object.defineProperty(out, k, { value: takeSecrets(v, p, root, result, line), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The variables the installer's templates see: the config's own top-level values and the names it derives from them. */
export function jinjaVariables(config: Data): JinjaVariables {
  const vars: Record<string, string | number | boolean | undefined> = {};
  for (const [k, v] of Object.entries(config)) if (['string', 'number', 'boolean'].includes(typeof v) && !(typeof v === 'string' && hasJinja(v))) vars[k] = v as string;
  vars.atlas_mongo_major_version ??= schemaAt(['atlas_mongo_major_version'])?.default;
  vars.tenant_name ??= 'default';
  if (typeof config.environment_profile === 'string' && typeof config.environment_type === 'string') {
    const base = `${config.environment_profile}-${config.environment_type}`;
    vars.environment_name = vars.tenant_name === 'default' ? base : `${base}-${vars.tenant_name}`;
    vars.kubernetes_core_namespace = `aura-${vars.environment_name}`;
  }
  return vars;
}

function resolveValues(node: unknown, path: PathSegment[], vars: JinjaVariables, result: ImportResult, line: (p: readonly PathSegment[]) => number | undefined): void {
  if (!isObject(node) && !Array.isArray(node)) return;
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, Array.isArray(node) ? Number(k) : k];
    if (typeof v === 'string' && hasJinja(v)) {
      const r = resolveJinja(v, vars);
      if ('value' in r) {
        (node as any)[k] = r.value;
        result.resolved.push({ key: shownPath(p), line: line(p), text: `${showValue(v)} → ${showValue(r.value)}` });
      } else {
        result.leftOut.push({ key: shownPath(p), line: line(p), text: `a Jinja template the import does not evaluate (${r.unresolved}): left out; set the value the installer rendered by hand` });
        if (Array.isArray(node)) (node as any)[k] = undefined;
        else delete (node as any)[k];
      }
    } else resolveValues(v, p, vars, result, line);
  }
  if (Array.isArray(node)) for (let i = node.length - 1; i >= 0; i--) if (node[i] === undefined) node.splice(i, 1);
}

function dropUnknown(node: Data, path: PathSegment[], result: ImportResult, line: (p: readonly PathSegment[]) => number | undefined): void {
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, k];
    const s = schemaAt(p);
    if (s === undefined) {
      const advice = NO_EQUIVALENT[formatPath(p)] ?? 'not a key aura-manifests knows: check the guide for what it did and whether a profile key replaces it (a typo of a known key is suggested by npm run synth once it is added by hand)';
      result.leftOut.push({ key: shownPath(p), line: line(p), text: `no equivalent: ${advice}` });
      delete node[k];
    } else if (isObject(v) && isStructured(s)) {
      dropUnknown(v, p, result, line);
      if (!Object.keys(v).length) delete node[k];
    }
  }
}

/** A boolean key written as YAML 1.1 writes one (yes, no, on, off), as the boolean Ansible read. */
function yaml11Booleans(node: unknown, path: PathSegment[], result: ImportResult, line: (p: readonly PathSegment[]) => number | undefined): void {
  if (!isObject(node)) return;
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, k];
    const schema = schemaAt(p);
    if (typeof v === 'string' && schema?.type === 'boolean' && /^(yes|no|on|off|y|n)$/i.test(v)) {
      node[k] = /^(yes|on|y)$/i.test(v);
      result.mapped.push({ key: shownPath(p), line: line(p), text: `→ ${node[k]} (YAML 1.1's ${v.toLowerCase()}, as Ansible reads it)` });
    } else if (isObject(v) && isStructured(schema)) yaml11Booleans(v, p, result, line);
  }
}

/** The guide's older layouts and names, as the current keys. */
function mapOlderLayouts(c: Data, result: ImportResult, line: (p: readonly PathSegment[]) => number | undefined): void {
  const move = (from: PathSegment[], to: PathSegment[]) => {
    if (!hasAt(c, from)) return;
    const v = getAt(c, from);
    deleteAt(c, from);
    if (hasAt(c, to)) {
      result.leftOut.push({ key: shownPath(from), line: line(from), text: `older name of ${formatPath(to)}, which config.yml also sets: ${formatPath(to)} wins` });
      return;
    }
    setAt(c, to, v);
    result.mapped.push({ key: shownPath(from), line: line(from), text: `→ ${formatPath(to)}` });
  };
  move(['infrastructure', 'region'], ['azure_region']);
  for (const [older, pool] of [['common_nodes', 'common'], ['management_nodes', 'management']] as const) {
    const node = getAt(c, ['infrastructure', 'compute', older]);
    if (node === undefined) continue;
    if (isObject(node))
      for (const field of Object.keys(node)) {
        if (['min_size', 'max_size', 'type'].includes(field)) move(['infrastructure', 'compute', older, field], ['infrastructure', 'compute', 'agentpools', pool, field]);
        else if (field === 'size') move(['infrastructure', 'compute', older, field], ['infrastructure', 'compute', 'agentpools', pool, 'min_size']);
      }
    if (hasAt(c, ['infrastructure', 'compute', older])) {
      result.leftOut.push({ key: shownPath(['infrastructure', 'compute', older]), line: line(['infrastructure', 'compute', older]), text: 'fields of the older node-pool layout without an equivalent: left out' });
      deleteAt(c, ['infrastructure', 'compute', older]);
    }
  }
  move(['elasticsearch', 'storage'], ['elasticsearch', 'storage_size_gb']);
  move(['prometheus', 'storage_size'], ['prometheus', 'storage_size_gb']);
  // The older Kibana roles, one quoted string: '"kibana_admin","aura"'.
  const logs = getAt(c, ['backoffice_users', 'logs']);
  if (Array.isArray(logs))
    logs.forEach((user, i) => {
      if (!isObject(user) || typeof user.role !== 'string' || user.roles !== undefined) return;
      const roles = user.role.split(',').map((r: string) => r.trim().replace(/^["']|["']$/g, '')).filter(Boolean);
      if (!roles.every((r: string) => /^[A-Za-z0-9_.-]{1,64}$/.test(r))) return;
      delete user.role;
      user.roles = roles;
      result.mapped.push({ key: shownPath(['backoffice_users', 'logs', i, 'role']), line: line(['backoffice_users', 'logs', i, 'role']), text: `→ backoffice_users.logs[${i}].roles (the older quoted string, as a list)` });
    });
}

/** key_vault and aks_outbound_ips: the installer had its vault and looked the address up. */
function addOwnKeys(overlay: Data, clean: Data, ours: Data, options: ImportOptions, result: ImportResult): void {
  const env = jinjaVariables(clean).environment_name;
  const name = options.keyVaultName ?? `kv-aura-${env ?? options.name}`;
  const vault: Data = { name };
  if (options.tenantId && options.tenantId !== ours.key_vault?.tenant_id) vault.tenant_id = options.tenantId;
  else if (!ours.key_vault?.tenant_id) {
    vault.tenant_id = IDENTITY_PLACEHOLDER;
    result.placeholders.push({ key: 'key_vault.tenant_id', text: 'the Entra tenant of the Key Vault (AZURE_TENANT of the installer\'s credentials): pass --tenant-id or set it' });
  } else if (!options.tenantId)
    result.placeholders.push({ key: 'key_vault.tenant_id', text: `taken from the OB layer; check it is the tenant of ${name} (az keyvault show --name ${name} --query properties.tenantId -o tsv)` });
  vault.identity_client_id = options.identityClientId ?? IDENTITY_PLACEHOLDER;
  if (!options.identityClientId)
    result.placeholders.push({
      key: 'key_vault.identity_client_id',
      text: `a placeholder: the client id of the cluster's Key Vault secrets provider identity (az aks show --resource-group rg-${clean.cluster_name ?? '<cluster_name>'} --name ${clean.cluster_name ?? '<cluster_name>'} --query addonProfiles.azureKeyvaultSecretsProvider.identity.clientId -o tsv); pods cannot mount their secrets until it is right`,
    });
  overlay.key_vault = vault;
  result.placeholders.push({ key: 'key_vault.name', text: `${options.keyVaultName ? 'as given' : 'the project\'s convention, kv-aura-<environment>'}: the vault every SecretProviderClass reads; it must exist and hold the secrets listed below (npx aura-manifests secrets --profile ${options.name} --check)` });
  const atlas = clean.atlas_enabled ?? ours.atlas_enabled ?? true;
  if (atlas !== false && !hasAt(clean, ['aks_outbound_ips']) && !(ours.aks_outbound_ips?.length)) {
    overlay.aks_outbound_ips = options.outboundIps?.length ? options.outboundIps : [OUTBOUND_IP_PLACEHOLDER];
    if (!options.outboundIps?.length)
      result.placeholders.push({
        key: 'aks_outbound_ips',
        text: `a documentation address: the cluster's outbound address, which the installer added to the Atlas access list itself (az aks show --resource-group rg-${clean.cluster_name ?? '<cluster_name>'} --name ${clean.cluster_name ?? '<cluster_name>'} --query "networkProfile.loadBalancerProfile.effectiveOutboundIPs[].id" -o tsv, then az network public-ip show --ids <id> --query ipAddress -o tsv); pass --outbound-ip`,
      });
  }
}

/** The profile's keys in the schema's order (the guide's), `extends` first. */
function ordered(profile: Data): Data {
  const order = ['extends', ...Object.keys((PROFILE_SCHEMA as any).properties)];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.fromEntries(Object.entries(profile).sort(([a], [b]) => rank(a) - rank(b)));
}

/** The profile file: a header that says where it came from, then the keys, placeholders commented. */
export function profileText(result: ImportResult, configName: string, profileName: string): string {
  const doc = new Document(result.profile);
  for (const p of result.placeholders) {
    const node = doc.getIn(p.key.split('.'), true);
    if ((isScalar(node) || isSeq(node)) && /placeholder|documentation address/.test(p.text)) node.comment = ' replace before applying: see the import report';
  }
  const header = [
    `# ${IMPORT_HEADER} from ${configName}: the installer's config.yml, as profile ${profileName}.`,
    '# Only what differs from the layers it extends is here. Secrets are in Azure Key Vault, never in this file',
    `# (npm run aura-manifests -- secrets --profile ${profileName} lists them).`,
  ];
  return `${header.join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}

/** The first words of an imported profile: only such a file is replaced by import --force. */
export const IMPORT_HEADER = 'Imported by aura-manifests import';

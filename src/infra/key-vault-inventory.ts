import { parse } from 'yaml';
import type { Manifest } from '../model/manifest';
import { podTemplatesOf } from '../model/pod-templates';
import type { Config } from '../profile/config.generated';
import { backofficePasswordSecret, keyVaultSecretName } from '../profile/secrets';
import { PROFILE_SCHEMA } from '../profile/schema';
import { lifecycleKeyVaultSecrets } from './lifecycle';
import { keyVaultRecipe } from './key-vault-recipes';

/**
 * Every Key Vault object a profile needs, derived from what it compiles to: the objects of its
 * SecretProviderClasses (what pods mount, what the driver syncs into Secrets, which containers read
 * them) and the Key Vault references of the commands that run beside it (infra --stop/--start). For
 * each: what uses it, the profile key or guide entry it stands for, and how to create it. Names
 * only: no value is ever read.
 */
export interface KeyVaultObject {
  name: string;
  vault: string;
  /** How the object is stored: a secret, or a certificate (read by the driver as its secret). */
  type: 'secret' | 'certificate';
  /** The profile key whose value it holds (config.yml's, through import), or undefined for a platform secret. */
  profileKey?: string;
  /** What it is, with the guide entry it stands for where there is one. */
  description: string;
  /** Where it is read: SecretProviderClasses with the Secrets and containers they feed, and commands. */
  usedBy: string[];
  /** Commands that create it, reading the value from a pipe, never a command line. */
  create: string[];
}

interface Provider {
  namespace: string;
  name: string;
  vault: string;
  objects: { name: string; type: string }[];
  synced: { secret: string; key: string; object: string }[];
}

/** A SecretProviderClass's Key Vault objects, as the driver reads them (`objects: array: - | objectName: ...`). */
export function providerOf(m: Manifest): Provider | undefined {
  if (m.kind !== 'SecretProviderClass') return undefined;
  const spec = (m as any).spec ?? {};
  const parameters = spec.parameters ?? {};
  const array = (parse(String(parameters.objects ?? '')) ?? {}).array ?? [];
  const objects = array.map((entry: string) => parse(entry)).map((o: any) => ({ name: String(o.objectName), type: String(o.objectType ?? 'secret') }));
  const synced = (spec.secretObjects ?? []).flatMap((s: any) => (s.data ?? []).map((d: any) => ({ secret: String(s.secretName), key: String(d.key), object: String(d.objectName) })));
  return { namespace: m.metadata.namespace ?? 'default', name: m.metadata.name, vault: String(parameters.keyvaultName ?? ''), objects, synced };
}

/** Where a provider's object ends up in pods: the mounting workloads, the env variables of its synced Secrets. */
function readers(provider: Provider, object: string, manifests: readonly Manifest[]): string[] {
  const secrets = new Set(provider.synced.filter((s) => s.object === object).map((s) => s.secret));
  const out: string[] = [];
  for (const m of manifests) {
    if (m.metadata.namespace !== provider.namespace) continue;
    for (const pod of podTemplatesOf(m)) {
      const mounts = (pod.spec?.volumes ?? []).some((v: any) => v?.csi?.volumeAttributes?.secretProviderClass === provider.name);
      const env = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].flatMap((c: any) =>
        (c.env ?? [])
          .filter((e: any) => secrets.has(e?.valueFrom?.secretKeyRef?.name) && provider.synced.some((s) => s.secret === e.valueFrom.secretKeyRef.name && s.key === e.valueFrom.secretKeyRef.key && s.object === object))
          .map((e: any) => `${c.name}.${e.name}`),
      );
      if (mounts || env.length) out.push(`${m.kind}/${m.metadata.name}${env.length ? ` (${env.join(', ')})` : mounts ? ' (mounted)' : ''}`);
    }
  }
  return out;
}

/** The profile key a Key Vault secret holds the value of, from the schema's `x-key-vault-secret` names and the profile's lists. */
export function profileKeysByKeyVaultName(c: Config): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: any, path: (string | number)[]) => {
    while (node?.$ref) node = (PROFILE_SCHEMA as any).definitions[String(node.$ref).split('/').pop()!];
    if (!node || typeof node !== 'object') return;
    const template = node['x-key-vault-secret'];
    if (typeof template === 'string') {
      // A template over list items or map keys is expanded over the profile's own.
      expand(path, c).forEach((concrete) => out.set(keyVaultSecretName(template, concrete, c), formatKey(concrete)));
      return;
    }
    for (const [k, v] of Object.entries<any>(node.properties ?? {})) walk(v, [...path, k]);
    if (node.items) walk(node.items, [...path, -1]);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, [...path, '*']);
  };
  walk(PROFILE_SCHEMA, []);
  return out;
}

/** A schema path with -1 (any item) and '*' (any key) replaced by each of the profile's. */
function expand(path: (string | number)[], c: unknown): (string | number)[][] {
  let paths: (string | number)[][] = [[]];
  for (const seg of path) {
    paths = paths.flatMap((p) => {
      const node = p.reduce<any>((n, k) => n?.[k], c);
      if (seg === -1) return Array.isArray(node) ? node.map((_, i) => [...p, i]) : [];
      if (seg === '*') return node && typeof node === 'object' ? Object.keys(node).map((k) => [...p, k]) : [];
      return [[...p, seg]];
    });
  }
  return paths;
}

const formatKey = (path: (string | number)[]) => path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('');

export function keyVaultInventory(c: Config, manifests: readonly Manifest[]): KeyVaultObject[] {
  const byName = new Map<string, KeyVaultObject>();
  const profileKeys = profileKeysByKeyVaultName(c);
  const entry = (name: string, vault: string, type: string): KeyVaultObject => {
    const key = `${vault}/${name}`;
    if (!byName.has(key)) {
      const recipe = keyVaultRecipe(name, vault, c, profileKeys.get(name));
      byName.set(key, { name, vault, type: recipe.certificate ? 'certificate' : type === 'cert' ? 'certificate' : 'secret', profileKey: profileKeys.get(name), description: recipe.description, usedBy: [], create: recipe.create });
    }
    return byName.get(key)!;
  };
  for (const m of manifests) {
    const provider = providerOf(m);
    if (!provider) continue;
    for (const o of provider.objects) {
      const e = entry(o.name, provider.vault, o.type);
      const synced = provider.synced.filter((s) => s.object === o.name).map((s) => `Secret ${s.secret} key ${s.key}`);
      const pods = readers(provider, o.name, manifests);
      e.usedBy.push(`SecretProviderClass ${provider.namespace}/${provider.name}${synced.length ? ` → ${synced.join(', ')}` : ''}${pods.length ? ` → ${pods.join(', ')}` : ''}`);
    }
  }
  // Custom resources that name a Key Vault secret for their operator: an Agent's external storage SAS token.
  for (const m of manifests) {
    const sas = m.kind === 'Agent' ? (m as any).spec?.storage?.sasTokenSecret : undefined;
    if (typeof sas === 'string') entry(sas, c.key_vault.name, 'secret').usedBy.push(`Agent ${m.metadata.namespace}/${m.metadata.name} spec.storage.sasTokenSecret (the Aura operator reads it)`);
  }
  // An htpasswd file is built from its users' passwords: those stay in Key Vault as its source.
  for (const e of [...byName.values()]) {
    const lists = c.backoffice_users as Record<string, { name: string }[]>;
    const list = Object.keys(lists).find((l) => e.name === `backoffice-${l.replace(/_/g, '-')}-htpasswd`);
    for (const u of list ? lists[list]! : []) entry(backofficePasswordSecret(list!, u.name), e.vault, 'secret').usedBy.push(`the source of ${e.name} (rebuild it when this password changes)`);
  }
  // Commands of this project that read Key Vault themselves.
  for (const r of lifecycleKeyVaultSecrets(c)) entry(r.name, c.key_vault.name, 'secret').usedBy.push(r.usedBy);
  return [...byName.values()].sort((a, b) => (a.vault === b.vault ? (a.name < b.name ? -1 : 1) : a.vault < b.vault ? -1 : 1));
}

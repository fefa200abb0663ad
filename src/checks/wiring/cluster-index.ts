import { parse } from 'yaml';
import type { Manifest } from '../../compile';
import { atlasConnectionSecretName } from '../../components/atlas';
import { ECK_API_GROUP, ECK_HTTP_CERTS_KEYS, eckElasticUserSecret, eckHttpCertsSecret, eckHttpPort, eckHttpService, isEckKind } from '../../model/eck';
import { podTemplatesOf } from '../../model/pod-templates';
import { describeObject } from '../describe';
import { networkOf, podsOf } from '../network/model';
import type { Network, Pod } from '../network/semantics';

/**
 * The compiled objects indexed as a cluster would hold them: Services (ECK's too) with the pods
 * behind them, ConfigMaps, Secrets with where their keys come from (Key Vault, an operator), the
 * SecretProviderClasses and which of them a pod mounts.
 */

export interface ServiceView {
  name: string;
  namespace: string;
  /** Pods behind it (pod populations of the network model). */
  pods: Pod[];
  ports: { name?: string; port: number; targetPort: number | string }[];
  /** StatefulSet replicas addressed one by one through a headless Service. */
  members?: number;
}


/** Secrets operators generate, by the custom resource that makes them: name and keys. */
function generatedSecrets(m: any): { name: string; keys: string[]; by: string }[] {
  const by = describeObject(m);
  const certs = isEckKind(m.kind) ? [{ name: eckHttpCertsSecret(m.kind, m.metadata.name), keys: [...ECK_HTTP_CERTS_KEYS], by }] : [];
  if (m.kind === 'Elasticsearch') {
    const elastic = eckElasticUserSecret(m.metadata.name);
    // ECK generates the elastic user's password unless disabled or given through the file realm.
    return [...(m.spec?.auth?.disableElasticUser || m.spec?.auth?.fileRealm?.length ? [] : [{ name: elastic.name, keys: [elastic.key], by }]), ...certs];
  }
  if (m.kind === 'Kibana') return certs;
  if (m.kind === 'AtlasDatabaseUser') return [{ name: m.metadata.name, keys: [], by }];
  return [];
}


/** Key Vault objects of a SecretProviderClass: file name (alias or object name) to Key Vault object. */
export function providerObjects(spc: any): Map<string, string> {
  const text: string = spc.spec?.parameters?.objects ?? '';
  const out = new Map<string, string>();
  try {
    const list = parse(text.replace(/^array:\n/, '')) ?? [];
    for (const item of list) {
      const o = typeof item === 'string' ? parse(item) : item;
      if (o?.objectName) out.set(o.objectAlias ?? o.objectName, o.objectName);
    }
  } catch {
    /* an unparseable list names no object: every reference into it is reported */
  }
  return out;
}

export interface Index {
  manifests: readonly Manifest[];
  pods: Pod[];
  net: Network;
  services: Map<string, ServiceView>;
  configMaps: Map<string, Record<string, string>>;
  /** Secret by ns/name: its keys (undefined = unknown), and where it comes from. */
  secrets: Map<string, { keys?: Set<string>; source: (key: string) => string; provider?: string }>;
  providers: Map<string, any>;
  mountedProviders: Set<string>;
  names: (kind: string, ns: string) => Set<string>;
  /** Atlas connection Secrets by ns/name: the cluster and the user they are written for. */
  atlasConnections: Map<string, { cluster: string; user: string }>;
}

export const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

export function buildIndex(all: readonly Manifest[]): Index {
  const pods = podsOf(all);
  const net = networkOf(all);
  const services = new Map<string, ServiceView>();
  for (const m of all as any[]) {
    if (m.kind === 'Service') {
      const sel = m.spec?.selector ?? {};
      const selected = pods.filter((p) => p.namespace === m.metadata.namespace && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => p.labels[k] === v));
      const set = all.find((w: any) => w.kind === 'StatefulSet' && w.metadata.namespace === m.metadata.namespace && w.spec?.serviceName === m.metadata.name) as any;
      services.set(key(m.metadata.namespace, m.metadata.name), {
        name: m.metadata.name,
        namespace: m.metadata.namespace,
        pods: selected,
        ports: (m.spec?.ports ?? []).map((p: any) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port })),
        members: set && m.spec?.clusterIP === 'None' ? (set.spec.replicas ?? 1) : undefined,
      });
    }
    if (isEckKind(m.kind) && m.apiVersion?.includes(ECK_API_GROUP)) {
      const name = eckHttpService(m.kind, m.metadata.name);
      const http = eckHttpPort(m.kind);
      services.set(key(m.metadata.namespace, name), {
        name,
        namespace: m.metadata.namespace,
        pods: pods.filter((p) => p.name === m.metadata.name && p.namespace === m.metadata.namespace),
        ports: [{ name: http.name, port: http.port, targetPort: http.port }],
      });
    }
  }
  const configMaps = new Map<string, Record<string, string>>();
  for (const m of all as any[]) if (m.kind === 'ConfigMap') configMaps.set(key(m.metadata.namespace, m.metadata.name), m.data ?? {});
  const providers = new Map<string, any>();
  for (const m of all as any[]) if (m.kind === 'SecretProviderClass') providers.set(key(m.metadata.namespace, m.metadata.name), m);
  const secrets: Index['secrets'] = new Map();
  const atlasConnections: Index['atlasConnections'] = new Map();
  for (const [k, spc] of providers) {
    const ns = k.split('/')[0]!;
    for (const so of spc.spec?.secretObjects ?? []) {
      const byKey = new Map<string, string>((so.data ?? []).map((d: any) => [d.key, d.objectName]));
      secrets.set(key(ns, so.secretName), {
        keys: new Set(byKey.keys()),
        source: (sk) => (byKey.has(sk) ? `Key Vault ${byKey.get(sk)}` : `Secret ${so.secretName}`),
        provider: spc.metadata.name,
      });
    }
  }
  for (const m of all as any[]) {
    if (m.kind === 'Secret') secrets.set(key(m.metadata.namespace, m.metadata.name), { keys: undefined, source: () => `Secret ${m.metadata.name}` });
    for (const g of generatedSecrets(m))
      secrets.set(key(m.metadata.namespace, g.name), { keys: g.keys.length ? new Set(g.keys) : undefined, source: () => `Secret ${g.name} (generated for ${g.by})` });
    if (m.kind === 'AtlasDatabaseUser') {
      // The connection Secret the operator writes beside the user, for each cluster in its scopes.
      const project = all.find((p: any) => p.kind === 'AtlasProject' && p.metadata.name === m.spec?.projectRef?.name) as any;
      for (const scope of m.spec?.scopes ?? []) {
        const name = atlasConnectionSecretName(project?.spec?.name ?? m.spec?.projectRef?.name ?? '', scope.name, m.spec.username);
        atlasConnections.set(key(m.metadata.namespace, name), { cluster: scope.name, user: describeObject(m) });
        secrets.set(key(m.metadata.namespace, name), {
          keys: new Set(['connectionStringStandard', 'connectionStringStandardSrv', 'username', 'password']),
          source: () => `Secret ${name} (generated for ${describeObject(m)})`,
        });
      }
    }
  }
  const mountedProviders = new Set<string>();
  for (const m of all) {
    for (const v of podTemplatesOf(m).flatMap((t) => t.spec?.volumes ?? [])) if (v.csi?.volumeAttributes?.secretProviderClass) mountedProviders.add(key(m.metadata.namespace, v.csi.volumeAttributes.secretProviderClass));
  }
  const nameSets = new Map<string, Set<string>>();
  const names = (kind: string, ns: string) => {
    const k = `${kind}|${ns}`;
    if (!nameSets.has(k)) nameSets.set(k, new Set(all.filter((m) => m.kind === kind && m.metadata.namespace === ns).map((m) => m.metadata.name)));
    return nameSets.get(k)!;
  };
  return { manifests: all, pods, net, services, configMaps, secrets, providers, mountedProviders, names, atlasConnections };
}


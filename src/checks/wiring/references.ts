import type { Manifest } from '../../compile';
import { describeObject } from '../describe';
import { type Index, key, providerObjects } from './cluster-index';
import { givenTo } from './given';

/** Paths a command, argument or configuration names: absolute, after `=` or alone. */
const PATH = /(?:^|[=\s'"])(\/[A-Za-z0-9._/-]+)/g;
const CONFIG_FILE = /\.(conf|ya?ml|json|key|pem|crt)$/;

/** Every file a command, argument or mounted configuration file names inside a mount is a key of what is mounted there. */
export function checkFiles(container: any, pod: any, ns: string, ix: Index, at: string): string[] {
  const problems: string[] = [];
  const mounts = [...(container.volumeMounts ?? [])].sort((a: any, b: any) => b.mountPath.length - a.mountPath.length);
  const named: { path: string; where: string; fromArgs: boolean }[] = [];
  [...(container.command ?? []), ...(container.args ?? [])].forEach((a: string) => {
    for (const m of String(a).matchAll(PATH)) named.push({ path: m[1]!, where: 'args', fromArgs: true });
  });
  for (const g of givenTo(container, pod, ns, ix).filter((x) => x.where.startsWith('file ') || x.where.startsWith('env ')))
    for (const m of g.text.matchAll(PATH)) named.push({ path: m[1]!, where: g.where, fromArgs: false });
  for (const { path, where, fromArgs } of named) {
    if (path.includes('*')) continue;
    const mount = mounts.find((mt: any) => path === mt.mountPath || path.startsWith(`${mt.mountPath.replace(/\/$/, '')}/`));
    if (!mount) {
      if (fromArgs && CONFIG_FILE.test(path)) problems.push(`${at}: ${where} name ${path}, which no volume provides`);
      continue;
    }
    if (path === mount.mountPath) continue;
    const file = mount.subPath ? undefined : path.slice(mount.mountPath.replace(/\/$/, '').length + 1).split('/')[0]!;
    if (file === undefined) continue;
    const volume = (pod.volumes ?? []).find((v: any) => v.name === mount.name);
    const keys = volumeKeys(volume, ns, ix);
    if (keys && !keys.names.has(file)) problems.push(`${at}: ${where} name ${path}, but ${keys.what} mounted at ${mount.mountPath} has no key ${file}`);
  }
  return problems;
}

/** The files a volume shows: ConfigMap keys (or items), synced Secret keys, Key Vault objects of a class. */
function volumeKeys(volume: any, ns: string, ix: Index): { names: Set<string>; what: string } | undefined {
  if (!volume) return undefined;
  if (volume.configMap) {
    const data = ix.configMaps.get(key(ns, volume.configMap.name));
    if (!data) return undefined;
    const names = volume.configMap.items ? volume.configMap.items.map((i: any) => i.path) : Object.keys(data);
    return { names: new Set(names), what: `ConfigMap ${volume.configMap.name}` };
  }
  if (volume.secret) {
    const s = ix.secrets.get(key(ns, volume.secret.secretName));
    if (!s?.keys) return undefined;
    return { names: new Set(volume.secret.items ? volume.secret.items.map((i: any) => i.path) : [...s.keys]), what: `Secret ${volume.secret.secretName}` };
  }
  const spcName = volume.csi?.volumeAttributes?.secretProviderClass;
  if (spcName) {
    const spc = ix.providers.get(key(ns, spcName));
    if (!spc) return undefined;
    return { names: new Set(providerObjects(spc).keys()), what: `Key Vault class ${spcName}` };
  }
  return undefined;
}

/** Every ConfigMap, Secret, SecretProviderClass, ServiceAccount, PVC and volume a pod references exists. */
export function checkReferences(w: Manifest, pod: any, ns: string, ix: Index): string[] {
  const problems: string[] = [];
  const at = describeObject(w);
  const missing = (what: string) => problems.push(`${at}: ${what}`);
  const secret = (name: string, k: string | undefined, who: string) => {
    const s = ix.secrets.get(key(ns, name));
    if (!s) return missing(`${who} reads Secret ${name}, which nothing creates in ${ns}`);
    if (k !== undefined && s.keys && !s.keys.has(k)) missing(`${who} reads key ${k} of Secret ${name}, which has ${[...s.keys].join(', ')}`);
    if (s.provider && !ix.mountedProviders.has(key(ns, s.provider))) missing(`${who} reads Secret ${name}, synced by SecretProviderClass ${s.provider}, which no pod mounts`);
  };
  const configMap = (name: string, k: string | undefined, who: string) => {
    const data = ix.configMaps.get(key(ns, name));
    if (!data) return missing(`${who} reads ConfigMap ${name}, which is not emitted`);
    if (k !== undefined && !(k in data)) missing(`${who} reads key ${k} of ConfigMap ${name}, which has ${Object.keys(data).join(', ')}`);
  };
  if (pod.serviceAccountName && pod.serviceAccountName !== 'default' && !ix.names('ServiceAccount', ns).has(pod.serviceAccountName))
    missing(`runs as ServiceAccount ${pod.serviceAccountName}, which is not emitted`);
  const claimTemplates = new Set<string>(((w as any).spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name));
  const volumes = new Set<string>((pod.volumes ?? []).map((v: any) => v.name));
  for (const v of pod.volumes ?? []) {
    const who = `volume ${v.name}`;
    if (v.configMap && !v.configMap.optional) {
      configMap(v.configMap.name, undefined, who);
      for (const item of v.configMap.items ?? []) configMap(v.configMap.name, item.key, who);
    }
    if (v.secret && !v.secret.optional) {
      secret(v.secret.secretName, undefined, who);
      for (const item of v.secret.items ?? []) secret(v.secret.secretName, item.key, who);
    }
    const spc = v.csi?.volumeAttributes?.secretProviderClass;
    if (spc && !ix.providers.has(key(ns, spc))) missing(`${who} mounts SecretProviderClass ${spc}, which is not emitted`);
    if (v.persistentVolumeClaim && !ix.names('PersistentVolumeClaim', ns).has(v.persistentVolumeClaim.claimName))
      missing(`${who} claims PersistentVolumeClaim ${v.persistentVolumeClaim.claimName}, which is not emitted`);
  }
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const who = `container ${c.name}`;
    for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name) && !claimTemplates.has(m.name)) missing(`${who} mounts volume ${m.name}, which the pod does not define`);
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef && !from.configMapRef.optional) configMap(from.configMapRef.name, undefined, who);
      if (from.secretRef && !from.secretRef.optional) secret(from.secretRef.name, undefined, who);
    }
    for (const e of c.env ?? []) {
      const r = e.valueFrom;
      if (r?.configMapKeyRef && !r.configMapKeyRef.optional) configMap(r.configMapKeyRef.name, r.configMapKeyRef.key, `${who} env ${e.name}`);
      if (r?.secretKeyRef && !r.secretKeyRef.optional) secret(r.secretKeyRef.name, r.secretKeyRef.key, `${who} env ${e.name}`);
    }
  }
  return problems;
}


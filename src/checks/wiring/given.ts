import { type Index, key } from './cluster-index';

/** What a container is told (environment, arguments, mounted files) and the endpoints that text names. */

/** One piece of configuration text a container is given, and where it comes from. */
export interface Given {
  where: string;
  text: string;
  /** The environment it sits in, for HOST/PORT pairs. */
  env?: Record<string, string>;
  envKey?: string;
}

/** Everything a container is told: env values, ConfigMap data it reads, args and command, mounted ConfigMap files. */
export function givenTo(container: any, pod: any, ns: string, ix: Index): Given[] {
  const env: Record<string, string> = {};
  const envWhere: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const data = from.configMapRef ? ix.configMaps.get(key(ns, from.configMapRef.name)) : undefined;
    for (const [k, v] of Object.entries(data ?? {})) {
      env[k] = v;
      envWhere[k] = `env ${k} (ConfigMap ${from.configMapRef.name})`;
    }
  }
  for (const e of container.env ?? []) {
    if (typeof e.value === 'string') {
      env[e.name] = e.value;
      envWhere[e.name] = `env ${e.name}`;
    } else if (e.valueFrom?.configMapKeyRef) {
      const r = e.valueFrom.configMapKeyRef;
      const v = ix.configMaps.get(key(ns, r.name))?.[r.key];
      if (v !== undefined) {
        env[e.name] = v;
        envWhere[e.name] = `env ${e.name} (ConfigMap ${r.name})`;
      }
    }
  }
  const given: Given[] = Object.entries(env).map(([k, v]) => ({ where: envWhere[k]!, text: v, env, envKey: k }));
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  argv.forEach((a: string, i: number) => given.push({ where: `args[${i}]`, text: String(a) }));
  // Containers of a pod share its volumes: a file belongs to the containers whose arguments name
  // it, or, when none does (a provisioning folder), to the pod's first container.
  const argvOf = (c: any) => [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  for (const mount of container.volumeMounts ?? []) {
    const volume = (pod.volumes ?? []).find((v: any) => v.name === mount.name);
    const data = volume?.configMap ? ix.configMaps.get(key(ns, volume.configMap.name)) : undefined;
    for (const [file, text] of Object.entries(data ?? {})) {
      const path = `${mount.mountPath}/${file}`;
      const namedBy = (pod.containers ?? []).filter((c: any) => argvOf(c).includes(path));
      if (namedBy.length ? namedBy.includes(container) : pod.containers?.[0] === container) given.push({ where: `file ${path} (ConfigMap ${volume.configMap.name})`, text });
    }
  }
  return given;
}

/** Texts of every ConfigMap file a container mounts (givenTo gives a shared file to one container only). */
export function mountedFiles(container: any, pod: any, ns: string, ix: Index): string[] {
  return (container.volumeMounts ?? []).flatMap((mount: any) => {
    const volume = (pod.volumes ?? []).find((v: any) => v.name === mount.name);
    return Object.values(volume?.configMap ? (ix.configMaps.get(key(ns, volume.configMap.name)) ?? {}) : {});
  });
}

/** An endpoint reference in configuration text: host, and port when the text gives one. */
export interface Reference {
  endpoint: string;
  scheme?: string;
  labels: string[];
  port?: number;
  /** SRV port name (`dnssrv+_grpc._tcp.<service>`). */
  portName?: string;
}

/** Environment variables that name a server. */
const HOST_KEY = /_(HOSTS?|ADDR|ADDRESS|URL|URI|SERVER|ENDPOINT)$/;
const HOST = /(?:([a-z][a-z0-9+.-]*):\/\/)?((?:[a-z0-9_-]+\.)+svc\.cluster\.local)(?::(\d+))?/g;

export function references(g: Given, namespaces: Set<string>, serviceNames: (ns: string) => Set<string>, ownNamespace: string): Reference[] {
  const out: Reference[] = [];
  for (const m of g.text.matchAll(HOST)) {
    // `$(POD_NAME).redis...`: a pod's own templated name (what it announces), not a server it reaches.
    if (/[)}]\.?$/.test(g.text.slice(0, m.index!))) continue;
    const labels = m[2]!.replace(/\.svc\.cluster\.local$/, '').split('.');
    const ref: Reference = { endpoint: m[0], scheme: m[1]?.replace(/^dnssrv\+/, ''), labels };
    if (labels[0]?.startsWith('_')) {
      ref.portName = labels[0].slice(1);
      ref.labels = labels.slice(2);
    }
    if (m[3]) ref.port = Number(m[3]);
    else if (!ref.portName) {
      const after = g.text.slice(m.index! + m[0].length);
      // `host 6379` (sentinel monitor, replicaof), or a `port` line in the same block (fluent-bit, YAML).
      const sameLine = /^[ \t]+(\d{2,5})\b/.exec(after);
      const block = after.split(/\n\s*\n|\n\[/)[0]!;
      const portLine = /^\s*-?\s*port\s*[:=]?\s*(\d+)\s*$/im.exec(block);
      if (sameLine) ref.port = Number(sameLine[1]);
      else if (portLine) ref.port = Number(portLine[1]);
    }
    out.push(ref);
  }
  // The backstop for short forms: a whole value naming a Service (`redis`, `redis.aura-system`, `redis.aura-system.svc`).
  const whole = g.text.trim();
  if (!out.length && g.envKey && HOST_KEY.test(g.envKey) && /^[a-z0-9-]+(\.[a-z0-9-]+)?(\.svc)?$/.test(whole)) {
    const [name, ns = ownNamespace] = whole.replace(/\.svc$/, '').split('.');
    if (namespaces.has(ns) && serviceNames(ns).has(name!)) out.push({ endpoint: whole, labels: [name!, ns] });
  }
  // HOST/PORT pairs: REDIS_HOST with REDIS_PORT and REDIS_SENTINEL_PORT.
  if (g.env && g.envKey && /_HOSTS?$/.test(g.envKey))
    for (const ref of out.filter((r) => r.port === undefined && !r.portName)) {
      const prefix = g.envKey.replace(/_HOSTS?$/, '');
      const ports = Object.entries(g.env).filter(([k, v]) => k.startsWith(`${prefix}_`) && k.endsWith('_PORT') && /^\d+$/.test(v));
      if (ports.length) {
        out.splice(out.indexOf(ref), 1, ...ports.map(([k, v]) => ({ ...ref, endpoint: `${ref.endpoint} (${k}=${v})`, port: Number(v) })));
      }
    }
  return out;
}

/** A protocol name for the table: the URL scheme, or the Service port's name. */
export const protocolOf = (ref: Reference, portName?: string) => ref.scheme ?? portName ?? 'tcp';


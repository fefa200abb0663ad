import { parse } from 'yaml';
import type { Manifest } from '../../compile';
import { networkOf, podsOf } from '../network/model';
import { allowed, isolated, type Network, policyTypes, type Pod, selects } from '../network/semantics';
import { verifyNetwork } from '../network/verify';
import { atlasConnectionSecretName } from '../../components/atlas';
import { ECK_API_GROUP, ECK_HTTP_CERTS_KEYS, eckElasticUserSecret, eckHttpCertsSecret, eckHttpPort, eckHttpService, isEckKind } from '../../model/eck';
import { podTemplatesOf, WORKLOAD_KINDS, workloadPodSpec } from '../../model/pod-templates';
import { describeObject } from '../describe';
import { checkProgramInputs } from './programs';

/**
 * Runtime wiring over the compiled objects, read as a cluster would: every endpoint a container
 * is given reaches a Service, a port and a listening container; the network policies admit the
 * flow; every file and object a pod references exists; both ends of an authenticated connection
 * read the same credential source.
 */

/** One client → server connection found in the configuration of a container. */
export interface Connection {
  /** Kind/namespace/name of the client workload. */
  client: string;
  container: string;
  /** The endpoint as the configuration writes it. */
  endpoint: string;
  /** Where the configuration gives it: env FOO, args, file x.conf. */
  where: string;
  server: string;
  serverNamespace: string;
  port: number;
  protocol: string;
  /** Where the client's credentials come from (Key Vault secret, operator-generated Secret), or none. */
  credential?: string;
  /** The NetworkPolicy that admits the flow, or `not isolated`. */
  policy?: string;
}

export interface WiringReport {
  connections: Connection[];
  errors: string[];
  /** Flows the policies allow into protected pods that no configuration uses. */
  unused: string[];
}

export interface WiringOptions {
  /** A tenant's parent objects: its Services, policies and pods live there. */
  parent?: readonly Manifest[];
  /** Profile flags, for network/expected-flows.yaml. */
  flags?: Record<string, unknown>;
}

/** The pod spec of a workload of any kind (tests read pods through it too). */
export const podSpecOf = (m: Manifest): any | undefined => workloadPodSpec(m);

interface ServiceView {
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

interface Index {
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

const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

function buildIndex(all: readonly Manifest[]): Index {
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

/** One piece of configuration text a container is given, and where it comes from. */
interface Given {
  where: string;
  text: string;
  /** The environment it sits in, for HOST/PORT pairs. */
  env?: Record<string, string>;
  envKey?: string;
}

/** Everything a container is told: env values, ConfigMap data it reads, args and command, mounted ConfigMap files. */
function givenTo(container: any, pod: any, ns: string, ix: Index): Given[] {
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
function mountedFiles(container: any, pod: any, ns: string, ix: Index): string[] {
  return (container.volumeMounts ?? []).flatMap((mount: any) => {
    const volume = (pod.volumes ?? []).find((v: any) => v.name === mount.name);
    return Object.values(volume?.configMap ? (ix.configMaps.get(key(ns, volume.configMap.name)) ?? {}) : {});
  });
}

/** An endpoint reference in configuration text: host, and port when the text gives one. */
interface Reference {
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

function references(g: Given, namespaces: Set<string>, serviceNames: (ns: string) => Set<string>, ownNamespace: string): Reference[] {
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
const protocolOf = (ref: Reference, portName?: string) => ref.scheme ?? portName ?? 'tcp';

interface AuthRule {
  /** Services whose clients must authenticate. */
  service: (name: string) => boolean;
  /** Client environment variables that carry the credential. */
  clientEnv: RegExp;
  /** The credential source the server accepts, from the compiled objects. */
  server: (ix: Index, ns: string) => string | undefined;
}

/** The environment variable's source: the Key Vault secret or generated Secret it is read from. */
function envSource(container: any, name: string, ns: string, ix: Index): string | undefined {
  const e = (container.env ?? []).find((x: any) => x.name === name);
  const ref = e?.valueFrom?.secretKeyRef;
  if (!ref) return undefined;
  return ix.secrets.get(key(ns, ref.name))?.source(ref.key) ?? `Secret ${ref.name}`;
}

function workloadContainers(ix: Index, name: string, ns: string): any[] {
  const w = ix.manifests.find((m) => WORKLOAD_KINDS.has(m.kind) && m.metadata.name === name && m.metadata.namespace === ns);
  return w ? (podSpecOf(w).containers ?? []) : [];
}

/** Where each authenticated server's accepted credential comes from. */
const AUTH_RULES: AuthRule[] = [
  {
    // The HTTP Service of any Elasticsearch resource (ECK's `<name>-es-http`).
    service: (name) => name.endsWith(eckHttpService('Elasticsearch', '')),
    clientEnv: /^(ELASTIC|ES)_(PASSWORD|PASSWD)$/,
    server: (ix, ns) => {
      const es = ix.manifests.find((m) => m.kind === 'Elasticsearch' && m.metadata.namespace === ns) as any;
      if (!es) return undefined;
      // The elastic user: from a basic-auth Secret of the file realm, or the password ECK generates.
      const realm = (es.spec?.auth?.fileRealm ?? []).map((r: any) => ix.secrets.get(key(ns, r.secretName))).find((x: any) => x?.keys?.has('password'));
      if (realm) return realm.source('password');
      const generated = eckElasticUserSecret(es.metadata.name);
      return ix.secrets.get(key(ns, generated.name))?.source(generated.key);
    },
  },
  {
    service: (name) => name === 'mongodb',
    clientEnv: /^MONGODB_(URI|PASSWORD|ADMIN_PASSWORD)$/,
    server: (ix, ns) => {
      const mongo = workloadContainers(ix, 'mongodb', ns).find((c) => c.name === 'mongodb');
      return mongo ? envSource(mongo, 'MONGO_INITDB_ROOT_PASSWORD', ns, ix) : undefined;
    },
  },
  {
    service: (name) => name === 'grafana',
    clientEnv: /^GRAFANA_ADMIN_PASSWORD$/,
    server: (ix, ns) => {
      const grafana = workloadContainers(ix, 'grafana', ns).find((c) => c.name === 'grafana');
      return grafana ? envSource(grafana, 'GF_SECURITY_ADMIN_PASSWORD', ns, ix) : undefined;
    },
  },
];

/** The policy that admits src → dst:port, or `not isolated`. */
function admittingPolicy(src: Pod, dst: Pod, port: number, net: Network): string | undefined {
  if (!isolated(dst, 'Ingress', net)) return 'not isolated';
  const candidates = net.policies.filter((p) => (p.metadata.namespace ?? 'default') === dst.namespace && policyTypes(p).includes('Ingress') && selects(p.spec.podSelector, dst.labels));
  return candidates.find((p) => flowAllowed(src, dst, port, { ...net, policies: [p] }))?.metadata.name;
}

/** The one call into src/checks/network's engine (TCP: every endpoint here is a TCP service). */
function flowAllowed(src: Pod, dst: Pod, port: number, net: Network): boolean {
  return allowed(src, dst, { port, protocol: 'TCP' }, net);
}

/** Paths a command, argument or configuration names: absolute, after `=` or alone. */
const PATH = /(?:^|[=\s'"])(\/[A-Za-z0-9._/-]+)/g;
const CONFIG_FILE = /\.(conf|ya?ml|json|key|pem|crt)$/;

export function checkWiring(manifests: readonly Manifest[], options: WiringOptions = {}): WiringReport {
  const all = [...(options.parent ?? []), ...manifests];
  const ix = buildIndex(all);
  const errors: string[] = [];
  const connections: Connection[] = [];
  const namespaces = new Set(all.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name));
  const serviceNames = (ns: string) => new Set([...ix.services.values()].filter((s) => s.namespace === ns).map((s) => s.name));
  const own = new Set(manifests);

  for (const w of all.filter((m) => WORKLOAD_KINDS.has(m.kind) && own.has(m))) {
    const ns = w.metadata.namespace!;
    const pod = podSpecOf(w) ?? {};
    const client = describeObject(w);
    const src = ix.pods.find((p) => p.name === w.metadata.name && p.namespace === ns);
    errors.push(...checkReferences(w, pod, ns, ix));
    const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
    for (const c of containers) {
      const at = `${client} container ${c.name}`;
      errors.push(...checkFiles(c, pod, ns, ix, at));
      const given = givenTo(c, pod, ns, ix);
      errors.push(...checkProgramInputs({ at, container: c, configMap: (name) => ix.configMaps.get(key(ns, name)), files: mountedFiles(c, pod, ns, ix) }));
      for (const g of given) {
        for (const ref of references(g, namespaces, serviceNames, ns)) {
          const problem = (what: string) => errors.push(`${at}: endpoint ${ref.endpoint} (${g.where}): ${what}`);
          const [first, second, third] = ref.labels;
          const [memberName, serviceName, serviceNs] = third !== undefined ? [first, second!, third] : [undefined, first!, second!];
          const service = ix.services.get(key(serviceNs, serviceName));
          if (!service) {
            problem(`no Service ${serviceName} in ${serviceNs}`);
            continue;
          }
          if (memberName !== undefined) {
            const index = Number(/-(\d+)$/.exec(memberName)?.[1]);
            if (service.members === undefined || !memberName.startsWith(`${serviceName.replace(/-headless$/, '')}-`) || !(index < service.members))
              problem(`${memberName} is not a member of a StatefulSet behind the headless Service ${serviceName}`);
          }
          const sport = ref.portName ? service.ports.find((p) => p.name === ref.portName) : ref.port !== undefined ? service.ports.find((p) => p.port === ref.port) : undefined;
          const portList = service.ports.map((p) => `${p.name ?? ''}/${p.port}`).join(', ');
          if (ref.port === undefined && !ref.portName) {
            problem(`names no port (Service ${serviceName} has ${portList})`);
            continue;
          }
          if (!sport) {
            problem(`Service ${serviceNs}/${serviceName} has no port ${ref.portName ?? ref.port} (it has ${portList})`);
            continue;
          }
          const targets = service.pods.flatMap((p) => {
            const n = typeof sport.targetPort === 'string' ? p.ports.find((cp) => cp.name === sport.targetPort)?.port : p.ports.some((cp) => cp.port === sport.targetPort) ? sport.targetPort : undefined;
            return n === undefined ? [] : [{ pod: p, port: n }];
          });
          if (!targets.length) {
            problem(`no pod selected by Service ${serviceNs}/${serviceName} declares container port ${sport.targetPort}`);
            continue;
          }
          const conn: Connection = {
            client, container: c.name, endpoint: ref.endpoint, where: g.where,
            server: serviceName, serverNamespace: serviceNs, port: sport.port, protocol: protocolOf(ref, sport.name),
          };
          if (src) {
            // Members of one workload reach each other through the policies too (replicas, sentinels, gossip).
            const policies = targets.map((t) => admittingPolicy(src, t.pod, t.port, ix.net));
            if (policies.some((p) => p === undefined)) problem(`the network policies deny ${ns}/${src.name} → ${serviceNs}/${targets[0]!.pod.name}:${targets[0]!.port}`);
            conn.policy = policies.find(Boolean);
          }
          const auth = AUTH_RULES.find((r) => r.service(serviceName));
          if (auth) {
            const sent = (c.env ?? []).filter((e: any) => auth.clientEnv.test(e.name)).map((e: any) => envSource(c, e.name, ns, ix)).filter(Boolean) as string[];
            const accepted = auth.server(ix, serviceNs);
            conn.credential = sent[0];
            if (!sent.length && accepted) problem(`sends no credentials, but ${serviceName} requires ${accepted}`);
            else if (accepted && sent.some((s) => s !== accepted)) problem(`credentials from ${sent.join(', ')}, but ${serviceName} accepts ${accepted}`);
          }
          if (!connections.some((x) => x.client === conn.client && x.container === conn.container && x.server === conn.server && x.serverNamespace === conn.serverNamespace && x.port === conn.port))
            connections.push(conn);
        }
      }
    }
    connections.push(...scrapeConnections(w, pod, ns, ix, src, errors));
    // Atlas is outside the cluster: a client reaches it through the connection Secret the operator writes.
    for (const c of pod.containers ?? [])
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        const generated = ref && ix.atlasConnections.get(key(ns, ref.name));
        if (!generated || !/^connectionString/.test(ref.key)) continue;
        connections.push({
          client, container: c.name, endpoint: `${ref.name}/${ref.key}`, where: `env ${e.name}`, server: generated.cluster, serverNamespace: 'atlas',
          port: 27017, protocol: 'mongodb+srv', credential: `Secret ${ref.name} (generated for ${generated.user})`, policy: 'egress; Atlas access list',
        });
      }
  }

  // Flows the policies allow into protected pods that no configuration uses.
  const used = new Set(connections.flatMap((c) => [...(ix.services.get(key(c.serverNamespace, c.server))?.pods ?? [])].map((p) => `${c.client.split('/').slice(-1)[0]}→${p.name}:${c.port}`)));
  const unused: string[] = [];
  const ownNames = new Set(manifests.filter((m) => WORKLOAD_KINDS.has(m.kind) || isEckKind(m.kind)).map((m) => m.metadata.name));
  for (const row of verifyNetwork(all, options.flags ?? {}).rows) {
    const port = Number(row.port.split('/').slice(-1)[0]);
    // Connections record the Service port; the matrix the container port. Compare on either.
    const servicePorts = [...ix.services.values()].filter((s) => s.pods.some((p) => p.name === row.to)).flatMap((s) => s.ports.filter((sp) => sp.targetPort === port || sp.targetPort === row.port.split('/')[0]).map((sp) => sp.port));
    for (const from of row.allowedFrom) {
      if (from === row.to || !ownNames.has(from)) continue;
      if ([port, ...servicePorts].some((p) => used.has(`${from}→${row.to}:${p}`))) continue;
      unused.push(`${from} → ${row.namespace}/${row.to}:${row.port}`);
    }
  }
  connections.sort((a, b) => (a.client + a.container + a.server + a.port < b.client + b.container + b.server + b.port ? -1 : 1));
  return { connections, errors: [...new Set(errors)], unused: [...new Set(unused)].sort() };
}

/** Prometheus scrape jobs are connections too: to each kept Service port, in the namespaces discovered. */
function scrapeConnections(w: Manifest, pod: any, ns: string, ix: Index, src: Pod | undefined, errors: string[]): Connection[] {
  const out: Connection[] = [];
  for (const c of pod.containers ?? []) {
    for (const g of givenTo(c, pod, ns, ix).filter((x) => x.where.startsWith('file ') && /scrape_configs:/.test(x.text))) {
      let config: any;
      try {
        config = parse(g.text);
      } catch {
        continue;
      }
      for (const job of config?.scrape_configs ?? []) {
        const sd = job.kubernetes_sd_configs?.[0];
        if (sd?.role !== 'endpoints') continue;
        const keep = (job.relabel_configs ?? []).find((r: any) => r.action === 'keep' && (r.source_labels ?? []).includes('__meta_kubernetes_service_name'));
        if (!keep) continue;
        const [svc, portName] = String(keep.regex).split(';');
        const nsKeep = (job.relabel_configs ?? []).find((r: any) => r.action === 'keep' && (r.source_labels ?? []).join() === '__meta_kubernetes_namespace');
        const inScope = (n: string) => (sd.namespaces?.names ? sd.namespaces.names.includes(n) : nsKeep ? new RegExp(`^(?:${nsKeep.regex})$`).test(n) : true);
        const found = [...ix.services.values()].filter((s) => s.name === svc && inScope(s.namespace));
        if (!found.length) errors.push(`${describeObject(w)} container ${c.name}: scrape job ${job.job_name} (${g.where}): no Service ${svc} in the namespaces it discovers`);
        for (const s of found) {
          const sport = s.ports.find((p) => p.name === portName);
          if (!sport) {
            errors.push(`${describeObject(w)} container ${c.name}: scrape job ${job.job_name}: Service ${s.namespace}/${s.name} has no port ${portName}`);
            continue;
          }
          const targets = s.pods.flatMap((p) => {
            const n = p.ports.find((cp) => cp.name === sport.targetPort || cp.port === sport.targetPort)?.port;
            return n === undefined ? [] : [{ pod: p, port: n }];
          });
          const policies = src ? targets.map((t) => admittingPolicy(src, t.pod, t.port, ix.net)) : [];
          if (policies.some((p) => p === undefined))
            errors.push(`${describeObject(w)} container ${c.name}: scrape job ${job.job_name}: the network policies deny ${ns}/${src!.name} → ${s.namespace}/${s.name}:${portName}`);
          out.push({
            client: describeObject(w), container: c.name, endpoint: `${s.name}.${s.namespace}:${portName}`, where: `scrape job ${job.job_name}`,
            server: s.name, serverNamespace: s.namespace, port: sport.port, protocol: 'http (scrape)', policy: policies.find(Boolean),
          });
        }
      }
    }
  }
  return out;
}

/** Every file a command, argument or mounted configuration file names inside a mount is a key of what is mounted there. */
function checkFiles(container: any, pod: any, ns: string, ix: Index, at: string): string[] {
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
function checkReferences(w: Manifest, pod: any, ns: string, ix: Index): string[] {
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

/** The connection table a reviewer reads. */
export function formatConnections(r: WiringReport): string {
  const rows = r.connections.map((c) => [
    `${c.client.split('/').slice(1).join('/')}${c.container === c.client.split('/').slice(-1)[0] ? '' : ` [${c.container}]`}`,
    `${c.server}.${c.serverNamespace}:${c.port}`,
    c.protocol,
    c.credential ?? '-',
    c.policy ?? '-',
  ]);
  const head = ['client', 'server:port', 'protocol', 'credential source', 'admitting policy'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

import type { Config } from '../profile/config.generated';
import { keyVaultSecretFor } from '../profile/secrets';
import { namespaceAccessLabel, podAccessLabel } from './labels';
import { agentsNamespace, coreNamespace, environmentName, hasOwnCluster, serviceHost, SYSTEM_NAMESPACE } from './naming';
import type {
  Component,
  Endpoint,
  NetworkMember,
  NetworkPlan,
  OperatorPods,
  Platform,
  PolicyPort,
  PortSpec,
  ResolvedPolicy,
  ResolvedRoute,
  WorkloadFields,
  WorkloadSpec,
} from './types';

export const appOf = (w: { name: string; app?: string }): string => w.app ?? w.name;
export const isEnabled = (w: { enabled?: (c: Config) => boolean }, c: Config): boolean => w.enabled?.(c) ?? true;
export const talksToOf = (w: WorkloadSpec, c: Config): string[] => (typeof w.talksTo === 'function' ? w.talksTo(c) : (w.talksTo ?? []));
/** Every port its pods open: the main container's, the profile's extra ones, the sidecars'. */
export const podPortsOf = (w: WorkloadSpec, c: Config): PortSpec[] => [...w.ports, ...(w.profilePorts?.(c) ?? []), ...(w.sidecars ?? []).flatMap((s) => s.ports)];

/** Prometheus reaches every workload it scrapes; it is the one workload that scrapes. */
const SCRAPER = 'prometheus';

/**
 * The profile, resolved once after validation: the enabled components of the catalog, their
 * namespaces, endpoints and routes, and the network plan that follows from who talks to whom.
 * `catalog` is the ordered list of components: src/components/catalog.ts (CATALOG), or a test's own;
 * passed in, so that platform/ never imports the components that import it.
 */
export function resolvePlatform(config: Config, catalog: readonly Component[]): Platform {
  const c = config;
  const ownCluster = hasOwnCluster(c);
  const namespaces = { system: SYSTEM_NAMESPACE, core: coreNamespace(c), agents: agentsNamespace(c) };
  const phaseNamespace = (phase: WorkloadSpec['phase']) => (phase === 'core' ? namespaces.core : phase === 'agents' ? namespaces.agents : namespaces.system);
  const namespaceOf = (w: WorkloadSpec | OperatorPods) => ('namespace' in w && w.namespace) || phaseNamespace(w.phase);

  const all = catalog.flatMap((k) => k.workloads);
  const duplicate = all.find((w, i) => all.findIndex((x) => x.name === w.name) !== i);
  if (duplicate) throw new Error(`catalog: two workloads are named ${duplicate.name}`);
  for (const w of all) validateWorkload(w);
  const workloads = all.filter((w) => isEnabled(w, c));
  const operatorPods = catalog.flatMap((k) => k.operatorPods ?? []).filter((o) => isEnabled(o, c));
  const components = catalog.filter((k) =>
    k.enabled ? k.enabled(c) : k.workloads.some((w) => isEnabled(w, c)) || (k.operatorPods ?? []).some((o) => isEnabled(o, c)),
  );

  // Endpoints: every named port of a workload's Service or of an operator's Service.
  const endpointOf = (owner: string, port: string): Endpoint => {
    const w = workloads.find((x) => x.name === owner);
    const o = operatorPods.find((x) => x.name === owner);
    if (!w && !o) {
      const known = all.some((x) => x.name === owner) || catalog.some((k) => (k.operatorPods ?? []).some((x) => x.name === owner));
      throw new Error(known ? `${owner} is not enabled by this profile, but a component uses its port ${port}` : `no workload named ${owner} (asked for its port ${port})`);
    }
    const ports = w ? podPortsOf(w, c) : o!.ports;
    const p = ports.find((x) => x.name === port);
    if (!p) throw new Error(`${owner} has no port named ${port} (it has ${ports.map((x) => x.name).join(', ') || 'none'})`);
    const service = w ? w.name : o!.service;
    const host = serviceHost(service, w ? namespaceOf(w) : namespaceOf(o!));
    const number = p.servicePort ?? p.port;
    return {
      host,
      port: number,
      address: `${host}:${number}`,
      url: (scheme, path = '') => `${scheme}://${host}:${number}${path}`,
      member: (i) => `${service}-${i}.${host}:${number}`,
      srv: `_${port}._tcp.${host}`,
    };
  };

  // The network: who runs, who they talk to, which policies protect whom.
  const scraped = [...new Set(workloads.filter((w) => w.phase !== 'agents' && w.scrape).map(appOf))];
  const members: NetworkMember[] = [
    ...workloads.filter((w) => w.phase === 'system').map((w) => member(w)),
    ...operatorPods.map((o) => ({ name: o.name, app: o.app, namespace: namespaceOf(o), talksTo: o.talksTo })),
    ...workloads.filter((w) => w.phase === 'core').map((w) => member(w)),
  ];
  function member(w: WorkloadSpec): NetworkMember {
    return { name: w.name, app: appOf(w), namespace: namespaceOf(w), talksTo: [...new Set([...talksToOf(w, c), ...(w.name === SCRAPER ? scraped : [])])] };
  }
  const present = new Set(members.map((m) => m.app));
  const portsOfApp = (app: string): PortSpec[] => [
    ...workloads.filter((w) => appOf(w) === app).flatMap((w) => podPortsOf(w, c)),
    ...operatorPods.filter((o) => o.app === app).flatMap((o) => o.ports),
  ];
  const resolvePort = (target: string, p: PolicyPort): string | number => {
    const name = typeof p === 'string' ? p : p.numberOf;
    const found = [...new Set(portsOfApp(target).filter((x) => x.name === name).map((x) => x.port))];
    if (found.length !== 1) throw new Error(`${target}-network-policy: port ${name} is ${found.length ? `ambiguous (${found.join(', ')})` : 'not a port of its pods'}`);
    return typeof p === 'string' ? p : found[0]!;
  };
  const namespaceOfApp = (app: string): string => {
    const found = [...new Set(members.filter((m) => m.app === app).map((m) => m.namespace))];
    if (found.length !== 1) throw new Error(`${app}-network-policy: the pods it protects live in ${found.join(' and ')}; a policy protects one namespace`);
    return found[0]!;
  };
  const policies: ResolvedPolicy[] = catalog
    .flatMap((k) => k.policies ?? [])
    .filter((p) => present.has(p.target))
    .map((p) => ({
      target: p.target,
      namespace: namespaceOfApp(p.target),
      ...(p.alsoSelect ? { alsoSelect: p.alsoSelect } : {}),
      ports: (typeof p.ports === 'function' ? p.ports(c) : p.ports).map((x) => resolvePort(p.target, x)),
      form: p.form,
      ...(p.admitNamespaces ? { admitNamespaces: p.admitNamespaces(c).map((a) => ({ namespace: a.namespace, ports: a.ports.map((x) => resolvePort(p.target, x)) })) } : {}),
    }));
  const targets = new Set(policies.map((p) => p.target));
  const reach = (m: NetworkMember) => m.talksTo.filter((t) => targets.has(t)).sort();
  const byName = new Map(members.map((m) => [m.name, m]));
  const network: NetworkPlan = {
    members,
    policies,
    podLabels: (name) => Object.fromEntries(reach(byName.get(name) ?? { name, app: name, namespace: '', talksTo: [] }).map((t) => [podAccessLabel(t), 'true'])),
    namespaceLabels: (namespace) =>
      Object.fromEntries([...new Set(members.filter((m) => m.namespace === namespace).flatMap(reach))].sort().map((t) => [namespaceAccessLabel(t), 'true'])),
  };

  // Routes: every enabled route, again on -next hosts with next_domains_enabled; tenants publish their core hosts only.
  const environment = environmentName(c);
  const served = catalog
    .flatMap((k) => k.routes ?? [])
    .flatMap((spec) => {
      const w = workloads.find((x) => x.name === spec.to);
      const o = operatorPods.find((x) => x.name === spec.to);
      if (!w && !o) return [];
      const namespace = w ? namespaceOf(w) : namespaceOf(o!);
      if (!ownCluster && namespace !== namespaces.core) return [];
      const e = endpointOf(spec.to, spec.port);
      return [{ spec, service: w ? w.name : o!.service, port: e.port, namespace }];
    });
  // The core namespace's hosts first (the public ones), then the management pages.
  served.sort((x, y) => Number(x.namespace !== namespaces.core) - Number(y.namespace !== namespaces.core));
  const variants = c.next_domains_enabled ? ['', '-next'] : [''];
  const routes: ResolvedRoute[] = variants.flatMap((suffix) => served.map((r) => ({ ...r, name: `${r.spec.name}${suffix}`, host: `${r.spec.name}-${environment}${suffix}.${c.dns_domain}` })));
  // The pre-Kubernetes services domain keeps answering, as the api host does; one cluster-wide host, so the main tenant's only.
  const legacy = served.find((r) => r.spec.name === LEGACY_SERVICES_ROUTE);
  if (c.legacy_services_domain && ownCluster && legacy) routes.push({ ...legacy, name: 'legacy-services', host: c.legacy_services_domain });

  const enabledNames = new Set([...components.map((k) => k.name), ...workloads.map((w) => w.name), ...operatorPods.map((o) => o.name)]);
  return {
    config: c,
    ownCluster,
    environment,
    namespaces,
    components,
    enabled: (name) => enabledNames.has(name),
    workloads: (phase) => workloads.filter((w) => w.phase === phase),
    namespaceOf,
    endpoint: endpointOf,
    network,
    routes,
    keyVaultSecret: keyVaultSecretFor,
  };
}

/** The route whose backend the legacy services domain (legacy_services_domain) serves. */
export const LEGACY_SERVICES_ROUTE = 'api';

/** Impossible combinations, named by workload and field, before anything is built. */
function validateWorkload(spec: WorkloadSpec): void {
  // The types refuse these combinations already; a component built at run time (the benchmark's) is checked here.
  const w: WorkloadFields = spec;
  const where = `component ${w.name}`;
  const scaled = w.workload === 'Deployment' || w.workload === 'StatefulSet';
  if (scaled && !w.scale) throw new Error(`${where}: a ${w.workload} needs scale (singleton, fixed or autoscaled)`);
  if (!scaled && w.scale) throw new Error(`${where}: scale applies to Deployments and StatefulSets, not to a ${w.workload}`);
  if (w.scale?.mode === 'autoscaled' && w.workload !== 'Deployment') throw new Error(`${where}: only a Deployment is autoscaled`);
  if (w.workload === 'CronJob' && !w.schedule) throw new Error(`${where}: a CronJob needs a schedule`);
  if (w.workload !== 'CronJob' && (w.schedule !== undefined || w.suspend !== undefined)) throw new Error(`${where}: schedule and suspend belong to a CronJob, not to a ${w.workload}`);
  if (w.volume && w.workload !== 'StatefulSet') throw new Error(`${where}: volume is for a StatefulSet (a ${w.workload} has no volume claim templates)`);
  if (w.host && w.workload !== 'DaemonSet') throw new Error(`${where}: host access is for a node agent DaemonSet`);
  const staticPorts = [...w.ports, ...(w.sidecars ?? []).flatMap((s) => s.ports)];
  if (w.scrape && !staticPorts.some((p) => p.name === w.scrape!.port))
    throw new Error(`${where}: scrape port ${w.scrape.port} is not one of its ports`);
}

import type { Manifest } from '../../compile';
import { isEckKind } from '../../model/eck';
import { WORKLOAD_KINDS, workloadPodSpec } from '../../model/pod-templates';
import { describeObject } from '../describe';
import { type MatrixRow, verifyNetwork } from '../network/verify';
import { buildIndex, key } from './cluster-index';
import { AUTH_RULES, envSource } from './credentials';
import { givenTo, mountedFiles, protocolOf, references } from './given';
import { admittingPolicy } from './policy';
import { checkProgramInputs } from './programs';
import { checkFiles, checkReferences } from './references';
import type { Connection, WiringReport } from './report';
import { scrapeConnections } from './scrape';

export { providerObjects } from './cluster-index';
export { type Connection, formatConnections, type WiringReport } from './report';

/**
 * Runtime wiring over the compiled objects, read as a cluster would: every endpoint a container
 * is given reaches a Service, a port and a listening container; the network policies admit the
 * flow; every file and object a pod references exists; both ends of an authenticated connection
 * read the same credential source.
 */

export interface WiringOptions {
  /** A tenant's parent objects: its Services, policies and pods live there. */
  parent?: readonly Manifest[];
  /** Profile flags, for network/expected-flows.yaml. */
  flags?: Record<string, unknown>;
  /** The reachability matrix of these objects when the build has it already (src/build.ts): not computed again. */
  matrix?: readonly MatrixRow[];
}

/** The pod spec of a workload of any kind (tests read pods through it too). */
export const podSpecOf = (m: Manifest): any | undefined => workloadPodSpec(m);

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
  for (const row of options.matrix ?? verifyNetwork(all, options.flags ?? {}).rows) {
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

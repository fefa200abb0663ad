import { parseEmittedYaml } from '../../util/parse-once';
import type { Manifest } from '../../compile';
import { describeObject } from '../describe';
import type { Pod } from '../network/semantics';
import type { Index } from './cluster-index';
import { givenTo } from './given';
import { admittingPolicy } from './policy';
import type { Connection } from './report';

/** Prometheus scrape jobs are connections too: to each kept Service port, in the namespaces discovered. */
export function scrapeConnections(w: Manifest, pod: any, ns: string, ix: Index, src: Pod | undefined, errors: string[]): Connection[] {
  const out: Connection[] = [];
  for (const c of pod.containers ?? []) {
    for (const g of givenTo(c, pod, ns, ix).filter((x) => x.where.startsWith('file ') && /scrape_configs:/.test(x.text))) {
      let config: any;
      try {
        config = parseEmittedYaml(g.text);
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


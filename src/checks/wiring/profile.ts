import { parseEmittedYaml } from '../../util/parse-once';
import { clusterBaseObjects, type Manifest } from '../../compile';
import { describeObject } from '../describe';
import { hasOwnCluster } from '../../platform/naming';
import type { Config } from '../../profile/config.generated';
import { checkWiring, type WiringReport } from './check';
import type { MatrixRow } from '../network/verify';

/**
 * The wiring of a compiled profile. A profile without a cluster of its own reaches the aura-system
 * of the profile that runs its cluster, compiled here from that profile:
 * - a release (core_only) runs beside its environment's running profile (`running`, found by
 *   src/profile/running.ts): that profile's aura-system is what the release's clients reach;
 * - a tenant reaches its parent's aura-system, which a tenant inherits from its parent's layers,
 *   so the parent's system objects are the tenant's configuration compiled as the cluster's
 *   default tenant (a tenant's release: its running tenant profile, so compiled).
 * Besides the connections out of the profile, the running Prometheus must discover the profile's
 * namespaces: its scrape jobs are what monitors them.
 */
export function profileWiring(config: Config, manifests: readonly Manifest[], running?: Config, matrix?: readonly MatrixRow[]): WiringReport {
  if (config.core_only && !running) throw new Error('a release (core_only) is checked beside its running profile: pass its configuration');
  const host = config.core_only ? running! : config;
  const parent = hasOwnCluster(config) ? undefined : systemObjects(hasOwnCluster(host) ? host : { ...host, tenant_name: 'default' });
  const report = checkWiring(manifests, { parent, flags: config as unknown as Record<string, unknown>, matrix: parent ? undefined : matrix });
  return parent ? { ...report, errors: [...report.errors, ...undiscovered(parent, manifests)] } : report;
}

/** The cluster-wide objects and aura-system of the profile that owns a cluster. */
const systemObjects = (c: Config): readonly Manifest[] => clusterBaseObjects(c);

/**
 * Services of the profile that a scrape job of the running Prometheus selects by name and port
 * but never discovers, because its namespace filter leaves their namespace out: those
 * workloads would run unmonitored, their alerts silent.
 */
export function undiscovered(parent: readonly Manifest[], manifests: readonly Manifest[]): string[] {
  const services = manifests.filter((m) => m.kind === 'Service');
  const problems: string[] = [];
  for (const cm of parent.filter((m) => m.kind === 'ConfigMap' && m.metadata.namespace !== undefined)) {
    for (const [file, text] of Object.entries((cm as { data?: Record<string, string> }).data ?? {})) {
      if (!/^\s*scrape_configs:/m.test(text)) continue;
      let config: any;
      try {
        config = parseEmittedYaml(text);
      } catch {
        continue; // not YAML: the program checks read it
      }
      for (const job of config?.scrape_configs ?? []) {
        const relabel: any[] = job.relabel_configs ?? [];
        const byService = relabel.find((r) => r.action === 'keep' && (r.source_labels ?? []).includes('__meta_kubernetes_service_name'));
        const byNamespace = relabel.find((r) => r.action === 'keep' && (r.source_labels ?? []).join() === '__meta_kubernetes_namespace');
        if (!byService || !byNamespace) continue;
        const [name, port] = String(byService.regex).split(';');
        const inScope = new RegExp(`^(?:${byNamespace.regex})$`);
        for (const s of services.filter((x) => x.metadata.name === name && ((x as any).spec?.ports ?? []).some((p: any) => p.name === port)))
          if (!inScope.test(s.metadata.namespace ?? ''))
            problems.push(`${describeObject(cm)} (${file}): scrape job ${job.job_name} of the running Prometheus does not discover namespace ${s.metadata.namespace} (it keeps ${byNamespace.regex}): ${describeObject(s)} would not be scraped`);
      }
    }
  }
  return problems;
}

import { parseEmittedYaml } from '../util/parse-once';
import { type CompiledObject, type Manifest, objectKey } from '../model/manifest';
import { kindScope } from '../model/kinds';
import { podTemplatesOf, WORKLOAD_KINDS } from '../model/pod-templates';
import { type LabelSelector, selects } from './network/semantics';
import { describeObject } from './describe';

const podLabels = (m: Manifest): Record<string, string> => podTemplatesOf(m)[0]?.metadata?.labels ?? {};
/**
 * The NetworkPolicy selector semantics, with one difference: a Service or PodDisruptionBudget
 * without requirements selects nothing we would want (a Service with no selector has no
 * endpoints managed; an empty PDB selector would cover every pod), so it counts as no match.
 */
const matches = (selector: LabelSelector | undefined, labels: Record<string, string>) =>
  !!selector && (Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions ?? []).length > 0) && selects(selector, labels);

/**
 * Cross-object rules of a compiled profile: what kubectl would accept one object at a time
 * but the platform would not survive.
 */
export function checkInvariants(objects: readonly CompiledObject[]): string[] {
  const problems: string[] = [];
  const manifests = objects.map((o) => o.manifest);
  const namespaces = new Set(manifests.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name));
  // Indexed by namespace so that the checks stay linear in the number of objects.
  const byNamespace = new Map<string, Manifest[]>();
  for (const m of manifests) {
    const key = m.metadata.namespace ?? '';
    if (!byNamespace.has(key)) byNamespace.set(key, []);
    byNamespace.get(key)!.push(m);
  }
  const names = new Map<string, Set<string>>();
  const namesOf = (kind: string, ns: string | undefined): Set<string> => {
    const key = `${kind}|${ns ?? ''}`;
    if (!names.has(key)) names.set(key, new Set((byNamespace.get(ns ?? '') ?? []).filter((m) => m.kind === kind).map((m) => m.metadata.name)));
    return names.get(key)!;
  };
  const workloadsByNamespace = new Map([...byNamespace].map(([ns, ms]) => [ns, ms.filter((m) => WORKLOAD_KINDS.has(m.kind))]));
  const workloadsIn = (ns: string | undefined) => workloadsByNamespace.get(ns ?? '') ?? [];
  // Services and PDBs select by label; most select by `app`, so look that up first.
  const byApp = new Map<string, Manifest[]>();
  for (const w of manifests.filter((m) => WORKLOAD_KINDS.has(m.kind))) {
    const key = `${w.metadata.namespace}|${podLabels(w).app}`;
    if (!byApp.has(key)) byApp.set(key, []);
    byApp.get(key)!.push(w);
  }
  const selected = (ns: string | undefined, selector: LabelSelector | undefined): Manifest[] => {
    const app = selector?.matchLabels?.app;
    const candidates = app !== undefined ? (byApp.get(`${ns}|${app}`) ?? []) : workloadsIn(ns);
    return candidates.filter((w) => matches(selector, podLabels(w)));
  };

  const seen = new Set<string>();
  for (const m of manifests) {
    const id = objectKey(m);
    if (seen.has(id)) problems.push(`${describeObject(m)}: emitted twice (names must be unique per kind and namespace)`);
    seen.add(id);

    const scope = kindScope(m.apiVersion, m.kind);
    if (scope === 'Namespaced' && !m.metadata.namespace) problems.push(`${describeObject(m)}: namespaced kind without a namespace`);
    if (scope === 'Cluster' && m.metadata.namespace) problems.push(`${describeObject(m)}: cluster-scoped kind with a namespace`);
    if (m.metadata.namespace && !namespaces.has(m.metadata.namespace))
      problems.push(`${describeObject(m)}: namespace ${m.metadata.namespace} is not emitted by this profile`);

    if (m.kind === 'Secret' && ((m as any).data || (m as any).stringData))
      problems.push(`${describeObject(m)}: a Secret with data; secret values come from Key Vault through a SecretProviderClass`);

    const spec = (m as any).spec ?? {};
    if (m.kind === 'Service' && spec.type !== 'ExternalName') {
      const targets = selected(m.metadata.namespace, spec.selector ? { matchLabels: spec.selector } : undefined);
      if (!targets.length) problems.push(`${describeObject(m)}: selects no workload in its namespace`);
      for (const port of spec.ports ?? [])
        if (typeof port.targetPort === 'string' && !targets.some((w) => containerPortNames(w).has(port.targetPort)))
          problems.push(`${describeObject(m)}: targetPort ${port.targetPort} is not a named port of the selected pods`);
    }
    if (m.kind === 'HorizontalPodAutoscaler') {
      const ref = spec.scaleTargetRef ?? {};
      if (!namesOf(ref.kind, m.metadata.namespace).has(ref.name))
        problems.push(`${describeObject(m)}: scaleTargetRef ${ref.kind}/${ref.name} is not emitted`);
    }
    if (m.kind === 'PodDisruptionBudget' && !selected(m.metadata.namespace, spec.selector).length)
      problems.push(`${describeObject(m)}: selects no workload in its namespace`);

    for (const template of podTemplatesOf(m)) {
      const pod = template.spec ?? {};
      const configMaps = namesOf('ConfigMap', m.metadata.namespace);
      const providers = namesOf('SecretProviderClass', m.metadata.namespace);
      for (const c of pod.containers ?? [])
        for (const from of c.envFrom ?? [])
          if (from.configMapRef && !configMaps.has(from.configMapRef.name))
            problems.push(`${describeObject(m)}: container ${c.name} reads ConfigMap ${from.configMapRef.name}, which is not emitted`);
      for (const v of pod.volumes ?? []) {
        const spc = v.csi?.volumeAttributes?.secretProviderClass;
        if (spc && !providers.has(spc)) problems.push(`${describeObject(m)}: volume ${v.name} mounts SecretProviderClass ${spc}, which is not emitted`);
      }
    }
  }
  problems.push(...checkScrapeTargets(manifests));
  return problems;
}

/** Every Prometheus scrape job keeps endpoints of a Service port that exists. */
function checkScrapeTargets(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const cm of manifests.filter((m) => m.kind === 'ConfigMap' && (m as any).data?.['prometheus.yml'])) {
    const config = parseEmittedYaml((cm as any).data['prometheus.yml']) as any;
    for (const job of config.scrape_configs ?? []) {
      // Probe jobs send every scrape to one in-cluster address: that Service must publish that port.
      const via = (job.relabel_configs ?? []).find((r: any) => r.target_label === '__address__')?.replacement;
      const probe = /^([^.]+)\.([^.]+)\.svc\.cluster\.local:([0-9]+)$/.exec(String(via ?? ''));
      if (probe) {
        const [, name, namespace, number] = probe;
        const served = manifests.some((m) => m.kind === 'Service' && m.metadata.name === name && m.metadata.namespace === namespace && ((m as any).spec.ports ?? []).some((p: any) => String(p.port) === number));
        if (!served) problems.push(`${describeObject(cm)}: scrape job ${job.job_name} probes through ${via}, which no emitted Service publishes`);
      }
      // Node jobs (kubelet, cAdvisor) scrape every node, not a Service.
      if (job.kubernetes_sd_configs?.[0]?.role !== 'endpoints') continue;
      const names: string[] | undefined = job.kubernetes_sd_configs[0].namespaces?.names;
      const relabels: any[] = job.relabel_configs ?? [];
      // Either listed namespaces, or every namespace kept by a regex on the namespace name.
      const namespaceKeep = relabels.find((r) => r.action === 'keep' && (r.source_labels ?? []).join() === '__meta_kubernetes_namespace');
      const inScope = (ns: string) => (names ? names.includes(ns) : namespaceKeep ? new RegExp(`^(?:${namespaceKeep.regex})$`).test(ns) : true);
      const keep = relabels.find((r) => r.action === 'keep' && (r.source_labels ?? []).includes('__meta_kubernetes_service_name'));
      const [service, port] = String(keep?.regex ?? '').split(';');
      const found = manifests.some(
        (m) => m.kind === 'Service' && m.metadata.name === service && inScope(m.metadata.namespace!) && ((m as any).spec.ports ?? []).some((p: any) => p.name === port),
      );
      if (!found) problems.push(`${describeObject(cm)}: scrape job ${job.job_name} keeps Service ${service} port ${port}, which is not emitted`);
    }
  }
  return problems;
}

function containerPortNames(w: Manifest): Set<string> {
  const containers = podTemplatesOf(w).flatMap((t) => t.spec?.containers ?? []);
  return new Set(containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name)));
}

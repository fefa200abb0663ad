import { parse, stringify } from 'yaml';
import type { Manifest } from '../../../src/compile';
import { podSpecOf } from '../../../src/checks/wiring/check';

/**
 * From the compiled objects to what runs on loopback. Only what a cluster would supply is
 * replaced: Kubernetes discovery by static targets carrying the same `__meta_kubernetes_*`
 * labels (so the compiled relabelling decides what is kept), cluster DNS names by loopback
 * addresses, mount paths by folders of the test's root. Every test-only change of a value is
 * returned in `changes`, for the test to list.
 */

/** A Service of the compiled objects, with the pods it selects (by name, as the controller names them). */
export interface ServiceView {
  namespace: string;
  name: string;
  ports: { name?: string; port: number }[];
  pods: string[];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Services and the pod names behind them: StatefulSet members by ordinal, one pod per Deployment replica, one per node for a DaemonSet. */
export function servicesOf(manifests: readonly Manifest[]): ServiceView[] {
  const out: ServiceView[] = [];
  for (const s of manifests as any[]) {
    if (s.kind !== 'Service') continue;
    const selector: Record<string, string> = s.spec?.selector ?? {};
    const workloads = (manifests as any[]).filter((w) => WORKLOADS.has(w.kind) && w.metadata.namespace === s.metadata.namespace
      && Object.keys(selector).length && Object.entries(selector).every(([k, v]) => w.spec?.template?.metadata?.labels?.[k] === v));
    const pods = workloads.flatMap((w) => {
      const n = w.kind === 'DaemonSet' ? 1 : (w.spec.replicas ?? 1);
      return Array.from({ length: n }, (_, i) => (w.kind === 'StatefulSet' ? `${w.metadata.name}-${i}` : `${w.metadata.name}-${i}`));
    });
    out.push({ namespace: s.metadata.namespace, name: s.metadata.name, ports: (s.spec?.ports ?? []).map((p: any) => ({ name: p.name, port: p.port })), pods });
  }
  return out;
}

/** The loopback address of a pod's port: (namespace, service, port name, pod ordinal) → `127.0.0.1:<port>`. */
export type Resolve = (namespace: string, service: string, port: string, pod: number) => string;

export interface PrometheusRewrite {
  services: ServiceView[];
  resolve: Resolve;
  /** The stand-in kubelet every node job target reaches. */
  node: string;
  /** Where a cluster DNS name with a port goes (`blackbox-exporter.aura-system.svc.cluster.local:9115`). */
  host: (service: string, namespace: string, port: number) => string;
  /** Where the probes' public hosts go (`api-de-pro.auracognitive.com:443`). */
  publicHost: (hostPort: string) => string;
  /** Mount path → folder of the test's root (token and CA files included). */
  path: (file: string) => string;
  rulesDir: string;
  /** Scrape and evaluation interval on loopback. */
  interval: string;
}

/** Replaces Kubernetes discovery in a compiled prometheus.yml by static targets with the same meta labels. */
export function withStaticDiscovery(text: string, r: Pick<PrometheusRewrite, 'services' | 'resolve' | 'node'>): string {
  const config = parse(text);
  for (const job of config.scrape_configs ?? []) {
    const sd = job.kubernetes_sd_configs?.[0];
    if (!sd) continue;
    if (sd.role === 'endpoints') {
      const names: string[] | undefined = sd.namespaces?.names;
      job.static_configs = r.services
        .filter((s) => !names || names.includes(s.namespace))
        .flatMap((s) => s.ports.filter((p) => p.name).flatMap((p) => s.pods.map((pod, i) => ({
          targets: [r.resolve(s.namespace, s.name, p.name!, i)],
          labels: {
            __meta_kubernetes_namespace: s.namespace, __meta_kubernetes_service_name: s.name, __meta_kubernetes_endpoint_port_name: p.name!,
            __meta_kubernetes_pod_name: pod, __meta_kubernetes_pod_node_name: 'aks-node-0',
          },
        }))));
    } else if (sd.role === 'node') {
      job.static_configs = [{ targets: [r.node], labels: { __meta_kubernetes_node_name: 'aks-node-0' } }];
    } else throw new Error(`job ${job.job_name}: no static form for Kubernetes discovery role ${sd.role}`);
    delete job.kubernetes_sd_configs;
  }
  return stringify(config);
}

const CLUSTER_HOST = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/;

/** The compiled prometheus.yml as it runs on loopback, and the test-only changes made to it. */
export function prometheusOnLoopback(text: string, r: PrometheusRewrite): { text: string; changes: string[] } {
  const changes: string[] = [];
  const config = parse(withStaticDiscovery(text, r));
  for (const key of ['scrape_interval', 'evaluation_interval'] as const) {
    changes.push(`global.${key} ${config.global[key]} → ${r.interval}`);
    config.global[key] = r.interval;
  }
  const toLoopback = (v: string) => {
    const m = CLUSTER_HOST.exec(v);
    return m ? r.host(m[1]!, m[2]!, Number(m[3])) : v;
  };
  for (const job of config.scrape_configs ?? []) {
    for (const rc of job.relabel_configs ?? []) if (typeof rc.replacement === 'string') rc.replacement = toLoopback(rc.replacement);
    for (const sc of job.static_configs ?? []) sc.targets = sc.targets.map((t: string) => (/:443$/.test(t) && !CLUSTER_HOST.test(t) ? r.publicHost(t) : toLoopback(t)));
    if (job.authorization?.credentials_file) job.authorization.credentials_file = r.path(job.authorization.credentials_file);
    if (job.tls_config?.ca_file) job.tls_config.ca_file = r.path(job.tls_config.ca_file);
    if (job.basic_auth?.password_file) job.basic_auth.password_file = r.path(job.basic_auth.password_file);
  }
  // Alertmanager's pods, as the DNS A records of its Service name them.
  for (const am of config.alerting?.alertmanagers ?? []) {
    const dns = am.dns_sd_configs?.[0];
    if (!dns) continue;
    const [service, namespace] = String(dns.names[0]).split('.');
    am.static_configs = [{ targets: [0, 1].map((i) => r.resolve(namespace!, service!, 'http', i)) }];
    delete am.dns_sd_configs;
  }
  config.rule_files = (config.rule_files ?? []).map((f: string) => `${r.rulesDir}/${f.split('/').pop()}`);
  return { text: stringify(config), changes };
}

/** A rule file with some alerts' `for:` shortened (each change returned), for alerts that must reach Alertmanager. */
export function withShortFor(text: string, alerts: Record<string, string>): { text: string; changes: string[] } {
  const changes: string[] = [];
  const file = parse(text);
  for (const group of file.groups)
    for (const rule of group.rules)
      if (rule.alert in alerts) {
        changes.push(`${rule.alert} for ${rule.for ?? '(none)'} → ${alerts[rule.alert]}`);
        rule.for = alerts[rule.alert];
      }
  return { text: stringify(file), changes };
}

export interface AlertmanagerRewrite {
  smtp: string;
  webhook: (receiver: string) => string;
  path: (file: string) => string;
  groupWait: string;
}

/** The compiled alertmanager.yml on loopback: the relay and webhooks at the stand-ins, the password file under the root. */
export function alertmanagerOnLoopback(text: string, r: AlertmanagerRewrite): { text: string; changes: string[] } {
  const config = parse(text);
  const changes = [`route.group_wait ${config.route.group_wait} → ${r.groupWait}`];
  config.route.group_wait = r.groupWait;
  config.global.smtp_smarthost = r.smtp;
  if (config.global.smtp_auth_password_file) config.global.smtp_auth_password_file = r.path(config.global.smtp_auth_password_file);
  for (const receiver of config.receivers) for (const w of receiver.webhook_configs ?? []) w.url = r.webhook(receiver.name);
  return { text: stringify(config), changes };
}

/** The containers of a compiled workload, by name. */
export function containersOf(manifests: readonly Manifest[], kind: string, name: string): Record<string, any> {
  const w = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!w) throw new Error(`the compiled output has no ${kind} ${name}`);
  const pod = podSpecOf(w);
  return Object.fromEntries([...(pod.initContainers ?? []), ...pod.containers].map((c: any) => [c.name, c]));
}

/** A ConfigMap's data from the compiled objects. */
export function configMapData(manifests: readonly Manifest[], name: string): Record<string, string> {
  const m = manifests.find((x) => x.kind === 'ConfigMap' && x.metadata.name === name) as any;
  if (!m) throw new Error(`the compiled output has no ConfigMap ${name}`);
  return m.data;
}

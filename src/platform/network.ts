import type { Config } from '../profile/config.generated';
import { appOf, type ComponentSpec, enabledComponents } from './catalog';
import { coreNamespace, SYSTEM_NAMESPACE } from './naming';

/** The pod label a client carries to reach a target, and the namespace label of its namespace. */
export const podAccessLabel = (target: string): string => `networking/allow-pod-${target}-access`;
export const namespaceAccessLabel = (target: string): string => `networking/allow-namespace-${target}-access`;

/**
 * The guide's two rule forms: clients must carry the pod label *and* live in a labelled
 * namespace; or (elasticsearch, kibana, pushgateway) every pod of a labelled namespace, plus
 * labelled pods of the target's own namespace.
 */
export type RuleForm = 'pod-in-namespace' | 'namespace-or-local-pod';

export interface PolicySpec {
  /** The `app` label the policy protects; the policy is `<target>-network-policy` in aura-system. */
  target: string;
  /** Labels the policy selects besides `app`. */
  alsoSelect?: Record<string, string>;
  ports: (c: Config) => (string | number)[];
  form: RuleForm;
}

const fixed = (...ports: (string | number)[]) => () => ports;

/** The 15 ingress policies of the guide, in its order. Ports and forms exactly as listed, plus the additions marked. */
export const NETWORK_POLICIES: PolicySpec[] = [
  { target: 'alertmanager', ports: fixed('http', 'cluster'), form: 'pod-in-namespace' },
  { target: 'elasticsearch-exporter', ports: fixed(9114), form: 'pod-in-namespace' },
  { target: 'elasticsearch', ports: fixed(9200, 9300), form: 'namespace-or-local-pod' },
  // Added: fluent-bit forwards on `forward`; NGINX App Protect logs to `syslog` (NGINX Plus only).
  { target: 'fluent-bit-aggregator', ports: (c) => ['http', 'forward', ...(c.nginx_plus_enabled ? ['syslog'] : [])], form: 'pod-in-namespace' },
  { target: 'fluent-bit', ports: fixed('metrics'), form: 'pod-in-namespace' },
  { target: 'grafana', ports: fixed('http'), form: 'pod-in-namespace' },
  { target: 'kibana', ports: fixed(5601), form: 'namespace-or-local-pod' },
  { target: 'mongodb-exporter', ports: fixed('metrics'), form: 'pod-in-namespace' },
  { target: 'mongodb', ports: fixed('mongodb'), form: 'pod-in-namespace' },
  { target: 'node-exporter', ports: fixed('metrics'), form: 'pod-in-namespace' },
  { target: 'prometheus-msteams', ports: fixed('http'), form: 'pod-in-namespace' },
  { target: 'prometheus', ports: fixed('http', 'exposed', 10901), form: 'pod-in-namespace' },
  { target: 'pushgateway', alsoSelect: { release: 'pushgateway' }, ports: fixed(9091), form: 'namespace-or-local-pod' },
  { target: 'redis', ports: fixed(6379, 26379, 9121), form: 'pod-in-namespace' },
  { target: 'thanos', ports: fixed(10901, 10902), form: 'pod-in-namespace' },
];

/** A pod population of the network: a catalog component, or the pods ECK runs for its custom resources. */
export interface NetworkMember {
  name: string;
  app: string;
  namespace: string;
  talksTo: string[];
}

/** Pods the ECK operator creates: Elasticsearch nodes talk among themselves; Kibana to Elasticsearch (and, per the guide, to Kibana). */
const ECK_MEMBERS = [
  { name: 'elasticsearch', app: 'elasticsearch', talksTo: ['elasticsearch'] },
  { name: 'kibana', app: 'kibana', talksTo: ['elasticsearch', 'kibana'] },
];

const talksToOf = (s: ComponentSpec, c: Config): string[] => (typeof s.talksTo === 'function' ? s.talksTo(c) : (s.talksTo ?? []));

/** Everything that runs for a profile's platform, tenant or not (a tenant's pods need the labels of its parent's policies). */
export function networkMembers(c: Config): NetworkMember[] {
  const system = enabledComponents(c, 'system');
  const core = enabledComponents(c, 'core');
  // Prometheus scrapes every component that declares a metrics port, and delivers alerts to alertmanager.
  const scraped = [...new Set([...system, ...core].filter((s) => s.scrape).map(appOf)), 'alertmanager'];
  const member = (s: ComponentSpec, namespace: string): NetworkMember => ({
    name: s.name,
    app: appOf(s),
    namespace: s.namespace?.(c) ?? namespace,
    talksTo: [...new Set([...talksToOf(s, c), ...(s.name === 'prometheus' ? scraped : [])])],
  });
  return [
    ...system.map((s) => member(s, SYSTEM_NAMESPACE)),
    ...ECK_MEMBERS.map((m) => ({ ...m, namespace: SYSTEM_NAMESPACE })),
    ...core.map((s) => member(s, coreNamespace(c))),
  ];
}

/** Which policies exist, and the labels that follow from who talks to whom. */
export interface NetworkPlan {
  policies: PolicySpec[];
  podLabels: (name: string) => Record<string, string>;
  namespaceLabels: (namespace: string) => Record<string, string>;
}

export function networkPlan(c: Config): NetworkPlan {
  const members = networkMembers(c);
  const present = new Set(members.map((m) => m.app));
  const policies = NETWORK_POLICIES.filter((p) => present.has(p.target));
  const targets = new Set(policies.map((p) => p.target));
  const reach = (m: NetworkMember) => m.talksTo.filter((t) => targets.has(t)).sort();
  const byName = new Map(members.map((m) => [m.name, m]));
  return {
    policies,
    podLabels: (name) => Object.fromEntries(reach(byName.get(name) ?? { name, app: name, namespace: '', talksTo: [] }).map((t) => [podAccessLabel(t), 'true'])),
    namespaceLabels: (namespace) =>
      Object.fromEntries(
        [...new Set(members.filter((m) => m.namespace === namespace).flatMap(reach))].sort().map((t) => [namespaceAccessLabel(t), 'true']),
      ),
  };
}

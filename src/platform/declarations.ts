import type { Config } from '../profile/config.generated';

/**
 * The plain values a component declares (ports, resources, scale, access, policy forms, the
 * operators it needs): nothing here refers to the resolved Platform. The rest of a component's
 * vocabulary, with the functions of the Platform it is given, is in ./types.ts.
 */

/** A named container port, published on the component's Service. The one place its number is written. */
export interface PortSpec {
  name: string;
  port: number;
  /** Port on the Service. @default `port` */
  servicePort?: number;
}

export interface ResourceSpec {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** Environment variables of a workload: plain values go to its ConfigMap. */
export type EnvValues = Record<string, string | number | boolean>;

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

/** A Kubernetes RBAC rule, as the component's ClusterRole grants it. */
export interface AccessRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/**
 * How many pods a Deployment or StatefulSet runs, said explicitly:
 * - `singleton`: exactly one, never two at once (a Deployment is replaced with Recreate), no HPA;
 *   `replicas` may stop it (0);
 * - `fixed`: a fixed count, rolling updates, a PodDisruptionBudget above one;
 * - `autoscaled`: an HPA from `minReplicas` to three times that on CPU, rolling updates, a PodDisruptionBudget above one.
 */
export type Scale =
  | { mode: 'singleton'; replicas?: (c: Config) => 0 | 1 }
  | { mode: 'fixed'; replicas: (c: Config) => number }
  | { mode: 'autoscaled'; minReplicas: (c: Config) => number };

export const SINGLETON: Scale = { mode: 'singleton' };
export const fixedReplicas = (replicas: number): Scale => ({ mode: 'fixed', replicas: () => replicas });
export const autoscaled = (minReplicas: (c: Config) => number): Scale => ({ mode: 'autoscaled', minReplicas });

/**
 * The guide's two rule forms: clients must carry the pod label *and* live in a labelled
 * namespace; or (elasticsearch, kibana, pushgateway) every pod of a labelled namespace, plus
 * labelled pods of the target's own namespace.
 */
export type RuleForm = 'pod-in-namespace' | 'namespace-or-local-pod';

/** A port of a policy, by the name the target declares: emitted by name, or by number where the guide writes the number. */
export type PolicyPort = string | { numberOf: string };

/** A third-party operator a component's custom resources need, installed from its official Helm chart. */
export interface OperatorSpec {
  /** Key under `operators` in the profile: the chart, version, namespace and values come from there. */
  key: 'eck' | 'mongodb_atlas';
  /** Short name of its Helm repository, as Flux's HelmRepository is called. */
  repositoryName: string;
  /** The `app` labels of the in-cluster workloads the operator calls to manage them (their policies admit its namespace). */
  manages: string[];
  /** Whether the profile needs it. @default always */
  enabled?: (c: Config) => boolean;
}

/** An operator as a profile installs it: the component's OperatorSpec with the profile's `operators.<key>`. */
export interface ChartOperator {
  key: OperatorSpec['key'];
  repositoryName: string;
  chartRepository: string;
  chart: string;
  version: string;
  release: string;
  namespace: string;
  values: Record<string, unknown>;
  /** Set: rendered at compile time from this archive instead of being installed by Argo CD or Flux. */
  chartArchive?: string;
  manages: string[];
  /** Labels of its namespace: one namespace access label per managed workload, so their policies admit it. */
  namespaceLabels: Record<string, string>;
}

/** CRDs applied from an official repository at a release tag (the NGINX Ingress Controller's). */
export interface CrdSource {
  name: string;
  gitRepository: string;
  tag: string;
  path: string;
}


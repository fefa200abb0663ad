import type { RuleForm } from './declarations';

/** The network as resolved from the components: who talks to whom, the policies, and where an endpoint is reached. */

/** Where a named port of another component is reached. */
export interface Endpoint {
  /** The Service's cluster DNS name. */
  host: string;
  port: number;
  /** `<scheme>://<host>:<port><path>` */
  url(scheme: string, path?: string): string;
  /** `<host>:<port>` */
  address: string;
  /** One member of a headless Service: `<name>-<i>.<host>:<port>`. */
  member(i: number): string;
  /** DNS SRV name of the port: `_<port>._tcp.<host>`. */
  srv: string;
}

/** A pod population of the network: a workload, or pods an operator runs. */
export interface NetworkMember {
  name: string;
  app: string;
  namespace: string;
  talksTo: string[];
}

/** A policy with its ports resolved to what the NetworkPolicy carries. */
export interface ResolvedPolicy {
  target: string;
  /** The namespace of the pods it protects, where the policy lives. */
  namespace: string;
  alsoSelect?: Record<string, string>;
  ports: (string | number)[];
  form: RuleForm;
  admitNamespaces?: { namespace: string; ports: (string | number)[] }[];
}

/** Which policies exist, and the labels that follow from who talks to whom. */
export interface NetworkPlan {
  members: NetworkMember[];
  policies: ResolvedPolicy[];
  podLabels: (name: string) => Record<string, string>;
  namespaceLabels: (namespace: string) => Record<string, string>;
}


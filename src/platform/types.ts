import type { Construct } from 'constructs';
import type { Phase } from '../model/phases';
import type { Config } from '../profile/config.generated';
import type { AlertRule } from './alert-rule';
import type { AccessRule, ChartOperator, CrdSource, EnvValues, OperatorSpec, PolicyPort, PortSpec, ResourceSpec, RuleForm, Scale, WorkloadKind } from './declarations';
import type { Endpoint, NetworkPlan } from './network-plan';

export { type AlertRule, SEVERITIES, type Severity } from './alert-rule';
export {
  type AccessRule, autoscaled, type ChartOperator, type CrdSource, type EnvValues, fixedReplicas, type OperatorSpec, type PolicyPort, type PortSpec,
  type ResourceSpec, type RuleForm, type Scale, SINGLETON, type WorkloadKind,
} from './declarations';
export type { Endpoint, NetworkMember, NetworkPlan, ResolvedPolicy } from './network-plan';

/**
 * What a component declares where the profile or the Platform decides (workloads, policies,
 * routes, rule sets, its own objects), and the resolved Platform every later stage reads: one
 * file, as each refers to the other. The plain values are in ./declarations.ts, the network plan
 * in ./network-plan.ts, the alerting vocabulary in ./alert-rule.ts (all re-exported here).
 */

/** A container beside the main one (sentinels, exporters, the Thanos sidecar). */
export interface SidecarSpec {
  name: string;
  image: string;
  imageTag?: string;
  ports: PortSpec[];
  resources: ResourceSpec;
  args?: (p: Platform) => string[];
}

/** What every kind of workload declares (WorkloadSpec adds what its kind alone takes). */
interface WorkloadBase {
  /** Kubernetes name, exactly as the guide uses it; also the `app` label unless `app` says otherwise. */
  name: string;
  /** The `app` label when the guide gives several workloads one (`thanos`, or a provisioning Job labelled like its target). @default `name` */
  app?: string;
  phase: Exclude<Phase, 'crds'>;
  /** Whether the profile deploys it. @default always */
  enabled?: (c: Config) => boolean;
  /** Image repository below the profile's registry (a function when the profile chooses it). */
  image: string | ((c: Config) => string);
  /** Tag pinned for a third-party or tool image (a function when the profile decides it, undefined: the release tag). @default the profile's release tag */
  imageTag?: string | ((c: Config) => string | undefined);
  /**
   * Jobs of its phase it waits for (their names): its objects are applied after they complete
   * (Argo CD: one sync wave later). @default none
   */
  after?: (c: Config) => string[];
  /** A namespace of its own. @default the phase's namespace */
  namespace?: string;
  /** The network policy targets (their `app` labels) it connects to; pod and namespace labels follow. @default none */
  talksTo?: string[] | ((c: Config) => string[]);
  ports: PortSpec[];
  /** Ports that only some profiles open (the aggregator's syslog input with NGINX Plus). @default none */
  profilePorts?: (c: Config) => PortSpec[];
  resources: ResourceSpec | ((c: Config) => ResourceSpec);
  /** The container's command in place of the image's entrypoint: a Job runs a script of its own files this way. @default the image's entrypoint */
  command?: (p: Platform) => string[];
  args?: (p: Platform) => string[];
  sidecars?: SidecarSpec[];
  /** Other SecretProviderClasses its pods mount, so the driver syncs their Secrets (nginx's TLS certificate). @default none */
  mountProviders?: string[];
  /** Labels its pods carry besides the standard ones (the guide's pushgateway policy selects `release`). @default none */
  podLabels?: Record<string, string>;
  /** Cluster-wide read access it needs: a ServiceAccount, ClusterRole and binding. @default none, and no service account token */
  clusterAccess?: AccessRule[];
  /**
   * Grant `clusterAccess` in these namespaces only: a RoleBinding to the ClusterRole in each, no
   * ClusterRoleBinding (a namespace another phase creates gets its binding from that phase, through
   * `namespaceAccessBinding`). @default cluster-wide
   */
  accessNamespaces?: (p: Platform) => string[];
  /** Further sets of files, each its own ConfigMap `<name>-<set>` mounted read-only at its path (rules, dashboards). @default none */
  fileSets?: { name: string; mountPath: string; files: (p: Platform) => Record<string, string>; enabled?: (c: Config) => boolean }[];
  /** Configuration files, mounted read-only from the ConfigMap `<name>-files` at `filesPath`. */
  files?: (p: Platform) => Record<string, string>;
  /** @default /etc/<name> */
  filesPath?: string;
  /** Where Prometheus scrapes it: a named port of its Service, and the path. @default not scraped; path /metrics */
  scrape?: { port: string; path?: string; honorLabels?: boolean };
  /** Plain configuration, rendered into the component's ConfigMap. */
  env?: (p: Platform) => EnvValues;
  /**
   * Secrets by environment variable: the profile key whose Key Vault secret holds the value, or
   * `kv:<name>` for a platform secret no profile key stands for.
   */
  secrets?: (p: Platform) => Record<string, string>;
  /**
   * Key Vault secrets the program reads as files under /mnt/secrets-store (the objstore
   * configuration, a password file), by reference as in `secrets`: mounted, never in the environment. @default none
   */
  secretFiles?: (p: Platform) => string[];
  /** Secrets an operator generates, mounted read-only as files (ECK's CA). @default none */
  secretMounts?: (p: Platform) => { name: string; secret: string; mountPath: string }[];
  /** Environment variables read from a Secret an operator generates (the Atlas connection Secret). @default none */
  generatedSecrets?: (p: Platform) => Record<string, { secret: string; key: string }>;
  /** Environment variables from the pod's own fields (downward API), in every container: `{ POD_NAME: 'metadata.name' }`. @default none */
  podFields?: Record<string, string>;
  /** Environment variables built from others by Kubernetes' `$(VAR)` expansion, after the secrets. @default none */
  composedEnv?: (p: Platform) => Record<string, string>;
  /** Writable scratch folders (emptyDir) every container mounts: configuration an init container writes. @default none */
  scratch?: { name: string; mountPath: string }[];
  /** A container that runs to completion before the others, with the same mounts and environment. @default none */
  init?: { name: string; image?: string; imageTag?: string; command: (p: Platform) => string[] };
}


/** Fields that only some workload kinds take: each kind below requires, allows or refuses each. */
interface KindFields {
  /** Deployments and StatefulSets: how many pods (required for them, refused for the others). */
  scale: Scale;
  /**
   * Jobs and CronJobs: the container runs its image's own program, a part of the Aura release
   * (aura-bot-makeup, nlp-provisioning, active-listening), whose behaviour the product defines.
   * Without it a Job container must have a command: behaviour this project defines runs as a
   * script the output carries. @default false
   */
  productProgram: boolean;
  /** Jobs and CronJobs (required for them): the Job's `activeDeadlineSeconds`, after which it fails and its pods are stopped. */
  deadlineSeconds: number;
  /** Node agents: host paths mounted read-only, and the host's network and process namespaces. */
  host: { paths: { name: string; path: string }[]; network?: boolean; pid?: boolean; root?: boolean };
  /** CronJobs: when they run; `suspend` makes a template run only by `kubectl create job --from`. */
  schedule: string;
  suspend: boolean;
  /** StatefulSets: the persistent volume of each pod. */
  volume: { mountPath: string; size: string | ((c: Config) => string) };
  /** StatefulSets: start and replace members all at once, when they find each other at run time (Redis). @default OrderedReady */
  podManagementPolicy: 'Parallel';
}

/** The kind fields a workload of some kind may not set: a schedule on a Deployment is a type error. */
type Refused<K extends keyof KindFields> = { [F in K]?: never };

export type DeploymentSpec = WorkloadBase & { workload: 'Deployment' } & Pick<KindFields, 'scale'> &
  Refused<'productProgram' | 'deadlineSeconds' | 'host' | 'schedule' | 'suspend' | 'volume' | 'podManagementPolicy'>;
export type StatefulSetSpec = WorkloadBase & { workload: 'StatefulSet' } & Pick<KindFields, 'scale'> & Partial<Pick<KindFields, 'volume' | 'podManagementPolicy'>> &
  Refused<'productProgram' | 'deadlineSeconds' | 'host' | 'schedule' | 'suspend'>;
export type DaemonSetSpec = WorkloadBase & { workload: 'DaemonSet' } & Partial<Pick<KindFields, 'host'>> &
  Refused<'scale' | 'productProgram' | 'deadlineSeconds' | 'schedule' | 'suspend' | 'volume' | 'podManagementPolicy'>;
export type JobSpec = WorkloadBase & { workload: 'Job' } & Pick<KindFields, 'deadlineSeconds'> & Partial<Pick<KindFields, 'productProgram'>> &
  Refused<'scale' | 'host' | 'schedule' | 'suspend' | 'volume' | 'podManagementPolicy'>;
export type CronJobSpec = WorkloadBase & { workload: 'CronJob' } & Pick<KindFields, 'deadlineSeconds' | 'schedule'> & Partial<Pick<KindFields, 'productProgram' | 'suspend'>> &
  Refused<'scale' | 'host' | 'volume' | 'podManagementPolicy'>;

/**
 * One workload of a component, by its kind: everything else (objects, labels, access labels,
 * secret mounts, scrape job) is derived from it. Functions receive the resolved Platform, so a
 * workload reaches another component only through `p.endpoint(...)`.
 */
export type WorkloadSpec = DeploymentSpec | StatefulSetSpec | DaemonSetSpec | JobSpec | CronJobSpec;

/** Every field of any kind, as a check reads a spec that may come from outside the types (a generated component). */
export type WorkloadFields = WorkloadBase & { workload: WorkloadKind } & Partial<KindFields>;

export interface PolicySpec {
  /** The `app` label the policy protects; the policy is `<target>-network-policy` in the target's namespace. */
  target: string;
  /** Labels the policy selects besides `app`. */
  alsoSelect?: Record<string, string>;
  ports: PolicyPort[] | ((c: Config) => PolicyPort[]);
  form: RuleForm;
  /** Whole namespaces admitted by name besides the access labels (an operator that manages the target). @default none */
  admitNamespaces?: (c: Config) => { namespace: string; ports: PolicyPort[] }[];
}

/** Pods an operator runs for a custom resource (ECK's Elasticsearch and Kibana): they join the network plan and serve endpoints. */
export interface OperatorPods {
  name: string;
  app: string;
  phase: Exclude<Phase, 'crds'>;
  talksTo: string[];
  /** The Service the operator creates for them. */
  service: string;
  ports: PortSpec[];
  enabled?: (c: Config) => boolean;
}

/** A public host: `<name>-<environment>.<dns_domain>`, on TLS 443, sent to a named port of a workload or operator Service. */
export interface RouteSpec {
  name: string;
  /** The workload (or operator pods) that serves it. */
  to: string;
  port: string;
  /** The backend speaks TLS (ECK's services). */
  tls?: boolean;
  /** Networks allowed in; undefined means any. */
  allow?: (c: Config) => string[];
  /** An empty `allow` list denies everyone instead of allowing anyone (pages that must be opened on purpose). @default false */
  closedWhenEmpty?: boolean;
  /** Public application endpoints get the WAF with NGINX Plus. */
  public: boolean;
  /**
   * A management page: the backoffice_users list whose users it admits, by NGINX basic
   * authentication on top of the source ranges (a page whose list is empty is served to the
   * corporate VPN ranges only).
   */
  backoffice?: keyof Config['backoffice_users'];
}

/**
 * One component family, in one file: its workloads, the pods an operator runs for it, its
 * network policies, its routes, and its own custom resources. Scrape jobs, access labels and
 * endpoints are derived.
 */
export interface Component {
  /** Family name, the file's name: `redis`, `prometheus`. */
  name: string;
  /** Whether the profile runs the family. @default when any of its workloads or operator pods is enabled */
  enabled?: (c: Config) => boolean;
  workloads: WorkloadSpec[];
  operatorPods?: OperatorPods[];
  policies?: PolicySpec[];
  routes?: RouteSpec[];
  /** Alert rules on the family's own metrics, one rule file per set. @default none */
  alertRules?: RuleSet[];
  /** Scrape jobs beyond its workloads' `scrape` ports (probes, sidecars, external integrations), as Prometheus reads them. @default none */
  scrapeJobs?: (p: Platform) => Record<string, unknown>[];
  /**
   * Objects of its own beyond its workloads (custom resources and what they read), built into
   * each phase's chart when the profile runs the component: every phase calls it, the component
   * says what belongs to which. @default none
   */
  objects?: (scope: Construct, platform: Platform, phase: Phase) => void;
  /** The operator its custom resources need; installed once per cluster. @default none */
  operator?: OperatorSpec;
  /** CRDs of its custom resources that come from an upstream repository. @default none */
  crdSources?: (c: Config) => CrdSource[];
}

export interface ResolvedRoute {
  spec: RouteSpec;
  /** Object name: the route's, with -next for the next hosts. */
  name: string;
  host: string;
  service: string;
  /** Service port number. */
  port: number;
  namespace: string;
}

/** The profile, resolved once after validation: what runs, where, and who talks to whom. */
export interface Platform {
  readonly config: Config;
  /** False for a tenant: it shares its parent's cluster-wide objects and aura-system. */
  readonly ownCluster: boolean;
  readonly environment: string;
  readonly namespaces: { system: string; core: string; agents: string };
  /** Enabled components, in catalog order. */
  readonly components: readonly Component[];
  /** Whether a component family (or one of its workloads) runs. */
  enabled(name: string): boolean;
  /** Enabled workloads of a phase, in catalog order. */
  workloads(phase: WorkloadSpec['phase']): WorkloadSpec[];
  namespaceOf(w: WorkloadSpec): string;
  /** A named port of a workload or operator Service; throws when the profile does not run it. */
  endpoint(owner: string, port: string): Endpoint;
  readonly network: NetworkPlan;
  readonly routes: readonly ResolvedRoute[];
  /** The Key Vault secret name of a profile secret key ('genesys.secret') or `kv:<name>`. */
  keyVaultSecret(ref: string): string;
}

/**
 * Alert rules a component declares on its own metrics, rendered into one rule file and rule
 * group named after the set.
 */
export interface RuleSet {
  name: string;
  /** Whether the profile loads these rules; always when absent. */
  enabled?: (c: Config) => boolean;
  rules: AlertRule[] | ((p: Platform) => AlertRule[]);
}

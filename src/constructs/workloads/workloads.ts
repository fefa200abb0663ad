import { Construct } from 'constructs';
import * as k8s from '../../../imports/k8s';

/**
 * L2 workload constructs: one Kubernetes workload each, with intent-level props, their defaults
 * documented, and constructor validation that names the component and the prop to change. The
 * pod template comes from `podTemplate()`; Services, autoscalers and disruption budgets are the
 * L3 `AuraWorkload`'s business.
 */

export interface WorkloadMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

interface BaseProps {
  /** The component it belongs to, named in errors. */
  component: string;
  metadata: WorkloadMetadata;
  template: k8s.PodTemplateSpec;
}

interface SelectedProps extends BaseProps {
  /** Labels that select its pods; the template carries them. */
  selector: Record<string, string>;
}

const int = (n: number) => k8s.IntOrString.fromNumber(n);

function checkSelector(props: SelectedProps): void {
  const labels = props.template.metadata?.labels ?? {};
  if (!Object.keys(props.selector).length) throw new Error(`component ${props.component}: selector is empty; it would select every pod of ${props.metadata.namespace}`);
  const missing = Object.entries(props.selector).filter(([k, v]) => labels[k] !== v).map(([k]) => k);
  if (missing.length) throw new Error(`component ${props.component}: selector label ${missing.join(', ')} is not on the pod template`);
}

function checkReplicas(component: string, prop: string, n: number, least = 1): void {
  if (!Number.isInteger(n) || n < least) throw new Error(`component ${component}: ${prop} must be a whole number of at least ${least}, not ${n}`);
}

export interface AuraDeploymentProps extends SelectedProps {
  /** Pods to run, 0 for a stopped service; with `autoscaled` the HPA owns the count (from at least 1) and this is left out of the Deployment. */
  replicas: number;
  /** An HPA scales it: the Deployment does not state a replica count (it would fight the HPA on every apply). @default false */
  autoscaled?: boolean;
  /**
   * `Recreate` for a singleton that must never run twice, not even during a rollout; otherwise
   * one extra pod at a time and none unavailable. @default 'RollingUpdate'
   */
  strategy?: 'RollingUpdate' | 'Recreate';
}

export class AuraDeployment extends Construct {
  readonly name: string;
  constructor(scope: Construct, id: string, props: AuraDeploymentProps) {
    super(scope, id);
    checkSelector(props);
    checkReplicas(props.component, 'replicas', props.replicas, props.autoscaled ? 1 : 0);
    const strategy = props.strategy ?? 'RollingUpdate';
    if (strategy === 'Recreate' && (props.replicas > 1 || props.autoscaled))
      throw new Error(`component ${props.component}: strategy Recreate is for a singleton; with ${props.autoscaled ? 'an autoscaler' : `${props.replicas} replicas`} use RollingUpdate`);
    this.name = props.metadata.name;
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: props.metadata,
      spec: {
        replicas: props.autoscaled ? undefined : props.replicas,
        strategy: strategy === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: int(1), maxUnavailable: int(0) } },
        selector: { matchLabels: props.selector },
        template: props.template,
      },
    });
  }
}

export interface AuraStatefulSetProps extends SelectedProps {
  replicas: number;
  /** The headless Service that gives each member its stable name. @default `metadata.name` */
  serviceName?: string;
  /** Each member's persistent volume, mounted by the template as `data`. @default none */
  volume?: { size: string };
  /** `Parallel`: members start and are replaced all at once, when they find each other at run time. @default OrderedReady */
  podManagementPolicy?: 'Parallel';
}

export class AuraStatefulSet extends Construct {
  readonly name: string;
  constructor(scope: Construct, id: string, props: AuraStatefulSetProps) {
    super(scope, id);
    checkSelector(props);
    checkReplicas(props.component, 'replicas', props.replicas);
    const mounted = (props.template.spec?.containers ?? []).some((c) => (c.volumeMounts ?? []).some((m) => m.name === 'data'));
    if (props.volume && !mounted) throw new Error(`component ${props.component}: volume is declared but no container mounts 'data'`);
    if (!props.volume && mounted && !(props.template.spec?.volumes ?? []).some((v) => v.name === 'data'))
      throw new Error(`component ${props.component}: a container mounts 'data' but there is no volume (set volume)`);
    this.name = props.metadata.name;
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: props.metadata,
      spec: {
        serviceName: props.serviceName ?? props.metadata.name,
        replicas: props.replicas,
        podManagementPolicy: props.podManagementPolicy,
        selector: { matchLabels: props.selector },
        template: props.template,
        volumeClaimTemplates: props.volume
          ? [{ metadata: { name: 'data', labels: props.metadata.labels }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString(props.volume.size) } } } }]
          : undefined,
      },
    });
  }
}

export type AuraDaemonSetProps = SelectedProps;

/** A node agent: one pod per node, replaced one node at a time. */
export class AuraDaemonSet extends Construct {
  readonly name: string;
  constructor(scope: Construct, id: string, props: AuraDaemonSetProps) {
    super(scope, id);
    checkSelector(props);
    if (props.template.spec?.nodeSelector) throw new Error(`component ${props.component}: a node agent runs on every node; its template must not select a pool`);
    this.name = props.metadata.name;
    new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: props.metadata,
      spec: { selector: { matchLabels: props.selector }, template: props.template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: int(1) } } },
    });
  }
}

interface RunsToCompletionProps extends BaseProps {
  /**
   * Seconds after which the Job fails and its pods are stopped, however many retries are left:
   * a hung connection must end in a failed Job (which the backup alerts see), not a pod that runs forever.
   */
  activeDeadlineSeconds: number;
  /** Its containers run their images' own programs (a product's Job), with no command of ours. @default false */
  productProgram?: boolean;
}

function checkRunsToCompletion(props: RunsToCompletionProps): void {
  if (props.template.spec?.restartPolicy !== 'OnFailure') throw new Error(`component ${props.component}: a Job's pods must restart OnFailure (set restartPolicy in the template)`);
  if (!Number.isInteger(props.activeDeadlineSeconds) || props.activeDeadlineSeconds < 1)
    throw new Error(`component ${props.component}: a Job must be bounded in time: set deadlineSeconds to a whole number of seconds (it has ${props.activeDeadlineSeconds})`);
  const silent = (props.template.spec?.containers ?? []).filter((c) => !c.command?.length && !c.args?.length).map((c) => c.name);
  if (silent.length && !props.productProgram) throw new Error(`component ${props.component}: container ${silent.join(', ')} of a Job runs its image's default command: give it a command (a script of its files)`);
}

export interface AuraJobProps extends RunsToCompletionProps {
  /** Retries before the Job fails. @default 3 */
  backoffLimit?: number;
}

export class AuraJob extends Construct {
  readonly name: string;
  constructor(scope: Construct, id: string, props: AuraJobProps) {
    super(scope, id);
    checkRunsToCompletion(props);
    this.name = props.metadata.name;
    new k8s.KubeJob(this, 'Resource', {
      metadata: props.metadata,
      spec: { backoffLimit: props.backoffLimit ?? 3, activeDeadlineSeconds: props.activeDeadlineSeconds, template: props.template },
    });
  }
}

export interface AuraCronJobProps extends RunsToCompletionProps {
  /** Five-field cron expression (UTC). */
  schedule: string;
  /** A template that runs only on demand (`kubectl create job --from=cronjob/<name>`). @default false */
  suspend?: boolean;
  /** Retries of each run. @default 2 */
  backoffLimit?: number;
}

/** A scheduled job: never two runs at once, a missed run not made up twice. */
export class AuraCronJob extends Construct {
  readonly name: string;
  constructor(scope: Construct, id: string, props: AuraCronJobProps) {
    super(scope, id);
    checkRunsToCompletion(props);
    if (props.schedule.trim().split(/\s+/).length !== 5) throw new Error(`component ${props.component}: schedule "${props.schedule}" is not a five-field cron expression`);
    this.name = props.metadata.name;
    new k8s.KubeCronJob(this, 'Resource', {
      metadata: props.metadata,
      spec: {
        schedule: props.schedule,
        suspend: props.suspend,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: props.metadata.labels },
          spec: { backoffLimit: props.backoffLimit ?? 2, activeDeadlineSeconds: props.activeDeadlineSeconds, template: props.template },
        },
      },
    });
  }
}

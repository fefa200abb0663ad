import * as k8s from '../../../imports/k8s';
import type { PortSpec, ResourceSpec } from '../../platform/types';

/**
 * The one pod-template builder: security context, node placement, zone spread, probes and
 * volumes are written here once, for every workload of the platform.
 */

/** The non-root user and group our images run as. */
export const RUN_AS = 10001;
const POOL_LABEL = 'kubernetes.azure.com/agentpool';

/** Every container: no privilege escalation, read-only root filesystem, non-root, no capabilities. */
export const CONTAINER_SECURITY: k8s.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

export interface ContainerProps {
  name: string;
  image: string;
  /** @default the image's entrypoint */
  command?: string[];
  /** @default the image's entrypoint arguments */
  args?: string[];
  /** Named ports; the first is what the probes check. @default none */
  ports?: PortSpec[];
  resources: ResourceSpec;
  /** @default none */
  envFrom?: k8s.EnvFromSource[];
  /** @default none */
  env?: k8s.EnvVar[];
  /** TCP readiness and liveness probes on the first port. @default false */
  probes?: boolean;
}

export interface PodTemplateProps {
  /** The component it belongs to, named in errors. */
  component: string;
  labels: Record<string, string>;
  /** @default none */
  annotations?: Record<string, string>;
  /** The main container first, then its sidecars; every container mounts every volume. */
  containers: ContainerProps[];
  /**
   * What the containers mount besides the scratch `/tmp`, in order; an entry without `volume`
   * mounts a volume the pod does not declare (a StatefulSet's claim template). @default none
   */
  mounts?: { name: string; mountPath: string; readOnly?: boolean; volume?: Omit<k8s.Volume, 'name'> }[];
  /** A writable emptyDir at /tmp (the root filesystem is read-only). @default true */
  scratch?: boolean;
  /** `{ pool }`: the AKS agent pool; `'every-node'`: node agents, on every node of every pool. */
  placement: { pool: string } | 'every-node';
  /** Spread replicas over nodes (and zones) by these labels; never blocks scheduling. @default no spread */
  spread?: { matchLabels: Record<string, string>; zones: boolean };
  /** A ServiceAccount whose token is mounted. @default none, and no token mounted */
  serviceAccountName?: string;
  /** Node agents: the host's network and process namespaces, and root for reading host logs. @default none */
  host?: { network?: boolean; pid?: boolean; root?: boolean };
  /** The user and group the pod runs as. @default 10001 */
  runAs?: number;
  /** Pods that run to completion restart on failure. @default the workload's default (Always) */
  restartPolicy?: 'OnFailure';
  /**
   * A container that runs to completion before the others (writing configuration into a scratch
   * folder), with the main container's environment and resources and every mount. @default none
   */
  init?: { name: string; image: string; command: string[] };
}

const quantity = k8s.Quantity.fromString;
export function quantities(r: ResourceSpec): k8s.ResourceRequirements {
  return { requests: { cpu: quantity(r.requests.cpu), memory: quantity(r.requests.memory) }, limits: { cpu: quantity(r.limits.cpu), memory: quantity(r.limits.memory) } };
}

/** Replicas spread over nodes, and over zones when the cluster has them; never blocks scheduling. */
export function spreadConstraints(matchLabels: Record<string, string>, zones: boolean): k8s.TopologySpreadConstraint[] {
  const keys = zones ? ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'] : ['kubernetes.io/hostname'];
  return keys.map((topologyKey) => ({ topologyKey, maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels } }));
}

/** The node selector of an agent pool: the one label the AKS pools carry. */
export const poolSelector = (pool: string): Record<string, string> => ({ [POOL_LABEL]: pool });

/** TCP probes on the first port: the guide names no health endpoints, and an open port is what every service has. */
function probes(port: PortSpec | undefined): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe'> {
  if (!port) return {};
  const tcpSocket = { port: k8s.IntOrString.fromString(port.name) };
  return {
    readinessProbe: { tcpSocket, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { tcpSocket, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 3 },
  };
}

export function podTemplate(props: PodTemplateProps): k8s.PodTemplateSpec {
  const where = `component ${props.component}`;
  if (!props.containers.length) throw new Error(`${where}: a pod needs at least one container`);
  const names = props.containers.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`${where}: two containers are named ${dup}`);
  const ports = props.containers.flatMap((c) => c.ports ?? []).map((p) => p.name);
  const dupPort = ports.find((n, i) => ports.indexOf(n) !== i);
  if (dupPort) throw new Error(`${where}: port name ${dupPort} is used twice in one pod`);
  if (props.host && props.placement !== 'every-node') throw new Error(`${where}: host access is for node agents (placement 'every-node')`);

  const scratch = props.scratch ?? true;
  const root = props.host?.root === true;
  const runAs = props.runAs ?? RUN_AS;
  const volumeMounts: k8s.VolumeMount[] = [
    ...(scratch ? [{ name: 'tmp', mountPath: '/tmp' }] : []),
    ...(props.mounts ?? []).map((m) => ({ name: m.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}) })),
  ];
  const securityContext: k8s.SecurityContext = root ? { ...CONTAINER_SECURITY, runAsNonRoot: false, runAsUser: 0 } : CONTAINER_SECURITY;
  const everyNode = props.placement === 'every-node';
  return {
    metadata: { labels: props.labels, annotations: props.annotations },
    spec: {
      serviceAccountName: props.serviceAccountName,
      automountServiceAccountToken: props.serviceAccountName !== undefined,
      securityContext: root
        ? { seccompProfile: { type: 'RuntimeDefault' } }
        : { runAsNonRoot: true, runAsUser: runAs, runAsGroup: runAs, fsGroup: runAs, seccompProfile: { type: 'RuntimeDefault' } },
      hostNetwork: props.host?.network,
      hostPid: props.host?.pid,
      nodeSelector: everyNode ? undefined : poolSelector((props.placement as { pool: string }).pool),
      tolerations: everyNode ? [{ operator: 'Exists' }] : undefined,
      topologySpreadConstraints: props.spread ? spreadConstraints(props.spread.matchLabels, props.spread.zones) : undefined,
      restartPolicy: props.restartPolicy,
      initContainers: props.init
        ? [{
            name: props.init.name,
            image: props.init.image,
            imagePullPolicy: 'IfNotPresent',
            command: props.init.command,
            envFrom: props.containers[0]!.envFrom,
            env: props.containers[0]!.env,
            resources: quantities(props.containers[0]!.resources),
            securityContext,
            volumeMounts,
          }]
        : undefined,
      containers: props.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imagePullPolicy: 'IfNotPresent',
        command: c.command,
        args: c.args,
        ports: c.ports?.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
        envFrom: c.envFrom,
        env: c.env,
        resources: quantities(c.resources),
        securityContext,
        volumeMounts,
        ...(c.probes ? probes(c.ports?.[0]) : {}),
      })),
      volumes: [...(scratch ? [{ name: 'tmp', emptyDir: {} }] : []), ...(props.mounts ?? []).flatMap((m) => (m.volume ? [{ name: m.name, ...m.volume }] : []))],
    },
  };
}

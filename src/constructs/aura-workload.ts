import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { appOf, type ComponentSpec, type ResourceSpec } from '../platform/catalog';
import { selectorLabels, standardLabels } from '../platform/labels';
import { imageOf } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { KeyVaultSecrets, providerVolume } from './key-vault-secrets';

export const HPA_CPU_TARGET = 80;
export const HPA_MAX_FACTOR = 3;
/** Node pool of each phase: core services on "common", aura-system on "management". */
export const NODE_POOL: Record<ComponentSpec['phase'], string> = { crds: 'common', core: 'common', agents: 'common', system: 'management' };
const RUN_AS = 10001;

export interface AuraWorkloadProps {
  spec: ComponentSpec;
  namespace: string;
  config: Config;
  /** Network access labels of its pods (from the network plan). */
  accessLabels?: Record<string, string>;
}

const int = (n: number) => k8s.IntOrString.fromNumber(n);
const named = (s: string) => k8s.IntOrString.fromString(s);

/**
 * A platform component: its workload (Deployment, StatefulSet or Job), ConfigMap, Key Vault
 * secrets, Service, and for replicated Deployments the HPA and PodDisruptionBudget.
 */
export class AuraWorkload extends Construct {
  constructor(scope: Construct, id: string, props: AuraWorkloadProps) {
    super(scope, id);
    const { spec, config } = props;
    const namespace = spec.namespace?.(config) ?? props.namespace;
    const labels = standardLabels(spec.name, config, appOf(spec), spec.imageTag);
    const selector = { matchLabels: selectorLabels(spec.name, appOf(spec)) };
    const meta = (name = spec.name) => ({ name, namespace, labels });

    const envValues = spec.env?.(config) ?? {};
    const data = Object.fromEntries(Object.keys(envValues).sort().map((k) => [k, String(envValues[k])]));
    const configMap = Object.keys(data).length ? new k8s.KubeConfigMap(this, 'Config', { metadata: meta(`${spec.name}-config`), data }) : undefined;

    const fileData = spec.files?.(config);
    const files = fileData ? new k8s.KubeConfigMap(this, 'Files', { metadata: meta(`${spec.name}-files`), data: fileData }) : undefined;
    const serviceAccount = spec.clusterAccess ? clusterAccess(this, spec, namespace, labels) : undefined;

    const secretEnv = spec.secrets?.(config) ?? {};
    const secrets = Object.keys(secretEnv).length
      ? new KeyVaultSecrets(this, 'Secrets', { name: `${spec.name}-keyvault`, namespace, labels, secrets: secretEnv, config })
      : undefined;

    const host = spec.host;
    const ports = [...spec.ports, ...(spec.profilePorts?.(config) ?? [])];
    // Every container of the pod sees the same volumes: sidecars (thanos, exporters) share the data.
    const volumeMounts: k8s.VolumeMount[] = [
      { name: 'tmp', mountPath: '/tmp' },
      ...(secrets ? [secrets.volumeMount()] : []),
      ...(files ? [{ name: 'files', mountPath: spec.filesPath ?? `/etc/${spec.name}`, readOnly: true }] : []),
      ...(spec.volume ? [{ name: 'data', mountPath: spec.volume.mountPath }] : []),
      ...(host?.paths ?? []).map((h) => ({ name: `host-${h.name}`, mountPath: `/host${h.path}`, readOnly: true })),
      ...(spec.mountProviders ?? []).map((p) => ({ name: p, mountPath: `/mnt/${p}`, readOnly: true })),
    ];
    const securityContext: k8s.SecurityContext = host?.root ? { ...CONTAINER_SECURITY, runAsNonRoot: false, runAsUser: 0 } : CONTAINER_SECURITY;
    const container: k8s.Container = {
      name: spec.name,
      image: imageOf(config, typeof spec.image === 'function' ? spec.image(config) : spec.image, spec.imageTag),
      imagePullPolicy: 'IfNotPresent',
      args: spec.args?.(config),
      ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
      envFrom: configMap ? [{ configMapRef: { name: configMap.name } }] : undefined,
      env: secrets?.env(),
      resources: quantities(spec.sizedResources?.(config) ?? spec.resources),
      securityContext,
      volumeMounts,
      ...probes(spec),
    };

    const runsToCompletion = spec.workload === 'Job' || spec.workload === 'CronJob';
    // Pods restart when their configuration changes, not only when the image does.
    const checksum = createHash('sha256').update(JSON.stringify(fileData ? [data, fileData] : data)).digest('hex');
    const podTemplate: k8s.PodTemplateSpec = {
      metadata: { labels: { ...labels, ...spec.podLabels, ...props.accessLabels }, annotations: configMap || files ? { 'checksum/config': checksum } : undefined },
      spec: {
        serviceAccountName: serviceAccount,
        automountServiceAccountToken: serviceAccount !== undefined,
        securityContext: host?.root
          ? { seccompProfile: { type: 'RuntimeDefault' } }
          : { runAsNonRoot: true, runAsUser: RUN_AS, runAsGroup: RUN_AS, fsGroup: RUN_AS, seccompProfile: { type: 'RuntimeDefault' } },
        hostNetwork: host?.network,
        hostPid: host?.pid,
        // Node agents run on every node of every pool; the rest on their phase's pool.
        nodeSelector: spec.workload === 'DaemonSet' ? undefined : { 'kubernetes.azure.com/agentpool': NODE_POOL[spec.phase] },
        tolerations: spec.workload === 'DaemonSet' ? [{ operator: 'Exists' }] : undefined,
        topologySpreadConstraints: runsToCompletion || spec.workload === 'DaemonSet' ? undefined : spreadConstraints(selector.matchLabels, config),
        restartPolicy: runsToCompletion ? 'OnFailure' : undefined,
        containers: [
          container,
          ...(spec.sidecars ?? []).map((s) => ({
            name: s.name,
            image: imageOf(config, s.image, s.imageTag),
            imagePullPolicy: 'IfNotPresent',
            args: s.args?.(config),
            ports: s.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
            resources: quantities(s.resources),
            securityContext,
            volumeMounts,
          })),
        ],
        volumes: [
          { name: 'tmp', emptyDir: {} },
          ...(secrets ? [secrets.volume()] : []),
          ...(files ? [{ name: 'files', configMap: { name: files.name } }] : []),
          ...(host?.paths ?? []).map((h) => ({ name: `host-${h.name}`, hostPath: { path: h.path } })),
          ...(spec.mountProviders ?? []).map((p) => providerVolume(p, p)),
        ],
      },
    };

    const replicas = spec.replicas?.(config);
    // The guide autoscales the core services; system Deployments keep a fixed count.
    const autoscaled = spec.phase === 'core' && spec.workload === 'Deployment' && replicas !== undefined;
    if (spec.workload === 'Job') {
      new k8s.KubeJob(this, 'Job', { metadata: meta(), spec: { backoffLimit: 3, template: podTemplate } });
      return;
    }
    if (spec.workload === 'CronJob') {
      new k8s.KubeCronJob(this, 'CronJob', {
        metadata: meta(),
        spec: {
          schedule: spec.schedule ?? '',
          suspend: spec.suspend,
          // A slow run must never overlap the next one, and a missed night is not made up twice.
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: 3600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: { metadata: { labels }, spec: { backoffLimit: 2, template: podTemplate } },
        },
      });
      return;
    }
    if (spec.workload === 'DaemonSet') {
      new k8s.KubeDaemonSet(this, 'DaemonSet', {
        metadata: meta(),
        spec: { selector, template: podTemplate, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: int(1) } } },
      });
    } else if (spec.workload === 'StatefulSet') {
      new k8s.KubeStatefulSet(this, 'StatefulSet', {
        metadata: meta(),
        spec: {
          serviceName: spec.name,
          replicas: replicas ?? 1,
          selector,
          template: podTemplate,
          volumeClaimTemplates: spec.volume
            ? [{ metadata: { name: 'data', labels }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString(spec.volume.size(config)) } } } }]
            : undefined,
        },
      });
    } else {
      new k8s.KubeDeployment(this, 'Deployment', {
        metadata: meta(),
        spec: {
          // Under an HPA the replica count belongs to the HPA: a fixed value here would fight it on every apply.
          replicas: autoscaled ? undefined : (replicas ?? 1),
          // A singleton never runs twice, not even during a rollout.
          strategy: replicas === undefined ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: int(1), maxUnavailable: int(0) } },
          selector,
          template: podTemplate,
        },
      });
    }

    const exposed = [...ports, ...(spec.sidecars ?? []).flatMap((s) => s.ports)];
    const headless = spec.workload === 'StatefulSet' || spec.workload === 'DaemonSet';
    if (exposed.length)
      new k8s.KubeService(this, 'Service', {
        metadata: meta(),
        spec: {
          type: 'ClusterIP',
          // StatefulSet and DaemonSet Services are headless: members are addressed one by one (mongodb-0.mongodb).
          clusterIp: headless ? 'None' : undefined,
          publishNotReadyAddresses: headless ? true : undefined,
          selector: selector.matchLabels,
          ports: exposed.map((p) => ({ name: p.name, port: p.servicePort ?? p.port, targetPort: named(p.name), protocol: 'TCP' })),
        },
      });

    if (autoscaled) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Hpa', {
        metadata: meta(),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
          minReplicas: replicas,
          maxReplicas: replicas * HPA_MAX_FACTOR,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: HPA_CPU_TARGET } } }],
        },
      });
    }
    if (replicas !== undefined && replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'Pdb', { metadata: meta(), spec: { maxUnavailable: int(1), selector } });
    }
  }
}

/** The pod's ServiceAccount, bound to a ClusterRole with exactly the component's rules. */
function clusterAccess(scope: Construct, spec: ComponentSpec, namespace: string, labels: Record<string, string>): string {
  const name = spec.name;
  const clusterName = `aura-${name}`;
  new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { name, namespace, labels }, automountServiceAccountToken: false });
  new k8s.KubeClusterRole(scope, 'ClusterRole', { metadata: { name: clusterName, labels }, rules: spec.clusterAccess });
  // Named after the ServiceAccount's namespace: a release beside the running one binds its own.
  new k8s.KubeClusterRoleBinding(scope, 'ClusterRoleBinding', {
    metadata: { name: `${namespace}-${name}`, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  return name;
}

const CONTAINER_SECURITY: k8s.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

function quantities(r: ResourceSpec): k8s.ResourceRequirements {
  const q = k8s.Quantity.fromString;
  return { requests: { cpu: q(r.requests.cpu), memory: q(r.requests.memory) }, limits: { cpu: q(r.limits.cpu), memory: q(r.limits.memory) } };
}

/** Replicas spread over nodes, and over zones when the cluster has them; never blocks scheduling. */
function spreadConstraints(matchLabels: Record<string, string>, c: Config): k8s.TopologySpreadConstraint[] {
  const keys = c.aks_multi_az ? ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'] : ['kubernetes.io/hostname'];
  return keys.map((topologyKey) => ({ topologyKey, maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels } }));
}

/** TCP probes on the first port: the guide names no health endpoints, and an open port is what every service has. */
function probes(spec: ComponentSpec): Pick<k8s.Container, 'readinessProbe' | 'livenessProbe'> {
  const port = spec.ports[0];
  if (!port || spec.workload === 'Job' || spec.workload === 'CronJob') return {};
  const tcpSocket = { port: named(port.name) };
  return {
    readinessProbe: { tcpSocket, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { tcpSocket, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 3 },
  };
}

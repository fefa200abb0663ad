import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import type { ComponentSpec, ResourceSpec } from '../platform/catalog';
import { selectorLabels, standardLabels } from '../platform/labels';
import { imageOf } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { KeyVaultSecrets } from './key-vault-secrets';

export const HPA_CPU_TARGET = 80;
export const HPA_MAX_FACTOR = 3;
/** Node pool of each phase: core services on "common", aura-system on "management". */
export const NODE_POOL: Record<ComponentSpec['phase'], string> = { core: 'common', system: 'management' };
const RUN_AS = 10001;

export interface AuraWorkloadProps {
  spec: ComponentSpec;
  namespace: string;
  config: Config;
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
    const labels = standardLabels(spec.name, config);
    const meta = (name = spec.name) => ({ name, namespace, labels });

    const envValues = spec.env?.(config) ?? {};
    const data = Object.fromEntries(Object.keys(envValues).sort().map((k) => [k, String(envValues[k])]));
    const configMap = Object.keys(data).length ? new k8s.KubeConfigMap(this, 'Config', { metadata: meta(`${spec.name}-config`), data }) : undefined;

    const secretEnv = spec.secrets?.(config) ?? {};
    const secrets = Object.keys(secretEnv).length
      ? new KeyVaultSecrets(this, 'Secrets', { name: `${spec.name}-keyvault`, namespace, labels, secrets: secretEnv, config })
      : undefined;

    const container: k8s.Container = {
      name: spec.name,
      image: imageOf(config, spec.image, spec.imageTag),
      imagePullPolicy: 'IfNotPresent',
      args: spec.args?.(config),
      ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
      envFrom: configMap ? [{ configMapRef: { name: configMap.name } }] : undefined,
      env: secrets?.env(),
      resources: quantities(spec.sizedResources?.(config) ?? spec.resources),
      securityContext: CONTAINER_SECURITY,
      volumeMounts: [
        { name: 'tmp', mountPath: '/tmp' },
        ...(secrets ? [secrets.volumeMount()] : []),
        ...(spec.volume ? [{ name: 'data', mountPath: spec.volume.mountPath }] : []),
      ],
      ...probes(spec),
    };

    const runsToCompletion = spec.workload === 'Job' || spec.workload === 'CronJob';
    // Pods restart when their configuration changes, not only when the image does.
    const checksum = createHash('sha256').update(JSON.stringify(data)).digest('hex');
    const podTemplate: k8s.PodTemplateSpec = {
      metadata: { labels, annotations: configMap ? { 'checksum/config': checksum } : undefined },
      spec: {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: RUN_AS, runAsGroup: RUN_AS, fsGroup: RUN_AS, seccompProfile: { type: 'RuntimeDefault' } },
        nodeSelector: { 'kubernetes.azure.com/agentpool': NODE_POOL[spec.phase] },
        topologySpreadConstraints: runsToCompletion ? undefined : spreadConstraints(spec.name, config),
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
            securityContext: CONTAINER_SECURITY,
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          })),
        ],
        volumes: [{ name: 'tmp', emptyDir: {} }, ...(secrets ? [secrets.volume()] : [])],
      },
    };

    const replicas = spec.replicas?.(config);
    const selector = { matchLabels: selectorLabels(spec.name) };
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
    if (spec.workload === 'StatefulSet') {
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
          replicas: replicas === undefined ? 1 : undefined,
          // A singleton never runs twice, not even during a rollout.
          strategy: replicas === undefined ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: int(1), maxUnavailable: int(0) } },
          selector,
          template: podTemplate,
        },
      });
    }

    const exposed = spec.ports.filter((p) => p.expose !== false);
    if (exposed.length)
      new k8s.KubeService(this, 'Service', {
        metadata: meta(),
        spec: {
          type: 'ClusterIP',
          // A StatefulSet's Service is headless: its members are addressed one by one (mongodb-0.mongodb).
          clusterIp: spec.workload === 'StatefulSet' ? 'None' : undefined,
          publishNotReadyAddresses: spec.workload === 'StatefulSet' ? true : undefined,
          selector: selectorLabels(spec.name),
          ports: exposed.map((p) => ({ name: p.name, port: p.servicePort ?? p.port, targetPort: named(p.name), protocol: 'TCP' })),
        },
      });

    if (replicas !== undefined && spec.workload === 'Deployment') {
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
function spreadConstraints(app: string, c: Config): k8s.TopologySpreadConstraint[] {
  const keys = c.aks_multi_az ? ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'] : ['kubernetes.io/hostname'];
  return keys.map((topologyKey) => ({ topologyKey, maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorLabels(app) } }));
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

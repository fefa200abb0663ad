import { createHash } from 'node:crypto';
import { ApiObject, type ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { phaseInfo } from '../model/phases';
import { selectorLabels, standardLabels } from '../platform/labels';
import { imageOf, SYSTEM_NAMESPACE } from '../platform/naming';
import { AFTER_ANNOTATION } from '../model/phases';
import { appOf } from '../platform/resolve';
import type { Platform, WorkloadSpec } from '../platform/types';
import { KeyVaultSecrets, providerVolume } from './key-vault-secrets';
import { podTemplate, type PodTemplateProps } from './workloads/pod-template';
import { AuraCronJob, AuraDaemonSet, AuraDeployment, AuraJob, AuraStatefulSet } from './workloads/workloads';

export const HPA_CPU_TARGET = 80;
export const HPA_MAX_FACTOR = 3;

export interface AuraWorkloadProps {
  spec: WorkloadSpec;
  /** The resolved platform: namespace, access labels and the endpoints its configuration uses. */
  platform: Platform;
}

const int = (n: number) => k8s.IntOrString.fromNumber(n);
const named = (s: string) => k8s.IntOrString.fromString(s);

/**
 * L3: a component's workload as the platform runs it. Its ConfigMap, Key Vault secrets, RBAC,
 * the workload itself (an L2 construct over the shared pod template), its Service, and for
 * replicated workloads the HPA and PodDisruptionBudget.
 */
export class AuraWorkload extends Construct {
  /** The Service, when the workload has ports. */
  readonly service?: string;
  constructor(scope: Construct, id: string, props: AuraWorkloadProps) {
    super(scope, id);
    const { spec, platform } = props;
    const config = platform.config;
    const namespace = platform.namespaceOf(spec);
    const imageTag = typeof spec.imageTag === 'function' ? spec.imageTag(config) : spec.imageTag;
    const labels = standardLabels(spec.name, config, appOf(spec), imageTag);
    const selector = selectorLabels(spec.name, appOf(spec));
    const after = spec.after?.(config) ?? [];
    const meta = (name = spec.name) => ({ name, namespace, labels, ...(after.length ? { annotations: { [AFTER_ANNOTATION]: after.join(',') } } : {}) });

    const envValues = spec.env?.(platform) ?? {};
    const data = Object.fromEntries(Object.keys(envValues).sort().map((k) => [k, String(envValues[k])]));
    const configMap = Object.keys(data).length ? new k8s.KubeConfigMap(this, 'Config', { metadata: meta(`${spec.name}-config`), data }) : undefined;

    const fileData = spec.files?.(platform);
    const files = fileData ? new k8s.KubeConfigMap(this, 'Files', { metadata: meta(`${spec.name}-files`), data: fileData }) : undefined;
    const fileSets = (spec.fileSets ?? []).filter((set) => set.enabled?.(config) ?? true).map((set) => {
      const setData = set.files(platform);
      return { set, data: setData, map: new k8s.KubeConfigMap(this, `Files-${set.name}`, { metadata: meta(`${spec.name}-${set.name}`), data: setData }) };
    });
    const serviceAccount = spec.clusterAccess ? clusterAccess(this, spec, namespace, labels, spec.accessNamespaces?.(platform)) : undefined;

    const secretEnv = spec.secrets?.(platform) ?? {};
    const secretFiles = spec.secretFiles?.(platform) ?? [];
    const secrets = Object.keys(secretEnv).length || secretFiles.length
      ? new KeyVaultSecrets(this, 'Secrets', { name: `${spec.name}-keyvault`, namespace, labels, secrets: secretEnv, files: secretFiles, config })
      : undefined;

    const ports = [...spec.ports, ...(spec.profilePorts?.(config) ?? [])];
    const runsToCompletion = spec.workload === 'Job' || spec.workload === 'CronJob';
    const everyNode = spec.workload === 'DaemonSet';
    // Pods restart when their configuration changes, not only when the image does.
    const checksum = createHash('sha256').update(JSON.stringify(fileData || fileSets.length ? [data, fileData, ...fileSets.map((f) => f.data)] : data)).digest('hex');
    // Every container of the pod sees the same volumes: sidecars (thanos, exporters) share the data.
    const mounts: PodTemplateProps['mounts'] = [
      ...(secrets ? [{ ...secrets.volumeMount(), volume: { csi: secrets.volume().csi } }] : []),
      ...(files ? [{ name: 'files', mountPath: spec.filesPath ?? `/etc/${spec.name}`, readOnly: true, volume: { configMap: { name: files.name } } }] : []),
      ...fileSets.map(({ set, map }) => ({ name: `files-${set.name}`, mountPath: set.mountPath, readOnly: true, volume: { configMap: { name: map.name } } })),
      ...(spec.volume ? [{ name: 'data', mountPath: spec.volume.mountPath }] : []),
      ...(spec.host?.paths ?? []).map((h) => ({ name: `host-${h.name}`, mountPath: `/host${h.path}`, readOnly: true, volume: { hostPath: { path: h.path } } })),
      ...(spec.mountProviders ?? []).map((p) => ({ name: p, mountPath: `/mnt/${p}`, readOnly: true, volume: { csi: providerVolume(p, p).csi } })),
      ...(spec.scratch ?? []).map((d) => ({ name: d.name, mountPath: d.mountPath, volume: { emptyDir: {} } })),
      ...(spec.secretMounts?.(platform) ?? []).map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true, volume: { secret: { secretName: m.secret } } })),
    ];
    // Environment: the pod's own fields, Key Vault secrets, operator-generated Secrets, then values
    // composed from those (`$(VAR)` expands only variables defined before it).
    const env: k8s.EnvVar[] = [
      ...Object.entries(spec.podFields ?? {}).map(([name, fieldPath]) => ({ name, valueFrom: { fieldRef: { fieldPath } } })),
      ...(secrets?.env() ?? []),
      ...Object.entries(spec.generatedSecrets?.(platform) ?? {})
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, ref]) => ({ name, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } })),
      ...Object.entries(spec.composedEnv?.(platform) ?? {}).map(([name, value]) => ({ name, value })),
    ];
    const image = imageOf(config, typeof spec.image === 'function' ? spec.image(config) : spec.image, imageTag);
    const template = podTemplate({
      component: spec.name,
      labels: { ...labels, ...spec.podLabels, ...platform.network.podLabels(spec.name) },
      annotations: configMap || files || fileSets.length ? { 'checksum/config': checksum } : undefined,
      serviceAccountName: serviceAccount,
      host: spec.host && { network: spec.host.network, pid: spec.host.pid, root: spec.host.root },
      // Node agents run on every node of every pool; the rest on their phase's pool.
      placement: everyNode ? 'every-node' : { pool: phaseInfo(spec.phase).nodePool },
      spread: runsToCompletion || everyNode ? undefined : { matchLabels: selector, zones: config.aks_multi_az },
      restartPolicy: runsToCompletion ? 'OnFailure' : undefined,
      mounts,
      init: spec.init && {
        name: spec.init.name,
        image: spec.init.image ? imageOf(config, spec.init.image, spec.init.imageTag) : image,
        command: spec.init.command(platform),
      },
      containers: [
        {
          name: spec.name,
          image,
          command: spec.command?.(platform),
          args: spec.args?.(platform),
          ports,
          envFrom: configMap ? [{ configMapRef: { name: configMap.name } }] : undefined,
          env: env.length ? env : undefined,
          resources: typeof spec.resources === 'function' ? spec.resources(config) : spec.resources,
          probes: !runsToCompletion,
        },
        ...(spec.sidecars ?? []).map((s) => ({ name: s.name, image: imageOf(config, s.image, s.imageTag), args: s.args?.(platform), ports: s.ports, resources: s.resources })),
      ],
    });

    const scale = spec.scale;
    const replicas = scale?.mode === 'fixed' ? scale.replicas(config) : scale?.mode === 'autoscaled' ? scale.minReplicas(config) : (scale?.replicas?.(config) ?? 1);
    // A stopped service (service_replicas 0) has no autoscaler: an HPA never scales below one.
    const autoscaled = scale?.mode === 'autoscaled' && replicas > 0;
    const base = { component: spec.name, metadata: meta(), template };
    switch (spec.workload) {
      case 'Job':
        new AuraJob(this, 'Job', { ...base, activeDeadlineSeconds: spec.deadlineSeconds ?? 0, productProgram: spec.productProgram });
        return;
      case 'CronJob':
        new AuraCronJob(this, 'CronJob', { ...base, schedule: spec.schedule ?? '', suspend: spec.suspend, activeDeadlineSeconds: spec.deadlineSeconds ?? 0, productProgram: spec.productProgram });
        return;
      case 'DaemonSet':
        new AuraDaemonSet(this, 'DaemonSet', { ...base, selector });
        break;
      case 'StatefulSet':
        new AuraStatefulSet(this, 'StatefulSet', {
          ...base, selector, replicas, podManagementPolicy: spec.podManagementPolicy,
          volume: spec.volume && { size: typeof spec.volume.size === 'function' ? spec.volume.size(config) : spec.volume.size },
        });
        break;
      case 'Deployment':
        new AuraDeployment(this, 'Deployment', { ...base, selector, replicas, autoscaled, strategy: scale?.mode === 'singleton' ? 'Recreate' : 'RollingUpdate' });
        break;
    }

    const exposed = [...ports, ...(spec.sidecars ?? []).flatMap((s) => s.ports)];
    const headless = spec.workload === 'StatefulSet' || spec.workload === 'DaemonSet';
    if (exposed.length) {
      this.service = spec.name;
      new k8s.KubeService(this, 'Service', {
        metadata: meta(),
        spec: {
          type: 'ClusterIP',
          // StatefulSet and DaemonSet Services are headless: members are addressed one by one (mongodb-0.mongodb).
          clusterIp: headless ? 'None' : undefined,
          publishNotReadyAddresses: headless ? true : undefined,
          selector,
          ports: exposed.map((p) => ({ name: p.name, port: p.servicePort ?? p.port, targetPort: named(p.name), protocol: 'TCP' })),
        },
      });
    }

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
    if (replicas > 1) new k8s.KubePodDisruptionBudget(this, 'Pdb', { metadata: meta(), spec: { maxUnavailable: int(1), selector: { matchLabels: selector } } });
  }
}

/**
 * The cluster-wide name of a component's ClusterRole and binding. aura-system is the parent
 * cluster's alone; a component in a core namespace is named after that namespace, so a tenant on
 * its parent's cluster never takes over the parent's binding (`aura-de-pro-wsim-nginx`).
 */
export const clusterAccessName = (component: string, namespace: string): string => (namespace === SYSTEM_NAMESPACE ? `aura-${component}` : `${namespace}-${component}`);

/**
 * The RoleBinding that grants a workload its ClusterRole's rules in one namespace only
 * (`accessNamespaces`): named like the workload's ClusterRoleBinding would be.
 */
export function namespaceAccessBinding(scope: Construct, id: string, workload: { name: string; namespace: string }, bindingNamespace: string, labels: Record<string, string>): void {
  // A plain ApiObject (imports/ holds no RoleBinding class); the strict schema check validates it like every object.
  new ApiObject(scope, id, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${workload.namespace}-${workload.name}`, namespace: bindingNamespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterAccessName(workload.name, workload.namespace) },
    subjects: [{ kind: 'ServiceAccount', name: workload.name, namespace: workload.namespace }],
  } as ApiObjectProps);
}

/** The pod's ServiceAccount, bound to a ClusterRole with exactly the component's rules: cluster-wide, or in its own namespace when `scoped` lists it. */
function clusterAccess(scope: Construct, spec: WorkloadSpec, namespace: string, labels: Record<string, string>, scoped?: string[]): string {
  const name = spec.name;
  const clusterName = clusterAccessName(name, namespace);
  new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { name, namespace, labels }, automountServiceAccountToken: false });
  new k8s.KubeClusterRole(scope, 'ClusterRole', { metadata: { name: clusterName, labels }, rules: spec.clusterAccess });
  if (scoped) {
    if (scoped.includes(namespace)) namespaceAccessBinding(scope, 'RoleBinding', { name, namespace }, namespace, labels);
    return name;
  }
  // Named after the ServiceAccount's namespace: a release beside the running one binds its own.
  new k8s.KubeClusterRoleBinding(scope, 'ClusterRoleBinding', {
    metadata: { name: `${namespace}-${name}`, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  return name;
}

import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { podTemplate, type PodTemplateProps } from '../../src/constructs/workloads/pod-template';
import { AuraCronJob, AuraDaemonSet, AuraDeployment, AuraJob, AuraStatefulSet } from '../../src/constructs/workloads/workloads';

const RESOURCES = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } };
const selector = { app: 'demo', 'app.kubernetes.io/name': 'demo' };
const metadata = { name: 'demo', namespace: 'aura-test', labels: { ...selector, 'app.kubernetes.io/part-of': 'aura' } };
const template = (extra: Partial<PodTemplateProps> = {}) =>
  podTemplate({
    component: 'demo',
    labels: metadata.labels,
    placement: { pool: 'common' },
    containers: [{ name: 'demo', image: 'registry/demo:1', ports: [{ name: 'http', port: 8080 }], resources: RESOURCES, probes: true }],
    ...extra,
  });
/** Synthesizes what `build` adds to a fresh chart. */
const synth = (build: (chart: ReturnType<typeof Testing.chart>) => void): any[] => {
  const chart = Testing.chart();
  build(chart);
  return chart.toJson();
};

describe('podTemplate', () => {
  it('runs non-root with a read-only root filesystem, no capabilities, a scratch /tmp and TCP probes on the first port', () => {
    const t: any = template();
    expect(t.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    const c = t.spec.containers[0];
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(c.readinessProbe.tcpSocket.port.value).toBe('http');
    expect(t.spec.automountServiceAccountToken).toBe(false);
    expect(t.spec.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': 'common' });
  });

  it('mounts every volume in every container, in order; a claim mount declares no pod volume', () => {
    const t: any = template({
      mounts: [{ name: 'files', mountPath: '/etc/demo', readOnly: true, volume: { configMap: { name: 'demo-files' } } }, { name: 'data', mountPath: '/data' }],
      containers: [
        { name: 'demo', image: 'i', resources: RESOURCES },
        { name: 'sidecar', image: 'j', resources: RESOURCES },
      ],
    });
    for (const c of t.spec.containers) expect(c.volumeMounts.map((m: any) => m.name)).toEqual(['tmp', 'files', 'data']);
    expect(t.spec.volumes.map((v: any) => v.name)).toEqual(['tmp', 'files']);
  });

  it('places node agents on every node, and spreads replicas over zones when asked', () => {
    const agent: any = template({ placement: 'every-node', host: { pid: true } });
    expect(agent.spec).toMatchObject({ tolerations: [{ operator: 'Exists' }], hostPid: true });
    expect(agent.spec.nodeSelector).toBeUndefined();
    const spread: any = template({ spread: { matchLabels: selector, zones: true } });
    expect(spread.spec.topologySpreadConstraints.map((s: any) => s.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
  });

  it.each([
    [{ containers: [] }, 'component demo: a pod needs at least one container'],
    [{ containers: [{ name: 'a', image: 'i', resources: RESOURCES }, { name: 'a', image: 'i', resources: RESOURCES }] }, 'component demo: two containers are named a'],
    [{ host: { network: true } }, "component demo: host access is for node agents (placement 'every-node')"],
  ] as [Partial<PodTemplateProps>, string][])('refuses %o', (extra, message) => {
    expect(() => template(extra)).toThrow(message);
  });
});

describe('L2 workloads', () => {
  it('AuraDeployment: rolling one pod at a time; Recreate for a singleton; no replicas under an HPA', () => {
    const [rolling] = synth((c) => new AuraDeployment(c, 'd', { component: 'demo', metadata, selector, template: template(), replicas: 2 }));
    expect(rolling.spec).toMatchObject({ replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, selector: { matchLabels: selector } });
    const [single] = synth((c) => new AuraDeployment(c, 'd', { component: 'demo', metadata, selector, template: template(), replicas: 1, strategy: 'Recreate' }));
    expect(single.spec.strategy).toEqual({ type: 'Recreate' });
    const [scaled] = synth((c) => new AuraDeployment(c, 'd', { component: 'demo', metadata, selector, template: template(), replicas: 3, autoscaled: true }));
    expect(scaled.spec.replicas).toBeUndefined();
  });

  it('AuraStatefulSet: the headless Service name and one claim per member', () => {
    const t = template({ mounts: [{ name: 'data', mountPath: '/data' }] });
    const [s] = synth((c) => new AuraStatefulSet(c, 's', { component: 'demo', metadata, selector, template: t, replicas: 3, volume: { size: '8Gi' } }));
    expect(s.spec).toMatchObject({ serviceName: 'demo', replicas: 3 });
    expect(s.spec.volumeClaimTemplates[0]).toMatchObject({ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '8Gi' } } } });
  });

  it('AuraDaemonSet: one node at a time', () => {
    const [d] = synth((c) => new AuraDaemonSet(c, 'n', { component: 'demo', metadata, selector, template: template({ placement: 'every-node' }) }));
    expect(d.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  /** A Job's pod: restarts on failure, its container runs a script. */
  const jobTemplate = (command: string[] | null = ['sh', '/etc/demo/run.sh']) =>
    template({ restartPolicy: 'OnFailure', containers: [{ name: 'demo', image: 'registry/demo:1', command: command ?? undefined, resources: RESOURCES }] });

  it('AuraJob and AuraCronJob: restart on failure, bounded in time, never two runs at once', () => {
    const t = jobTemplate();
    const [job] = synth((c) => new AuraJob(c, 'j', { component: 'demo', metadata, template: t, activeDeadlineSeconds: 600 }));
    expect(job.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 600 });
    const [cron] = synth((c) => new AuraCronJob(c, 'c', { component: 'demo', metadata, template: t, schedule: '0 2 * * *', suspend: true, activeDeadlineSeconds: 900 }));
    expect(cron.spec).toMatchObject({ schedule: '0 2 * * *', suspend: true, concurrencyPolicy: 'Forbid', jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds: 900 } } });
    // A product's own program runs its image's entrypoint only when the Job says so.
    const [product] = synth((c) => new AuraJob(c, 'p', { component: 'demo', metadata, template: jobTemplate(null), activeDeadlineSeconds: 600, productProgram: true }));
    expect(product.spec.template.spec.containers[0].command).toBeUndefined();
  });

  it.each([
    ['a Recreate Deployment with two replicas', (c: any) => new AuraDeployment(c, 'd', { component: 'demo', metadata, selector, template: template(), replicas: 2, strategy: 'Recreate' }), 'component demo: strategy Recreate is for a singleton; with 2 replicas use RollingUpdate'],
    ['zero replicas under an autoscaler', (c: any) => new AuraDeployment(c, 'd', { component: 'demo', metadata, selector, template: template(), replicas: 0, autoscaled: true }), 'component demo: replicas must be a whole number of at least 1, not 0'],
    ['a negative count', (c: any) => new AuraDeployment(c, 'd', { component: 'demo', metadata, selector, template: template(), replicas: -1 }), 'component demo: replicas must be a whole number of at least 0, not -1'],
    ['a selector the pods do not carry', (c: any) => new AuraDeployment(c, 'd', { component: 'demo', metadata, selector: { app: 'other' }, template: template(), replicas: 1 }), 'component demo: selector label app is not on the pod template'],
    ['a volume nobody mounts', (c: any) => new AuraStatefulSet(c, 's', { component: 'demo', metadata, selector, template: template(), replicas: 1, volume: { size: '1Gi' } }), "component demo: volume is declared but no container mounts 'data'"],
    ['a node agent on one pool', (c: any) => new AuraDaemonSet(c, 'n', { component: 'demo', metadata, selector, template: template() }), 'component demo: a node agent runs on every node'],
    ['a Job whose pods restart Always', (c: any) => new AuraJob(c, 'j', { component: 'demo', metadata, template: template(), activeDeadlineSeconds: 60 }), "component demo: a Job's pods must restart OnFailure"],
    ['a Job with no deadline', (c: any) => new AuraJob(c, 'j', { component: 'demo', metadata, template: jobTemplate(), activeDeadlineSeconds: 0 }), 'component demo: a Job must be bounded in time: set deadlineSeconds'],
    ['a CronJob with a fractional deadline', (c: any) => new AuraCronJob(c, 'c', { component: 'demo', metadata, template: jobTemplate(), schedule: '0 2 * * *', activeDeadlineSeconds: 1.5 }), 'component demo: a Job must be bounded in time'],
    ['a Job container with no command', (c: any) => new AuraJob(c, 'j', { component: 'demo', metadata, template: jobTemplate(null), activeDeadlineSeconds: 60 }), "component demo: container demo of a Job runs its image's default command"],
    ['a CronJob container with an empty command', (c: any) => new AuraCronJob(c, 'c', { component: 'demo', metadata, template: jobTemplate([]), schedule: '0 2 * * *', activeDeadlineSeconds: 60 }), "container demo of a Job runs its image's default command"],
    ['a six-field schedule', (c: any) => new AuraCronJob(c, 'c', { component: 'demo', metadata, template: jobTemplate(), schedule: '0 0 2 * * *', activeDeadlineSeconds: 60 }), 'component demo: schedule "0 0 2 * * *" is not a five-field cron expression'],
  ])('refuses %s, naming the component and the prop', (_, build, message) => {
    expect(() => synth(build)).toThrow(message);
  });
});

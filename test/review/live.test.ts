import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main as diffMain } from '../../src/commands/diff';
import { API_DEFAULTS_FILE, buildApiDefaults, serializeApiDefaults, statedDefault } from '../../src/review/api-defaults';
import { liveDiff, normalizeLive, readLiveFolder } from '../../src/review/live';
import { parseObjects } from '../../src/review/objects';
import type { Manifest } from '../../src/compile';
import { built } from '../helpers';
import { SENTINEL } from '../hostile/harness';

/**
 * What kube-apiserver returns for an object it was given: the fields it sets (uid, managedFields,
 * status, allocated addresses), the defaults it fills in, and what its controllers add (a Job's
 * selector and labels, a StatefulSet's claims as PersistentVolumeClaims). Written from how the API
 * server behaves, independently of src/review/live.ts: a default the diff does not know makes a
 * test below fail.
 */
let counter = 0;
const pod = (template: any) => {
  const t = structuredClone(template ?? {});
  t.metadata = { creationTimestamp: null, ...t.metadata };
  const s = (t.spec ??= {});
  s.dnsPolicy ??= 'ClusterFirst';
  s.restartPolicy ??= 'Always';
  s.schedulerName ??= 'default-scheduler';
  s.securityContext ??= {};
  s.terminationGracePeriodSeconds ??= 30;
  if (s.serviceAccountName) s.serviceAccount = s.serviceAccountName;
  for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) {
    c.imagePullPolicy ??= /:latest$/.test(c.image) ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean)) Object.assign(probe, { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, ...probe });
    for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  for (const v of s.volumes ?? []) {
    if (v.configMap) v.configMap.defaultMode ??= 420;
    if (v.secret) v.secret.defaultMode ??= 420;
  }
  return t;
};
function served(input: Manifest): Manifest[] {
  const m = structuredClone(input) as any;
  const uid = `0000-${++counter}`;
  m.metadata = {
    ...m.metadata,
    uid,
    resourceVersion: String(1000 + counter),
    generation: 2,
    creationTimestamp: '2025-11-02T10:00:00Z',
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: m.apiVersion, time: '2025-11-02T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {} }],
    annotations: { ...m.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(input) },
  };
  const extra: Manifest[] = [];
  switch (m.kind) {
    case 'Deployment':
      m.metadata.annotations['deployment.kubernetes.io/revision'] = '7';
      m.spec.replicas ??= 3; // the HPA's
      m.spec.progressDeadlineSeconds ??= 600;
      m.spec.revisionHistoryLimit ??= 10;
      m.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
      m.spec.template = pod(m.spec.template);
      m.status = { availableReplicas: 3, readyReplicas: 3, observedGeneration: 2 };
      break;
    case 'StatefulSet':
      m.spec.podManagementPolicy ??= 'OrderedReady';
      m.spec.revisionHistoryLimit ??= 10;
      m.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      m.spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      m.spec.template = pod(m.spec.template);
      for (const t of m.spec.volumeClaimTemplates ?? []) {
        Object.assign(t, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } });
        t.spec.volumeMode ??= 'Filesystem';
        for (let i = 0; i < (m.spec.replicas ?? 1); i++)
          extra.push({
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: `${t.metadata.name}-${m.metadata.name}-${i}`, namespace: m.metadata.namespace, uid: `pvc-${uid}-${i}`, finalizers: ['kubernetes.io/pvc-protection'], annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'volume.kubernetes.io/storage-provisioner': 'disk.csi.azure.com' } },
            spec: { ...t.spec, storageClassName: 'default', volumeName: `pvc-${uid}-${i}`, volumeMode: 'Filesystem' },
            status: { phase: 'Bound' },
          } as Manifest);
      }
      m.status = { replicas: m.spec.replicas, readyReplicas: m.spec.replicas };
      break;
    case 'DaemonSet':
      m.spec.revisionHistoryLimit ??= 10;
      m.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
      m.spec.template = pod(m.spec.template);
      break;
    case 'Job': {
      const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': m.metadata.name, 'controller-uid': uid, 'job-name': m.metadata.name };
      Object.assign(m.spec, { backoffLimit: m.spec.backoffLimit ?? 6, completionMode: 'NonIndexed', completions: 1, parallelism: 1, suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed', selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } } });
      m.spec.template = pod(m.spec.template);
      m.spec.template.metadata.labels = { ...m.spec.template.metadata.labels, ...labels };
      m.status = { succeeded: 1 };
      break;
    }
    case 'CronJob':
      Object.assign(m.spec, { concurrencyPolicy: m.spec.concurrencyPolicy ?? 'Allow', failedJobsHistoryLimit: m.spec.failedJobsHistoryLimit ?? 1, successfulJobsHistoryLimit: m.spec.successfulJobsHistoryLimit ?? 3, suspend: m.spec.suspend ?? false });
      m.spec.jobTemplate.metadata = { creationTimestamp: null, ...m.spec.jobTemplate.metadata };
      m.spec.jobTemplate.spec.template = pod(m.spec.jobTemplate.spec.template);
      break;
    case 'Service': {
      const headless = m.spec.clusterIP === 'None';
      Object.assign(m.spec, { clusterIP: headless ? 'None' : `10.0.${counter % 250}.10`, clusterIPs: [headless ? 'None' : `10.0.${counter % 250}.10`], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster', sessionAffinity: m.spec.sessionAffinity ?? 'None', type: m.spec.type ?? 'ClusterIP' });
      for (const p of m.spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
        if (m.spec.type === 'LoadBalancer') p.nodePort = 30000 + counter;
      }
      if (m.spec.type === 'LoadBalancer') {
        m.spec.allocateLoadBalancerNodePorts = true;
        if (m.spec.externalTrafficPolicy === 'Local') m.spec.healthCheckNodePort = 31999;
        m.status = { loadBalancer: { ingress: [{ ip: '203.0.113.50' }] } };
      } else m.status = { loadBalancer: {} };
      break;
    }
    case 'Namespace':
      m.metadata.labels = { ...m.metadata.labels, 'kubernetes.io/metadata.name': m.metadata.name };
      m.spec = { finalizers: ['kubernetes'] };
      m.status = { phase: 'Active' };
      break;
    case 'NetworkPolicy':
      m.spec.policyTypes ??= ['Ingress', ...(m.spec.egress?.length ? ['Egress'] : [])];
      break;
    case 'AtlasDeployment':
    case 'AtlasProject':
      m.metadata.finalizers = ['mongodbatlas/finalizer'];
      m.metadata.annotations['mongodb.com/last-applied-configuration'] = '{}';
      m.status = { conditions: [{ type: 'Ready', status: 'True' }] };
      break;
    case 'Elasticsearch':
      m.metadata.annotations['elasticsearch.k8s.elastic.co/cluster-uuid'] = 'x1y2';
      m.metadata.annotations['eck.k8s.elastic.co/orchestration-hints'] = '{}';
      m.status = { health: 'green', phase: 'Ready' };
      // ECK's own StatefulSet: owned by the Elasticsearch object.
      extra.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'elasticsearch-es-default', namespace: m.metadata.namespace, ownerReferences: [{ apiVersion: m.apiVersion, kind: 'Elasticsearch', name: m.metadata.name, uid, controller: true }] }, spec: {} } as Manifest);
      break;
    default:
      if (/^(HorizontalPodAutoscaler|PodDisruptionBudget)$/.test(m.kind)) m.status = { currentReplicas: 3 };
  }
  return [m, ...extra];
}

/** A live export of a profile as `kubectl get -o yaml` writes it: a List per namespace, one for the cluster-scoped objects, the Atlas JSON. */
function exportOf(objects: readonly Manifest[], edit: (all: Manifest[]) => void = () => {}, atlas?: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-live-'));
  const live = objects.flatMap(served);
  edit(live);
  const groups = new Map<string, Manifest[]>();
  for (const m of live) groups.set(m.metadata.namespace ?? '_cluster', [...(groups.get(m.metadata.namespace ?? '_cluster') ?? []), m]);
  mkdirSync(join(dir, 'namespaces'));
  for (const [ns, items] of groups) writeFileSync(join(dir, 'namespaces', `${ns}.yaml`), stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }));
  if (atlas) writeFileSync(join(dir, 'atlas-clusters.json'), JSON.stringify({ links: [], results: atlas.map((name) => ({ name, clusterType: 'REPLICASET', stateName: 'IDLE', mongoDBVersion: '7.0.14' })), totalCount: atlas.length }));
  return dir;
}

/** What the profile deploys into its cluster: every compiled object but the GitOps tools' own (Argo CD's and Flux's namespaces). */
const deployed = (name: string) => parseObjects(built(name).files).filter((m) => !['argocd', 'flux-system'].includes(m.metadata.namespace ?? ''));

function diff(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = diffMain(argv, { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }) as number;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('diff --live: a live export named as the installer names things', () => {
  it('no change from server-set or API-defaulted fields, on every object of the profile', () => {
    const folder = exportOf(deployed('es-pro'), undefined, ['es-pro70']);
    const r = diff('--profile', 'es-pro', '--live', folder, '--json', '--exit-code');
    const d = JSON.parse(r.out);
    expect(d.changed.map((c: any) => `${c.key}: ${c.fields.map((f: any) => f.path).join(', ')}`)).toEqual([]);
    expect(d.added).toEqual([]);
    expect(d.hazards).toEqual([]);
    expect(d.unmanaged).toEqual([]);
    expect(d.unchanged).toBe(deployed('es-pro').length);
    // The StatefulSets' volumes are theirs, and ECK's StatefulSet is its controller's.
    expect(d.keptVolumes).toContain('PersistentVolumeClaim/aura-system/data-prometheus-0');
    expect(d.skipped).toMatchObject({ "objects a controller owns (ECK's StatefulSets, a CronJob's Jobs, ...)": 1 });
    expect(r.code).toBe(0);
  });

  it('a changed volume claim template and a renamed Atlas cluster are hazards, listed first', () => {
    const folder = exportOf(
      deployed('es-pro'),
      (live) => {
        const prometheus = live.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'prometheus') as any;
        prometheus.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '50Gi';
        const atlas = live.find((m) => m.kind === 'AtlasDeployment') as any;
        atlas.spec.deploymentSpec.name = 'aura-es-pro-70'; // the name this project used to give
      },
      ['aura-es-pro-70'],
    );
    const r = diff('--profile', 'es-pro', '--live', folder, '--fail-on-hazards');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    const first = lines.findIndex((l) => l.startsWith('!'));
    expect(first).toBe(1); // right under the title, before any change
    expect(r.out).toMatch(/! {3}StatefulSet\/aura-system\/prometheus \(refused by the API server\): spec\.volumeClaimTemplates changes: delete the StatefulSet with --cascade=orphan/);
    expect(r.out).toMatch(/! {3}AtlasDeployment\/aura-system\/aura-es-pro-70 \(loses data\): spec\.deploymentSpec\.name changes: .*set atlas_cluster_name/);
    expect(r.out).toMatch(/! {3}AtlasDeployment\/aura-system\/aura-es-pro-70 \(loses data\): the Atlas cluster es-pro70 is not one of the project's \(aura-es-pro-70\): applying creates a new, empty cluster .*\(atlas_cluster_name: aura-es-pro-70\)/);
    // Then the changes themselves.
    expect(r.out).toMatch(/~ StatefulSet\/aura-system\/prometheus\n {4}spec\.volumeClaimTemplates\[0\]\.spec\.resources\.requests\.storage: "50Gi" → "100Gi"/);
  });

  it('what runs that the profile does not manage comes last; data it holds is a hazard', () => {
    const installerOnly: Manifest[] = [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'mongodb', namespace: 'aura-system', labels: { app: 'mongodb' } }, spec: { serviceName: 'mongodb', replicas: 1, selector: { matchLabels: { app: 'mongodb' } }, template: { metadata: { labels: { app: 'mongodb' } }, spec: { containers: [{ name: 'mongodb', image: 'mongo:7' }] } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } }] } } as Manifest,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'installer-leftover', namespace: 'aura-es-pro' }, data: { a: 'b' } } as Manifest,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'installer-secret', namespace: 'aura-es-pro' }, data: { password: Buffer.from(SENTINEL).toString('base64') }, stringData: { token: SENTINEL } } as unknown as Manifest,
    ];
    const folder = exportOf([...deployed('es-pro'), ...installerOnly], undefined, ['es-pro70']);
    const r = diff('--profile', 'es-pro', '--live', folder);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/! {3}StatefulSet\/aura-system\/mongodb \(orphaned data\): runs with its volumes, and the profile has no StatefulSet of this name/);
    expect(r.out).toMatch(/! {3}PersistentVolumeClaim\/aura-system\/data-mongodb-0 \(orphaned data\): a volume no StatefulSet of the profile claims/);
    const unmanaged = r.out.slice(r.out.indexOf('Running, and not managed by the profile'));
    expect(unmanaged).toMatch(/\? ConfigMap\/aura-es-pro\/installer-leftover/);
    expect(unmanaged).toMatch(/\? StatefulSet\/aura-system\/mongodb/);
    expect(r.out).toMatch(/Not compared, by design: 1 Secrets \(values are never read\)/);
    expect(r.out + r.err).not.toContain(SENTINEL);
    expect(r.out).not.toContain(Buffer.from(SENTINEL).toString('base64'));
  });

  it('a literal credential in a live env variable or ConfigMap is never shown', () => {
    const folder = exportOf(deployed('es-pro'), (live) => {
      const bot = live.find((m) => m.kind === 'Deployment' && m.metadata.name === 'aura-bot') as any;
      bot.spec.template.spec.containers[0].env.push({ name: 'KERNEL_CLIENT_SECRET_OLD', value: SENTINEL });
      const cm = live.find((m) => m.kind === 'ConfigMap') as any;
      cm.data = { ...cm.data, 'connection.txt': `line\nAccountKey=${SENTINEL}\n` };
    }, ['es-pro70']);
    const r = diff('--profile', 'es-pro', '--live', folder, '--json');
    expect(r.out).not.toContain(SENTINEL);
    expect(r.out).toContain('(a value that looks like a credential, not shown)');
  });

  it('an export without the Atlas JSON says the cluster name was not compared; other namespaces are not compared', () => {
    const objects = deployed('es-pro').filter((m) => m.metadata.namespace === 'aura-es-pro');
    const r = diff('--profile', 'es-pro', '--live', exportOf(objects));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/No Atlas JSON in the export: the Atlas cluster name was not compared/);
    expect(r.out).toMatch(/Not compared: \d+ compiled object\(s\) in namespaces the export does not cover/);
  });

  it.each([
    ['no such folder', '/nonexistent/live', 1, /no such folder/],
    ['not an export', 'bad', 1, /neither a Kubernetes object nor the Atlas CLI's cluster JSON/],
    ['not YAML', 'broken', 1, /not valid YAML/],
  ])('%s: one line, exit 1', (_, which, code, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-live-bad-'));
    if (which === 'bad') writeFileSync(join(dir, 'x.yaml'), `hello: ${SENTINEL}\n`);
    if (which === 'broken') writeFileSync(join(dir, 'x.yaml'), `a: "${SENTINEL}\n`);
    const r = diff('--profile', 'es-pro', '--live', which.startsWith('/') ? which : dir);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.err + r.out).not.toContain(SENTINEL);
  });

  it('--live-commands prints the export, per namespace and kind, and the Atlas JSON', () => {
    const r = diff('--profile', 'es-pro', '--live-commands', '--live', 'takeover');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^for kind in .*statefulset\.apps.*; do kubectl get --namespace aura-system "\$kind" --output yaml > "takeover\/aura-system\.\$kind\.yaml"/m);
    expect(r.out).toContain('kubectl get namespace active-listening aura-agents-es-pro aura-es-pro aura-system elastic-system --ignore-not-found --output yaml > takeover/cluster.namespace.yaml');
    expect(r.out).toMatch(/atlas clusters list --projectId .*aura-project-es-pro.* --output json > takeover\/atlas-clusters\.json/);
  });
});

describe('the API defaults, from the Kubernetes definitions', () => {
  it('schemas/kubernetes-defaults.json matches ../shared/upstream (npm run gen:schemas)', () => {
    expect(readFileSync(API_DEFAULTS_FILE, 'utf8') === serializeApiDefaults(buildApiDefaults()), 'kubernetes-defaults.json is stale').toBe(true);
  });

  it.each([
    ['Defaults to /dev/termination-log. Cannot be updated.', 'string', '/dev/termination-log'],
    ['Default is TCP.', 'string', 'TCP'],
    ['Defaults to 0644. Directories within the path are not affected', 'integer', 420],
    ['Defaults to 600s.', 'integer', 600],
    ['Defaults to 30 seconds.', 'integer', 30],
    ['Default to false.', 'boolean', false],
    ['The default policy is `OrderedReady`, where pods', 'string', 'OrderedReady'],
    ['Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.', 'string', undefined],
    ['this will default to the time zone of the kube-controller-manager', 'string', undefined],
    ['Defaults to 25%. Example: when this is set', 'int-or-string', '25%'],
  ])('%s', (description, type, expected) => expect(statedDefault(description, type)).toEqual(expected));

  it('a defaulted field the definitions do not know would be a change (the normalization can fail)', () => {
    const compiled = deployed('es-pro').find((m) => m.kind === 'Deployment')!;
    const hpa = deployed('es-pro').find((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === compiled.metadata.name)!;
    const live = served(compiled)[0] as any;
    live.spec.template.spec.containers[0].terminationMessagePath = '/tmp/elsewhere';
    expect((normalizeLive(live, compiled) as any).spec.template.spec.containers[0].terminationMessagePath).toBe('/tmp/elsewhere');
    const d = liveDiff('es-pro', [compiled, hpa], { objects: [live, ...served(hpa)], files: 1, skipped: new Map() });
    expect(d.diff.changed[0]!.fields.map((f) => f.path)).toEqual([expect.stringMatching(/terminationMessagePath$/)]);
  });

  it('reads Lists, single objects and the Atlas JSON from a folder', () => {
    const folder = exportOf(deployed('es-pro').slice(0, 3), undefined, ['es-pro70']);
    const live = readLiveFolder(folder);
    expect(live.atlasClusters).toEqual(['es-pro70']);
    expect(live.objects.length).toBeGreaterThanOrEqual(3);
  });
});

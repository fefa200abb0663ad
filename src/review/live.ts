import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../model/manifest';
import { describeObject } from '../model/manifest';
import { kindKey } from '../model/kinds';
import { podTemplatesOf } from '../model/pod-templates';
import { credentialLikeKey, looksLikeSecretValue } from '../profile/source-scan';
import { EnvironmentError, InputError } from '../util/errors';
import { printable } from '../util/printable';
import { apiDefaults, type DefaultsNode } from './api-defaults';
import { diffObjects, type DiffOptions, type ObjectDiff, formatTerminal, naturalKey } from './diff';
import { hazardLines, upgradeHazards, type UpgradeHazard } from './upgrade-safety';
import { runtimeOwnedFields } from '../delivery/runtime-owned';
import type { Phase } from '../model/phases';

/**
 * `diff --live FOLDER`: what applying the compiled profile would change on what runs. FOLDER holds
 * `kubectl get -o yaml` exports (any number of files, Lists or single objects) and the JSON the
 * Atlas CLI prints for the project's clusters. Live objects are first stripped of what the API
 * server sets or defaults (status, uid, managedFields, a defaulted strategy, terminationMessagePath,
 * clusterIPs, ...: the defaults from the Kubernetes definitions, schemas/kubernetes-defaults.json),
 * then compared with the same semantic diff and upgrade-safety rules as `diff --against`. Secrets
 * are never read: a Secret's data is dropped as it is parsed.
 */

export interface LiveExport {
  objects: Manifest[];
  /** Names of the Atlas project's clusters, when the folder has the Atlas CLI's JSON. */
  atlasClusters?: string[];
  files: number;
  /** Objects read but not compared, by why: owned by a controller, runtime kinds, Secrets. */
  skipped: Map<string, number>;
}

/** What a folder may hold: enough for a whole cluster's export, not a denial of service. */
const MAX_FILES = 2000;
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Kinds that only controllers create: never a profile's object, never "unmanaged". */
const RUNTIME_KINDS = new Set(['Pod', 'ReplicaSet', 'ControllerRevision', 'Endpoints', 'EndpointSlice', 'Event', 'Lease', 'PodMetrics', 'NodeMetrics', 'ComponentStatus', 'Binding', 'TokenReview']);

/** A file as messages name it: relative to the working folder, printable. */
const shown = (file: string) => printable(relative(process.cwd(), file) || file);

function readBounded(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${shown(file)}: not a regular file`);
    if (st.size > MAX_FILE_BYTES) throw new InputError(`${shown(file)}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; export one namespace per file`);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The files of the folder, recursively: regular .yaml, .yml and .json files; symlinks are not followed. */
function exportFiles(dir: string): string[] {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    throw new InputError(`${printable(dir)}: no such folder (the live export; see docs/moving-from-the-installer.md)`);
  }
  if (!st.isDirectory()) throw new InputError(`${printable(dir)}: --live takes the folder of the exports`);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && /\.(ya?ml|json)$/.test(e.name)) out.push(full);
      if (out.length > MAX_FILES) throw new InputError(`${printable(dir)}: more than ${MAX_FILES} files`);
    }
  };
  walk(dir);
  return out;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Atlas CLI's JSON: `atlas clusters list --output json` ({results: [...]}) or one `atlas clusters describe`. */
function atlasClustersOf(doc: unknown): string[] | undefined {
  const isCluster = (c: unknown) => isObject(c) && typeof c.name === 'string' && !('apiVersion' in c) && ('clusterType' in c || 'stateName' in c || 'mongoDBVersion' in c || 'replicationSpecs' in c);
  if (isObject(doc) && Array.isArray(doc.results) && doc.results.every(isCluster)) return doc.results.map((c: any) => c.name);
  if (Array.isArray(doc) && doc.length && doc.every(isCluster)) return doc.map((c: any) => c.name);
  if (isCluster(doc)) return [(doc as any).name];
  return undefined;
}

export function readLiveFolder(dir: string): LiveExport {
  const files = exportFiles(dir);
  const out: LiveExport = { objects: [], files: files.length, skipped: new Map() };
  const skip = (why: string) => out.skipped.set(why, (out.skipped.get(why) ?? 0) + 1);
  const take = (o: unknown, file: string) => {
    if (!isObject(o)) return;
    if (o.kind === 'List' || (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items))) return (o.items as unknown[]).forEach((i) => take(i, file));
    const clusters = atlasClustersOf(o);
    if (clusters) {
      out.atlasClusters = [...new Set([...(out.atlasClusters ?? []), ...clusters])].sort();
      return;
    }
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || !isObject(o.metadata) || typeof o.metadata.name !== 'string')
      throw new InputError(`${shown(file)}: holds something that is neither a Kubernetes object nor the Atlas CLI's cluster JSON`);
    if (o.kind === 'Secret') {
      // Never kept: only that one existed.
      delete o.data;
      delete o.stringData;
      return skip('Secrets (values are never read)');
    }
    if (RUNTIME_KINDS.has(o.kind)) return skip('objects only controllers create (pods, replica sets, endpoints, ...)');
    if ((o.metadata.ownerReferences ?? []).some((r: any) => r?.controller === true)) return skip('objects a controller owns (ECK\'s StatefulSets, a CronJob\'s Jobs, ...)');
    out.objects.push(o as Manifest);
  };
  for (const file of files) {
    const text = readBounded(file);
    if (file.endsWith('.json')) {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        throw new InputError(`${shown(file)}: not valid JSON`);
      }
      take(doc, file);
      continue;
    }
    for (const d of parseAllDocuments(text, { prettyErrors: false })) {
      // The parser's messages quote the file (a Secret, perhaps): named, not quoted.
      if (d.errors.length) throw new InputError(`${shown(file)}: not valid YAML`);
      take(d.toJS({ maxAliasCount: 100 }), file);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the API server sets or defaults

const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
/** Annotations tools and controllers write on live objects. */
const SERVER_ANNOTATIONS = /^(kubectl\.kubernetes\.io\/last-applied-configuration|deployment\.kubernetes\.io\/revision|mongodb\.com\/last-applied-configuration|elasticsearch\.k8s\.elastic\.co\/cluster-uuid|eck\.k8s\.elastic\.co\/.+|pv\.kubernetes\.io\/.+|volume\.beta\.kubernetes\.io\/storage-provisioner|volume\.kubernetes\.io\/(storage-provisioner|selected-node)|autoscaling\.alpha\.kubernetes\.io\/.+|endpoints\.kubernetes\.io\/last-change-trigger-time)$/;

type Rule = { path: RegExp; kinds?: RegExp; drop: (value: unknown, live: any) => boolean };
const always = () => true;
const equals = (d: unknown) => (v: unknown) => JSON.stringify(v) === JSON.stringify(d);

/**
 * What the API server fills in that the definitions do not state as a plain "Defaults to X" (or
 * set from other fields): allocated addresses and ports, controller labels, conditional defaults.
 * A path is the field's path with list items as [] (`spec.template.spec.containers[].imagePullPolicy`).
 */
const SERVER_FILLS: Rule[] = [
  { path: /^spec\.(clusterIP|clusterIPs|ipFamilies|ipFamilyPolicy|healthCheckNodePort)$/, kinds: /^Service$/, drop: always },
  { path: /^spec\.internalTrafficPolicy$/, kinds: /^Service$/, drop: equals('Cluster') },
  { path: /^spec\.externalTrafficPolicy$/, kinds: /^Service$/, drop: equals('Cluster') },
  { path: /^spec\.ports\[\]\.nodePort$/, kinds: /^Service$/, drop: always },
  { path: /^spec\.finalizers$/, kinds: /^Namespace$/, drop: equals(['kubernetes']) },
  { path: /^metadata\.labels\.kubernetes\.io\/metadata\.name$/, kinds: /^Namespace$/, drop: always },
  // Finalizers are a controller's (PVC protection, the Atlas and ECK operators'); apply never removes them.
  { path: /^metadata\.finalizers$/, drop: always },
  { path: /^spec\.policyTypes$/, kinds: /^NetworkPolicy$/, drop: (v, o) => JSON.stringify(v) === JSON.stringify(['Ingress', ...(o.spec?.egress?.length ? ['Egress'] : [])]) },
  { path: /^spec\.(volumeName|storageClassName)$/, kinds: /^PersistentVolumeClaim$/, drop: always }, // bound by the controller, defaulted by admission
  { path: /^(spec\.)?(volumeClaimTemplates\[\]\.)?spec\.volumeMode$/, drop: equals('Filesystem') },
  { path: /^spec\.volumeClaimTemplates\[\]\.(apiVersion|kind|status)$/, drop: always },
  { path: /^spec\.persistentVolumeClaimRetentionPolicy$/, kinds: /^StatefulSet$/, drop: equals({ whenDeleted: 'Retain', whenScaled: 'Retain' }) },
  { path: /^spec\.updateStrategy\.rollingUpdate$/, kinds: /^DaemonSet$/, drop: equals({ maxSurge: 0, maxUnavailable: 1 }) },
  { path: /^secrets$/, kinds: /^ServiceAccount$/, drop: always },
  { path: /(^|\.)(template|jobTemplate)\.metadata\.creationTimestamp$/, drop: always },
  { path: /(^|\.)template\.spec\.schedulerName$/, drop: equals('default-scheduler') },
  { path: /(^|\.)template\.spec\.serviceAccount$/, drop: (v, o) => v === podSpecOf(o)?.serviceAccountName },
  // A Job's controller labels and selector (batch/v1 sets them from its uid).
  { path: /^(spec\.jobTemplate\.)?spec\.(selector|manualSelector)$/, kinds: /^(Job|CronJob)$/, drop: always },
  { path: /^(spec\.jobTemplate\.)?spec\.template\.metadata\.labels\.(controller-uid|job-name|batch\.kubernetes\.io\/(controller-uid|job-name))$/, kinds: /^(Job|CronJob)$/, drop: always },
  { path: /^(spec\.jobTemplate\.)?spec\.(completions|parallelism)$/, kinds: /^(Job|CronJob)$/, drop: equals(1) },
  { path: /^(spec\.jobTemplate\.)?spec\.completionMode$/, kinds: /^(Job|CronJob)$/, drop: equals('NonIndexed') },
  { path: /^(spec\.jobTemplate\.)?spec\.podReplacementPolicy$/, kinds: /^(Job|CronJob)$/, drop: equals('TerminatingOrFailed') },
  { path: /^spec\.concurrencyPolicy$/, kinds: /^CronJob$/, drop: equals('Allow') },
];

function podSpecOf(o: any): any {
  return podTemplatesOf(o)[0]?.spec;
}

/** The image's pull policy when none is given: Always for :latest or no tag, IfNotPresent otherwise. */
const defaultPullPolicy = (image: unknown) => (typeof image === 'string' && (/:latest$/.test(image) || !/:[^/]+$/.test(image.replace(/@.*$/, ''))) && !image.includes('@') ? 'Always' : 'IfNotPresent');

/**
 * The live object without what the API server set or defaulted: a field the compiled object leaves
 * out is dropped when its value is the API's default, an allocation or a controller's; what is left
 * is what the profile would change.
 */
export function normalizeLive(live: Manifest, compiled: Manifest | undefined): Manifest {
  const o = structuredClone(live) as any;
  delete o.status;
  for (const f of SERVER_METADATA) delete o.metadata[f];
  if (isObject(o.metadata.annotations)) {
    for (const k of Object.keys(o.metadata.annotations)) if (SERVER_ANNOTATIONS.test(k)) delete o.metadata.annotations[k];
  }
  const tree = apiDefaults().kinds[kindKey(o.apiVersion, o.kind)];
  const pruned = prune(o, compiled, tree, '', o);
  for (const key of ['annotations', 'labels'] as const) if (isObject(pruned.metadata?.[key]) && !Object.keys(pruned.metadata[key]).length && !(compiled as any)?.metadata?.[key]) delete pruned.metadata[key];
  return pruned;
}

function prune(live: unknown, compiled: unknown, tree: DefaultsNode | undefined, path: string, root: any): any {
  if (Array.isArray(live)) {
    const others = Array.isArray(compiled) ? compiled : [];
    const key = naturalKey(live, others);
    return live.map((item, i) => {
      const counterpart = key ? others.find((c) => isObject(c) && isObject(item) && c[key] === item[key]) : others[i];
      return prune(item, counterpart, tree?.items, `${path}[]`, root);
    });
  }
  if (!isObject(live)) return live;
  const out: Record<string, unknown> = {};
  const theirs = isObject(compiled) ? compiled : undefined;
  for (const [k, v] of Object.entries(live)) {
    const p = path ? `${path}.${k}` : k;
    const child = tree?.properties?.[k] ?? tree?.values;
    const absent = theirs === undefined || !(k in theirs);
    if (absent) {
      if (child?.default !== undefined && JSON.stringify(child.default) === JSON.stringify(v)) continue;
      if (/(^|\.)(containers|initContainers)\[\]\.imagePullPolicy$/.test(p)) {
        if (v === defaultPullPolicy(live.image)) continue;
      } else if (SERVER_FILLS.some((r) => r.path.test(p) && (!r.kinds || r.kinds.test(root.kind)) && r.drop(v, root))) continue;
      if (/^spec\.ports\[\]\.targetPort$/.test(p) && root.kind === 'Service' && (v === live.port || v === String(live.port))) continue;
    }
    const next = prune(v, theirs?.[k], child, p, root);
    // A field the compiled object leaves out that holds nothing but defaults (or nothing: `securityContext: {}`) is not a change.
    if (absent && isObject(next) && !Object.keys(next).length) continue;
    out[k] = next;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values never shown

const MASK = '(a value that looks like a credential, not shown)';

/** Values that look like credentials, and literal values of env variables named like one, replaced on both sides before comparing. */
export function masked<T>(value: T, key = ''): T {
  if (typeof value === 'string') {
    if (looksLikeSecretValue(value)) return MASK as T;
    if (value.includes('\n')) return value.split('\n').map((l) => (looksLikeSecretValue(l) ? MASK : l)).join('\n') as T;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => masked(v)) as T;
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  const secretEnv = typeof value.name === 'string' && 'value' in value && credentialLikeKey(value.name) && key === 'env';
  for (const [k, v] of Object.entries(value)) out[k] = secretEnv && k === 'value' ? MASK : masked(v, k);
  return out as T;
}
const maskEnv = (m: Manifest): Manifest => maskedDeep(m);
function maskedDeep<T>(v: T, parentKey = ''): T {
  if (Array.isArray(v)) return v.map((x) => (parentKey === 'env' ? masked(x, 'env') : maskedDeep(x))) as T;
  if (!isObject(v)) return masked(v);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskedDeep(x, k)])) as T;
}

// ---------------------------------------------------------------------------------------------
// The comparison

export interface LiveDiff {
  title: string;
  hazards: UpgradeHazard[];
  diff: ObjectDiff;
  /** Live objects the profile does not compile: they keep running, unmanaged. */
  unmanaged: string[];
  /** Live volumes kept for the profile's StatefulSets. */
  keptVolumes: string[];
  /** Compiled objects in namespaces (or the cluster scope) the export does not cover. */
  notCompared: string[];
  skipped: Record<string, number>;
  atlasClusters?: string[];
}

const sortKeys = (v: unknown): unknown => (Array.isArray(v) ? v.map(sortKeys) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v);
const HOLDS_DATA = new Set(['StatefulSet', 'PersistentVolumeClaim', 'Elasticsearch', 'AtlasDeployment']);
const appOf = (m: any): string | undefined => m.spec?.selector?.matchLabels?.app ?? m.metadata?.labels?.app;

export function liveDiff(profile: string, compiledAll: readonly Manifest[], live: LiveExport, options: DiffOptions = {}): LiveDiff {
  // A namespace is covered when the export has an object in it, or its Namespace object (it may hold none yet).
  const namespaces = new Set([...live.objects.map((m) => m.metadata.namespace), ...live.objects.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name)].filter((n): n is string => !!n));
  const clusterScope = live.objects.some((m) => !m.metadata.namespace);
  const inScope = (m: Manifest) => (m.metadata.namespace ? namespaces.has(m.metadata.namespace) : clusterScope);
  // Fields a controller owns at run time (an HPA's replicas, the operator's ConfigMap key) are not the profile's to change.
  const owned = runtimeOwnedFields(compiledAll.map((manifest) => ({ manifest, phase: (manifest.metadata.labels?.['auracognitive.com/phase'] ?? 'core') as Phase })), true);
  const withoutOwned = (m: Manifest): Manifest => {
    const fields = owned.filter((f) => f.kind === m.kind && f.name === m.metadata.name && (f.namespace ?? undefined) === m.metadata.namespace);
    if (!fields.length) return m;
    const copy = structuredClone(m) as any;
    for (const pointer of fields.flatMap((f) => f.jsonPointers)) {
      const path = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      const parent = path.slice(0, -1).reduce((n, k) => n?.[k], copy);
      if (parent && typeof parent === 'object') delete parent[path.at(-1)!];
    }
    return copy;
  };
  const compiled = compiledAll.filter(inScope).map((m) => maskEnv(withoutOwned(m)));
  const notCompared = compiledAll.filter((m) => !inScope(m)).map(describeObject).sort();
  const byKey = new Map(compiled.map((m) => [describeObject(m), m]));
  const normalized = live.objects.map((m) => maskEnv(withoutOwned(normalizeLive(m, byKey.get(describeObject(m))))));
  const liveKeys = new Set(normalized.map(describeObject));
  const diff = diffObjects(normalized, compiled, options);

  // Volumes of the profile's StatefulSets (<template>-<set>-<ordinal>) are its data, not leftovers.
  const claims = compiled.filter((m) => m.kind === 'StatefulSet').flatMap((s: any) => (s.spec.volumeClaimTemplates ?? []).map((t: any) => ({ ns: s.metadata.namespace, prefix: `${t.metadata.name}-${s.metadata.name}-` })));
  const claimed = (m: Manifest) => m.kind === 'PersistentVolumeClaim' && claims.some((c) => c.ns === m.metadata.namespace && m.metadata.name.startsWith(c.prefix) && /^\d+$/.test(m.metadata.name.slice(c.prefix.length)));
  const removed = normalized.filter((m) => !byKey.has(describeObject(m)));
  const keptVolumes = removed.filter(claimed).map(describeObject).sort();
  const unmanaged = removed.filter((m) => !claimed(m)).map(describeObject).sort();

  // Hazards: what the API server refuses or what loses data, on the objects both have ...
  const matchedLive = normalized.filter((m) => byKey.has(describeObject(m))).map((m) => sortKeys(m) as Manifest);
  const hazards = upgradeHazards(matchedLive, compiled.filter((m) => liveKeys.has(describeObject(m))).map((m) => sortKeys(m) as Manifest)).map(withProfileKey);
  // ... what holds data and the profile no longer manages ...
  const added = compiled.filter((m) => !liveKeys.has(describeObject(m)));
  for (const m of removed.filter((x) => HOLDS_DATA.has(x.kind) && !claimed(x))) {
    const successor = added.find((a) => a.kind === m.kind && a.metadata.namespace === m.metadata.namespace && appOf(a) !== undefined && appOf(a) === appOf(m));
    hazards.push({ key: describeObject(m), kind: 'orphaned', reason: orphanReason(m, successor) });
  }
  // ... and the Atlas cluster the profile names, when the project's clusters are in the export.
  if (live.atlasClusters)
    for (const d of compiledAll.filter((m) => m.kind === 'AtlasDeployment')) {
      const name = (d as any).spec?.deploymentSpec?.name;
      if (typeof name === 'string' && !live.atlasClusters.includes(name))
        hazards.push({
          key: describeObject(d),
          kind: 'data-loss',
          reason: `the Atlas cluster ${name} is not one of the project's (${live.atlasClusters.join(', ') || 'none'}): applying creates a new, empty cluster beside the running one. Set atlas_cluster_name to the running cluster's name${live.atlasClusters.length === 1 ? ` (atlas_cluster_name: ${live.atlasClusters[0]})` : ''}`,
        });
    }
  const title = `${profile}: live export → compiled`;
  return {
    title,
    hazards,
    diff: { ...diff, removed: [] },
    unmanaged,
    keptVolumes,
    notCompared,
    skipped: Object.fromEntries(live.skipped),
    atlasClusters: live.atlasClusters,
  };
}

/** The profile key that keeps a running name, where one does. */
function withProfileKey(h: UpgradeHazard): UpgradeHazard {
  const gone = /node set (\S+) removed or renamed/.exec(h.reason)?.[1];
  if (gone) return { ...h, reason: `${h.reason}; to keep the running one, set elasticsearch.node_set_name: ${gone.replace(/,$/, '')}` };
  if (/^spec\.deploymentSpec\.name changes/.test(h.reason)) return { ...h, reason: `${h.reason}; to keep the running cluster, set atlas_cluster_name to its name` };
  return h;
}

function orphanReason(m: Manifest, successor: Manifest | undefined): string {
  const next = successor ? ` The profile's ${successor.kind} ${successor.metadata.name} looks like its replacement (same app label): it starts with new, empty volumes.` : '';
  switch (m.kind) {
    case 'StatefulSet':
      return `runs with its volumes, and the profile has no StatefulSet of this name: it keeps running unmanaged, and its data is not the profile's.${next} Rename nothing: if it is the same service, the profile must use this name`;
    case 'PersistentVolumeClaim':
      return 'a volume no StatefulSet of the profile claims (its claim templates give other names): its data stays, orphaned, and no pod of the profile mounts it';
    case 'Elasticsearch':
      return `an Elasticsearch cluster the profile does not manage: its logs stay in it, and the profile's starts empty.${next}`;
    default:
      return `holds data the profile does not manage (an Atlas cluster the operator keeps reconciling).${next}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Output

export function formatLiveDiff(d: LiveDiff, color = false): string {
  const lines = [formatTerminal(d.diff, d.title, color, d.hazards).trimEnd()];
  if (d.unmanaged.length) lines.push('', `Running, and not managed by the profile (${d.unmanaged.length}): applying leaves them as they are; delete them when the profile's replacements run`, ...d.unmanaged.map((k) => `  ? ${k}`));
  if (d.keptVolumes.length) lines.push('', `Volumes of the profile's StatefulSets, kept (${d.keptVolumes.length}):`, ...d.keptVolumes.map((k) => `  = ${k}`));
  if (d.notCompared.length) lines.push('', `Not compared: ${d.notCompared.length} compiled object(s) in namespaces the export does not cover${d.notCompared.some((k) => k.split('/').length === 2) ? ' (or cluster-scoped, with no cluster-scoped export)' : ''}; export them to compare`);
  const skipped = Object.entries(d.skipped).map(([why, n]) => `${n} ${why}`);
  if (skipped.length) lines.push('', `Not compared, by design: ${skipped.join('; ')}`);
  if (d.atlasClusters === undefined && d.hazards.every((h) => !h.key.startsWith('AtlasDeployment/'))) lines.push('', 'No Atlas JSON in the export: the Atlas cluster name was not compared (atlas clusters list --projectId <id> --output json > FOLDER/atlas-clusters.json)');
  return `${lines.join('\n')}\n`;
}

/**
 * The kubectl commands that export what the profile's objects are compared with: per namespace the
 * kinds the profile compiles there (and PersistentVolumeClaims, the data), and its cluster-scoped
 * objects by name. `kind.group` names each kind without ambiguity (policy.k8s.nginx.org is not a PDB).
 */
export function liveExportCommands(compiled: readonly Manifest[], folder = 'live'): string[] {
  const resource = (m: Manifest) => {
    const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
    return `${m.kind.toLowerCase()}${group ? `.${group}` : ''}`;
  };
  const byNamespace = new Map<string, Set<string>>();
  const cluster = new Map<string, Set<string>>();
  for (const m of compiled) {
    if (m.metadata.namespace) byNamespace.set(m.metadata.namespace, (byNamespace.get(m.metadata.namespace) ?? new Set()).add(resource(m)));
    else cluster.set(resource(m), (cluster.get(resource(m)) ?? new Set()).add(m.metadata.name));
  }
  // One kind per call: a kind whose CRD the running cluster lacks fails alone, and its empty file goes.
  const lines = [`mkdir -p ${folder}`];
  for (const [ns, kinds] of [...byNamespace].sort(([a], [b]) => (a < b ? -1 : 1)))
    lines.push(
      `for kind in ${[...new Set([...kinds, 'persistentvolumeclaim', 'statefulset.apps'])].sort().join(' ')}; do kubectl get --namespace ${ns} "$kind" --output yaml > "${folder}/${ns}.$kind.yaml" || rm -f "${folder}/${ns}.$kind.yaml"; done`,
    );
  for (const [kind, names] of [...cluster].sort(([a], [b]) => (a < b ? -1 : 1)))
    lines.push(`kubectl get ${kind} ${[...names].sort().join(' ')} --ignore-not-found --output yaml > ${folder}/cluster.${kind}.yaml || rm -f ${folder}/cluster.${kind}.yaml`);
  if (compiled.some((m) => m.kind === 'AtlasDeployment'))
    lines.push(`atlas clusters list --projectId "$(atlas projects list --output json | jq -r '.results[] | select(.name == "${(compiled.find((m) => m.kind === 'AtlasProject') as any)?.spec?.name ?? '<project>'}") | .id')" --output json > ${folder}/atlas-clusters.json`);
  return lines;
}

export const liveDiffJson = (d: LiveDiff) => ({ ...d, ...d.diff, diff: undefined });

/** Reads FOLDER and compares; an unreadable folder is exit 3, a folder of other things exit 1. */
export function liveDiffOf(profile: string, compiled: readonly Manifest[], folder: string, options: DiffOptions = {}): LiveDiff {
  try {
    return liveDiff(profile, compiled, readLiveFolder(folder), options);
  } catch (e) {
    if (e instanceof InputError) throw e;
    if ((e as NodeJS.ErrnoException).code) throw new EnvironmentError(`${printable(folder)}: cannot be read (${(e as NodeJS.ErrnoException).code})`);
    throw e;
  }
}

export { hazardLines };

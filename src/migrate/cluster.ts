import { PHASE_LABEL } from '../delivery/ordering';
import { capture, EnvironmentError, InputError, showLine, stream } from '../infra/tools';
import { MANAGED_BY } from '../platform/labels';
import { isAgentsNamespace } from '../platform/naming';
import type { EnvironmentSide } from './environment-file';
import { attemptsFor, canI, clusterAccess, DEFAULT_TIMING, expectObjects, runJob, type Timing } from './kube';
import { type Migration, type MigrationIo, poll, type Step } from './runner';

/**
 * The guide's migrate-cluster, over the environment.json of both sides:
 * 1. back up MongoDB and Redis on the source (its backup CronJobs, run now);
 * 2. copy those backups into the destination's <store>/restore/ folder;
 * 3. scale the destination's core workloads to zero (their counts recorded);
 * 4. restore the backups on the destination (its restore templates: they clean the database first);
 * 5. reindex: part of the restore here (see below);
 * 6. scale the destination back to the recorded counts.
 * MongoDB is skipped when both sides use the same Atlas cluster (the guide: only the steps needed).
 */
export type Store = 'mongodb' | 'redis' | 'grafana';
export const STORES: readonly Store[] = ['mongodb', 'redis', 'grafana'];
export const DEFAULT_STORES: readonly Store[] = ['mongodb', 'redis'];


/** Namespaces of a cluster's core and agents phases: what runs the services a restore must not race with. */
export const SERVICE_NAMESPACES_SELECTOR = `app.kubernetes.io/managed-by=${MANAGED_BY},${PHASE_LABEL} in (agents,core)`;

export interface ClusterMigrationOptions {
  stores: readonly Store[];
  statePath: string;
  command: string;
  fingerprint: string;
  timing?: Timing;
}

export function clusterMigration(source: EnvironmentSide, dest: EnvironmentSide, o: ClusterMigrationOptions): Migration {
  if (source.cluster.name === dest.cluster.name && source.cluster.resourceGroup === dest.cluster.resourceGroup)
    throw new InputError(`--source and --dest name one cluster (${source.cluster.name}); a cluster migration moves the data of one cluster to another`);
  if (source.environment !== dest.environment)
    throw new InputError(
      `--source is environment ${source.environment} and --dest ${dest.environment}: a cluster migration moves one environment to a new cluster, and its databases (aura-users-<environment>, ...) keep their names; compile the destination with the same environment_profile, environment_type and tenant_name`,
    );
  const timing = o.timing ?? DEFAULT_TIMING;
  const sameAtlas = !!source.atlas && !!dest.atlas && source.atlas.project === dest.atlas.project && source.atlas.cluster === dest.atlas.cluster;
  const stores = o.stores.filter((s) => !(s === 'mongodb' && sameAtlas));
  const skippedMongo = sameAtlas && o.stores.includes('mongodb') ? ` (MongoDB is skipped: both use Atlas cluster ${dest.atlas!.cluster})` : '';
  const system = { source: source.namespaces.system, dest: dest.namespaces.system };
  const access = clusterAccess({ source, dest });
  const { kubectl, shown } = access;
  const jobName = (runId: string, store: Store, action: 'backup' | 'restore') => `migrate-${runId}-${store}-${action}`;
  const blob = (account: string, container: string) => ['--auth-mode', 'login', '--account-name', account, '--container-name', container];
  const names = stores.join(' and ');

  const steps: Step[] = [
    {
      title: `Back up ${names} on the source cluster ${source.cluster.name}${skippedMongo}`,
      skipped: stores.length ? undefined : 'nothing to back up',
      plan: [
        ...stores.map((s) => shown('source', ['--namespace', system.source, 'create', 'job', `migrate-<run>-${s}-backup`, `--from=cronjob/${s}-backup`])),
        `check: each Job completes, and the one backup it wrote is found in ${source.storageAccount.name}/${source.storageAccount.backups}/<store>/`,
      ],
      run: async ({ io, values, runId }) => {
        const found: Record<string, string> = {};
        for (const store of stores) {
          const job = jobName(runId, store, 'backup');
          const window = await runJob(io, kubectl('source', ['--namespace', system.source]), job, `cronjob/${store}-backup`, timing);
          const written = (await listBlobs(io, blob(source.storageAccount.name, source.storageAccount.backups), `${store}/`))
            .filter((b) => !b.name.startsWith(`${store}/restore/`) && within(b.lastModified, window));
          if (written.length !== 1)
            throw new EnvironmentError(
              `Job ${job} completed, but ${written.length} backups of ${store} were written while it ran (between ${window.start} and ${window.end}) in ${source.storageAccount.name}/${source.storageAccount.backups}/${store}/; expected exactly one`,
            );
          found[store] = written[0]!.name;
        }
        values.backups = found;
        return `backups written: ${Object.values(found).join(', ')}`;
      },
    },
    {
      title: `Copy the backups into the destination's restore folders (${dest.storageAccount.name}/${dest.storageAccount.backups}/<store>/restore/)`,
      skipped: stores.length ? undefined : 'nothing to copy',
      plan: [
        ...stores.map((s) => `az storage blob delete ${showArgs(blob(dest.storageAccount.name, dest.storageAccount.backups))} --name ${s}/restore/<each file there>`),
        ...stores.map((s) =>
          showLine('az', ['storage', 'blob', 'copy', 'start', '--auth-mode', 'login', '--account-name', dest.storageAccount.name, '--destination-container', dest.storageAccount.backups, '--destination-blob', `${s}/restore/<backup>`, '--source-account-name', source.storageAccount.name, '--source-container', source.storageAccount.backups, '--source-blob', `${s}/<backup>`]),
        ),
        `check: each copy succeeds, and each restore folder holds that one backup`,
      ],
      run: async ({ io, values }) => {
        const backups = recordedBackups(values, stores);
        const target = blob(dest.storageAccount.name, dest.storageAccount.backups);
        for (const store of stores) {
          const name = `${store}/restore/${backups[store]!.slice(store.length + 1).replace(/^.*\//, '')}`;
          // The restore reads its whole folder: what an earlier restore left there goes first.
          for (const old of await listBlobs(io, target, `${store}/restore/`)) await stream('az', ['storage', 'blob', 'delete', ...target, '--name', old.name], io);
          await stream('az', [
            'storage', 'blob', 'copy', 'start', '--auth-mode', 'login', '--account-name', dest.storageAccount.name, '--destination-container', dest.storageAccount.backups, '--destination-blob', name,
            '--source-account-name', source.storageAccount.name, '--source-container', source.storageAccount.backups, '--source-blob', backups[store]!,
          ], io);
          await poll(io, `the copy of ${backups[store]} to ${name}`, attemptsFor(timing.copyMinutes, timing), timing.intervalMs,
            async () => (await capture('az', ['storage', 'blob', 'show', ...target, '--name', name, '--query', 'properties.copy.status', '--output', 'tsv'], io)).trim(),
            (status) => (status === 'success' ? true : status === 'failed' || status === 'aborted' ? 'failed' : false));
          const there = (await listBlobs(io, target, `${store}/restore/`)).map((b) => b.name);
          if (there.length !== 1 || there[0] !== name) throw new EnvironmentError(`${store}/restore/ of ${dest.storageAccount.name} holds ${there.length} files after the copy; expected only ${name}`);
        }
        return `restore folders hold ${stores.map((s) => backups[s]!.replace(/^.*\//, '')).join(', ')}`;
      },
    },
    {
      title: `Scale the destination's services to zero (every Deployment and StatefulSet of its core and agents namespaces)`,
      plan: [
        shown('dest', ['get', 'namespaces', '--selector', SERVICE_NAMESPACES_SELECTOR]),
        `${shown('dest', ['--namespace', '<each>', 'get', 'deployment,statefulset'])}   # the counts, recorded for step 6`,
        shown('dest', ['--namespace', '<each>', 'scale', 'deployment,statefulset', '--all', '--replicas=0']),
        'check: every one reports 0 replicas, and no pod of theirs runs',
      ],
      run: async ({ io, values, save }) => {
        const namespaces = await serviceNamespaces(io, kubectl('dest', []), dest);
        // Recorded once: a resumed run must not record the zeros of its own first attempt.
        if (!Array.isArray(values.replicas)) {
          const recorded: Workload[] = [];
          for (const ns of namespaces) recorded.push(...(await workloads(io, kubectl('dest', ['--namespace', ns]))).map((w) => ({ namespace: ns, kind: w.kind, name: w.name, replicas: w.replicas })));
          values.replicas = recorded;
          save();
        }
        for (const ns of namespaces) await stream('kubectl', kubectl('dest', ['--namespace', ns, 'scale', 'deployment,statefulset', '--all', '--replicas=0']), io);
        for (const ns of namespaces)
          await poll(io, `scaling ${ns} to zero`, attemptsFor(30, timing), timing.intervalMs, () => workloads(io, kubectl('dest', ['--namespace', ns]), true), (ws) => ws.every((w) => w.replicas === 0 && !w.running));
        return `${recordedWorkloads(values).length} workloads in ${namespaces.join(', ')} run no pod`;
      },
    },
    {
      title: `Restore ${names} on the destination cluster ${dest.cluster.name} (each restore cleans its database first)`,
      skipped: stores.length ? undefined : 'nothing to restore',
      plan: [
        ...stores.map((s) => shown('dest', ['--namespace', system.dest, 'create', 'job', `migrate-<run>-${s}-restore`, `--from=cronjob/${s}-restore`])),
        'check: each Job completes',
      ],
      run: async ({ io, runId }) => {
        for (const store of stores) await runJob(io, kubectl('dest', ['--namespace', system.dest]), jobName(runId, store, 'restore'), `cronjob/${store}-restore`, timing);
        return `restored: ${names}`;
      },
    },
    {
      title: 'Reindex with the destination\'s indexes',
      skipped: "part of step 4 here: the restore rebuilds each collection's indexes from the dump into databases of the same names (one environment), and the services create the indexes their release adds when they start (step 6)",
      plan: [],
      run: async () => '',
    },
    {
      title: 'Scale the destination back to the recorded counts',
      plan: [
        `${shown('dest', ['--namespace', '<each>', 'scale', '<kind>/<name>', '--replicas=<recorded>'])}   # each workload recorded in step 3 with replicas > 0`,
        `check: ${shown('dest', ['--namespace', '<each>', 'rollout', 'status', '<kind>/<name>'])} for each`,
      ],
      run: async ({ io, values }) => {
        const recorded = recordedWorkloads(values);
        const scaled = recorded.filter((w) => w.replicas > 0);
        for (const w of scaled) await stream('kubectl', kubectl('dest', ['--namespace', w.namespace, 'scale', `${w.kind.toLowerCase()}/${w.name}`, `--replicas=${w.replicas}`]), io);
        for (const w of scaled)
          await stream('kubectl', kubectl('dest', ['--namespace', w.namespace, 'rollout', 'status', `${w.kind.toLowerCase()}/${w.name}`, `--timeout=${timing.jobMinutes}m`]), io);
        return `${scaled.length} workloads back at their counts and ready`;
      },
    },
  ];

  return {
    command: o.command,
    title: `migrate cluster ${source.cluster.name} → ${dest.cluster.name} (environment ${dest.environment}; ${stores.length ? names : 'no store'}${skippedMongo})`,
    steps,
    fingerprint: o.fingerprint,
    statePath: o.statePath,
    preflight: async (io) => {
      await access.connect(io);
      // What the steps need, before any of them changes anything.
      await expectObjects(io, kubectl('source', ['--namespace', system.source]), stores.map((s) => `cronjob/${s}-backup`), `the source's backup CronJobs`);
      await expectObjects(io, kubectl('dest', ['--namespace', system.dest]), stores.map((s) => `cronjob/${s}-restore`), `the destination's restore templates (deploy its system phase first)`);
      for (const [side, ns] of [['source', system.source], ['dest', system.dest]] as const) await canI(io, kubectl(side, []), ['create', 'jobs', '--namespace', ns], side);
    },
    cleanup: access.cleanup,
  };
}

const showArgs = (args: string[]) => showLine('az', args).slice(3);

export interface Workload {
  namespace: string;
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  replicas: number;
  running?: boolean;
}

function recordedBackups(values: Record<string, unknown>, stores: readonly Store[]): Record<string, string> {
  const b = values.backups as Record<string, unknown> | undefined;
  for (const s of stores)
    if (!b || typeof b[s] !== 'string' || !/^[A-Za-z0-9._:/-]{1,1024}$/.test(b[s] as string) || !(b[s] as string).startsWith(`${s}/`))
      throw new InputError(`the state file records no backup of ${s} (step 1 does): resume at step 1`);
  return b as Record<string, string>;
}

function recordedWorkloads(values: Record<string, unknown>): Workload[] {
  const r = values.replicas;
  const ok = Array.isArray(r) && r.every((w: any) => w && /^[a-z0-9-]{1,63}$/.test(w.namespace) && (w.kind === 'Deployment' || w.kind === 'StatefulSet') && /^[a-z0-9.-]{1,253}$/.test(w.name) && Number.isInteger(w.replicas) && w.replicas >= 0 && w.replicas <= 1000);
  if (!ok) throw new InputError('the state file records no replica counts (step 3 does): resume at step 3');
  return r as Workload[];
}

/** Within a Job's run, with a minute's slack either side for the clocks of Azure and the API server. */
function within(time: string, window: { start: string; end: string }): boolean {
  const [t, s, e] = [Date.parse(time), Date.parse(window.start), Date.parse(window.end)];
  return [t, s, e].every(Number.isFinite) && t >= s - 60_000 && t <= e + 60_000;
}

async function listBlobs(io: MigrationIo, target: string[], prefix: string): Promise<{ name: string; lastModified: string }[]> {
  const out = await capture('az', ['storage', 'blob', 'list', ...target, '--prefix', prefix, '--num-results', '5000', '--query', '[].{name:name, lastModified:properties.lastModified}', '--output', 'json'], io);
  let list: unknown;
  try {
    list = JSON.parse(out || '[]');
  } catch {
    throw new EnvironmentError('az storage blob list did not answer JSON');
  }
  if (!Array.isArray(list)) throw new EnvironmentError('az storage blob list did not answer a list');
  return list.filter((b): b is { name: string; lastModified: string } => typeof b?.name === 'string' && typeof b?.lastModified === 'string' && b.name.startsWith(prefix) && /^[\x21-\x7e]{1,1024}$/.test(b.name));
}

/** The core and agents namespaces on the destination cluster: core first (the Aura operator there stops before its agents). */
async function serviceNamespaces(io: MigrationIo, base: string[], dest: EnvironmentSide): Promise<string[]> {
  const out = await capture('kubectl', [...base, 'get', 'namespaces', '--selector', SERVICE_NAMESPACES_SELECTOR, '--output', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'], io);
  const names = out.split('\n').map((l) => l.trim()).filter((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
  if (!names.includes(dest.namespaces.core)) throw new EnvironmentError(`the destination's core namespace ${dest.namespaces.core} is not on cluster ${dest.cluster.name}: deploy its core phase first`);
  return [...new Set(names)].sort((a, b) => Number(isAgentsNamespace(a)) - Number(isAgentsNamespace(b)) || (a < b ? -1 : 1));
}

/** Deployments and StatefulSets of a namespace with their counts (and, asked, whether a pod of theirs still runs). */
async function workloads(io: MigrationIo, base: string[], withStatus = false): Promise<Workload[]> {
  const path = `jsonpath={range .items[*]}{.kind}/{.metadata.name}={.spec.replicas}${withStatus ? '/{.status.replicas}' : ''}{"\\n"}{end}`;
  const out = await capture('kubectl', [...base, 'get', 'deployment,statefulset', '--output', path], io);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^(Deployment|StatefulSet)\/([a-z0-9.-]{1,253})=(\d*)(?:\/(\d*))?$/.exec(line);
      if (!m) throw new EnvironmentError('kubectl get deployment,statefulset gave a line of another form');
      return { namespace: '', kind: m[1] as Workload['kind'], name: m[2]!, replicas: Number(m[3] || 0), running: Number(m[4] || 0) > 0 };
    });
}

import { capture, EnvironmentError, InputError } from '../infra/tools';
import { LOG_MIGRATION, MIGRATION_REPOSITORY } from '../components/log-migration';
import type { EnvironmentSide } from './environment-file';
import { canI, clusterAccess, DEFAULT_TIMING, expectObjects, runJob, type Timing } from './kube';
import type { Migration, Step } from './runner';

/**
 * The guide's migrate-logs, over the environment.json of both sides:
 * 1. snapshot the source's logs into its folder of the shared repository (its template, run now);
 * 2. the guide sets the source's repository read-only and 3. the destination's read-write, as one
 *    repository could be written by one cluster only. Here each cluster writes its own folder
 *    (base_path: its cluster name), so neither changes; the destination reads the source's folder
 *    through a second, read-only repository that its profile names (log_migration.source_cluster):
 *    step 3 checks that the destination was compiled for this source;
 * 4. restore that snapshot on the destination (its template, run now).
 */
export function logMigration(source: EnvironmentSide, dest: EnvironmentSide, o: { statePath: string; command: string; fingerprint: string; timing?: Timing }): Migration {
  if (source.cluster.name === dest.cluster.name) throw new InputError(`--source and --dest name one cluster (${source.cluster.name}); a log migration moves the logs of one cluster to another`);
  const timing = o.timing ?? DEFAULT_TIMING;
  const access = clusterAccess({ source, dest });
  const { kubectl, shown } = access;
  const system = { source: source.namespaces.system, dest: dest.namespaces.system };
  const snapshotJob = (run: string) => `migrate-${run}-${LOG_MIGRATION.snapshot}`;
  const restoreJob = (run: string) => `migrate-${run}-${LOG_MIGRATION.restore}`;
  const sourceQuery = ['--namespace', system.dest, 'get', `configmap/${LOG_MIGRATION.restore}-config`, '--output', `jsonpath={.data.${LOG_MIGRATION.sourceVariable}}`];

  const steps: Step[] = [
    {
      title: `Snapshot the logs of the source cluster ${source.cluster.name} into its folder of ${source.storageAccount.name}/${source.storageAccount.snapshots}`,
      plan: [shown('source', ['--namespace', system.source, 'create', 'job', snapshotJob('<run>'), `--from=cronjob/${LOG_MIGRATION.snapshot}`]), 'check: the Job completes (it waits for the snapshot to succeed)'],
      run: async ({ io, runId }) => {
        await runJob(io, kubectl('source', ['--namespace', system.source]), snapshotJob(runId), `cronjob/${LOG_MIGRATION.snapshot}`, timing);
        return `snapshot of ${source.cluster.name} taken`;
      },
    },
    {
      title: "Set the source's repository read-only",
      skipped: `not needed: each cluster writes only its own folder (base_path: its cluster name), so the source's writing never locks the destination's`,
      plan: [],
      run: async () => '',
    },
    {
      title: `Let the destination read the source's folder (read-only repository ${MIGRATION_REPOSITORY})`,
      plan: [
        `${shown('dest', sourceQuery)}   # the source its profile names`,
        `check: it is ${source.cluster.name} (the destination's log_migration.source_cluster); its restore registers ${MIGRATION_REPOSITORY} read-only over that folder`,
      ],
      run: async ({ io }) => {
        const named = (await capture('kubectl', kubectl('dest', sourceQuery), io)).trim();
        if (named !== source.cluster.name)
          throw new EnvironmentError(
            `the destination's ${LOG_MIGRATION.restore} template reads ${named ? 'another cluster\'s folder' : 'no folder'}: set log_migration.source_cluster: ${source.cluster.name} in the destination's profile, synth, and apply its system phase`,
          );
        return `the destination reads the snapshots of ${source.cluster.name}`;
      },
    },
    {
      title: `Restore the snapshot on the destination cluster ${dest.cluster.name}`,
      plan: [shown('dest', ['--namespace', system.dest, 'create', 'job', restoreJob('<run>'), `--from=cronjob/${LOG_MIGRATION.restore}`]), "check: the Job completes (it waits for every restored index's recovery)"],
      run: async ({ io, runId }) => {
        await runJob(io, kubectl('dest', ['--namespace', system.dest]), restoreJob(runId), `cronjob/${LOG_MIGRATION.restore}`, timing);
        return `logs of ${source.cluster.name} restored on ${dest.cluster.name}`;
      },
    },
  ];

  return {
    command: o.command,
    title: `migrate logs ${source.cluster.name} → ${dest.cluster.name}`,
    steps,
    fingerprint: o.fingerprint,
    statePath: o.statePath,
    preflight: async (io) => {
      await access.connect(io);
      await expectObjects(io, kubectl('source', ['--namespace', system.source]), [`cronjob/${LOG_MIGRATION.snapshot}`], "the source's snapshot template (its repository must be writable: eck_azure_snapshot_readonly false)");
      await expectObjects(io, kubectl('dest', ['--namespace', system.dest]), [`cronjob/${LOG_MIGRATION.restore}`], "the destination's restore template (set log_migration.source_cluster in its profile)");
      for (const [side, ns] of [['source', system.source], ['dest', system.dest]] as const) await canI(io, kubectl(side, []), ['create', 'jobs', '--namespace', ns], side);
    },
    cleanup: access.cleanup,
  };
}

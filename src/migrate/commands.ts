import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { helpOrVersion, PROGRAM } from '../util/command-line';
import { takeDebugFlag, UsageError, withBoundaryAsync } from '../util/errors';
import { clusterMigration, DEFAULT_STORES, type Store, STORES } from './cluster';
import { DEFAULT_TIMING, type Timing } from './kube';
import { readEnvironmentFile } from './environment-file';
import { logMigration } from './logs';
import { fingerprintOf, type MigrationIo, runMigration, shellLine } from './runner';

/**
 * The migration commands, `aura-manifests migrate-cluster` and `migrate-logs`: the guide's
 * migrations/cluster and migrations/logs scripts, over the environment.json of both sides.
 */
export interface MigrateIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Environment of the az and kubectl processes (PATH decides which run). */
  env: NodeJS.ProcessEnv;
  /** Tests: no waiting between polls, a fixed clock. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  timing?: Timing;
}

const ROOT = join(__dirname, '../..');

const COMMON_OPTIONS = `  --source FILE    the source's environment.json (dist/<profile>/infra/environment.json as compiled for it)
  --dest FILE      the destination's environment.json
  --yes            run the plan (without it, only the plan is printed)
  --from N         resume at step N of the plan, after a failed step (reads the state file)
  --state FILE     where the run records what its steps did (default: beside --dest)
  --debug          print the stack of an internal error

  Exit codes: 0 success, 1 invalid input, 2 usage, 3 environment (a tool missing or a step failing).`;

export const MIGRATE_CLUSTER_USAGE = `usage: ${PROGRAM} migrate-cluster --source FILE --dest FILE [--stores LIST] [--yes [--from N]] [--state FILE]

  Moves the data of a cluster to a new one (the guide's migrate-cluster): backs up MongoDB and
  Redis on the source, copies the backups into the destination's restore folders, scales the
  destination's services to zero, restores, and scales them back. Prints the plan; --yes runs it.

  --stores LIST    the stores to move, comma-separated, of ${STORES.join(', ')} (default: ${DEFAULT_STORES.join(',')})
${COMMON_OPTIONS}`;

export const MIGRATE_LOGS_USAGE = `usage: ${PROGRAM} migrate-logs --source FILE --dest FILE [--yes [--from N]] [--state FILE]

  Moves the logs of a cluster to a new one (the guide's migrate-logs): takes a snapshot on the
  source into its folder of the shared snapshot repository, then restores it on the destination,
  which reads that folder through a read-only repository (its profile's log_migration.source_cluster).
  Run it after the DNS switch. Prints the plan; --yes runs it.

${COMMON_OPTIONS}`;

type Kind = 'cluster' | 'logs';

export const runMigrateCluster = (argv: string[], io: MigrateIo) => run('cluster', argv, io);
export const runMigrateLogs = (argv: string[], io: MigrateIo) => run('logs', argv, io);

async function run(kind: Kind, rawArgv: string[], io: MigrateIo): Promise<number> {
  const usage = kind === 'cluster' ? MIGRATE_CLUSTER_USAGE : MIGRATE_LOGS_USAGE;
  const { argv, debug } = takeDebugFlag(rawArgv);
  const early = helpOrVersion(argv, usage, io);
  if (early !== undefined) return early;
  return withBoundaryAsync(io, { usage, debug }, async () => {
    const o = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' },
        dest: { type: 'string' },
        yes: { type: 'boolean' },
        from: { type: 'string' },
        state: { type: 'string' },
        ...(kind === 'cluster' ? { stores: { type: 'string' as const } } : {}),
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
    if (typeof o.source !== 'string' || typeof o.dest !== 'string') throw new UsageError('name both sides: --source FILE --dest FILE (each an environment.json)');
    const from = o.from === undefined ? undefined : /^[1-9][0-9]?$/.test(o.from as string) ? Number(o.from) : NaN;
    if (Number.isNaN(from)) throw new UsageError('--from takes the number of a step of the plan');
    if (from !== undefined && !o.yes) throw new UsageError('--from resumes a run: it goes with --yes');
    const stores = kind === 'cluster' ? storesOf(o.stores as string | undefined) : [];
    const [sourceFile, destFile] = [resolve(o.source), resolve(o.dest)];
    const source = readEnvironmentFile(sourceFile, '--source');
    const dest = readEnvironmentFile(destFile, '--dest');
    const statePath = resolve((o.state as string | undefined) ?? join(destFile, '..', `migrate-${kind}-${source.cluster.name}-to-${dest.cluster.name}.state.json`));
    const command = shellLine([PROGRAM, `migrate-${kind}`, '--source', o.source, '--dest', o.dest, ...(kind === 'cluster' && o.stores ? ['--stores', o.stores as string] : []), ...(o.state ? ['--state', o.state as string] : [])]);
    const fingerprint = fingerprintOf(kind, readFileSync(sourceFile, 'utf8'), readFileSync(destFile, 'utf8'), stores.join(','));
    const common = { statePath, command, fingerprint, timing: io.timing ?? DEFAULT_TIMING };
    const migration = kind === 'cluster' ? clusterMigration(source, dest, { ...common, stores }) : logMigration(source, dest, common);
    const migrationIo: MigrationIo = {
      out: io.out,
      err: io.err,
      env: io.env,
      cwd: ROOT,
      sleep: io.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      now: io.now ?? (() => new Date()),
    };
    return runMigration(migration, { yes: o.yes === true, from }, migrationIo);
  });
}

function storesOf(list: string | undefined): Store[] {
  if (list === undefined) return [...DEFAULT_STORES];
  const names = list.split(',').map((s) => s.trim());
  const unknown = names.filter((s) => !(STORES as readonly string[]).includes(s));
  if (unknown.length || !names.length || new Set(names).size !== names.length) throw new UsageError(`--stores takes a comma-separated list of ${STORES.join(', ')}, each once`);
  // The plan's order is the guide's, whatever the list's.
  return STORES.filter((s) => names.includes(s));
}

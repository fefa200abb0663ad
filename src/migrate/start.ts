import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPOSITORY_ROOT } from '../profile/repository';
import { UsageError } from '../util/errors';
import { clusterMigration, DEFAULT_STORES, type Store, STORES } from './cluster';
import { readEnvironmentFile } from './environment-file';
import { DEFAULT_TIMING, type Timing } from './kube';
import { logMigration } from './logs';
import { fingerprintOf, type MigrationIo, runMigration, shellLine } from './runner';

/**
 * The migration commands' work (src/commands/migrate-cluster.ts, migrate-logs.ts): the guide's
 * migrations/cluster and migrations/logs scripts, over the environment.json of both sides.
 */
export interface MigrationOptions {
  source?: string;
  dest?: string;
  yes?: boolean;
  from?: string;
  state?: string;
  stores?: string;
}

export interface StartIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Environment of the az and kubectl processes (PATH decides which run). */
  env: NodeJS.ProcessEnv;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  timing?: Timing;
}

export type MigrationKind = 'cluster' | 'logs';

export async function startMigration(kind: MigrationKind, o: MigrationOptions, io: StartIo, program: string): Promise<number> {
  if (typeof o.source !== 'string' || typeof o.dest !== 'string') throw new UsageError('name both sides: --source FILE --dest FILE (each an environment.json)');
  const from = o.from === undefined ? undefined : /^[1-9][0-9]?$/.test(o.from) ? Number(o.from) : NaN;
  if (Number.isNaN(from)) throw new UsageError('--from takes the number of a step of the plan');
  if (from !== undefined && !o.yes) throw new UsageError('--from resumes a run: it goes with --yes');
  const stores = kind === 'cluster' ? storesOf(o.stores) : [];
  const [sourceFile, destFile] = [resolve(o.source), resolve(o.dest)];
  const source = readEnvironmentFile(sourceFile, '--source');
  const dest = readEnvironmentFile(destFile, '--dest');
  const statePath = resolve(o.state ?? join(destFile, '..', `migrate-${kind}-${source.cluster.name}-to-${dest.cluster.name}.state.json`));
  const command = shellLine([program, `migrate-${kind}`, '--source', o.source, '--dest', o.dest, ...(kind === 'cluster' && o.stores ? ['--stores', o.stores] : []), ...(o.state ? ['--state', o.state] : [])]);
  const fingerprint = fingerprintOf(kind, readFileSync(sourceFile, 'utf8'), readFileSync(destFile, 'utf8'), stores.join(','));
  const common = { statePath, command, fingerprint, timing: io.timing ?? DEFAULT_TIMING };
  const migration = kind === 'cluster' ? clusterMigration(source, dest, { ...common, stores }) : logMigration(source, dest, common);
  const migrationIo: MigrationIo = {
    out: io.out,
    err: io.err,
    env: io.env,
    cwd: REPOSITORY_ROOT,
    sleep: io.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    now: io.now ?? (() => new Date()),
  };
  return runMigration(migration, { yes: o.yes === true, from }, migrationIo);
}

function storesOf(list: string | undefined): Store[] {
  if (list === undefined) return [...DEFAULT_STORES];
  const names = list.split(',').map((s) => s.trim());
  const unknown = names.filter((s) => !(STORES as readonly string[]).includes(s));
  if (unknown.length || !names.length || new Set(names).size !== names.length) throw new UsageError(`--stores takes a comma-separated list of ${STORES.join(', ')}, each once`);
  // The plan's order is the guide's, whatever the list's.
  return STORES.filter((s) => names.includes(s));
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, EnvironmentError, showLine, stream } from '../infra/tools';
import type { EnvironmentSide } from './environment-file';
import { type MigrationIo, poll } from './runner';

/**
 * kubectl on the two clusters of a migration: credentials fetched with az into a private folder
 * of the run (never the user's kubeconfig, never a context left behind), removed at the end.
 */
export type Side = 'source' | 'dest';

/** Polling: Jobs and rollouts every 10 s; a backup or restore may take hours on a large database. */
export interface Timing {
  intervalMs: number;
  jobMinutes: number;
  copyMinutes: number;
}
export const DEFAULT_TIMING: Timing = { intervalMs: 10_000, jobMinutes: 240, copyMinutes: 120 };
export const attemptsFor = (minutes: number, t: Timing) => Math.max(1, Math.ceil((minutes * 60_000) / Math.max(t.intervalMs, 1)));

const PLACEHOLDERS: Record<Side, string> = { source: '<source kubeconfig>', dest: '<destination kubeconfig>' };

export interface ClusterAccess {
  /** kubectl's arguments on one side. */
  kubectl: (side: Side, args: string[]) => string[];
  /** How the plan shows a kubectl command of one side. */
  shown: (side: Side, args: string[]) => string;
  /** az logged in, kubectl installed, both clusters' credentials fetched. */
  connect: (io: MigrationIo) => Promise<void>;
  cleanup: () => void;
}

export function clusterAccess(sides: Record<Side, EnvironmentSide>): ClusterAccess {
  let folder: string | undefined;
  const files: Record<Side, string> = { source: '', dest: '' };
  return {
    kubectl: (side, args) => ['--kubeconfig', files[side] || PLACEHOLDERS[side], ...args],
    shown: (side, args) => showLine('kubectl', ['--kubeconfig', PLACEHOLDERS[side], ...args]),
    connect: async (io) => {
      await preflightAz(io);
      await capture('kubectl', ['version', '--client', '--output', 'json'], io);
      folder = mkdtempSync(join(tmpdir(), 'aura-migrate-'));
      for (const side of ['source', 'dest'] as const) {
        files[side] = join(folder, `${side}.kubeconfig`);
        const c = sides[side].cluster;
        await capture('az', ['aks', 'get-credentials', '--resource-group', c.resourceGroup, '--name', c.name, '--file', files[side], '--overwrite-existing', '--only-show-errors'], io);
      }
    },
    cleanup: () => {
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

export async function preflightAz(io: MigrationIo): Promise<void> {
  await capture('az', ['version', '--output', 'none'], io);
  try {
    await capture('az', ['account', 'show', '--output', 'none'], io);
  } catch (e) {
    throw new EnvironmentError(`not logged in to Azure (${(e as Error).message.replace(/^.*?: /, '')}): run az login, then az account set --subscription <id>`);
  }
}

export async function canI(io: MigrationIo, base: string[], what: string[], side: string): Promise<void> {
  const answer = (await capture('kubectl', [...base, 'auth', 'can-i', ...what], io).catch((e: Error) => `no (${e.message})`)).trim();
  if (answer !== 'yes') throw new EnvironmentError(`on the ${side} cluster, kubectl may not ${what.slice(0, 2).join(' ')} in ${what.at(-1)}: ${answer.slice(0, 200)}`);
}

export async function expectObjects(io: MigrationIo, base: string[], refs: string[], what: string): Promise<void> {
  if (!refs.length) return;
  try {
    await capture('kubectl', [...base, 'get', ...refs, '--output', 'name'], io);
  } catch (e) {
    throw new EnvironmentError(`${what} are missing (${refs.join(', ')}): ${(e as Error).message.replace(/^.*?: /, '')}`);
  }
}

/** Creates a Job from a CronJob's template and waits for it; its start and end, for the blobs it wrote. */
export async function runJob(io: MigrationIo, base: string[], job: string, from: string, t: Timing): Promise<{ start: string; end: string }> {
  await stream('kubectl', [...base, 'create', 'job', job, `--from=${from}`], io);
  const query = [...base, 'get', 'job', job, '--output', 'jsonpath={.status.conditions[?(@.status=="True")].type}|{.status.startTime}|{.status.completionTime}'];
  const answer = await poll(io, `Job ${job} (kubectl logs job/${job} says why)`, attemptsFor(t.jobMinutes, t), t.intervalMs, async () => (await capture('kubectl', query, io)).trim().split('|'),
    ([conditions = '']) => (/\bFailed\b/.test(conditions) ? 'failed' : /\bComplete\b/.test(conditions)));
  return { start: answer[1] ?? '', end: answer[2] ?? '' };
}



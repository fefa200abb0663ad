import { join } from 'node:path';
import { folderReader } from '../util/repository-folder';

/**
 * What every provisioning, backup and restore Job runs: a script of `scripts/` (beside this file,
 * linted and tested as a file), mounted from the Job's ConfigMap and run as its container's
 * command, in an image whose contents are known — a third-party image mirrored under
 * `thirdparty/`, or the guide's `aura/tools/mongo-backup` for the MongoDB tools. docs/jobs.md
 * describes each Job, docs/images.md every image.
 */
export const SCRIPTS_DIR = join(__dirname, 'scripts');
/** A script's text, read once per process. */
export const scriptText = folderReader(SCRIPTS_DIR);
/** The scripts' files, by name, as a Job's ConfigMap carries them. */
export const scriptFiles = (...names: string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, scriptText(n)]));

/** Where a Job mounts its ConfigMap of scripts and request bodies. */
export const JOB_FILES = '/etc/aura-job';
/** A script of the Job's files, run by its interpreter with arguments: the container's command. */
export const runScript = (interpreter: string, script: string, ...args: string[]): string[] => [interpreter, `${JOB_FILES}/${script}`, ...args];

/** The images the Jobs run, beyond the servers' own (redis, mongo). */
export const JOB_IMAGES = {
  /** mcr.microsoft.com/azure-cli: az, bash and coreutils; moves backups to and from Blob Storage. */
  azureCli: { image: 'thirdparty/azure-cli', imageTag: '2.64.0' },
  /** docker.io/library/python, slim Debian: the standard library only, for the HTTP APIs. */
  python: { image: 'thirdparty/python', imageTag: '3.12.7-slim-bookworm' },
  /** The guide's image with the MongoDB Database Tools (mongodump, mongorestore, mongoexport, mongoimport). */
  mongoTools: { image: 'tools/mongo-backup', imageTag: '8.0.0' },
} as const;

/** Time limits of the Jobs (activeDeadlineSeconds): a first install waits for the servers to come up. */
export const JOB_DEADLINES = { provision: 1800, backup: 3600 } as const;

/** Environment every script container shares: tools that keep state under HOME find a writable one. */
export const SCRIPT_ENV = { HOME: '/tmp' } as const;

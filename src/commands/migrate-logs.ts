import { startMigration } from '../migrate/start';
import { defineCommand, PROGRAM } from './command';

/** What both migration commands take. */
export const MIGRATION_OPTIONS = {
  source: { type: 'string' },
  dest: { type: 'string' },
  yes: { type: 'boolean' },
  from: { type: 'string' },
  state: { type: 'string' },
} as const;

export const MIGRATION_HELP = `  --source FILE    the source's environment.json (dist/<profile>/infra/environment.json as compiled for it)
  --dest FILE      the destination's environment.json
  --yes            run the plan (without it, only the plan is printed)
  --from N         resume at step N of the plan after a failed step (reads the state file)
  --state FILE     where the run records what its steps did (default: beside --dest)`;

export const command = defineCommand({
  name: 'migrate-logs',
  summary: "move a cluster's logs to a new cluster through the snapshot repository (the guide's migrate-logs)",
  synopsis: '--source FILE --dest FILE [--yes [--from N]] [--state FILE]',
  help: `  Moves the logs of a cluster to a new one: takes a snapshot on the source into its folder of the
  shared snapshot repository, then restores it on the destination, which reads that folder through a
  read-only repository (its profile's log_migration.source_cluster). Run it after the DNS switch.
  Prints the plan; --yes runs it.

${MIGRATION_HELP}`,
  options: MIGRATION_OPTIONS,
  run: (args, ctx) => startMigration('logs', args, ctx, PROGRAM),
});

export const main = command.main;

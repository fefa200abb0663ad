import { DEFAULT_STORES, STORES } from '../migrate/cluster';
import { startMigration } from '../migrate/start';
import { defineCommand, PROGRAM } from './command';
import { MIGRATION_HELP, MIGRATION_OPTIONS } from './migrate-logs';

export const command = defineCommand({
  name: 'migrate-cluster',
  summary: "move a cluster's MongoDB and Redis data to a new cluster (the guide's migrate-cluster; plan, --yes runs it)",
  synopsis: '--source FILE --dest FILE [--stores LIST] [--yes [--from N]] [--state FILE]',
  help: `  Moves the data of a cluster to a new one: backs up MongoDB and Redis on the source, copies the
  backups into the destination's restore folders, scales the destination's services to zero,
  restores, and scales them back. Prints the plan; --yes runs it. MongoDB is skipped when both
  sides use one Atlas cluster.

  --stores LIST    the stores to move, comma-separated, of ${STORES.join(', ')} (default: ${DEFAULT_STORES.join(',')})
${MIGRATION_HELP}`,
  options: { ...MIGRATION_OPTIONS, stores: { type: 'string' } },
  run: (args, ctx) => startMigration('cluster', args, ctx, PROGRAM),
});

export const main = command.main;

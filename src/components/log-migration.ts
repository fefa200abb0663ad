/**
 * Moving the logs of a cluster to a new one (aura-manifests migrate-logs): the names the command
 * and the clusters' templates share.
 */
export const LOG_MIGRATION = {
  /** Suspended template on a cluster whose repository is writable: a snapshot of the logs, now. */
  snapshot: 'elasticsearch-snapshot',
  /** Suspended template on a destination (log_migration.source_cluster): restores the source's newest snapshot. */
  restore: 'elasticsearch-restore',
  /** The restore container's variable naming the source cluster (its folder of the shared container). */
  sourceVariable: 'SOURCE_CLUSTER',
} as const;

/** The destination's read-only repository over the source's folder. */
export const MIGRATION_REPOSITORY = 'migration-source';

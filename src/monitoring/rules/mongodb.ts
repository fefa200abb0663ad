import type { RuleSet } from '../alert-rules';

/** Member state 1 is PRIMARY (MongoDB's replSetGetStatus). */
const PRIMARY = 1;
const members = 'mongodb_rs_members_state{job="mongodb-exporter"}';

/** The in-cluster replica set, from mongodb-exporter (only when Atlas is off: Atlas watches its own). */
export const MONGODB_RULES: RuleSet = {
  name: 'mongodb',
  enabled: (c) => c.atlas_enabled === false,
  rules: [
    {
      alert: 'MongoDBReplicaSetMemberUnhealthy',
      expr: 'mongodb_rs_members_health{job="mongodb-exporter"} == 0',
      for: '5m',
      severity: 'warning',
      summary: 'MongoDB member {{ $labels.member_idx }} is unhealthy',
      description: 'The replica set sees {{ $labels.member_idx }} as down: one more failure and it loses its majority.',
    },
    {
      alert: 'MongoDBReplicaSetNoPrimary',
      expr: `count(${members}) unless count(${members} == ${PRIMARY})`,
      for: '2m',
      severity: 'critical',
      summary: 'The MongoDB replica set has no primary',
      description: 'No member is PRIMARY: every write of the Aura services fails.',
    },
  ],
};

/** The Atlas Prometheus integration job: when Atlas is on, its metrics must arrive. */
export const ATLAS_JOB = 'mongodb-atlas';
export const ATLAS_RULES: RuleSet = {
  name: ATLAS_JOB,
  enabled: (c) => c.atlas_enabled,
  rules: [
    {
      alert: 'AtlasMetricsMissing',
      expr: `absent(up{job="${ATLAS_JOB}"} == 1)`,
      for: '15m',
      severity: 'warning',
      summary: 'No metrics arrive from MongoDB Atlas',
      description: 'Prometheus scrapes no Atlas target: the integration is off, its password is wrong, or Atlas is unreachable. The database is not watched.',
    },
  ],
};

import type { RuleSet } from '../alert-rules';
import { BACKUP_SCHEDULES } from '../../platform/system-catalog';
import { SYSTEM_NAMESPACE } from '../../platform/naming';

/** The nightly backup CronJobs, by name. */
export const BACKUP_CRONJOBS = Object.keys(BACKUP_SCHEDULES).map((store) => `${store}-backup`);
/** A daily backup may run late by two hours before it counts as missed. */
export const BACKUP_MAX_AGE_HOURS = 26;

const cronjobs = BACKUP_CRONJOBS.join('|');
const maxAge = BACKUP_MAX_AGE_HOURS * 3600;

/** The backups, seen by kube-state-metrics: a failed run, and no successful run in 26 hours (or ever, for a CronJob that old). */
export const BACKUP_RULES: RuleSet = {
  name: 'backups',
  rules: [
    {
      alert: 'BackupJobFailed',
      // Jobs of a CronJob are named <cronjob>-<scheduled minute>.
      expr: `kube_job_status_failed{namespace="${SYSTEM_NAMESPACE}", job_name=~"(${cronjobs})-[0-9]+"} > 0`,
      severity: 'warning',
      summary: 'Backup Job {{ $labels.job_name }} failed',
      description: 'The backup run {{ $labels.job_name }} failed; read its pod log. The alert clears when the failed Job is deleted.',
    },
    {
      alert: 'BackupNotRecent',
      expr: `time() - kube_cronjob_status_last_successful_time{namespace="${SYSTEM_NAMESPACE}", cronjob=~"${cronjobs}"} > ${maxAge}
or
(time() - kube_cronjob_created{namespace="${SYSTEM_NAMESPACE}", cronjob=~"${cronjobs}"} > ${maxAge})
  unless on (namespace, cronjob) kube_cronjob_status_last_successful_time`,
      severity: 'critical',
      summary: `CronJob {{ $labels.cronjob }} has not backed up in ${BACKUP_MAX_AGE_HOURS} hours`,
      description: `No run of {{ $labels.cronjob }} has succeeded for more than ${BACKUP_MAX_AGE_HOURS} hours: the last nightly backup is missing.`,
    },
  ],
};

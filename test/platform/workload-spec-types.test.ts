import { describe, expect, it } from 'vitest';
import { fixedReplicas, SINGLETON, type WorkloadSpec } from '../../src/platform/types';

/**
 * WorkloadSpec is a union on the workload kind (issue 24, item 4): a field of another kind is a
 * type error, proven by `tsc --noEmit` (npm test and typecheck compile this file). Each
 * `@ts-expect-error` is itself the mutation: were the field accepted, tsc would fail on the unused
 * directive.
 */
const base = { name: 'fixture', phase: 'core' as const, image: 'core/fixture', ports: [], resources: { requests: { cpu: '1', memory: '1Mi' }, limits: { cpu: '1', memory: '1Mi' } } };

const accepted: WorkloadSpec[] = [
  { ...base, workload: 'Deployment', scale: SINGLETON },
  { ...base, workload: 'StatefulSet', scale: fixedReplicas(3), volume: { mountPath: '/data', size: '1Gi' }, podManagementPolicy: 'Parallel' },
  { ...base, workload: 'DaemonSet', host: { paths: [{ name: 'proc', path: '/proc' }] } },
  { ...base, workload: 'Job', deadlineSeconds: 600, productProgram: true },
  { ...base, workload: 'CronJob', deadlineSeconds: 600, schedule: '0 4 * * *', suspend: true },
];

const refused: WorkloadSpec[] = [
  // @ts-expect-error a schedule on a Deployment
  { ...base, workload: 'Deployment', scale: SINGLETON, schedule: '0 4 * * *' },
  // @ts-expect-error a Deployment without scale
  { ...base, workload: 'Deployment' },
  // @ts-expect-error scale on a Job
  { ...base, workload: 'Job', deadlineSeconds: 600, scale: SINGLETON },
  // @ts-expect-error a Job without its deadline
  { ...base, workload: 'Job' },
  // @ts-expect-error a CronJob without a schedule
  { ...base, workload: 'CronJob', deadlineSeconds: 600 },
  // @ts-expect-error a volume on a Deployment
  { ...base, workload: 'Deployment', scale: SINGLETON, volume: { mountPath: '/data', size: '1Gi' } },
  // @ts-expect-error host access on a StatefulSet
  { ...base, workload: 'StatefulSet', scale: SINGLETON, host: { paths: [] } },
  // @ts-expect-error suspend on a Job
  { ...base, workload: 'Job', deadlineSeconds: 600, suspend: true },
];

describe('WorkloadSpec, a union on the workload kind', () => {
  it('takes each kind with its own fields (the refusals are tsc errors, above)', () => {
    expect(accepted.map((w) => w.workload)).toEqual(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
    expect(refused).toHaveLength(8);
  });

  it('narrows on the kind: a CronJob has its schedule, a Deployment has none', () => {
    const cron = accepted.find((w): w is Extract<WorkloadSpec, { workload: 'CronJob' }> => w.workload === 'CronJob')!;
    const schedule: string = cron.schedule;
    expect(schedule).toBe('0 4 * * *');
    const deployment = accepted.find((w) => w.workload === 'Deployment')!;
    expect(deployment.schedule).toBeUndefined();
  });
});

import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as migrateCluster } from '../../src/commands/migrate-cluster';
import { run as runTool } from '../../src/commands/aura-manifests';
import { built } from '../helpers';
import { fakeMigrationTools, type FakeClusterState } from '../support/fake-migration-tools';

const work = mkdtempSync(join(tmpdir(), 'aura-migrate-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment.json de-pro compiles, and the destination: the same environment on a new cluster. */
const compiled = JSON.parse(built('de-pro').files.get('infra/environment.json')!);
const inCluster = (e: any) => ({ ...e, atlas: null });
const onCluster = (e: any, name: string) => ({ ...e, cluster: { ...e.cluster, name, resourceGroup: `rg-${name}` } });
function sides(source: object, dest: object) {
  const dir = mkdtempSync(join(work, 'sides-'));
  writeFileSync(join(dir, 'source.json'), JSON.stringify(source));
  writeFileSync(join(dir, 'dest.json'), JSON.stringify(dest));
  return { source: join(dir, 'source.json'), dest: join(dir, 'dest.json'), state: join(dir, 'migration.state.json'), dir };
}

const ACCOUNT = compiled.storageAccount.name;
const clusters = (): FakeClusterState => ({
  clusters: {
    auraclusterprode: { account: ACCOUNT, namespaces: { 'aura-de-pro': { 'Deployment/aura-bot': 2 } }, cronjobs: ['mongodb-backup', 'redis-backup', 'grafana-backup', 'elasticsearch-snapshot'] },
    auraclusterprode2: {
      account: ACCOUNT,
      namespaces: { 'aura-de-pro': { 'Deployment/aura-bot': 3, 'Deployment/insights-loader': 1, 'StatefulSet/qdrant': 1 }, 'aura-agents-de-pro': { 'Deployment/billing': 1, 'Deployment/idle': 0 } },
      cronjobs: ['mongodb-restore', 'redis-restore', 'grafana-restore', 'elasticsearch-restore'],
    },
  },
  blobs: {
    [ACCOUNT]: [
      { name: 'mongodb/mongodb-2024-04-30T02:00:00Z.archive.gz', lastModified: '2024-04-30T02:04:00Z' },
      { name: 'mongodb/restore/mongodb-2024-03-01T02:00:00Z.archive.gz', lastModified: '2024-03-01T02:04:00Z' },
    ],
  },
});

async function migrate(fake: ReturnType<typeof fakeMigrationTools>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await migrateCluster(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: fake.env });
  const run = (text: string) => text.replace(/migrate-[0-9]{8}t[0-9]{6}-/g, 'migrate-<run>-');
  return { code, out: run(out.join('\n')), err: run(err.join('\n')), calls: fake.calls() };
}

/** The run's Jobs are named after its time; the fake's log shows it as <run>. */
const RUN = 'migrate-<run>';
const JOB_STATUS = '--output jsonpath={.status.conditions[?(@.status=="True")].type}|{.status.startTime}|{.status.completionTime}';
const LIST = (prefix: string) => `az storage blob list --auth-mode login --account-name ${ACCOUNT} --container-name aura-backups --prefix ${prefix} --num-results 5000 --query [].{name:name, lastModified:properties.lastModified} --output json`;
const WORKLOADS = (ns: string, status = false) => `kubectl --kubeconfig <dest> --namespace ${ns} get deployment,statefulset --output jsonpath={range .items[*]}{.kind}/{.metadata.name}={.spec.replicas}${status ? '/{.status.replicas}' : ''}{"\\n"}{end}`;
const PREFLIGHT = [
  'az version --output none',
  'az account show --output none',
  'kubectl version --client --output json',
  'az aks get-credentials --resource-group rg-auraclusterprode --name auraclusterprode --file <source> --overwrite-existing --only-show-errors',
  'az aks get-credentials --resource-group rg-auraclusterprode2 --name auraclusterprode2 --file <dest> --overwrite-existing --only-show-errors',
  'kubectl --kubeconfig <source> --namespace aura-system get cronjob/mongodb-backup cronjob/redis-backup --output name',
  'kubectl --kubeconfig <dest> --namespace aura-system get cronjob/mongodb-restore cronjob/redis-restore --output name',
  'kubectl --kubeconfig <source> auth can-i create jobs --namespace aura-system',
  'kubectl --kubeconfig <dest> auth can-i create jobs --namespace aura-system',
];
const STEP_4 = ['mongodb', 'redis'].flatMap((s) => [
  `kubectl --kubeconfig <dest> --namespace aura-system create job ${RUN}-${s}-restore --from=cronjob/${s}-restore`,
  `kubectl --kubeconfig <dest> --namespace aura-system get job ${RUN}-${s}-restore ${JOB_STATUS}`,
]);
const STEP_6 = [
  'kubectl --kubeconfig <dest> --namespace aura-de-pro scale deployment/aura-bot --replicas=3',
  'kubectl --kubeconfig <dest> --namespace aura-de-pro scale deployment/insights-loader --replicas=1',
  'kubectl --kubeconfig <dest> --namespace aura-de-pro scale statefulset/qdrant --replicas=1',
  'kubectl --kubeconfig <dest> --namespace aura-agents-de-pro scale deployment/billing --replicas=1',
  ...['aura-de-pro deployment/aura-bot', 'aura-de-pro deployment/insights-loader', 'aura-de-pro statefulset/qdrant', 'aura-agents-de-pro deployment/billing'].map((w) => {
    const [ns, ref] = w.split(' ');
    return `kubectl --kubeconfig <dest> --namespace ${ns} rollout status ${ref} --timeout=240m`;
  }),
];

describe('migrate-cluster: the plan, then --yes', () => {
  const files = sides(inCluster(compiled), inCluster(onCluster(compiled, 'auraclusterprode2')));
  const args = ['--source', files.source, '--dest', files.dest, '--state', files.state];

  it('without --yes prints the plan, step by step with its checks, and runs nothing', async () => {
    const fake = fakeMigrationTools(clusters());
    const r = await migrate(fake, ...args);
    expect([r.code, r.err, r.calls]).toEqual([0, '', []]);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Plan: migrate cluster auraclusterprode → auraclusterprode2 (environment de-pro; mongodb and redis)');
    expect(lines.filter((l) => /^ {2}\d\. /.test(l))).toEqual([
      '  1. Back up mongodb and redis on the source cluster auraclusterprode',
      `  2. Copy the backups into the destination's restore folders (${ACCOUNT}/aura-backups/<store>/restore/)`,
      "  3. Scale the destination's services to zero (every Deployment and StatefulSet of its core and agents namespaces)",
      '  4. Restore mongodb and redis on the destination cluster auraclusterprode2 (each restore cleans its database first)',
      expect.stringMatching(/^ {2}5\. Reindex with the destination's indexes — skipped: part of step 4 here/),
      '  6. Scale the destination back to the recorded counts',
    ]);
    expect(r.out).toContain('       kubectl --kubeconfig \'<source kubeconfig>\' --namespace aura-system create job \'migrate-<run>-mongodb-backup\' --from=cronjob/mongodb-backup');
    expect(r.out.match(/^ {7}check: /gm)).toHaveLength(5);
    expect(lines.at(-1)).toBe('Nothing was changed: add --yes to run this plan.');
    fake.remove();
  });

  it('--yes runs each step and its check, in the exact order, and scales back to the counts it saw', async () => {
    const fake = fakeMigrationTools(clusters());
    const r = await migrate(fake, ...args, '--yes');
    expect([r.code, r.err]).toEqual([0, '']);
    const backup = (s: string) => [
      `kubectl --kubeconfig <source> --namespace aura-system create job ${RUN}-${s}-backup --from=cronjob/${s}-backup`,
      `kubectl --kubeconfig <source> --namespace aura-system get job ${RUN}-${s}-backup ${JOB_STATUS}`,
      LIST(`${s}/`),
    ];
    const copy = (s: string, old: string[]) => [
      LIST(`${s}/restore/`),
      ...old.map((o) => `az storage blob delete --auth-mode login --account-name ${ACCOUNT} --container-name aura-backups --name ${o}`),
      `az storage blob copy start --auth-mode login --account-name ${ACCOUNT} --destination-container aura-backups --destination-blob ${s}/restore/${s}-2024-05-01T02:04:00Z.gz --source-account-name ${ACCOUNT} --source-container aura-backups --source-blob ${s}/${s}-2024-05-01T02:04:00Z.gz`,
      `az storage blob show --auth-mode login --account-name ${ACCOUNT} --container-name aura-backups --name ${s}/restore/${s}-2024-05-01T02:04:00Z.gz --query properties.copy.status --output tsv`,
      LIST(`${s}/restore/`),
    ];
    expect(r.calls).toEqual([
      ...PREFLIGHT,
      ...backup('mongodb'),
      ...backup('redis'),
      ...copy('mongodb', ['mongodb/restore/mongodb-2024-03-01T02:00:00Z.archive.gz']),
      ...copy('redis', []),
      'kubectl --kubeconfig <dest> get namespaces --selector app.kubernetes.io/managed-by=aura-manifests,auracognitive.com/phase in (agents,core) --output jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
      WORKLOADS('aura-de-pro'),
      WORKLOADS('aura-agents-de-pro'),
      'kubectl --kubeconfig <dest> --namespace aura-de-pro scale deployment,statefulset --all --replicas=0',
      'kubectl --kubeconfig <dest> --namespace aura-agents-de-pro scale deployment,statefulset --all --replicas=0',
      WORKLOADS('aura-de-pro', true),
      WORKLOADS('aura-agents-de-pro', true),
      ...STEP_4,
      ...STEP_6,
    ]);
    // What the clusters are left with: the destination's counts as they were, its restore folders holding this backup only.
    const after = fake.state();
    expect(after.clusters!.auraclusterprode2!.namespaces).toEqual(clusters().clusters!.auraclusterprode2!.namespaces);
    expect(after.blobs![ACCOUNT]!.filter((b) => b.name.includes('/restore/')).map((b) => b.name)).toEqual([
      'mongodb/restore/mongodb-2024-05-01T02:04:00Z.gz',
      'redis/restore/redis-2024-05-01T02:04:00Z.gz',
    ]);
    expect(r.out).toContain('  ✓ backups written: mongodb/mongodb-2024-05-01T02:04:00Z.gz, redis/redis-2024-05-01T02:04:00Z.gz');
    expect(r.out).toContain('  ✓ 5 workloads in aura-de-pro, aura-agents-de-pro run no pod');
    expect(r.out).toContain('  ✓ 4 workloads back at their counts and ready');
    expect(JSON.parse(readFileSync(files.state, 'utf8')).done).toEqual([1, 2, 3, 4, 5, 6]);
    fake.remove();
  });

  it('a failing step stops the run, says how to resume, and the resumed run scales back to the counts recorded before', async () => {
    const own = sides(inCluster(compiled), inCluster(onCluster(compiled, 'auraclusterprode2')));
    const ownArgs = ['--source', own.source, '--dest', own.dest, '--state', own.state];
    const fake = fakeMigrationTools({ ...clusters(), failOn: ['-redis-restore --from=cronjob/redis-restore'] });
    const failed = await migrate(fake, ...ownArgs, '--yes');
    expect(failed.code).toBe(3);
    expect(failed.err).toContain('✗ step 4 (Restore mongodb and redis on the destination cluster auraclusterprode2 (each restore cleans its database first)) failed: kubectl --kubeconfig');
    expect(failed.err).toContain('Nothing after it ran. Steps 1, 2, 3 are done and recorded in');
    expect(failed.err).toContain(`aura-manifests migrate-cluster --source ${own.source} --dest ${own.dest} --state ${own.state} --yes --from 4`);
    // Stopped there: the destination stays at zero, nothing scaled it back.
    expect(failed.calls.some((c) => c.includes('rollout status'))).toBe(false);
    expect(Object.values(fake.state().clusters!.auraclusterprode2!.namespaces['aura-de-pro']!)).toEqual([0, 0, 0]);
    // Started again from step 1, it refuses: the recorded counts would be the zeros.
    expect(await migrate(fake, ...ownArgs, '--yes')).toMatchObject({ code: 1, err: expect.stringMatching(/a previous run of this migration stopped after step 3; resume it with --from 4/) });
    fake.update((s) => (s.failOn = []));
    const before = fake.calls().length;
    const resumed = await migrate(fake, ...ownArgs, '--yes', '--from', '4');
    expect([resumed.code, resumed.err]).toEqual([0, '']);
    expect(resumed.calls.slice(before)).toEqual([...PREFLIGHT, ...STEP_4, ...STEP_6]);
    expect(fake.state().clusters!.auraclusterprode2!.namespaces).toEqual(clusters().clusters!.auraclusterprode2!.namespaces);
    fake.remove();
  });

  it("a Job that fails, or a backup that cannot be told apart, is the step's failure", async () => {
    const own = sides(inCluster(compiled), inCluster(onCluster(compiled, 'auraclusterprode2')));
    const ownArgs = ['--source', own.source, '--dest', own.dest, '--state', own.state, '--yes'];
    const failedJob = fakeMigrationTools({ ...clusters(), failedJobs: ['mongodb-backup'] });
    const r = await migrate(failedJob, ...ownArgs);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/step 1 \(Back up mongodb and redis on the source cluster auraclusterprode\) failed: Job migrate-<run>-mongodb-backup \(kubectl logs job\/migrate-<run>-mongodb-backup says why\) failed\n {2}Nothing after it ran\. No step is done yet\./);
    expect(r.calls.some((c) => c.includes('copy start'))).toBe(false);
    failedJob.remove();
    const twice = fakeMigrationTools({ ...clusters(), backupWrites: 2 });
    const t = await migrate(twice, ...ownArgs);
    expect(t.err).toMatch(/Job migrate-<run>-mongodb-backup completed, but 2 backups of mongodb were written while it ran/);
    twice.remove();
  });

  it('--from resumes only the run of these two sides, and only after the steps before it', async () => {
    const own = sides(inCluster(compiled), inCluster(onCluster(compiled, 'auraclusterprode2')));
    const fake = fakeMigrationTools(clusters());
    const noState = await migrate(fake, '--source', own.source, '--dest', own.dest, '--state', own.state, '--yes', '--from', '3');
    expect(noState).toMatchObject({ code: 1, err: expect.stringMatching(/--from 3 resumes a run, but .* does not exist; start at step 1/), calls: [] });
    writeFileSync(own.state, JSON.stringify({ version: 1, command: 'x', fingerprint: 'other', runId: 'r1', done: [1, 2], values: {} }));
    expect((await migrate(fake, '--source', own.source, '--dest', own.dest, '--state', own.state, '--yes', '--from', '3')).err).toMatch(/is the state of a migration between other environment files/);
    writeFileSync(own.state, '{"version": 1, "runId": "../../etc"}');
    expect((await migrate(fake, '--source', own.source, '--dest', own.dest, '--state', own.state, '--yes', '--from', '3')).err).toMatch(/not a migration state file of this version/);
    expect(fake.calls()).toEqual([]);
    fake.remove();
  });
});

describe('migrate-cluster: only the steps needed, and refusals', () => {
  it('both sides on one Atlas cluster: MongoDB is neither backed up nor restored', async () => {
    const files = sides(compiled, onCluster(compiled, 'auraclusterprode2'));
    const fake = fakeMigrationTools(clusters());
    const r = await migrate(fake, '--source', files.source, '--dest', files.dest, '--state', files.state, '--yes');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out.split('\n')[0]).toBe('Plan: migrate cluster auraclusterprode → auraclusterprode2 (environment de-pro; redis (MongoDB is skipped: both use Atlas cluster aura-de-pro-70))');
    expect(r.calls.filter((c) => c.includes('mongodb'))).toEqual([]);
    expect(r.calls.filter((c) => / create job /.test(c))).toEqual([
      `kubectl --kubeconfig <source> --namespace aura-system create job ${RUN}-redis-backup --from=cronjob/redis-backup`,
      `kubectl --kubeconfig <dest> --namespace aura-system create job ${RUN}-redis-restore --from=cronjob/redis-restore`,
    ]);
    fake.remove();
  });

  it('--stores adds Grafana; a missing restore template stops the run before anything changes', async () => {
    const files = sides(inCluster(compiled), inCluster(onCluster(compiled, 'auraclusterprode2')));
    const state = clusters();
    state.clusters!.auraclusterprode2!.cronjobs = ['mongodb-restore', 'redis-restore'];
    const fake = fakeMigrationTools(state);
    const r = await migrate(fake, '--source', files.source, '--dest', files.dest, '--state', files.state, '--stores', 'redis,grafana,mongodb', '--yes');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/the destination's restore templates \(deploy its system phase first\) are missing \(cronjob\/mongodb-restore, cronjob\/redis-restore, cronjob\/grafana-restore\)/);
    expect(r.calls.filter((c) => / create | scale | copy | delete /.test(c))).toEqual([]);
    fake.remove();
  });

  it.each([
    ['one cluster on both sides', () => sides(compiled, compiled), /--source and --dest name one cluster \(auraclusterprode\)/],
    ['two environments', () => sides(compiled, { ...onCluster(compiled, 'auraclusterprode2'), environment: 'es-pro' }), /--source is environment de-pro and --dest es-pro: a cluster migration moves one environment/],
    ['a tenant', () => sides(compiled, { ...onCluster(compiled, 'auraclusterprode2'), cluster: { ...onCluster(compiled, 'auraclusterprode2').cluster, ownCluster: false } }), /--dest .*cluster\.ownCluster: this profile runs on another profile's cluster/],
    ['a hostile value', () => sides(compiled, { ...compiled, storageAccount: { ...compiled.storageAccount, name: 'x; az group delete --name rg-prod' } }), /--dest .*: not an environment\.json written by npm run synth \(storageAccount\.name: expected a storage account name/],
  ])('refuses %s (exit 1, nothing run)', async (_, make, message) => {
    const files = make();
    const fake = fakeMigrationTools(clusters());
    const r = await migrate(fake, '--source', files.source, '--dest', files.dest, '--yes');
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(message), calls: [] });
    expect(r.err).not.toContain('az group delete');
    fake.remove();
  });

  it('refuses a symlink, a folder, not JSON; usage errors are exit 2; a missing tool exit 3', async () => {
    const files = sides(compiled, onCluster(compiled, 'auraclusterprode2'));
    const link = join(files.dir, 'link.json');
    symlinkSync(files.dest, link);
    const fake = fakeMigrationTools(clusters());
    expect((await migrate(fake, '--source', files.source, '--dest', link)).err).toMatch(/--dest .*link\.json: not a regular file/);
    expect((await migrate(fake, '--source', files.source, '--dest', files.dir)).err).toMatch(/not a regular file/);
    writeFileSync(join(files.dir, 'bad.json'), '{"environment": ');
    expect((await migrate(fake, '--source', files.source, '--dest', join(files.dir, 'bad.json'))).err).toMatch(/bad\.json: not valid JSON/);
    expect((await migrate(fake, '--source', files.source)).code).toBe(2);
    expect((await migrate(fake, '--source', files.source, '--dest', files.dest, '--from', '2')).err).toMatch(/--from resumes a run: it goes with --yes/);
    expect((await migrate(fake, '--source', files.source, '--dest', files.dest, '--stores', 'mongodb,postgres')).code).toBe(2);
    const noKubectl = { ...fake.env, PATH: join(files.dir, 'nothing') };
    const out: string[] = [];
    const err: string[] = [];
    const code = await migrateCluster(['--source', files.source, '--dest', files.dest, '--state', files.state, '--yes'], { out: (l) => out.push(l), err: (l) => err.push(l), env: noKubectl });
    expect([code, err.join('\n')]).toEqual([3, expect.stringMatching(/^✗ the Azure CLI \(az\) is not installed or not on PATH/)]);
    fake.remove();
  });

  it('is a command of the tool, with its help', async () => {
    const out: string[] = [];
    expect(await runTool(['migrate-cluster', '--help'], { out: (l) => out.push(l), err: () => {} })).toBe(0);
    expect(out.join('\n')).toMatch(/^usage: aura-manifests migrate-cluster --source FILE --dest FILE/);
    const usage: string[] = [];
    await runTool(['--help'], { out: (l) => usage.push(l), err: () => {} });
    expect(usage.join('\n')).toMatch(/ {2}migrate-cluster {2}move a cluster's MongoDB and Redis data/);
  });
});

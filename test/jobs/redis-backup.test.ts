import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/compile';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { SENTINEL_MASTER } from '../../src/components/redis';
import { loadProfile } from '../../src/profile/load';
import { validateProfile } from '../../src/profile/validate';
import { az, compiledJob, freePort, join, runPod, scratch, startAzurite, until } from './harness';

/**
 * The compiled redis-backup and redis-restore CronJobs, run as their pods would: real
 * redis-server and redis-sentinel processes (three members, the master being member 2, so a
 * script that wrote to the first member or the headless Service would hit a read-only replica),
 * Azurite for Blob Storage, and the Debian Azure CLI. The compiled sentinel addresses are mapped
 * to loopback; nothing else is changed.
 */
const objects = compileConfig(validateProfile(loadProfile('de-pro', DEFAULT_PROFILES_DIR))).map((o) => o.manifest);
const backup = compiledJob(objects, 'redis-backup');
const restore = compiledJob(objects, 'redis-restore');
const envOf = (job: typeof backup) => Object.assign({}, ...job.pod.containers[0].envFrom.map((f: any) => job.configMaps.get(f.configMapRef.name)));
const CONTAINER = envOf(backup).BACKUP_CONTAINER as string;
/** A loopback port nothing listens on (privileged, never bound by a test): connections are refused at once. */
const CLOSED_PORT = 1;

describe('redis-backup and redis-restore with real Redis, sentinels and Azurite', () => {
  const s = scratch('aura-redis-jobs-');
  const members: { redis: number; sentinel: number }[] = [];
  let blob: { connectionString: string };
  const azConfig = () => s.dir('az-test');
  const MASTER = 2;

  const cli = (port: number, ...args: string[]) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--raw', ...args], { encoding: 'utf8', timeout: 5000 }).trim();
  const start = (args: string[], name: string): ChildProcess => s.track(spawn('redis-server', args, { cwd: s.dir(name), stdio: 'ignore' }));
  /** `redis-N.redis.aura-system.svc.cluster.local:26379` (the compiled sentinel list) to that member's loopback sentinel. */
  const hosts = (text: string) => text.replace(/redis-(\d)\.redis\.aura-system\.svc\.cluster\.local:26379/g, (_, i) => `127.0.0.1:${members[Number(i)]!.sentinel}`);
  const run = (job: typeof backup) => runPod(job, { root: s.dir(`pod-${job.name}-${Date.now()}`), secrets: { BACKUP_STORAGE_CONNECTION_STRING: blob.connectionString }, hosts });
  const blobs = async (prefix: string) => (await az(blob.connectionString, azConfig(), ['storage', 'blob', 'list', '-c', CONTAINER, '--prefix', prefix, '--query', '[].name', '-o', 'tsv'])).split('\n').filter(Boolean);
  const master = () => members[MASTER]!.redis;

  beforeAll(async () => {
    blob = await startAzurite(s);
    await az(blob.connectionString, azConfig(), ['storage', 'container', 'create', '-n', CONTAINER, '-o', 'none']);
    for (let i = 0; i < 3; i++) members.push({ redis: await freePort(), sentinel: await freePort() });
    for (let i = 0; i < 3; i++) {
      const own = ['--port', String(members[i]!.redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', s.dir(`redis-${i}`)];
      start(i === MASTER ? own : [...own, '--replicaof', '127.0.0.1', String(master())], `redis-${i}`);
    }
    for (let i = 0; i < 3; i++) {
      const conf = join(s.dir(`sentinel-${i}`), 'sentinel.conf');
      writeFileSync(conf, `port ${members[i]!.sentinel}\nbind 127.0.0.1\nsentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${master()} 2\nsentinel down-after-milliseconds ${SENTINEL_MASTER} 5000\n`);
      start([conf, '--sentinel'], `sentinel-${i}`);
    }
    await until('two replicas in sync', () => /connected_slaves:2/.test(cli(master(), 'info', 'replication')));
    for (let i = 0; i < 3; i++) await until(`sentinel ${i} naming the master`, () => cli(members[i]!.sentinel, 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER).endsWith(String(master())));
  }, 60_000);
  afterAll(() => s.stop());

  it('the compiled pods: snapshot, then upload; download, then restore, each with its own image', () => {
    expect(backup.pod.initContainers[0]).toMatchObject({ name: 'snapshot', command: ['sh', '/etc/aura-job/redis.sh', 'backup'] });
    expect(backup.pod.initContainers[0].image).toMatch(/\/aura\/thirdparty\/redis:7\.2\.5$/);
    expect(backup.pod.containers[0].command).toEqual(['bash', '/etc/aura-job/backup-storage.sh', 'upload']);
    expect(backup.pod.containers[0].image).toMatch(/\/aura\/thirdparty\/azure-cli:/);
    expect(restore.pod.initContainers[0]).toMatchObject({ name: 'download', command: ['bash', '/etc/aura-job/backup-storage.sh', 'download'] });
    expect(restore.pod.containers[0].command).toEqual(['sh', '/etc/aura-job/redis.sh', 'restore']);
    for (const job of [backup, restore]) expect(job.jobSpec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(envOf(backup).REDIS_SENTINELS.split(',')).toHaveLength(3);
  });

  it('a backup uploads the master\'s snapshot and deletes backups past the retention, nothing under restore/', async () => {
    cli(master(), 'set', 'context:a', 'alpha');
    cli(master(), 'set', 'context:ttl', 'soon', 'EX', '86400');
    cli(master(), 'hset', 'context:h', 'f', 'v');
    cli(master(), '-n', '3', 'rpush', 'other:list', 'x', 'y');
    const old = join(s.dir('stage'), 'old.gz');
    writeFileSync(old, 'old');
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'upload', '-c', CONTAINER, '-n', 'redis/redis-20000101T000000Z.rdb.gz', '-f', old, '--no-progress', '-o', 'none']);
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'upload', '-c', CONTAINER, '-n', 'redis/restore/kept.rdb.gz', '-f', old, '--no-progress', '-o', 'none']);

    const result = await run(backup);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`master 127.0.0.1:${master()}`);
    const names = await blobs('redis/');
    expect(names.filter((n) => /^redis\/redis-\d{8}T\d{6}Z\.rdb\.gz$/.test(n) && !n.includes('20000101'))).toHaveLength(1);
    expect(names).not.toContain('redis/redis-20000101T000000Z.rdb.gz');
    expect(names).toContain('redis/restore/kept.rdb.gz');
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'delete', '-c', CONTAINER, '-n', 'redis/restore/kept.rdb.gz']);
  });

  it('a restore replaces the master\'s data with the backup (the replicas follow), and a second run gives the same', async () => {
    const [taken] = (await blobs('redis/redis-')).filter((n) => !n.includes('20000101'));
    const local = join(s.dir('stage'), 'taken.rdb.gz');
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'download', '-c', CONTAINER, '-n', taken!, '-f', local, '--no-progress', '-o', 'none']);
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'upload', '-c', CONTAINER, '-n', 'redis/restore/taken.rdb.gz', '-f', local, '--no-progress', '-o', 'none']);
    // After the backup: a key lost, a key changed, a key added.
    cli(master(), 'del', 'context:a');
    cli(master(), 'hset', 'context:h', 'f', 'changed');
    cli(master(), 'set', 'context:later', 'x');

    for (const round of [1, 2]) {
      const result = await run(restore);
      expect(result.code, `round ${round}: ${result.output}`).toBe(0);
      expect(cli(master(), 'get', 'context:a')).toBe('alpha');
      expect(cli(master(), 'hget', 'context:h', 'f')).toBe('v');
      expect(cli(master(), 'exists', 'context:later')).toBe('0');
      expect(Number(cli(master(), 'ttl', 'context:ttl'))).toBeGreaterThan(0);
      expect(cli(master(), '-n', '3', 'lrange', 'other:list', '0', '-1')).toBe('x\ny');
      expect(cli(master(), 'dbsize')).toBe('3');
      for (const i of [0, 1]) await until(`replica ${i} following the restore`, () => cli(members[i]!.redis, 'get', 'context:a') === 'alpha' && cli(members[i]!.redis, 'exists', 'context:later') === '0');
    }
  });

  it('fails, changing nothing, with two backups under restore/, or no sentinel answering', async () => {
    const local = join(s.dir('stage'), 'taken.rdb.gz');
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'upload', '-c', CONTAINER, '-n', 'redis/restore/second.rdb.gz', '-f', local, '--no-progress', '-o', 'none']);
    cli(master(), 'set', 'context:marker', 'untouched');
    const two = await run(restore);
    expect(two.code).not.toBe(0);
    expect(two.output).toMatch(/2 blobs under aura-backups\/redis\/restore\/ .*leave only the one to restore/);
    expect(cli(master(), 'get', 'context:marker')).toBe('untouched');

    const unanswered = await runPod(backup, {
      root: s.dir('pod-no-sentinel'), secrets: { BACKUP_STORAGE_CONNECTION_STRING: blob.connectionString },
      hosts: (t) => t.replace(/redis-\d\.redis\.aura-system\.svc\.cluster\.local:26379/g, `127.0.0.1:${CLOSED_PORT}`),
    });
    expect(unanswered.code).not.toBe(0);
    expect(unanswered.steps).toHaveLength(1);
    expect(unanswered.output).toContain(`no sentinel of`);
  });
});

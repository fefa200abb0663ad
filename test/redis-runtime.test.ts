import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podSpecOf } from '../src/checks/wiring/check';
import { compileConfig, type Manifest } from '../src/compile';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { SENTINEL_MASTER } from '../src/components/redis';
import { escapeRegExp } from '../src/util/regexp';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';

/**
 * Real redis-server and sentinel processes run the configuration the compiler generates for the
 * redis StatefulSet: its ConfigMap files, the init container's script and each container's
 * arguments, taken from the compiled objects. Only addresses are remapped: each member's stable
 * name and port become 127.0.0.1 and a free port, the mount paths temporary folders.
 *
 * Two values are tuned for the test, so that a failover takes seconds: sentinel
 * down-after-milliseconds 5000 becomes 1000, and failover-timeout 60000 (which also spaces a
 * retried failover) 10000. Every wait is bounded; every process is killed and the folder removed.
 */
const REDIS = 6379;
const SENTINEL = 26379;
const MEMBERS = 3;
const WAIT_MS = 30_000;

const redisObjects = (() => {
  const ms = compileConfig(validateProfile(loadProfile('es-int', DEFAULT_PROFILES_DIR))).map((o) => o.manifest);
  const set = ms.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'redis')!;
  const pod = podSpecOf(set);
  const filesVolume = pod.volumes.find((v: any) => v.configMap);
  const files = (ms.find((m) => m.kind === 'ConfigMap' && m.metadata.name === filesVolume.configMap.name) as Manifest & { data: Record<string, string> }).data;
  return { set: set as any, pod, files, filesVolume };
})();

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until the condition holds; fails after WAIT_MS. */
async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let value: T | undefined;
    try {
      value = probe();
    } catch {
      value = undefined;
    }
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const cli = (port: number, ...args: string[]) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--raw', ...args], { encoding: 'utf8', timeout: 2000 }).trim();
const info = (port: number, field: string) => new RegExp(`^${field}:(.*)$`, 'm').exec(cli(port, 'info', 'replication'))?.[1]?.trim();

describe('Redis HA with real redis-server and redis-sentinel', () => {
  const root = mkdtempSync(join(tmpdir(), 'aura-redis-'));
  const ports: { redis: number; sentinel: number }[] = [];
  const processes = new Map<string, ChildProcess>();
  const { set, pod, files, filesVolume } = redisObjects;
  const init = pod.initContainers[0];
  const container = (name: string) => pod.containers.find((c: any) => c.name === name);
  const templatesPath = init.volumeMounts.find((m: any) => m.name === filesVolume.name).mountPath as string;
  // The live configuration: where redis-server's argument points.
  const livePath = dirname(container('redis').args[0] as string);
  const dataPath = container('redis').volumeMounts.find((m: any) => m.name === 'data').mountPath as string;
  const service = set.spec.serviceName as string;
  const namespace = set.metadata.namespace as string;
  const dir = (i: number) => join(root, `member-${i}`);

  /** Remaps one member's view: stable names and ports to loopback, mount paths to its folder. */
  const remap = (i: number, text: string) =>
    text
      .replace(new RegExp(`${service}-(\\d)\\.${service}\\.${namespace}\\.svc\\.cluster\\.local([: ])(${REDIS}|${SENTINEL})\\b`, 'g'), (_, n, sep, p) =>
        `127.0.0.1${sep}${Number(p) === REDIS ? ports[Number(n)]!.redis : ports[Number(n)]!.sentinel}`)
      .replace(new RegExp(`${service}-\\d\\.${service}\\.${namespace}\\.svc\\.cluster\\.local`, 'g'), '127.0.0.1')
      .replace(/^port (\d+)$/m, (_, p) => `port ${Number(p) === REDIS ? ports[i]!.redis : ports[i]!.sentinel}`)
      .replace(/^bind .*$/m, 'bind 127.0.0.1')
      .replace(new RegExp(`down-after-milliseconds ${SENTINEL_MASTER} \\d+`), `down-after-milliseconds ${SENTINEL_MASTER} 1000`)
      .replace(new RegExp(`failover-timeout ${SENTINEL_MASTER} \\d+`), `failover-timeout ${SENTINEL_MASTER} 10000`)
      .replace(new RegExp(`${escapeRegExp(templatesPath)}(?![\\w-])`, 'g'), join(dir(i), 'templates'))
      .replace(new RegExp(`${escapeRegExp(livePath)}(?![\\w-])`, 'g'), join(dir(i), 'live'))
      .replace(new RegExp(`^dir ${escapeRegExp(dataPath)}$`, 'm'), `dir ${join(dir(i), 'data')}`);
  /** Nothing the test runs may touch the machine's own paths: every mount path must have been remapped. */
  const guarded = (text: string) => {
    for (const path of [templatesPath, livePath, dataPath])
      if (new RegExp(`(^|[\\s="'])${escapeRegExp(path)}(?![\\w-])`, 'm').test(text)) throw new Error(`remapping left ${path} in the generated configuration`);
    return text;
  };

  /** Runs the init container's command, then starts the member's containers with their arguments. */
  const startMember = (i: number) => {
    for (const sub of ['templates', 'live', 'data']) mkdirSync(join(dir(i), sub), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir(i), 'templates', file), guarded(remap(i, text)));
    const announce = remap(i, init.env.find((e: any) => e.name === 'REDIS_ANNOUNCE_HOST').value.replace('$(POD_NAME)', `${service}-${i}`));
    const [command, ...args] = [...init.command, ...(init.args ?? [])].map((a: string) => guarded(remap(i, a)));
    execFileSync(command!, args, { env: { ...process.env, REDIS_ANNOUNCE_HOST: announce }, timeout: 10_000 });
    for (const c of pod.containers.filter((x: any) => x.name === 'redis' || x.name === 'sentinel')) {
      const log = openSync(join(dir(i), `${c.name}.log`), 'a');
      const child = spawn('redis-server', c.args.map((a: string) => guarded(remap(i, a))), { cwd: dir(i), stdio: ['ignore', log, log] });
      closeSync(log);
      processes.set(`${c.name}-${i}`, child);
    }
  };
  const stop = (name: string) => {
    processes.get(name)?.kill('SIGKILL');
    processes.delete(name);
  };
  const masterOf = (sentinel: number) => cli(sentinel, 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER).split('\n').join(':');

  beforeAll(async () => {
    for (let i = 0; i < MEMBERS; i++) ports.push({ redis: await freePort(), sentinel: await freePort() });
  });
  afterAll(() => {
    for (const name of [...processes.keys()]) stop(name);
    if (process.env.KEEP_REDIS_TEST_DIR) return;
    rmSync(root, { recursive: true, force: true });
  });

  it('the compiled StatefulSet starts every member at once and mounts what the script writes', () => {
    expect(set.spec.podManagementPolicy).toBe('Parallel');
    expect(set.spec.replicas).toBe(MEMBERS);
    expect(Object.keys(files).sort()).toEqual(['configure.sh', 'redis.conf', 'sentinel.conf']);
  });

  it('replicas follow the master, and the sentinels agree on it', async () => {
    // Member 0 first finds no sentinel and takes the initial master's role; the others then ask the sentinels.
    for (let i = 0; i < MEMBERS; i++) {
      startMember(i);
      await until(`redis-${i} and its sentinel`, () => cli(ports[i]!.redis, 'ping') === 'PONG' && cli(ports[i]!.sentinel, 'ping') === 'PONG');
    }
    const master = `127.0.0.1:${ports[0]!.redis}`;
    expect(readFileSync(join(dir(1), 'live', 'redis.conf'), 'utf8')).toContain(`replicaof 127.0.0.1 ${ports[0]!.redis}`);
    expect(readFileSync(join(dir(0), 'live', 'redis.conf'), 'utf8')).not.toMatch(/^replicaof /m);
    await until('two connected replicas', () => info(ports[0]!.redis, 'connected_slaves') === '2');
    for (const i of [1, 2]) await until(`redis-${i} in sync`, () => info(ports[i]!.redis, 'master_link_status') === 'up');
    cli(ports[0]!.redis, 'set', 'context:probe', 'kept');
    for (const i of [1, 2]) await until(`the write on redis-${i}`, () => cli(ports[i]!.redis, 'get', 'context:probe') === 'kept');
    for (let i = 0; i < MEMBERS; i++) {
      expect(masterOf(ports[i]!.sentinel)).toBe(master);
      // Sentinels find each other through the master; a failover needs them to.
      await until(`sentinel ${i} knowing the other two`, () => /^num-other-sentinels\n2$/m.test(cli(ports[i]!.sentinel, 'sentinel', 'master', SENTINEL_MASTER)));
      // ... and both replicas (learnt from the master's INFO, every 10 s): a sentinel elected to fail over must have one to promote.
      await until(`sentinel ${i} knowing both replicas`, () => /^num-slaves\n2$/m.test(cli(ports[i]!.sentinel, 'sentinel', 'master', SENTINEL_MASTER)));
    }
  });

  it('a killed master fails over to a replica, which the other replica and the sentinels follow', async () => {
    const old = `127.0.0.1:${ports[0]!.redis}`;
    // The master's pod dies: its redis-server and its sentinel.
    stop('redis-0');
    stop('sentinel-0');
    const elected = await until('a new master named by both live sentinels', () => {
      const views = [1, 2].map((i) => masterOf(ports[i]!.sentinel));
      return views.every((v) => v === views[0] && v !== old) ? views[0] : undefined;
    });
    const winner = ports.findIndex((p) => `127.0.0.1:${p.redis}` === elected);
    expect([1, 2]).toContain(winner);
    const other = winner === 1 ? 2 : 1;
    await until('the new master in its role', () => info(ports[winner]!.redis, 'role') === 'master');
    await until('the other replica following it', () => info(ports[other]!.redis, 'master_port') === String(ports[winner]!.redis) && info(ports[other]!.redis, 'master_link_status') === 'up');
    expect(cli(ports[winner]!.redis, 'get', 'context:probe')).toBe('kept');

    // The old master's pod restarts: its init container asks the sentinels and it rejoins as a replica.
    startMember(0);
    expect(readFileSync(join(dir(0), 'live', 'redis.conf'), 'utf8')).toContain(`replicaof 127.0.0.1 ${ports[winner]!.redis}`);
    await until('the old master replicating the new one', () => info(ports[0]!.redis, 'role') === 'slave' && info(ports[0]!.redis, 'master_link_status') === 'up');
    expect(masterOf(ports[0]!.sentinel)).toBe(elected);
  });
});

import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfig, type Manifest } from '../../src/compile';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { MONGODB_REPLICA_SET } from '../../src/components/mongodb';
import { loadProfile } from '../../src/profile/load';
import { validateProfile } from '../../src/profile/validate';
import { az, compiledJob, join, runPod, scratch, startAzurite } from './harness';

/**
 * The MongoDB Jobs. Neither MongoDB nor its tools are packaged for this machine (Debian has no
 * mongodb-database-tools; npm's mongosh needs a server, and the npm packages that provide one
 * download it at run time): so
 * - mongodb-backup and mongodb-restore run their compiled pods with stand-ins of mongodump and
 *   mongorestore first on PATH (shell scripts that record their arguments, environment and the
 *   configuration file they are given, and write or read an archive), and the real Azure CLI
 *   against Azurite;
 * - mongodb-provision.js runs in node's vm with a stand-in of the mongosh API it uses (Mongo,
 *   getDB, auth, runCommand, getUser, sleep, print, quit) that models one replica set's state.
 * Profile es-int: the in-cluster replica set.
 */
const objects: Manifest[] = compileConfig(validateProfile(loadProfile('es-int', DEFAULT_PROFILES_DIR))).map((o) => o.manifest);
const backup = compiledJob(objects, 'mongodb-backup');
const restore = compiledJob(objects, 'mongodb-restore');
const provision = compiledJob(objects, 'mongodb-provision');
const PASSWORD = 'sentinel-mongo "pass\\word';

describe('mongodb-backup and mongodb-restore with stand-ins of the mongo tools and Azurite', () => {
  const s = scratch('aura-mongo-jobs-');
  let blob: { connectionString: string };
  const azConfig = () => s.dir('az-test');
  const stubs = () => s.dir('stubs');
  const log = () => join(stubs(), 'calls.log');
  beforeAll(async () => {
    // Each stand-in logs its argv (one argument a line), MONGODB_PASSWORD's presence, and its --config file.
    const stub = (name: string, action: string) => {
      const path = join(stubs(), name);
      writeFileSync(
        path,
        `#!/bin/sh
{ echo "== ${name}"; for a in "$@"; do echo "arg $a"; done; echo "env-password \${MONGODB_PASSWORD:+set}"
  for a in "$@"; do case "$a" in --config=*) printf "config %s\\n" "$(cat "\${a#--config=}")";; esac; done; } >> "${log()}"
[ -z "$FAIL_MONGO_TOOL" ] || { echo "Failed: connection refused" >&2; exit 1; }
for a in "$@"; do case "$a" in --archive=*) archive="\${a#--archive=}";; esac; done
${action}
`,
      );
      chmodSync(path, 0o755);
    };
    stub('mongodump', 'printf "archive of every database" | gzip > "$archive"');
    stub('mongorestore', 'gunzip -c "$archive" > /dev/null');
    blob = await startAzurite(s);
    await az(blob.connectionString, azConfig(), ['storage', 'container', 'create', '-n', 'aura-backups', '-o', 'none']);
  }, 60_000);
  afterAll(() => s.stop());
  const run = (job: typeof backup, name: string, env: Record<string, string> = {}) =>
    runPod(job, { root: s.dir(name), secrets: { MONGODB_PASSWORD: PASSWORD, BACKUP_STORAGE_CONNECTION_STRING: blob.connectionString }, path: [stubs()], env });

  it('the compiled pods: the guide\'s mongo-backup image runs mongodb.sh, the Azure CLI the transfer', () => {
    expect(backup.pod.initContainers[0]).toMatchObject({ name: 'snapshot', command: ['sh', '/etc/aura-job/mongodb.sh', 'backup'] });
    expect(backup.pod.initContainers[0].image).toMatch(/\/aura\/tools\/mongo-backup:8\.0\.0$/);
    expect(restore.pod.containers[0]).toMatchObject({ command: ['sh', '/etc/aura-job/mongodb.sh', 'restore'] });
  });

  it('a backup dumps with the password in a file, never an argument, and uploads the archive', async () => {
    writeFileSync(log(), '');
    const result = await run(backup, 'backup');
    expect(result.code, result.output).toBe(0);
    const calls = readFileSync(log(), 'utf8');
    expect(calls).toContain('arg --gzip');
    expect(calls).toMatch(/arg --uri=mongodb:\/\/mongodb-0\.mongodb\.aura-system\.svc\.cluster\.local:27017,.*replicaSet=aura_replicaset&authSource=admin/);
    expect(calls).toContain('arg --username=adminuser');
    expect(calls).toContain(`config password: "sentinel-mongo \\"pass\\\\word"`);
    expect(calls.split('\n').filter((l) => l.startsWith('arg ')).join('\n')).not.toContain('sentinel-mongo');
    expect(result.output).not.toContain('sentinel-mongo');
    const names = (await az(blob.connectionString, azConfig(), ['storage', 'blob', 'list', '-c', 'aura-backups', '--prefix', 'mongodb/', '--query', '[].name', '-o', 'tsv'])).split('\n').filter(Boolean);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^mongodb\/mongodb-\d{8}T\d{6}Z\.archive\.gz$/);
  });

  it('a failed dump fails the Job and uploads nothing', async () => {
    const before = await az(blob.connectionString, azConfig(), ['storage', 'blob', 'list', '-c', 'aura-backups', '--prefix', 'mongodb/', '--query', '[].name', '-o', 'tsv']);
    const result = await run(backup, 'backup-failed', { FAIL_MONGO_TOOL: '1' });
    expect(result.code).not.toBe(0);
    expect(result.steps).toHaveLength(1);
    expect(await az(blob.connectionString, azConfig(), ['storage', 'blob', 'list', '-c', 'aura-backups', '--prefix', 'mongodb/', '--query', '[].name', '-o', 'tsv'])).toBe(before);
  });

  it('a restore downloads the one blob under mongodb/restore/ and restores it, dropping collections first, sparing admin', async () => {
    const [taken] = (await az(blob.connectionString, azConfig(), ['storage', 'blob', 'list', '-c', 'aura-backups', '--prefix', 'mongodb/mongodb-', '--query', '[].name', '-o', 'tsv'])).split('\n').filter(Boolean);
    const local = join(s.dir('stage'), 'm.gz');
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'download', '-c', 'aura-backups', '-n', taken!, '-f', local, '--no-progress', '-o', 'none']);
    await az(blob.connectionString, azConfig(), ['storage', 'blob', 'upload', '-c', 'aura-backups', '-n', 'mongodb/restore/m.archive.gz', '-f', local, '--no-progress', '-o', 'none']);
    writeFileSync(log(), '');
    const result = await run(restore, 'restore');
    expect(result.code, result.output).toBe(0);
    const calls = readFileSync(log(), 'utf8');
    expect(calls).toContain('== mongorestore');
    for (const a of ['--drop', '--gzip', '--nsExclude=admin.*', '--nsExclude=config.*', '--nsExclude=local.*']) expect(calls).toContain(`arg ${a}`);
    expect(calls).toMatch(/arg --archive=.*\/backup\/mongodb\.archive\.gz/);
  });
});

/** A stand-in of the mongosh API the provisioning script uses, over one replica set's state. */
function mongoshStandIn(o: { initiated: boolean; members?: string[]; password: string; primaryAfter?: number }) {
  const state = { initiated: o.initiated, members: o.members ?? [], config: undefined as any, statusCalls: 0, initiateCalls: 0, output: [] as string[], exit: undefined as number | undefined };
  class Exit extends Error {}
  const db = {
    auth(user: string, pwd: string) {
      if (user !== 'adminuser' || pwd !== o.password) throw Object.assign(new Error('Authentication failed.'), { code: 18 });
      return { ok: 1 };
    },
    runCommand(cmd: any) {
      if (cmd.replSetGetStatus) {
        state.statusCalls++;
        if (!state.initiated) throw Object.assign(new Error('no replset config has been received'), { code: 94, codeName: 'NotYetInitialized' });
        const primary = state.statusCalls > (o.primaryAfter ?? 0);
        return { set: MONGODB_REPLICA_SET, members: state.members.map((name, i) => ({ name, state: primary && i === 0 ? 1 : 2 })), ok: 1 };
      }
      if (cmd.replSetInitiate) {
        state.initiateCalls++;
        state.initiated = true;
        state.config = cmd.replSetInitiate;
        state.members = cmd.replSetInitiate.members.map((m: any) => m.host);
        return { ok: 1 };
      }
      throw new Error(`the stand-in has no command ${Object.keys(cmd)[0]}`);
    },
    getUser: (user: string) => (user === 'adminuser' ? { user } : null),
  };
  const globals = {
    Mongo: class {
      constructor(readonly uri: string) {}
      getDB = () => db;
    },
    print: (...a: unknown[]) => state.output.push(a.join(' ')),
    quit: (code = 0) => {
      state.exit = code;
      throw new Exit();
    },
    sleep: () => undefined,
  };
  return { state, globals, Exit };
}

describe('mongodb-provision.js with a stand-in of the mongosh API', () => {
  const files = provision.configMaps.get(provision.pod.volumes.find((v: any) => v.configMap).configMap.name)!;
  const env = Object.assign({}, ...provision.pod.containers[0].envFrom.map((f: any) => provision.configMaps.get(f.configMapRef.name)));
  const script = files[provision.pod.containers[0].command.at(-1).split('/').at(-1)]!;
  const runScript = (m: ReturnType<typeof mongoshStandIn>, password = 'sentinel-admin') => {
    try {
      runInNewContext(script, { ...m.globals, process: { env: { ...env, MONGODB_ADMIN_PASSWORD: password, MONGODB_WAIT_SECONDS: '0.2' } }, Date }, { timeout: 10_000 });
    } catch (e) {
      if (!(e instanceof m.Exit)) throw e;
    }
    return m.state;
  };

  it('the compiled Job runs mongosh on the script in the members\' own image', () => {
    expect(provision.pod.containers[0].command).toEqual(['mongosh', '--nodb', '--quiet', '--file', '/etc/aura-job/mongodb-provision.js']);
    expect(provision.pod.containers[0].image).toMatch(/\/aura\/thirdparty\/mongo:7\.0\.14$/);
  });

  it('initiates the set with the three compiled members once; a second run changes nothing', () => {
    const m = mongoshStandIn({ initiated: false, password: 'sentinel-admin', primaryAfter: 2 });
    const first = runScript(m);
    expect(first.exit, first.output.join('\n')).toBeUndefined();
    expect(first.initiateCalls).toBe(1);
    expect(first.config).toEqual({ _id: MONGODB_REPLICA_SET, members: env.MONGODB_HOSTS.split(',').map((host: string, i: number) => ({ _id: i, host })) });
    expect(first.config.members).toHaveLength(3);
    const again = runScript(m);
    expect(again.exit).toBeUndefined();
    expect(again.initiateCalls).toBe(1);
    expect(again.output.join('\n')).toContain('already initiated');
  });

  it('fails on a set with other members, and when the admin password is refused', () => {
    const other = runScript(mongoshStandIn({ initiated: true, members: ['elsewhere:27017'], password: 'sentinel-admin' }));
    expect(other.exit).toBe(1);
    expect(other.output.join('\n')).toContain('reconfigure it by hand');
    const refused = runScript(mongoshStandIn({ initiated: false, password: 'sentinel-admin' }), 'sentinel-wrong');
    expect(refused.exit).toBe(1);
    expect(refused.initiateCalls).toBe(0);
    expect(refused.output.join('\n')).toMatch(/gave up waiting .*Authentication failed/);
  });
});

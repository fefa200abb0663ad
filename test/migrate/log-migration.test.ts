/**
 * The logs migration: the compiled templates' script (log-migration.py, from profiles compiled
 * through synth with every check) run against a recording stand-in of Elasticsearch's snapshot API
 * over HTTPS (Elasticsearch is not packaged here), verified against a CA made for the test; and the
 * migrate-logs command with fake az and kubectl.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main as migrateLogs } from '../../src/commands/migrate-logs';
import { main as synth } from '../../src/commands/synth';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { fakeMigrationTools } from '../support/fake-migration-tools';

const work = mkdtempSync(join(tmpdir(), 'aura-logs-'));
const SECRETS = { ELASTIC_USERNAME: 'elastic', ELASTIC_PASSWORD: 'sentinel-elastic-password' };

/** The destination: de-pro on a new cluster, reading the old one's folder. */
cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(work, 'profiles', 'layers'), { recursive: true });
const DE_PRO = readFileSync(join(DEFAULT_PROFILES_DIR, 'de-pro.yaml'), 'utf8');
writeFileSync(join(work, 'profiles', 'de-pro.yaml'), `${DE_PRO.replace('cluster_name: auraclusterprode', 'cluster_name: auraclusterprode2')}log_migration: { source_cluster: auraclusterprode }\n`);
const compiled = synth(['--profile', 'de-pro', '--profiles', join(work, 'profiles'), '--out', join(work, 'dist'), '--allow-outside-repo', '--no-cache'], { out: () => {}, err: () => {} });
const SYSTEM = join(work, 'dist', 'de-pro', 'manifests', 'system', 'aura-system');
const object = (file: string) => parseAllDocuments(readFileSync(join(SYSTEM, file), 'utf8'))[0]!.toJS();

/** A CA and a certificate for localhost, made with openssl for the test. */
function certificates(dir: string) {
  const f = (n: string) => join(dir, n);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', timeout: 30_000 });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('tls.key'), '-out', f('tls.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost\n');
  run('x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('tls.crt'), '-days', '1', '-extfile', f('san.ext'));
  return { ca: f('ca.crt'), key: readFileSync(f('tls.key'), 'utf8'), cert: readFileSync(f('tls.crt'), 'utf8') };
}

interface Snapshot {
  snapshot: string;
  state: string;
  indices: string[];
  start_time_in_millis: number;
}

/** Elasticsearch's snapshot API as the script uses it: repositories, snapshots, restores, health; a request log. */
function elasticsearch(tls: { key: string; cert: string }) {
  const state = {
    repositories: {} as Record<string, { type: string; settings: Record<string, unknown> }>,
    snapshots: {} as Record<string, Snapshot[]>,
    indices: new Set<string>(['aura-services-000001']),
    /** The state a new snapshot reaches when it is read. */
    snapshotOutcome: 'SUCCESS',
  };
  const log: { method: string; path: string; body?: any }[] = [];
  const auth = `Basic ${Buffer.from(`${SECRETS.ELASTIC_USERNAME}:${SECRETS.ELASTIC_PASSWORD}`).toString('base64')}`;
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const url = new URL(req.url!, 'https://localhost');
      const path = decodeURIComponent(url.pathname);
      const body = raw ? JSON.parse(raw) : undefined;
      log.push({ method: req.method!, path: `${path}${url.search}`, ...(body !== undefined ? { body } : {}) });
      const send = (status: number, doc?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(doc === undefined ? '' : JSON.stringify(doc));
      };
      const error = (status: number, type: string) => send(status, { error: { type, reason: type }, status });
      if (req.headers.authorization !== auth) return error(401, 'security_exception');
      let m: RegExpExecArray | null;
      if ((m = /^\/_snapshot\/([^/]+)$/.exec(path)) && req.method === 'PUT') return (state.repositories[m[1]!] = body), send(200, { acknowledged: true });
      if ((m = /^\/_snapshot\/([^/]+)\/_all$/.exec(path)) && req.method === 'GET') return send(200, { snapshots: state.snapshots[m[1]!] ?? [] });
      if ((m = /^\/_snapshot\/([^/]+)\/([^/]+)$/.exec(path))) {
        const [repo, name] = [m[1]!, m[2]!];
        if (!state.repositories[repo]) return error(404, 'repository_missing_exception');
        const list = (state.snapshots[repo] ??= []);
        if (req.method === 'PUT') {
          if (state.repositories[repo]!.settings.readonly) return error(500, 'repository_exception');
          if (list.some((x) => x.snapshot === name)) return error(400, 'invalid_snapshot_name_exception');
          list.push({ snapshot: name, state: 'IN_PROGRESS', indices: [...state.indices], start_time_in_millis: Date.parse('2024-05-01T10:00:00Z') });
          return send(200, { accepted: true });
        }
        const s = list.find((x) => x.snapshot === name);
        if (!s) return error(404, 'snapshot_missing_exception');
        if (s.state === 'IN_PROGRESS') s.state = state.snapshotOutcome;
        return send(200, { snapshots: [s] });
      }
      if ((m = /^\/_snapshot\/([^/]+)\/([^/]+)\/_restore$/.exec(path)) && req.method === 'POST') {
        const targets = (body.indices as string).split(',').map((i: string) => i.replace(/^(.+)$/, body.rename_replacement.replace('$1', '$1')));
        if (targets.some((t: string) => state.indices.has(t))) return error(500, 'snapshot_restore_exception');
        for (const t of targets) state.indices.add(t);
        return send(200, { accepted: true });
      }
      if (req.method === 'HEAD') return send(state.indices.has(path.slice(1)) ? 200 : 404);
      if ((m = /^\/_cluster\/health\/(.+)$/.exec(path))) return m[1]!.split(',').every((i) => state.indices.has(i)) ? send(200, { status: 'green' }) : send(408, { status: 'red' });
      error(400, 'unknown request');
    });
  });
  return { state, log, server };
}

/** A compiled template's pod, run here: its command, its files, its environment; only the address and the CA's path remapped. */
async function runTemplate(name: string, port: number, ca: string, overrides: Record<string, string> = {}) {
  const pod = object(`cronjob-${name}.yaml`).spec.jobTemplate.spec.template.spec;
  const container = pod.containers[0];
  const files = object(`configmap-${name}-files.yaml`).data as Record<string, string>;
  const env = object(`configmap-${name}-config.yaml`).data as Record<string, string>;
  const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'files').mountPath as string;
  const root = mkdtempSync(join(work, 'pod-'));
  mkdirSync(join(root, mount), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, mount, file), text);
  const command = (container.command as string[]).map((a) => (a.startsWith(mount) ? join(root, a) : a));
  const url = env.ELASTICSEARCH_URL!.replace('elasticsearch-es-http.aura-system.svc.cluster.local:9200', `localhost:${port}`);
  const child = spawn(command[0]!, command.slice(1), {
    timeout: 30_000,
    env: { PATH: process.env.PATH, ...env, ...SECRETS, ELASTICSEARCH_URL: url, ELASTICSEARCH_CA_FILE: ca, POLL_SECONDS: '0', WAIT_SECONDS: '5', ...overrides },
  });
  let [out, err] = ['', ''];
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return { code: await new Promise<number | null>((done) => child.on('close', done)), out, err };
}

describe('the log migration templates against a stand-in of Elasticsearch', () => {
  let tls: ReturnType<typeof certificates>;
  let other: ReturnType<typeof certificates>;
  let es: ReturnType<typeof elasticsearch>;
  let port: number;
  beforeAll(async () => {
    tls = certificates(mkdtempSync(join(work, 'tls-')));
    other = certificates(mkdtempSync(join(work, 'other-')));
    es = elasticsearch(tls);
    await new Promise<void>((done) => es.server.listen(0, '127.0.0.1', done));
    port = (es.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((done) => es.server.close(done));
    rmSync(work, { recursive: true, force: true });
  });

  it('both are compiled (synth with every check) as suspended templates running the shipped script with ECK\'s CA', () => {
    expect(compiled).toBe(0);
    for (const [name, mode] of [['elasticsearch-snapshot', 'snapshot'], ['elasticsearch-restore', 'restore']]) {
      const cron = object(`cronjob-${name}.yaml`);
      expect(cron.spec.suspend).toBe(true);
      expect(cron.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['python3', '/etc/aura-job/log-migration.py', mode]);
    }
    expect(object('configmap-elasticsearch-restore-config.yaml').data).toMatchObject({ SOURCE_CLUSTER: 'auraclusterprode', MIGRATION_REPOSITORY: 'migration-source', SNAPSHOT_CONTAINER: 'elasticsearch-snapshots' });
  });

  it('snapshot: takes one of the log indices now, into this cluster\'s repository, and waits for SUCCESS', async () => {
    es.state.repositories['azure-snapshots'] = { type: 'azure', settings: { base_path: 'auraclusterprode', readonly: false } };
    const r = await runTemplate('elasticsearch-snapshot', port, tls.ca);
    expect([r.code, r.err]).toEqual([0, '']);
    const [create, read] = es.log.slice(-2);
    expect(create).toMatchObject({ method: 'PUT', path: expect.stringMatching(/^\/_snapshot\/azure-snapshots\/aura-logs-migration-\d{20}\?wait_for_completion=false$/), body: { indices: 'aura-services-*,aurak8s-waf-*', include_global_state: false } });
    expect(read).toMatchObject({ method: 'GET', path: create!.path.replace(/\?.*$/, '') });
    expect(r.out).toMatch(/^snapshot aura-logs-migration-\d{20} of aura-services-\*,aurak8s-waf-\* in azure-snapshots: SUCCESS\n$/);
    es.state.snapshotOutcome = 'PARTIAL';
    const partial = await runTemplate('elasticsearch-snapshot', port, tls.ca);
    expect([partial.code, partial.err]).toEqual([1, expect.stringMatching(/^error: snapshot aura-logs-migration-\d{20}: snapshot aura-logs-migration-\d{20} ended PARTIAL\n$/)]);
    es.state.snapshotOutcome = 'SUCCESS';
  });

  it("restore: registers the source's folder read-only, restores the newest successful snapshot beside this cluster's indices, waits for them", async () => {
    // The source's folder: an older successful snapshot and a newer failed one.
    es.state.snapshots['migration-source'] = [
      { snapshot: 'aura-logs-old', state: 'SUCCESS', indices: ['aura-services-000001', 'aura-services-000002', 'aurak8s-waf-000001', '.kibana_1'], start_time_in_millis: 1 },
      { snapshot: 'aura-logs-broken', state: 'FAILED', indices: ['aura-services-000003'], start_time_in_millis: 2 },
    ];
    es.log.length = 0;
    const r = await runTemplate('elasticsearch-restore', port, tls.ca);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(es.log.map((l) => `${l.method} ${l.path}`)).toEqual([
      'PUT /_snapshot/migration-source',
      'GET /_snapshot/migration-source/_all',
      'HEAD /aura-services-000001-restored',
      'HEAD /aura-services-000002-restored',
      'HEAD /aurak8s-waf-000001-restored',
      'POST /_snapshot/migration-source/aura-logs-old/_restore?wait_for_completion=false',
      'GET /_cluster/health/aura-services-000001-restored,aura-services-000002-restored,aurak8s-waf-000001-restored?wait_for_status=yellow&timeout=10s',
    ]);
    expect(es.log[0]!.body).toEqual({ type: 'azure', settings: { client: 'default', container: 'elasticsearch-snapshots', base_path: 'auraclusterprode', readonly: true } });
    expect(es.log[5]!.body).toEqual({
      indices: 'aura-services-000001,aura-services-000002,aurak8s-waf-000001', include_global_state: false, include_aliases: false,
      rename_pattern: '(.+)', rename_replacement: '$1-restored', index_settings: { 'index.lifecycle.indexing_complete': true },
    });
    // This cluster's own write index is untouched; the restored ones sit beside it.
    expect([...es.state.indices].sort()).toEqual(['aura-services-000001', 'aura-services-000001-restored', 'aura-services-000002-restored', 'aurak8s-waf-000001-restored']);
    expect(r.out).toBe('restored 3 of 3 log indices of snapshot aura-logs-old from auraclusterprode (0 restored before)\n');
  });

  it('run again, it restores nothing twice; without a successful snapshot it fails saying so', async () => {
    es.log.length = 0;
    const again = await runTemplate('elasticsearch-restore', port, tls.ca);
    expect(again.code).toBe(0);
    expect(es.log.some((l) => l.method === 'POST')).toBe(false);
    expect(again.out).toContain('restored 0 of 3 log indices');
    es.state.snapshots['migration-source'] = [{ snapshot: 'aura-logs-broken', state: 'FAILED', indices: [], start_time_in_millis: 2 }];
    const none = await runTemplate('elasticsearch-restore', port, tls.ca);
    expect([none.code, none.err]).toEqual([1, 'error: no successful snapshot in the folder of auraclusterprode: take one on the source (migrate-logs step 1)\n']);
  });

  it('refuses a server its CA does not vouch for, and refused credentials; never prints the password', async () => {
    const untrusted = await runTemplate('elasticsearch-restore', port, other.ca);
    expect([untrusted.code, untrusted.err]).toEqual([1, expect.stringMatching(/^error: localhost: the certificate is not trusted by the CA file/)]);
    const refused = await runTemplate('elasticsearch-restore', port, tls.ca, { ELASTIC_PASSWORD: 'wrong' });
    expect(refused.err).toMatch(/answered 401: the credentials are refused/);
    for (const r of [untrusted, refused]) expect(r.out + r.err).not.toContain(SECRETS.ELASTIC_PASSWORD);
  });
});

describe('migrate-logs', () => {
  const compiledEnv = JSON.parse(readFileSync(join(work, 'dist', 'de-pro', 'infra', 'environment.json'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'aura-logs-sides-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'source.json'), JSON.stringify({ ...compiledEnv, cluster: { ...compiledEnv.cluster, name: 'auraclusterprode', resourceGroup: 'rg-auraclusterprode' } }));
  writeFileSync(join(dir, 'dest.json'), JSON.stringify(compiledEnv));
  const args = ['--source', join(dir, 'source.json'), '--dest', join(dir, 'dest.json'), '--state', join(dir, 'logs.state.json')];
  const clusters = (restoreSource: string) => ({
    clusters: {
      auraclusterprode: { account: 'x', namespaces: {}, cronjobs: ['elasticsearch-snapshot'] },
      auraclusterprode2: { account: 'x', namespaces: {}, cronjobs: ['elasticsearch-restore'], restoreSource },
    },
  });
  async function run(fake: ReturnType<typeof fakeMigrationTools>, ...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await migrateLogs(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: fake.env });
    return { code, out: out.join('\n'), err: err.join('\n').replace(/migrate-[0-9]{8}t[0-9]{6}-/g, 'migrate-<run>-'), calls: fake.calls() };
  }

  it('prints the plan; --yes snapshots the source, checks the destination reads it, restores', async () => {
    const fake = fakeMigrationTools(clusters('auraclusterprode'));
    const plan = await run(fake, ...args);
    expect([plan.code, plan.calls]).toEqual([0, []]);
    expect(plan.out).toContain("  2. Set the source's repository read-only — skipped: not needed: each cluster writes only its own folder");
    const r = await run(fake, ...args, '--yes');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.calls.slice(-5)).toEqual([
      'kubectl --kubeconfig <source> --namespace aura-system create job migrate-<run>-elasticsearch-snapshot --from=cronjob/elasticsearch-snapshot',
      'kubectl --kubeconfig <source> --namespace aura-system get job migrate-<run>-elasticsearch-snapshot --output jsonpath={.status.conditions[?(@.status=="True")].type}|{.status.startTime}|{.status.completionTime}',
      'kubectl --kubeconfig <dest> --namespace aura-system get configmap/elasticsearch-restore-config --output jsonpath={.data.SOURCE_CLUSTER}',
      'kubectl --kubeconfig <dest> --namespace aura-system create job migrate-<run>-elasticsearch-restore --from=cronjob/elasticsearch-restore',
      'kubectl --kubeconfig <dest> --namespace aura-system get job migrate-<run>-elasticsearch-restore --output jsonpath={.status.conditions[?(@.status=="True")].type}|{.status.startTime}|{.status.completionTime}',
    ]);
    fake.remove();
  });

  it('a destination compiled for another source stops at step 3, before restoring, naming the key to set', async () => {
    const fake = fakeMigrationTools(clusters('auraclusterother'));
    rmSync(join(dir, 'logs.state.json'), { force: true });
    const r = await run(fake, ...args, '--yes');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/step 3 .* failed: the destination's elasticsearch-restore template reads another cluster's folder: set log_migration\.source_cluster: auraclusterprode in the destination's profile/);
    expect(r.err).toContain('--yes --from 3');
    expect(r.calls.some((c) => c.includes('elasticsearch-restore --from'))).toBe(false);
    fake.remove();
  });
});

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Fake az and kubectl for the migration commands, first on PATH. Like test/support/fake-tools.ts
 * each logs "<tool> <args>" to one file; they keep two clusters and the storage accounts in a JSON
 * state file and answer the commands a migration runs as the real tools would: Jobs created from
 * CronJobs (a backup Job writes its blob), workloads scaled, blobs listed, deleted and copied.
 * Failures on request: a command line containing a `failOn` text fails, a Job named in
 * `failedJobs` ends Failed.
 */
export interface FakeCluster {
  /** The storage account its backup Jobs write to. */
  account: string;
  /** Namespace → "Kind/name" → replicas. */
  namespaces: Record<string, Record<string, number>>;
  cronjobs: string[];
  /** The source cluster the elasticsearch-restore template names. */
  restoreSource?: string;
}

export interface FakeClusterState {
  clusters?: Record<string, FakeCluster>;
  /** Account → blobs of its aura-backups container. */
  blobs?: Record<string, { name: string; lastModified: string }[]>;
  failOn?: string[];
  failedJobs?: string[];
  /** Blobs a backup Job writes while it runs (default 1). */
  backupWrites?: number;
  /** What az storage blob show answers for a copy (default success). */
  copyStatus?: string;
  notLoggedIn?: boolean;
  /** Jobs created, by cluster. */
  jobs?: Record<string, string[]>;
  /** Images in the registries: "<registry>/<repository>:<tag>". */
  images?: string[];
  /** What az acr build was given: the image, the context's files, the Dockerfile. */
  builds?: { image: string; files: string[]; dockerfile: string }[];
}

/** The window of every fake Job, and the time its backup blob carries. */
export const JOB_WINDOW = { start: '2024-05-01T02:00:00Z', end: '2024-05-01T02:05:00Z', written: '2024-05-01T02:04:00Z' };

const FAKE = String.raw`
const fs = require('fs');
const [tool, ...args] = process.argv.slice(2);
const stateFile = process.env.FAKE_STATE;
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
state.clusters = state.clusters || {};
state.blobs = state.blobs || {};
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
const line = tool + ' ' + args.join(' ');
const fail = (msg, code = 1) => { process.stderr.write(msg + '\n'); process.exit(code); };
for (const f of state.failOn || []) if (line.includes(f)) fail('ERROR: injected failure (' + f + ')');
const opt = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const WINDOW = ${JSON.stringify(JOB_WINDOW)};

if (tool === 'az') {
  const words = args.filter((a) => !a.startsWith('--')).slice(0, 4).join(' ');
  if (args[0] === 'version') process.exit(0);
  if (args[0] === 'account') { if (state.notLoggedIn) fail("ERROR: Please run 'az login' to setup account."); console.log('{}'); process.exit(0); }
  if (args[0] === 'aks' && args[1] === 'get-credentials') {
    if (!state.clusters[opt('--name')]) fail('ERROR: (ResourceNotFound) cluster not found', 3);
    fs.writeFileSync(opt('--file'), opt('--name'));
    process.exit(0);
  }
  if (args[0] === 'acr' && args[1] === 'repository' && args[2] === 'show') {
    if ((state.images || []).includes(opt('--name') + '/' + opt('--image'))) process.exit(0);
    fail("ERROR: the image '" + opt('--image') + "' was not found", 3);
  }
  if (args[0] === 'acr' && args[1] === 'build') {
    const context = args[args.length - 1];
    const files = (dir, prefix = '') => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir + '/' + e.name, prefix + e.name + '/') : [prefix + e.name]));
    (state.builds = state.builds || []).push({ image: opt('--image'), files: files(context).sort(), dockerfile: fs.readFileSync(opt('--file'), 'utf8') });
    if (!(state.failOn || []).includes('acr build push')) (state.images = state.images || []).push(opt('--registry') + '/' + opt('--image'));
    save();
    console.log('Run ID: ca1 was successful');
    process.exit(0);
  }
  if (args[0] === 'storage' && args[1] === 'blob') {
    const account = opt('--account-name');
    const blobs = (state.blobs[account] = state.blobs[account] || []);
    if (args[2] === 'list') { console.log(JSON.stringify(blobs.filter((b) => b.name.startsWith(opt('--prefix') || '')))); process.exit(0); }
    if (args[2] === 'delete') { state.blobs[account] = blobs.filter((b) => b.name !== opt('--name')); save(); process.exit(0); }
    if (args[2] === 'copy' && args[3] === 'start') {
      const source = (state.blobs[opt('--source-account-name')] || []).find((b) => b.name === opt('--source-blob'));
      if (!source) fail('ERROR: The specified blob does not exist.');
      blobs.push({ name: opt('--destination-blob'), lastModified: '2024-05-01T02:10:00Z' });
      save();
      console.log(JSON.stringify({ copyStatus: 'pending' }));
      process.exit(0);
    }
    if (args[2] === 'show') { console.log(state.copyStatus || 'success'); process.exit(0); }
  }
  fail('fake az: unknown command ' + words);
}

if (tool === 'kubectl') {
  let rest = args.slice();
  let cluster;
  if (rest[0] === '--kubeconfig') { cluster = fs.readFileSync(rest[1], 'utf8'); rest = rest.slice(2); }
  let namespace;
  if (rest[0] === '--namespace') { namespace = rest[1]; rest = rest.slice(2); }
  const c = cluster && state.clusters[cluster];
  if (rest[0] === 'version') { console.log('{"clientVersion": {"gitVersion": "v1.31.0"}}'); process.exit(0); }
  if (!c) fail('error: no cluster (the fake kubectl needs --kubeconfig)');
  if (rest[0] === 'auth') { console.log('yes'); process.exit(0); }
  if (rest[0] === 'create' && rest[1] === 'job') {
    const name = rest[2];
    const from = rest[3].replace('--from=cronjob/', '');
    if (!c.cronjobs.includes(from)) fail('error: cronjobs.batch "' + from + '" not found');
    (state.jobs = state.jobs || {})[cluster] = [...((state.jobs || {})[cluster] || []), name];
    const store = from.replace(/-backup$/, '');
    if (from.endsWith('-backup') && !(state.failedJobs || []).some((f) => name.includes(f)))
      for (let i = 0; i < (state.backupWrites ?? 1); i++)
        (state.blobs[c.account] = state.blobs[c.account] || []).push({ name: store + '/' + store + '-2024-05-01T02:04:0' + i + 'Z.gz', lastModified: WINDOW.written });
    save();
    console.log('job.batch/' + name + ' created');
    process.exit(0);
  }
  if (rest[0] === 'get' && rest[1] === 'job') {
    const failed = (state.failedJobs || []).some((f) => rest[2].includes(f));
    console.log((failed ? 'Failed' : 'Complete') + '|' + WINDOW.start + '|' + (failed ? '' : WINDOW.end));
    process.exit(0);
  }
  if (rest[0] === 'get' && rest[1] === 'namespaces') { console.log(Object.keys(c.namespaces).join('\n')); process.exit(0); }
  if (rest[0] === 'get' && rest[1] === 'deployment,statefulset') {
    const withStatus = rest.join(' ').includes('.status.replicas');
    for (const [w, n] of Object.entries(c.namespaces[namespace] || {})) console.log(w + '=' + n + (withStatus ? '/' + (n || '') : ''));
    process.exit(0);
  }
  if (rest[0] === 'get' && rest[1] === 'configmap/elasticsearch-restore-config' && rest.includes('jsonpath={.data.SOURCE_CLUSTER}')) {
    if (!c.cronjobs.includes('elasticsearch-restore')) fail('Error from server (NotFound): configmaps "elasticsearch-restore-config" not found');
    console.log(c.restoreSource || '');
    process.exit(0);
  }
  if (rest[0] === 'get') {
    const missing = rest.slice(1).filter((r) => r.startsWith('cronjob/') && !c.cronjobs.includes(r.slice(8)));
    if (missing.length) fail('Error from server (NotFound): cronjobs.batch "' + missing[0].slice(8) + '" not found');
    console.log(rest.slice(1).filter((r) => r.startsWith('cronjob/')).map((r) => 'cronjob.batch/' + r.slice(8)).join('\n'));
    process.exit(0);
  }
  if (rest[0] === 'scale') {
    const replicas = Number(rest.find((a) => a.startsWith('--replicas=')).slice(11));
    const ws = c.namespaces[namespace] || {};
    if (rest.includes('--all')) for (const w of Object.keys(ws)) ws[w] = replicas;
    else { const [kind, name] = rest[1].split('/'); const key = Object.keys(ws).find((w) => w.toLowerCase() === kind + '/' + name); if (!key) fail('Error from server (NotFound)'); ws[key] = replicas; }
    save();
    console.log('scaled');
    process.exit(0);
  }
  if (rest[0] === 'rollout') { console.log(rest[2] + ' successfully rolled out'); process.exit(0); }
  fail('fake kubectl: unknown command ' + rest.slice(0, 2).join(' '));
}
`;

export function fakeMigrationTools(state: FakeClusterState) {
  const dir = mkdtempSync(join(tmpdir(), 'fake-migration-'));
  const log = join(dir, 'calls.log');
  const stateFile = join(dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify(state));
  writeFileSync(join(dir, 'fake.js'), FAKE);
  for (const tool of ['az', 'kubectl']) {
    writeFileSync(join(dir, tool), `#!/bin/bash\nexport PATH=/usr/bin:/bin\necho "${tool} $*" >> "${log}"\nexec /usr/bin/node "${dir}/fake.js" ${tool} "$@"\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  return {
    env: { PATH: dir, HOME: dir, FAKE_STATE: stateFile } as NodeJS.ProcessEnv,
    dir,
    /** Every call, in order, with the run's temporary kubeconfig paths shown as <source>/<dest> and its time in Job names as <run>. */
    calls: (): string[] =>
      existsSync(log)
        ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.replace(/\S*aura-migrate-[^/ ]+\/(source|dest)\.kubeconfig/g, '<$1>').replace(/migrate-[0-9]{8}t[0-9]{6}-/g, 'migrate-<run>-'))
        : [],
    state: (): FakeClusterState => JSON.parse(readFileSync(stateFile, 'utf8')),
    update: (change: (s: FakeClusterState) => void) => {
      const s = JSON.parse(readFileSync(stateFile, 'utf8'));
      change(s);
      writeFileSync(stateFile, JSON.stringify(s));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The configuration updater's compiled Job, run for real (its script, its files, its environment,
 * from a profile compiled through synth with every check) against a recording stand-in of
 * aura-configuration-api on loopback. aura-configuration-api is not packaged anywhere: the
 * stand-in keeps the API's resources (/cases, /locales/<language>) as the updater's contract says
 * (docs/releases-and-migrations.md) and fails on request.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main as synth } from '../../src/commands/synth';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';

const work = mkdtempSync(join(tmpdir(), 'aura-updater-'));
const SENTINEL_KEY = 'sentinel-configuration-api-key';
const GLOBAL_CASES = [{ id: 'care.callback', title: 'Global callback' }, { id: 'billing.invoice', title: 'Invoice' }];

/** The profile: de-pro with local cases (one replaces a global case) and a new language's strings. */
cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(work, 'profiles', 'layers'), { recursive: true });
writeFileSync(
  join(work, 'profiles', 'de-pro.yaml'),
  `${readFileSync(join(DEFAULT_PROFILES_DIR, 'de-pro.yaml'), 'utf8')}local_modules:
  modules: [{ name: care-flows, version: 1.4.0 }]
  configuration_api_url: https://configuration.example.com/aura
  cases:
    - { id: care.callback, title: Local callback, steps: [ask, confirm] }
    - { id: care.survey, title: Survey }
  locales:
    de-DE: { care.callback.title: Rückruf, care.survey.title: Umfrage }
`,
);
const compiled = synth(['--profile', 'de-pro', '--profiles', join(work, 'profiles'), '--out', join(work, 'dist'), '--allow-outside-repo', '--no-cache'], { out: () => {}, err: () => {} });
const CORE = join(work, 'dist', 'de-pro', 'manifests', 'core', 'aura-de-pro');
const object = (file: string) => parseAllDocuments(readFileSync(join(CORE, file), 'utf8'))[0]!.toJS();

interface Recorded {
  method: string;
  path: string;
  key: string | undefined;
  body?: unknown;
}

/** aura-configuration-api, as the updater's contract has it: state, a request log, failures on request. */
function standIn() {
  const state = { cases: structuredClone(GLOBAL_CASES) as unknown[], locales: {} as Record<string, Record<string, string>> };
  const log: Recorded[] = [];
  /** Requests that fail, each as many times as its count (then it succeeds). */
  const failing = new Map<string, number>();
  /** Resources whose writes the stand-in keeps otherwise than sent (what the read-back must catch). */
  const corrupting = new Set<string>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/^\/aura/, '');
      const body = raw ? JSON.parse(raw) : undefined;
      log.push({ method: req.method!, path, key: req.headers['x-api-key'] as string | undefined, ...(body !== undefined ? { body } : {}) });
      const answer = (status: number, doc?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(doc === undefined ? '' : JSON.stringify(doc));
      };
      if (req.headers['x-api-key'] !== SENTINEL_KEY) return answer(401, { message: 'bad key' });
      const request = `${req.method} ${path}`;
      if ((failing.get(request) ?? 0) > 0) return failing.set(request, failing.get(request)! - 1), answer(500, { message: 'injected' });
      const language = /^\/locales\/([^/]+)$/.exec(path)?.[1];
      if (path === '/cases' && req.method === 'GET') return answer(200, { cases: state.cases });
      if (path === '/cases' && req.method === 'PUT') return (state.cases = (body as { cases: unknown[] }).cases), answer(200, {});
      if (language && req.method === 'GET') return state.locales[language] ? answer(200, { strings: state.locales[language] }) : answer(404);
      if (language && req.method === 'PUT')
        return (state.locales[language] = { ...(body as { strings: Record<string, string> }).strings, ...(corrupting.has(path) ? { lost: '' } : {}) }), answer(200, {});
      if (language && req.method === 'DELETE') return delete state.locales[language], answer(204);
      answer(404);
    });
  });
  return { state, log, failing, corrupting, server };
}

/** The compiled Job's pod, run here: its command, its files at its mount path (remapped), its environment. */
async function runUpdater(port: number, overrides: Record<string, string> = {}) {
  const job = object('job-aura-configuration-updater.yaml');
  const container = job.spec.template.spec.containers[0];
  const files = object('configmap-aura-configuration-updater-files.yaml').data as Record<string, string>;
  const env = object('configmap-aura-configuration-updater-config.yaml').data as Record<string, string>;
  const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'files').mountPath as string;
  const root = mkdtempSync(join(work, 'pod-'));
  mkdirSync(join(root, mount), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, mount, name), text);
  const command = (container.command as string[]).map((a) => (a.startsWith(mount) ? join(root, a) : a));
  // Only the address is remapped: the API's URL to the stand-in on loopback.
  const url = env.CONFIGURATION_API_URL!.replace('https://configuration.example.com', `http://127.0.0.1:${port}`);
  // Asynchronous: the stand-in answers from this process while the script runs.
  const child = spawn(command[0]!, command.slice(1), {
    timeout: 30_000,
    env: { PATH: process.env.PATH, ...env, CONFIGURATION_API_URL: url, CONFIGURATION_API_KEY: SENTINEL_KEY, REQUEST_TIMEOUT_SECONDS: '5', ...overrides },
  });
  let [out, err] = ['', ''];
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, out, err };
}

describe('the configuration updater against a stand-in of aura-configuration-api', () => {
  let api: ReturnType<typeof standIn>;
  let port: number;
  beforeAll(async () => {
    api = standIn();
    await new Promise<void>((done) => api.server.listen(0, '127.0.0.1', done));
    port = (api.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((done) => api.server.close(done));
    rmSync(work, { recursive: true, force: true });
  });
  const reset = () => {
    api.state.cases = structuredClone(GLOBAL_CASES);
    api.state.locales = {};
    api.log.length = 0;
    api.failing.clear();
    api.corrupting.clear();
  };

  it('is compiled (synth with every check) as a Job running the shipped script in a known image, with the key from Key Vault', () => {
    expect(compiled).toBe(0);
    const container = object('job-aura-configuration-updater.yaml').spec.template.spec.containers[0];
    expect(container.image).toBe('auraregistry.azurecr.io/aura/thirdparty/python:3.12.7-slim-bookworm');
    expect(container.command).toEqual(['python3', '/etc/aura-job/configuration-updater.py']);
    expect(object('configmap-aura-configuration-updater-files.yaml').data['configuration-updater.py']).toBe(readFileSync(join(__dirname, '../../src/components/scripts/configuration-updater.py'), 'utf8'));
    expect(object('secretproviderclass-aura-configuration-updater-keyvault.yaml').spec.parameters.objects).toContain('objectName: aura-configuration-api-key');
    // aura-bot waits for it: one Argo CD wave later.
    expect(object('deployment-aura-bot.yaml').metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-wave': '4', 'auracognitive.com/after': 'aura-configuration-updater' });
    expect(object('job-aura-configuration-updater.yaml').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('3');
  });

  it('reads everything first, merges by id and by key, writes what changes and reads it back', async () => {
    reset();
    const r = await runUpdater(port);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(api.log.map((l) => `${l.method} ${l.path}`)).toEqual(['GET /cases', 'GET /locales/de-DE', 'PUT /cases', 'GET /cases', 'PUT /locales/de-DE', 'GET /locales/de-DE']);
    expect(api.state.cases).toEqual([
      { id: 'care.callback', title: 'Local callback', steps: ['ask', 'confirm'] },
      { id: 'billing.invoice', title: 'Invoice' },
      { id: 'care.survey', title: 'Survey' },
    ]);
    expect(api.state.locales).toEqual({ 'de-DE': { 'care.callback.title': 'Rückruf', 'care.survey.title': 'Umfrage' } });
    expect(api.log.every((l) => l.key === SENTINEL_KEY)).toBe(true);
    expect(r.out).toContain('merged 2 local case(s) and 2 locale string(s) (1 language(s))');
  });

  it('a second run writes nothing', async () => {
    api.log.length = 0;
    const r = await runUpdater(port);
    expect(r.code).toBe(0);
    expect(api.log.map((l) => l.method)).toEqual(['GET', 'GET']);
    expect(r.out).toContain('nothing written');
  });

  it('a failed write puts back what was read and exits 1, naming the request (the settings are not modified)', async () => {
    reset();
    api.state.locales = { 'de-DE': { 'existing.key': 'Bestehend' } };
    api.failing.set('PUT /locales/de-DE', 1);
    const r = await runUpdater(port);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe('FAILED: the local changes were not merged into aura-configuration-api: PUT /locales/de-DE answered 500; what was written was put back');
    expect(api.state).toEqual({ cases: GLOBAL_CASES, locales: { 'de-DE': { 'existing.key': 'Bestehend' } } });
    expect(api.log.map((l) => `${l.method} ${l.path}`)).toEqual(['GET /cases', 'GET /locales/de-DE', 'PUT /cases', 'GET /cases', 'PUT /locales/de-DE', 'PUT /locales/de-DE', 'PUT /cases']);
  });

  it('a failed read changes nothing; a write that does not read back is undone, a language it created removed', async () => {
    reset();
    api.failing.set('GET /cases', 1);
    const read = await runUpdater(port);
    expect(read.code).toBe(1);
    expect(read.err).toMatch(/GET \/cases answered 500; nothing was changed/);
    expect(api.log.filter((l) => l.method !== 'GET')).toEqual([]);
    reset();
    // The new language does not read back as written: it is deleted again (it did not exist), the cases put back.
    api.corrupting.add('/locales/de-DE');
    const r = await runUpdater(port);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/GET \/locales\/de-DE does not read back what was written; what was written was put back/);
    expect(api.log.slice(-2).map((l) => `${l.method} ${l.path}`)).toEqual(['DELETE /locales/de-DE', 'PUT /cases']);
    expect(api.state).toEqual({ cases: GLOBAL_CASES, locales: {} });
  });

  it('an unreachable or refusing API is exit 1 with one line; the key is never printed', async () => {
    reset();
    const closed = await runUpdater(1);
    expect(closed.code).toBe(1);
    expect(closed.err).toMatch(/^FAILED: the local changes were not merged into aura-configuration-api: GET \/cases: URLError: .*; nothing was changed\n$/);
    const refused = await runUpdater(port, { CONFIGURATION_API_KEY: 'wrong-key' });
    expect(refused.err).toMatch(/GET \/cases answered 401; nothing was changed/);
    for (const r of [closed, refused]) expect(r.out + r.err).not.toContain(SENTINEL_KEY);
    expect((await runUpdater(port, { CONFIGURATION_API_URL: '' })).err).toMatch(/CONFIGURATION_API_URL is not set/);
  });

  it('the alert counts a failed updater in any core namespace', () => {
    const rules = readdirSync(join(work, 'dist', 'de-pro', 'manifests', 'system', 'aura-system')).find((f) => f === 'configmap-prometheus-rules.yaml')!;
    const text = parseAllDocuments(readFileSync(join(work, 'dist', 'de-pro', 'manifests', 'system', 'aura-system', rules), 'utf8'))[0]!.toJS().data['local-modules.rules.yml'];
    const rule = parseAllDocuments(text)[0]!.toJS().groups[0].rules[0];
    expect(rule).toMatchObject({ alert: 'LocalConfigurationUpdateFailed', expr: 'kube_job_status_failed{job_name="aura-configuration-updater"} > 0', labels: { severity: 'critical' } });
  });
});

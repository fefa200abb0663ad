import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { podSpecOf } from '../../src/checks/wiring/check';
import type { Manifest } from '../../src/compile';
import { escapeRegExp } from '../../src/util/regexp';

/**
 * Runs a compiled Job's containers as its pod would, on this machine: the command and arguments,
 * the environment (its ConfigMap, its secrets given by the test), and the files its volumes
 * mount, from the compiled objects. Only places are remapped: every mount path becomes a folder
 * under a temporary root, and the test maps cluster host names to loopback. The init container
 * runs first; the main container only when it succeeded, as in a pod.
 */
export interface CompiledJob {
  name: string;
  /** The Job's spec (a CronJob's job template). */
  jobSpec: any;
  pod: any;
  /** ConfigMap data by name, of the objects compiled with it. */
  configMaps: Map<string, Record<string, string>>;
}

export function compiledJob(objects: readonly Manifest[], name: string): CompiledJob {
  const w = objects.find((m) => (m.kind === 'Job' || m.kind === 'CronJob') && m.metadata.name === name) as any;
  if (!w) throw new Error(`no Job or CronJob ${name} in the compiled objects`);
  const configMaps = new Map(objects.filter((m) => m.kind === 'ConfigMap').map((m: any) => [m.metadata.name as string, (m.data ?? {}) as Record<string, string>]));
  return { name, jobSpec: w.kind === 'CronJob' ? w.spec.jobTemplate.spec : w.spec, pod: podSpecOf(w), configMaps };
}

export interface RunOptions {
  /** The pod's root: mounts are created below it. */
  root: string;
  /** Values of the variables the pod reads from Secrets, by variable name (every one must be given). */
  secrets: Record<string, string>;
  /** Cluster names to loopback: applied to the environment and arguments. */
  hosts?: (text: string) => string;
  /** Folders put first on PATH (stubs of tools the machine does not have). */
  path?: string[];
  /** Variables the test adds or overrides (shorter waits), each listed in the test. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface StepResult {
  container: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Every mount path of the pod, longest first, mapped under the root. */
function remapper(pod: any, root: string): (text: string) => string {
  const paths = [...new Set<string>([...(pod.initContainers ?? []), ...pod.containers].flatMap((c: any) => (c.volumeMounts ?? []).map((m: any) => m.mountPath)))].sort(
    (a, b) => b.length - a.length,
  );
  // One pass: the root is itself under a mount path (/tmp), so a second pass would map it twice.
  const any = new RegExp(`(^|[\\s="':,])(${paths.map(escapeRegExp).join('|')})(?=/|$|[\\s"':,])`, 'g');
  return (text) => text.replace(any, (_, pre, p) => `${pre}${root}${p}`);
}

/** Writes each mounted ConfigMap's files and creates each other mount as an empty folder. */
function materialize(job: CompiledJob, root: string): void {
  for (const c of [...(job.pod.initContainers ?? []), ...job.pod.containers]) {
    for (const m of c.volumeMounts ?? []) {
      const dir = join(root, m.mountPath);
      mkdirSync(dir, { recursive: true });
      const volume = (job.pod.volumes ?? []).find((v: any) => v.name === m.name);
      if (volume?.configMap) {
        const data = job.configMaps.get(volume.configMap.name);
        if (!data) throw new Error(`${job.name}: ConfigMap ${volume.configMap.name} is not among the compiled objects`);
        for (const [file, text] of Object.entries(data)) writeFileSync(join(dir, file), text);
      }
    }
  }
}

function environmentOf(job: CompiledJob, container: any, o: RunOptions, remap: (t: string) => string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) Object.assign(env, job.configMaps.get(from.configMapRef.name));
  for (const e of container.env ?? []) {
    if (typeof e.value === 'string') env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      if (!(e.name in o.secrets)) throw new Error(`${job.name}: the test gives no value for secret variable ${e.name}`);
      env[e.name] = o.secrets[e.name]!;
    }
  }
  const hosts = o.hosts ?? ((t: string) => t);
  return Object.fromEntries(Object.entries({ ...env, ...o.env }).map(([k, v]) => [k, hosts(remap(v))]));
}

/** Runs one container of the pod: `init` for the init container, or a container's name. */
export function runContainer(job: CompiledJob, which: string, o: RunOptions): Promise<StepResult> {
  const container = which === 'init' ? job.pod.initContainers?.[0] : job.pod.containers.find((c: any) => c.name === which);
  if (!container) throw new Error(`${job.name} has no container ${which}`);
  const remap = remapper(job.pod, o.root);
  materialize(job, o.root);
  const hosts = o.hosts ?? ((t: string) => t);
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((a: string) => hosts(remap(a)));
  if (!argv.length) throw new Error(`${job.name} container ${container.name} has no command`);
  const env = environmentOf(job, container, o, remap);
  // An image's PATH after the stubs (the system's tools: python3, az, redis-cli), and nothing else of this process's environment.
  const PATH = [...(o.path ?? []), IMAGE_PATH].join(':');
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH, ...env }, cwd: o.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ container: container.name, code, stdout, stderr });
    });
  });
}

/** The pod: the init container, then (when it succeeded) the main container. */
export async function runPod(job: CompiledJob, o: RunOptions): Promise<{ code: number | null; steps: StepResult[]; output: string }> {
  const steps: StepResult[] = [];
  if (job.pod.initContainers?.length) {
    const init = await runContainer(job, 'init', o);
    steps.push(init);
    if (init.code !== 0) return { code: init.code, steps, output: describe(steps) };
  }
  const main = await runContainer(job, job.pod.containers[0].name, o);
  steps.push(main);
  return { code: main.code, steps, output: describe(steps) };
}

const describe = (steps: StepResult[]) => steps.map((s) => `--- ${s.container} (exit ${s.code})\n${s.stdout}${s.stderr}`).join('\n');

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until the probe gives a value; fails after `ms`. */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    let value: T | undefined | false;
    try {
      value = await probe();
    } catch {
      value = undefined;
    }
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A temporary folder removed at the end, and the processes started in it, stopped. */
export function scratch(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildProcess[] = [];
  return {
    root,
    dir: (name: string) => {
      const d = join(root, name);
      mkdirSync(d, { recursive: true });
      return d;
    },
    track: (c: ChildProcess) => (children.push(c), c),
    stop: () => {
      for (const c of children) c.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Azurite's Blob service on a port of its choosing, and a connection string to it. */
export async function startAzurite(s: ReturnType<typeof scratch>): Promise<{ connectionString: string; port: number }> {
  const bin = join(__dirname, '..', '..', 'node_modules', '.bin', 'azurite-blob');
  const child = s.track(spawn(bin, ['--blobHost', '127.0.0.1', '--blobPort', '0', '--location', s.dir('azurite'), '--skipApiVersionCheck', '--loose'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const port = await until('azurite to listen', () => Number(/listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]) || undefined);
  // Azurite's well-known development account (public, in its documentation): not a credential.
  const key = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
  return { port, connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;` };
}

/** az against azurite, for what the test itself stages or reads. */
export function az(connectionString: string, configDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('az', [...args, '--only-show-errors'], {
      env: { PATH: process.env.PATH ?? '', AZURE_STORAGE_CONNECTION_STRING: connectionString, AZURE_CONFIG_DIR: configDir, AZURE_CORE_COLLECT_TELEMETRY: 'no' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`az ${args.join(' ')}: ${err}`));
    });
  });
}

export const readText = (path: string) => readFileSync(path, 'utf8');
export { dirname, join };

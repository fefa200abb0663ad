import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The processes a contract test starts: every one on loopback, on a port chosen at run time,
 * logging to a file of the test's temporary root, and stopped at the end (also on failure).
 * Waits are bounded; nothing asserts how long anything took.
 */
export const WAIT_MS = 30_000;

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the probe returns a value (not undefined or false); fails after `ms`. */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(200);
  }
}

/** GET on loopback: the status and body, bounded in time. */
export async function get(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: r.status, text: await r.text() };
}
export const getJson = async (url: string): Promise<any> => JSON.parse((await get(url)).text);

export class Programs {
  readonly root = mkdtempSync(join(tmpdir(), 'aura-programs-'));
  private readonly running = new Map<string, ChildProcess>();
  private readonly closers: (() => Promise<unknown>)[] = [];

  /** Something else to close at the end (a stand-in server). */
  onStop(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  /** A folder of the temporary root. */
  dir(...parts: string[]): string {
    const d = join(this.root, ...parts);
    mkdirSync(d, { recursive: true });
    return d;
  }

  write(path: string, text: string): string {
    writeFileSync(path, text);
    return path;
  }

  /** Starts a program; its output goes to <root>/logs/<name>.log. */
  start(name: string, command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    const log = openSync(join(this.dir('logs'), `${name}.log`), 'a');
    const child = spawn(command, args, { cwd: this.dir('cwd', name), stdio: ['ignore', log, log], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    closeSync(log);
    this.running.set(name, child);
    return child;
  }

  log(name: string): string {
    try {
      return readFileSync(join(this.root, 'logs', `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  isRunning = (name: string) => this.running.has(name);

  stop(name: string): void {
    this.running.get(name)?.kill('SIGKILL');
    this.running.delete(name);
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.running.keys()]) this.stop(name);
    await Promise.all(this.closers.splice(0).map((c) => c().catch(() => undefined)));
    if (!process.env.KEEP_PROGRAMS_TEST_DIR) rmSync(this.root, { recursive: true, force: true });
  }
}

/** Runs a short-lived tool (openssl, redis-cli), bounded in time. */
export const tool = (command: string, args: string[], cwd?: string): string => execFileSync(command, args, { cwd, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });

/** Whether a command is installed (.ci/run installs the Debian packages). */
export const installed = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * A test CA and a server certificate for 127.0.0.1 it signs: what the loopback TLS stand-ins
 * present, and what the programs are told to trust (their CA flag, or SSL_CERT_FILE for Go's roots).
 */
export function testCertificates(dir: string, days = 30): { ca: string; cert: string; key: string } {
  const p = (f: string) => join(dir, f);
  tool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=aura-test-ca']);
  tool('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  tool('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.crt'), '-days', String(days), '-extfile', p('san.ext')]);
  return { ca: p('ca.crt'), cert: p('server.crt'), key: p('server.key') };
}

import execa from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The command-line tools the lifecycle commands drive. */
export type Tool = 'az' | 'atlas' | 'kubectl';

const INSTALL: Record<Tool, string> = {
  az: 'the Azure CLI (az) is not installed or not on PATH; install it: https://learn.microsoft.com/cli/azure/install-azure-cli',
  atlas: 'the MongoDB Atlas CLI (atlas) is not installed or not on PATH; install it: https://www.mongodb.com/docs/atlas/cli/current/install-atlas-cli/',
  kubectl: 'kubectl is not installed or not on PATH; install it: https://kubernetes.io/docs/tasks/tools/',
};

// Invalid input (a profile, a stale compiled file) is exit 1; the environment failing us (a missing
// tool, no login, a failed command) is exit 3: the one error boundary of every command maps them.
import { EnvironmentError, InputError } from '../util/errors';
export { EnvironmentError, InputError };

export interface ToolIo {
  out: (line: string) => void;
  /** Environment of the tools' processes (PATH decides which binaries run). */
  env: NodeJS.ProcessEnv;
  /** Where they run: the repository root, where the templates are. */
  cwd: string;
}

/** A command line as a shell would need it quoted. */
export const showLine = (tool: Tool, args: readonly string[]): string =>
  [tool, ...args].map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

const lastLine = (s: string | undefined): string => (s ?? '').trim().split('\n').pop() ?? '';

/** Runs a query and returns its standard output; any failure is an EnvironmentError with the tool's last error line. */
export async function capture(tool: Tool, args: string[], io: ToolIo, input?: string): Promise<string> {
  // `input` goes to the tool's standard input: how a value (a credential) reaches it without a command line.
  const result = await execa(tool, args, { cwd: io.cwd, env: io.env, extendEnv: false, reject: false, ...(input === undefined ? {} : { input }) });
  if ((result as any).code === 'ENOENT' || (result.failed && result.exitCode === undefined)) throw new EnvironmentError(INSTALL[tool]);
  if (result.exitCode !== 0) throw new EnvironmentError(`${showLine(tool, args.slice(0, 3))} failed (exit ${result.exitCode}): ${lastLine(result.stderr) || 'no error output'}`);
  return result.stdout;
}

/** Runs a query whose failure is an answer (a resource that does not exist): its exit code and output. */
export async function probe(tool: Tool, args: string[], io: ToolIo): Promise<{ exitCode: number; stdout: string }> {
  const result = await execa(tool, args, { cwd: io.cwd, env: io.env, extendEnv: false, reject: false });
  if ((result as any).code === 'ENOENT' || (result.failed && result.exitCode === undefined)) throw new EnvironmentError(INSTALL[tool]);
  return { exitCode: result.exitCode, stdout: result.stdout };
}

/** Runs a changing command, streaming its output indented under the command line. */
export async function stream(tool: Tool, args: string[], io: ToolIo): Promise<void> {
  io.out(`$ ${showLine(tool, args)}`);
  const child = execa(tool, args, { cwd: io.cwd, env: io.env, extendEnv: false, reject: false, all: true });
  child.all?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) io.out(`  ${line}`);
  });
  const result = await child;
  if ((result as any).code === 'ENOENT' || (result.failed && result.exitCode === undefined)) throw new EnvironmentError(INSTALL[tool]);
  if (result.exitCode !== 0) throw new EnvironmentError(`${showLine(tool, args.slice(0, 3))} failed (exit ${result.exitCode}): ${lastLine(result.stderr) || 'see the output above'}`);
}

/** The tool is installed and logged in: a missing tool or login is one line, before anything changes. */
export async function preflight(tool: Tool, io: ToolIo): Promise<void> {
  switch (tool) {
    case 'az':
      await capture('az', ['version', '--output', 'none'], io);
      try {
        await capture('az', ['account', 'show', '--output', 'none'], io);
      } catch (e) {
        throw new EnvironmentError(`not logged in to Azure (${(e as Error).message.replace(/^.*?: /, '')}): run az login, then az account set --subscription <id>`);
      }
      return;
    case 'atlas':
      await capture('atlas', ['--version'], io);
      return;
    case 'kubectl':
      await capture('kubectl', ['version', '--client', '--output', 'json'], io);
      try {
        await capture('kubectl', ['auth', 'can-i', 'delete', 'deployments', '--all-namespaces'], io);
      } catch (e) {
        throw new EnvironmentError(`kubectl cannot reach the cluster or may not delete there (${(e as Error).message.replace(/^.*?: /, '')}): run az aks get-credentials for the cluster first`);
      }
  }
}

/**
 * A value handed to a tool as a file it reads (`az keyvault secret set --file`): written into a
 * fresh private folder (mode 0700) as a file of mode 0600, removed as soon as the tool is done.
 * Not /dev/stdin: a child process of Node has a socket for its standard input, which a tool cannot
 * open as a file.
 */
export async function withSecretFile<T>(value: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'aura-secret-'));
  try {
    const file = join(dir, 'value');
    writeFileSync(file, value, { mode: 0o600, flag: 'wx' });
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import execa from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILES_DIR } from '../cli';
import { formatDiagnostic, ProfileError } from '../profile/errors';
import { loadProfile } from '../profile/load';
import { validateProfile } from '../profile/validate';
import { azCommands, type InfraAction, showCommand } from './az';
import { aksParametersFile, hasOwnCluster, PARAMETERS_FILE } from './parameters';

const ROOT = join(__dirname, '../..');

const USAGE = `usage: npm run infra -- --profile NAME [--what-if | --apply | --stop | --start] [--dry-run] [--out DIR]

  --what-if   show what the deployment would change (default)
  --apply     create the resource group and deploy infra/aks.bicep
  --stop      stop the cluster (az aks stop)
  --start     start the cluster (az aks start)
  --dry-run   print the az commands without running them
  --out DIR   where the compiled profiles are (default: dist)`;

export interface InfraIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Environment of the az processes (PATH decides which az runs). */
  env: NodeJS.ProcessEnv;
}

class InfraError extends Error {}

/** Runs the infra CLI and returns the exit code: 0 success, 1 failure, 2 usage. */
export async function main(argv: string[], io: InfraIo = { out: console.log, err: console.error, env: process.env }): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string' },
        'what-if': { type: 'boolean' },
        apply: { type: 'boolean' },
        stop: { type: 'boolean' },
        start: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        out: { type: 'string', default: 'dist' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const actions = (['what-if', 'apply', 'stop', 'start'] as const).filter((a) => opts[a]);
  if (!opts.profile || actions.length > 1) {
    io.err(`error: ${opts.profile ? 'choose one of --what-if, --apply, --stop, --start' : 'name a profile with --profile'}\n${USAGE}`);
    return 2;
  }
  const action: InfraAction = actions[0] ?? 'what-if';
  try {
    const commands = plan(opts.profile, action, opts.out!);
    if (opts['dry-run']) {
      for (const args of commands) io.out(showCommand(args));
      return 0;
    }
    await preflight(io);
    for (const args of commands) {
      io.out(`$ ${showCommand(args)}`);
      await run(args, io);
    }
    return 0;
  } catch (e) {
    if (e instanceof ProfileError) io.err(`✗ ${e.diagnostics.map(formatDiagnostic).join('\n  ')}`);
    else if (e instanceof InfraError) io.err(`✗ ${e.message}`);
    else throw e;
    return 1;
  }
}

/** The commands of an action, after checking that the committed parameters file is current. */
function plan(profileRef: string, action: InfraAction, outDir: string): string[][] {
  const loaded = loadProfile(profileRef, DEFAULT_PROFILES_DIR);
  const config = validateProfile(loaded);
  if (!hasOwnCluster(config))
    throw new InfraError(`${loaded.name} is a tenant (tenant_name: ${config.tenant_name}): it runs on its parent profile's cluster, which has the infrastructure`);
  // az runs from the repository root, where the template is; the parameters path is relative to it.
  const absolute = resolve(outDir, loaded.name, PARAMETERS_FILE);
  const parametersFile = relative(ROOT, absolute);
  const current = existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
  if (current !== aksParametersFile(config))
    throw new InfraError(`${parametersFile} is ${current === undefined ? 'missing' : 'stale'}: run npm run synth -- --profile ${loaded.name} (and review the change) first`);
  return azCommands(action, config, parametersFile);
}

async function preflight(io: InfraIo): Promise<void> {
  try {
    await execa('az', ['version', '--output', 'none'], { env: io.env, extendEnv: false });
  } catch (e: any) {
    if (e.code === 'ENOENT') throw new InfraError('the Azure CLI (az) is not installed or not on PATH; install it: https://learn.microsoft.com/cli/azure/install-azure-cli');
    throw new InfraError(`az version failed: ${lastLine(e.stderr) || e.shortMessage}`);
  }
  try {
    await execa('az', ['account', 'show', '--output', 'none'], { env: io.env, extendEnv: false });
  } catch (e: any) {
    throw new InfraError(`not logged in to Azure (${lastLine(e.stderr) || 'az account show failed'}): run az login, then az account set --subscription <id>`);
  }
}

async function run(args: string[], io: InfraIo): Promise<void> {
  const child = execa('az', args, { cwd: ROOT, env: io.env, extendEnv: false, reject: false, all: true });
  child.all?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) io.out(`  ${line}`);
  });
  const result = await child;
  if (result.exitCode !== 0) throw new InfraError(`${showCommand(args.slice(0, 3))} failed (exit ${result.exitCode}): ${lastLine(result.stderr) || 'see the output above'}`);
}

const lastLine = (s: string | undefined): string => (s ?? '').trim().split('\n').pop() ?? '';

if (require.main === module) main(process.argv.slice(2)).then((code) => (process.exitCode = code));

import execa from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILES_DIR, describeInvalid, profileReadRules } from '../cli';
import { takeDebugFlag, UsageError, withBoundaryAsync } from '../util/errors';
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
  --out DIR   where the compiled profiles are (default: dist)
  --allow-outside-repo  read profile files outside the repository
  --debug     print the stack of an internal error`;

export interface InfraIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Environment of the az processes (PATH decides which az runs). */
  env: NodeJS.ProcessEnv;
}

class InfraError extends Error {}

/** Runs the infra CLI and returns the exit code: 0 success, 1 failure, 2 usage, 3 environment. */
export async function main(rawArgv: string[], io: InfraIo = { out: console.log, err: console.error, env: process.env }): Promise<number> {
  const { argv, debug } = takeDebugFlag(rawArgv);
  return withBoundaryAsync(io, { usage: USAGE, debug, invalid: (e) => describeInvalid(e) ?? (e instanceof InfraError ? `✗ ${e.message}` : undefined) }, async () => {
    const opts = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string' },
        'what-if': { type: 'boolean' },
        apply: { type: 'boolean' },
        stop: { type: 'boolean' },
        start: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        out: { type: 'string', default: 'dist' },
        'allow-outside-repo': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
    const actions = (['what-if', 'apply', 'stop', 'start'] as const).filter((a) => opts[a]);
    if (!opts.profile) throw new UsageError('name a profile with --profile');
    if (actions.length > 1) throw new UsageError('choose one of --what-if, --apply, --stop, --start');
    const action: InfraAction = actions[0] ?? 'what-if';
    const commands = plan(opts.profile, action, opts.out!, !!opts['allow-outside-repo']);
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
  });
}

/** The commands of an action, after checking that the committed parameters file is current. */
function plan(profileRef: string, action: InfraAction, outDir: string, allowOutside: boolean): string[][] {
  const loaded = loadProfile(profileRef, DEFAULT_PROFILES_DIR, profileReadRules(DEFAULT_PROFILES_DIR, allowOutside));
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

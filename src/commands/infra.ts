import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Config } from '../profile/config.generated';
import { formatDiagnostic, ProfileError } from '../profile/errors';
import type { LoadOptions } from '../profile/load';
import { DEFAULT_PROFILES_DIR, profileReadRules, REPOSITORY_ROOT as ROOT } from '../profile/repository';
import { loadValidProfile } from '../profile/validate';
import { azCommands, showCommand } from '../infra/az';
import { COMMON_PARAMETERS_FILE, commonCommands, commonParametersFile } from '../infra/common';
import { DATA_OF, deletable, DELETE_TARGETS, type DeletePlan, deletePlan, type DeleteTarget, othersNamespaces, refuseStaleOutput } from '../infra/delete';
import { loadCompiler } from '../incremental/run';
import { DNS_FACTS_NOTE, DNS_PARAMETERS_FILE, dnsCommands, dnsDeploymentFacts, dnsParametersFile } from '../infra/dns';
import { atlasEnvironment, atlasProjectId, atlasProjectPlaceholder, lifecyclePlan, lifecycleTools, runLifecycle } from '../infra/lifecycle';
import { aksParametersFile, hasOwnCluster, PARAMETERS_FILE } from '../infra/parameters';
import { InputError, preflight, probe, showLine, stream, type Tool, type ToolIo } from '../infra/tools';
import { type CommandContext, defineCommand, UsageError, type Values } from './command';

const OPTIONS = {
  profile: { type: 'string' },
  'what-if': { type: 'boolean' },
  apply: { type: 'boolean' },
  common: { type: 'boolean' },
  dns: { type: 'boolean' },
  stop: { type: 'boolean' },
  start: { type: 'boolean' },
  delete: { type: 'string' },
  full: { type: 'boolean' },
  'include-data': { type: 'boolean' },
  yes: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  out: { type: 'string', default: 'dist' },
  profiles: { type: 'string', default: DEFAULT_PROFILES_DIR },
  'allow-outside-repo': { type: 'boolean' },
} as const;

export const command = defineCommand({
  name: 'infra',
  summary: "the profile's Azure infrastructure (Bicep) and its lifecycle",
  synopsis: '--profile NAME [ACTION] [--dry-run] [--out DIR]',
  help: `  --what-if              show what the cluster deployment (infra/aks.bicep) would change (default)
  --apply                create the resource group and deploy infra/aks.bicep
  --common [--apply]     the common resources (infra/common.bicep): what-if, or deploy with --apply
  --dns [--apply]        address, DNS records and Bot Channels (infra/dns.bicep): what-if, or deploy
  --stop | --start       stop or start the environment: the AKS cluster and the Atlas cluster
  --delete core|system|infra|common
                         print what would be deleted; --yes deletes it
    --full               (core) also the environment's DNS records, Bot Channels, address and shared routes
    --include-data       also what holds data (volumes, Elasticsearch, the Atlas cluster, storage)
    --yes                run the deletion plan
  --dry-run              print the commands without running them
  --out DIR              where the compiled profiles are (default: dist)
  --profiles DIR         where profile names are looked up (default: profiles/)
  --allow-outside-repo   read profile files outside the repository`,
  options: OPTIONS,
  invalid: (e) => (e instanceof ProfileError ? `✗ ${e.diagnostics.map(formatDiagnostic).join('\n  ')}` : undefined),
  run: infra,
});

/**
 * Runs the infra command and returns the exit code. The az, atlas and kubectl processes get the
 * io's environment (its PATH decides which run).
 */
export const main = command.main;

type Command =
  | { kind: 'deploy'; template: 'aks' | 'common' | 'dns'; action: 'what-if' | 'apply' }
  | { kind: 'lifecycle'; direction: 'stop' | 'start' }
  | { kind: 'delete'; target: DeleteTarget; full: boolean; includeData: boolean; yes: boolean };

async function infra(opts: Values<typeof OPTIONS>, io: CommandContext): Promise<number> {
  {
    const command = commandOf(opts);
    if (typeof command === 'string') throw new UsageError(command);
    const tools: ToolIo = { out: io.out, env: io.env, cwd: ROOT };
    const profilesDir = resolve(opts.profiles!);
    // Every problem of the profile at once: its secrets' and its schema's.
    const { loaded, config } = loadValidProfile(opts.profile!, profilesDir, profileReadRules(profilesDir, !!opts['allow-outside-repo']));
    const profileDir = resolve(opts.out!, loaded.name);
    switch (command.kind) {
      case 'deploy':
        return await deploy(command.template, command.action, loaded.name, config, profileDir, !!opts['dry-run'], tools);
      case 'lifecycle':
        return await lifecycle(command.direction, loaded.name, config, !!opts['dry-run'], tools);
      case 'delete':
        return await undeploy(command, { ref: opts.profile!, profilesDir, rules: profileReadRules(profilesDir, !!opts['allow-outside-repo']), outDir: resolve(opts.out!) }, loaded.name, config, profileDir, !!opts['dry-run'], tools);
    }
  }
}

/** The command the flags ask for, or why they do not make one. */
function commandOf(o: Record<string, string | boolean | undefined>): Command | string {
  if (!o.profile) return 'name a profile with --profile';
  const targets = (['common', 'dns', 'stop', 'start', 'delete'] as const).filter((k) => o[k] !== undefined);
  if (targets.length > 1) return `choose one of --common, --dns, --stop, --start, --delete (got ${targets.map((t) => `--${t}`).join(' and ')})`;
  const deployActions = (['what-if', 'apply'] as const).filter((k) => o[k]);
  if (deployActions.length > 1) return 'choose one of --what-if, --apply';
  const target = targets[0];
  if (target !== 'delete') for (const flag of ['yes', 'full', 'include-data']) if (o[flag]) return `--${flag} goes with --delete`;
  if (target === 'stop' || target === 'start') {
    if (deployActions.length) return `--${deployActions[0]} does not go with --${target}`;
    return { kind: 'lifecycle', direction: target };
  }
  if (target === 'delete') {
    if (deployActions.length) return `--${deployActions[0]} does not go with --delete`;
    const what = o.delete as string;
    if (!(DELETE_TARGETS as readonly string[]).includes(what)) return `--delete takes one of ${DELETE_TARGETS.join(', ')}`;
    if (o.full && what !== 'core') return '--full goes with --delete core';
    if ((what === 'infra' || what === 'common') && !o['include-data']) return `--delete ${what} needs --include-data: ${DATA_OF[what]}`;
    return { kind: 'delete', target: what as DeleteTarget, full: !!o.full, includeData: !!o['include-data'], yes: !!o.yes };
  }
  return { kind: 'deploy', template: target ?? 'aks', action: deployActions[0] ?? 'what-if' };
}

const TEMPLATES = {
  aks: { file: PARAMETERS_FILE, render: aksParametersFile, commands: azCommands, tenants: false },
  common: { file: COMMON_PARAMETERS_FILE, render: commonParametersFile, commands: commonCommands, tenants: false },
  dns: { file: DNS_PARAMETERS_FILE, render: dnsParametersFile, commands: dnsCommands, tenants: true },
} as const;

const tenantRefusal = (name: string, c: Config) =>
  new InputError(
    c.tenant_name !== 'default'
      ? `${name} is a tenant (tenant_name: ${c.tenant_name}): it runs on its parent profile's cluster, which has the infrastructure`
      : `${name} runs on the cluster of its environment's profile (core_only: true, a release beside the running one): that profile has the infrastructure`,
  );

async function deploy(template: keyof typeof TEMPLATES, action: 'what-if' | 'apply', name: string, c: Config, profileDir: string, dryRun: boolean, io: ToolIo): Promise<number> {
  const t = TEMPLATES[template];
  if (!t.tenants && !hasOwnCluster(c)) throw tenantRefusal(name, c);
  // az runs from the repository root, where the templates are; the parameters path is relative to it.
  const absolute = join(profileDir, t.file);
  const parametersFile = relative(ROOT, absolute);
  const current = existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
  if (current !== t.render(c))
    throw new InputError(`${parametersFile} is ${current === undefined ? 'missing' : 'stale'}: run npm run synth -- --profile ${name} (and review the change) first`);
  const commands = t.commands(action, c, parametersFile);
  if (dryRun) {
    for (const args of commands) io.out(showCommand(args));
    if (template === 'dns') io.out(DNS_FACTS_NOTE);
    return 0;
  }
  await preflight('az', io);
  // The DNS deployment also takes what exists when it runs: the live records, the bots' app registrations.
  const facts = template === 'dns' ? await dnsDeploymentFacts(c, action, io) : [];
  for (const args of commands) await stream('az', [...args, ...facts], io);
  return 0;
}

async function lifecycle(direction: 'stop' | 'start', name: string, c: Config, dryRun: boolean, io: ToolIo): Promise<number> {
  if (!hasOwnCluster(c)) throw tenantRefusal(name, c);
  if (dryRun) {
    for (const line of lifecyclePlan(c, direction)) io.out(line);
    return 0;
  }
  for (const tool of lifecycleTools(c)) await preflight(tool, io);
  await runLifecycle(c, direction, io);
  return 0;
}

async function undeploy(cmd: Extract<Command, { kind: 'delete' }>, source: { ref: string; profilesDir: string; rules: LoadOptions; outDir: string }, name: string, c: Config, profileDir: string, dryRun: boolean, io: ToolIo): Promise<number> {
  if (!deletable(c, cmd.target)) throw tenantRefusal(name, c);
  // Planned from the profile as it compiles now; dist/ must be exactly that (src/infra/delete.ts).
  const fresh = loadCompiler().buildProfile(source.ref, source.profilesDir, { outDir: source.outDir }, source.rules);
  refuseStaleOutput(profileDir, name, fresh.files);
  const plan = deletePlan(cmd.target, { config: fresh.config, objects: fresh.objects, othersNamespaces: othersNamespaces(name, fresh.config, source.profilesDir, source.rules) }, cmd);
  printPlan(cmd.target, name, plan, io);
  if (dryRun || !cmd.yes) {
    io.out('Nothing was deleted: add --yes to run this plan.');
    return 0;
  }
  for (const tool of [...new Set<Tool>(plan.steps.map((s) => s.tool))].sort()) await preflight(tool, io);
  let atlas: { io: ToolIo; projectId: string } | undefined;
  for (const step of plan.steps) {
    if (step.whenExists) {
      const found = await probe('az', step.whenExists, io);
      if (found.exitCode !== 0 || found.stdout.trim() === 'false') {
        const kind = step.args[0] === 'network' ? step.args[1] : step.args[0];
        io.out(`${kind} ${step.args[step.args.indexOf('--name') + 1]} does not exist: nothing to delete`);
        continue;
      }
    }
    if (step.tool === 'atlas') {
      if (!atlas) {
        const atlasIo = await atlasEnvironment(c, io);
        atlas = { io: atlasIo, projectId: await atlasProjectId(c, atlasIo) };
      }
      await stream('atlas', step.args.map((a) => (a === atlasProjectPlaceholder(c) ? atlas!.projectId : a)), atlas.io);
    } else await stream(step.tool, step.args, io);
  }
  return 0;
}

function printPlan(target: DeleteTarget, name: string, plan: DeletePlan, io: ToolIo): void {
  io.out(`Plan: delete ${target} of ${name}`);
  for (const step of plan.steps) io.out(`  ${showLine(step.tool, step.args)}${step.whenExists ? '   # when it exists' : ''}`);
  if (!plan.steps.length) io.out('  (nothing)');
  if (plan.kept.length) io.out('Kept:');
  for (const line of plan.kept) io.out(`  - ${line}`);
}


import { applyIdentity, type Github, identityPlan } from '../infra/identity';
import { showLine } from '../infra/tools';
import { REPOSITORY_ROOT } from '../profile/repository';
import { type CommandContext, defineCommand, UsageError, type Values } from './command';

const OPTIONS = {
  name: { type: 'string' },
  github: { type: 'string', multiple: true },
  'no-app-registrations': { type: 'boolean' },
  location: { type: 'string', default: 'westeurope' },
  apply: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

export const command = defineCommand({
  name: 'identity',
  summary: "the deploying identity (the guide's create_sp): Contributor and AssignRoles, OIDC for CI",
  synopsis: '--name NAME [--github OWNER/REPO[:BRANCH] ...] [--no-app-registrations] [--apply | --dry-run]',
  help: `  The guide's aura create_sp: an Entra application and its service principal with Contributor on
  the subscription and the custom role AssignRoles (roleAssignments read, write, delete), by default
  with the right to create the Bot Channels' app registrations; CI signs in as it without a secret.

  --name NAME              the application's display name (the guide: a descriptive name)
  --github OWNER/REPO[:BRANCH]
                           let that repository's GitHub Actions workflows on BRANCH (default main) sign in
                           as the identity with OIDC (a federated credential: no secret); repeatable
  --no-app-registrations   without the right to create the Bot Channels' app registrations (the guide's
                           create_sp -p); then set bot_channel in each profile
  --location REGION        where the role deployment's metadata is kept (default westeurope)
  --apply                  create what is missing; without it, print the plan
  --dry-run                print the plan (the default)`,
  options: OPTIONS,
  run: identity,
});

/** Runs the command (the arguments after `identity`) and returns the exit code. */
export const main = command.main;

async function identity(o: Values<typeof OPTIONS>, ctx: CommandContext): Promise<number> {
  if (!o.name) throw new UsageError('name the identity with --name');
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,119}$/.test(o.name)) throw new UsageError('--name takes letters, digits, spaces, ".", "_" and "-" (at most 120)');
  if (o.apply && o['dry-run']) throw new UsageError('choose one of --apply and --dry-run');
  if (!/^[a-z0-9]{3,30}$/.test(o.location!)) throw new UsageError('--location takes an Azure region name');
  const github: Github[] = (o.github ?? []).map((g) => {
    const m = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)(?::([A-Za-z0-9_./-]+))?$/.exec(g);
    if (!m) throw new UsageError('--github takes OWNER/REPO or OWNER/REPO:BRANCH');
    return { repository: m[1]!, branch: m[2] ?? 'main' };
  });
  const appRegistrations = !o['no-app-registrations'];
  if (!o.apply) {
    ctx.out(`Plan: the deploying identity ${o.name} (the guide's aura create_sp), each step when it is missing:`);
    for (const step of identityPlan(o.name, github, appRegistrations, o.location!)) ctx.out(`  ${showLine('az', step)}`);
    ctx.out('Nothing was changed: add --apply to run this plan (as an Owner of the subscription; admin consent needs a Privileged Role Administrator).');
    return 0;
  }
  const ci = await applyIdentity(o.name, github, appRegistrations, o.location!, { out: ctx.out, env: ctx.env, cwd: REPOSITORY_ROOT });
  ctx.out('');
  ctx.out('The deploying identity, for CI (none of these is a secret):');
  ctx.out(`  AZURE_CLIENT_ID=${ci.appId}`);
  ctx.out(`  AZURE_TENANT_ID=${ci.tenantId ?? '<tenant>'}`);
  ctx.out(`  AZURE_SUBSCRIPTION_ID=${ci.subscriptionId ?? '<subscription>'}`);
  ctx.out(
    github.length
      ? `GitHub Actions of ${github.map((g) => `${g.repository} (${g.branch})`).join(', ')} sign in with azure/login and these three values (OIDC: no secret; docs/moving-from-the-installer.md).`
      : "Add --github OWNER/REPO to let a repository's workflows sign in without a secret.",
  );
  return 0;
}

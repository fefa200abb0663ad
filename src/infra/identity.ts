import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { helpOrVersion } from '../util/command-line';
import { EnvironmentError, takeDebugFlag, UsageError, withBoundaryAsync } from '../util/errors';
import { capture, preflight, showLine, stream, type ToolIo } from './tools';

/**
 * The deploying identity, the guide's `aura create_sp -n NAME`: an Entra application and its
 * service principal with Contributor on the subscription and the custom role AssignRoles
 * (roleAssignments read, write, delete: infra/identity.bicep), and by default the right to create
 * the Bot Channels' app registrations (Microsoft Graph Application.ReadWrite.OwnedBy: the guide's
 * "cross tenant permissions needed for the Bot Channel Registration deployment"; --no-app-registrations
 * is the guide's -p). CI gets it without a secret: a federated credential per GitHub repository and
 * branch (OIDC). Idempotent: what exists is found by name and kept.
 */
export const USAGE = `usage: aura-manifests identity --name NAME [--github OWNER/REPO[:BRANCH] ...] [--no-app-registrations] [--apply | --dry-run]

  --name NAME              the application's display name (the guide: a descriptive name)
  --github OWNER/REPO[:BRANCH]
                           let that repository's GitHub Actions workflows on BRANCH (default main) sign in
                           as the identity with OIDC (a federated credential: no secret); repeatable
  --no-app-registrations   without the right to create the Bot Channels' app registrations (the guide's
                           create_sp -p); then set bot_channel in each profile
  --location REGION        where the role deployment's metadata is kept (default westeurope)
  --apply                  create what is missing; without it, print the plan
  --dry-run                print the plan (the default)
  --debug                  print the stack of an internal error

  Exit codes: 0 done, 2 usage, 3 environment (az missing, not logged in, a command failing).`;

/** Microsoft Graph, and its application permission Application.ReadWrite.OwnedBy (create and manage the apps it owns). */
export const GRAPH_API = '00000003-0000-0000-c000-000000000000';
export const APPLICATION_READWRITE_OWNEDBY = '18a4783c-866b-4cc7-a460-3d5e5662c884';
export const ASSIGN_ROLES = 'AssignRoles';
export const IDENTITY_TEMPLATE = 'infra/identity.bicep';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface IdentityIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const ROOT = join(__dirname, '../..');

interface Github {
  repository: string;
  branch: string;
}

const credentialName = (g: Github) => `github-${g.repository.replace(/[^A-Za-z0-9-]+/g, '-')}-${g.branch.replace(/[^A-Za-z0-9-]+/g, '-')}`.slice(0, 120);
const federated = (g: Github) => JSON.stringify({ name: credentialName(g), issuer: GITHUB_ISSUER, subject: `repo:${g.repository}:ref:refs/heads/${g.branch}`, audiences: ['api://AzureADTokenExchange'] });

/** The steps, in order, with the values found at apply time shown as <placeholders> in a plan. */
export function identityPlan(name: string, github: Github[], appRegistrations: boolean, location: string, ids = { appId: '<app id>', objectId: '<service principal object id>' }): string[][] {
  return [
    ['ad', 'app', 'create', '--display-name', name, '--sign-in-audience', 'AzureADMyOrg'],
    ['ad', 'sp', 'create', '--id', ids.appId],
    ['deployment', 'sub', 'create', '--name', `aura-identity-${name}`.slice(0, 64), '--location', location, '--template-file', IDENTITY_TEMPLATE, '--parameters', `principalId=${ids.objectId}`, `assignRolesName=${ASSIGN_ROLES}`, '--output', 'table'],
    ...(appRegistrations
      ? [
          ['ad', 'app', 'permission', 'add', '--id', ids.appId, '--api', GRAPH_API, '--api-permissions', `${APPLICATION_READWRITE_OWNEDBY}=Role`],
          ['ad', 'app', 'permission', 'admin-consent', '--id', ids.appId],
        ]
      : []),
    ...github.map((g) => ['ad', 'app', 'federated-credential', 'create', '--id', ids.appId, '--parameters', federated(g)]),
  ];
}

export async function run(rawArgv: string[], io: IdentityIo): Promise<number> {
  const { argv, debug } = takeDebugFlag(rawArgv);
  const early = helpOrVersion(argv, USAGE, io);
  if (early !== undefined) return early;
  return withBoundaryAsync(io, { usage: USAGE, debug }, async () => {
    const o = parseArgs({
      args: argv,
      options: {
        name: { type: 'string' },
        github: { type: 'string', multiple: true },
        'no-app-registrations': { type: 'boolean' },
        location: { type: 'string', default: 'westeurope' },
        apply: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
    if (!o.name) throw new UsageError('name the identity with --name');
    if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,119}$/.test(o.name)) throw new UsageError('--name takes letters, digits, spaces, ".", "_" and "-" (at most 120)');
    if (o.apply && o['dry-run']) throw new UsageError('choose one of --apply and --dry-run');
    if (!/^[a-z0-9]{3,30}$/.test(o.location!)) throw new UsageError('--location takes an Azure region name');
    const github = (o.github ?? []).map((g) => {
      const m = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)(?::([A-Za-z0-9_./-]+))?$/.exec(g);
      if (!m) throw new UsageError('--github takes OWNER/REPO or OWNER/REPO:BRANCH');
      return { repository: m[1]!, branch: m[2] ?? 'main' };
    });
    const appRegistrations = !o['no-app-registrations'];
    if (!o.apply) {
      io.out(`Plan: the deploying identity ${o.name} (the guide's aura create_sp), each step when it is missing:`);
      for (const step of identityPlan(o.name, github, appRegistrations, o.location!)) io.out(`  ${showLine('az', step)}`);
      io.out('Nothing was changed: add --apply to run this plan (as an Owner of the subscription; admin consent needs a Privileged Role Administrator).');
      return 0;
    }
    const tools: ToolIo = { out: io.out, env: io.env, cwd: ROOT };
    await preflight('az', tools);
    const account = parse(await capture('az', ['account', 'show', '--query', '{id:id, tenantId:tenantId}', '--output', 'json'], tools), 'az account show') as { id?: string; tenantId?: string };
    const apps = list(await capture('az', ['ad', 'app', 'list', '--display-name', o.name, '--query', '[].appId', '--output', 'json'], tools), 'az ad app list');
    if (apps.length > 1) throw new EnvironmentError(`${apps.length} app registrations are named ${o.name}: choose a name no other application has`);
    const [createApp, createSp] = identityPlan(o.name, github, appRegistrations, o.location!);
    let appId = apps[0];
    if (appId) io.out(`app registration ${o.name} exists: ${appId}`);
    else {
      io.out(`$ ${showLine('az', createApp!)}`);
      appId = (await capture('az', [...createApp!, '--query', 'appId', '--output', 'tsv'], tools)).trim();
    }
    const principals = list(await capture('az', ['ad', 'sp', 'list', '--filter', `appId eq '${appId}'`, '--query', '[].id', '--output', 'json'], tools), 'az ad sp list');
    let objectId = principals[0];
    if (!objectId) {
      io.out(`$ ${showLine('az', [...createSp!.slice(0, -1), appId])}`);
      objectId = (await capture('az', ['ad', 'sp', 'create', '--id', appId, '--query', 'id', '--output', 'tsv'], tools)).trim();
    }
    const concrete = identityPlan(o.name, github, appRegistrations, o.location!, { appId, objectId });
    await stream('az', concrete[2]!, tools);
    const existing = github.length ? list(await capture('az', ['ad', 'app', 'federated-credential', 'list', '--id', appId, '--query', '[].name', '--output', 'json'], tools), 'az ad app federated-credential list') : [];
    for (const step of concrete.slice(3)) {
      if (step[2] === 'federated-credential' && existing.includes(JSON.parse(step.at(-1)!).name)) continue;
      await stream('az', step, tools);
    }
    io.out('');
    io.out('The deploying identity, for CI (none of these is a secret):');
    io.out(`  AZURE_CLIENT_ID=${appId}`);
    io.out(`  AZURE_TENANT_ID=${account.tenantId ?? '<tenant>'}`);
    io.out(`  AZURE_SUBSCRIPTION_ID=${account.id ?? '<subscription>'}`);
    io.out(github.length ? `GitHub Actions of ${github.map((g) => `${g.repository} (${g.branch})`).join(', ')} sign in with azure/login and these three values (OIDC: no secret; docs/moving-from-the-installer.md).` : 'Add --github OWNER/REPO to let a repository\'s workflows sign in without a secret.');
    return 0;
  });
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new EnvironmentError(`${what} did not answer JSON`);
  }
}
function list(text: string, what: string): string[] {
  const v = parse(text, what);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new EnvironmentError(`${what} did not answer a list`);
  return v;
}

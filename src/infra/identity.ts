import { EnvironmentError } from '../util/errors';
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
/** Microsoft Graph, and its application permission Application.ReadWrite.OwnedBy (create and manage the apps it owns). */
export const GRAPH_API = '00000003-0000-0000-c000-000000000000';
export const APPLICATION_READWRITE_OWNEDBY = '18a4783c-866b-4cc7-a460-3d5e5662c884';
export const ASSIGN_ROLES = 'AssignRoles';
export const IDENTITY_TEMPLATE = 'infra/identity.bicep';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface Github {
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

/**
 * Creates what is missing of the deploying identity, in the plan's order, and returns what CI
 * needs to sign in as it (none of it a secret: the federated credentials replace a password).
 */
export async function applyIdentity(name: string, github: Github[], appRegistrations: boolean, location: string, tools: ToolIo): Promise<{ appId: string; tenantId?: string; subscriptionId?: string }> {
  await preflight('az', tools);
  const account = parse(await capture('az', ['account', 'show', '--query', '{id:id, tenantId:tenantId}', '--output', 'json'], tools), 'az account show') as { id?: string; tenantId?: string };
  const apps = list(await capture('az', ['ad', 'app', 'list', '--display-name', name, '--query', '[].appId', '--output', 'json'], tools), 'az ad app list');
  if (apps.length > 1) throw new EnvironmentError(`${apps.length} app registrations are named ${name}: choose a name no other application has`);
  const [createApp] = identityPlan(name, github, appRegistrations, location);
  let appId = apps[0];
  if (appId) tools.out(`app registration ${name} exists: ${appId}`);
  else {
    tools.out(`$ ${showLine('az', createApp!)}`);
    appId = (await capture('az', [...createApp!, '--query', 'appId', '--output', 'tsv'], tools)).trim();
  }
  const principals = list(await capture('az', ['ad', 'sp', 'list', '--filter', `appId eq '${appId}'`, '--query', '[].id', '--output', 'json'], tools), 'az ad sp list');
  let objectId = principals[0];
  if (!objectId) {
    tools.out(`$ ${showLine('az', ['ad', 'sp', 'create', '--id', appId])}`);
    objectId = (await capture('az', ['ad', 'sp', 'create', '--id', appId, '--query', 'id', '--output', 'tsv'], tools)).trim();
  }
  const concrete = identityPlan(name, github, appRegistrations, location, { appId, objectId });
  await stream('az', concrete[2]!, tools);
  const existing = github.length ? list(await capture('az', ['ad', 'app', 'federated-credential', 'list', '--id', appId, '--query', '[].name', '--output', 'json'], tools), 'az ad app federated-credential list') : [];
  for (const step of concrete.slice(3)) {
    if (step[2] === 'federated-credential' && existing.includes(JSON.parse(step.at(-1)!).name)) continue;
    await stream('az', step, tools);
  }
  return { appId, tenantId: account.tenantId, subscriptionId: account.id };
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

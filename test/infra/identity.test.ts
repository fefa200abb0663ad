import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as run } from '../../src/commands/identity';
import { fakeTools, type FakeState } from '../support/fake-tools';

const ROOT = join(__dirname, '../..');
const GUIDE = readFileSync(join(ROOT, '../shared/spec/aura-deployment-guide.txt'), 'utf8');

async function identity(argv: string[], state?: FakeState, tools = fakeTools(state)) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: tools.env });
  return { code, out: out.join('\n'), err: err.join('\n'), tools };
}

describe("the deploying identity (the guide's aura create_sp)", () => {
  it('the custom role has exactly the rights the guide lists, beside Contributor', () => {
    const bicep = readFileSync(join(ROOT, 'infra/identity.bicep'), 'utf8');
    const guideRights = [...GUIDE.matchAll(/"(Microsoft\.Authorization\/roleAssignments\/\w+)"/g)].map((m) => m[1]);
    const actions = [...bicep.split('actions: [')[1]!.split(']')[0]!.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(guideRights).toEqual(['Microsoft.Authorization/roleAssignments/read', 'Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleAssignments/delete']);
    expect(actions).toEqual(guideRights);
    expect(bicep).toMatch(/notActions: \[\]/);
    // Contributor, the built-in role, and nothing else is assigned.
    expect([...bicep.matchAll(/resource \w+ 'Microsoft\.Authorization\/roleAssignments@/g)]).toHaveLength(2);
    expect(bicep).toContain("var contributorRoleId = 'b24988ac-6180-42a0-ab88-20f7382dd24c'");
    expect(GUIDE).toContain('the service principal is added as contributor to the subscription and AssignRoles custom role');
  });

  it('prints the plan without --apply, and runs nothing', async () => {
    const r = await identity(['--name', 'aura-deployer', '--github', 'telefonica/aura-envs']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Plan: the deploying identity aura-deployer/);
    expect(r.out).toContain('az ad app permission add --id \'<app id>\' --api 00000003-0000-0000-c000-000000000000 --api-permissions 18a4783c-866b-4cc7-a460-3d5e5662c884=Role');
    expect(r.out).toContain('"subject":"repo:telefonica/aura-envs:ref:refs/heads/main"');
    expect(r.tools.calls()).toEqual([]);
  });

  it('--apply creates what is missing, in order, and prints what CI needs (no secret)', async () => {
    const r = await identity(['--name', 'aura-deployer', '--github', 'telefonica/aura-envs:release', '--apply']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const calls = r.tools.calls().slice(2);
    expect(calls.map((c) => c.split(' ').slice(0, 5).join(' '))).toEqual([
      'az account show --query {id:id,',
      'az ad app list --display-name',
      'az ad app create --display-name',
      'az ad sp list --filter',
      'az ad sp create --id',
      'az deployment sub create --name',
      'az ad app federated-credential list',
      'az ad app permission add',
      'az ad app permission admin-consent',
      'az ad app federated-credential create',
    ]);
    expect(calls).toContain('az deployment sub create --name aura-identity-aura-deployer --location westeurope --template-file infra/identity.bicep --parameters principalId=22222222-0000-4000-8000-000000000001 assignRolesName=AssignRoles --output table');
    expect(r.out).toContain('AZURE_CLIENT_ID=00000000-1111-4111-8111-111111111111');
    expect(r.out).toContain('AZURE_TENANT_ID=00000000-0000-0000-0000-00000000bbbb');
    expect(r.out).toContain('AZURE_SUBSCRIPTION_ID=00000000-0000-0000-0000-00000000aaaa');
    // A second run finds the app, its principal and its federated credential: nothing is created again.
    const again = await identity(['--name', 'aura-deployer', '--github', 'telefonica/aura-envs:release', '--apply'], undefined, r.tools);
    expect(again.code).toBe(0);
    expect(r.tools.calls().slice(calls.length + 2).filter((c) => / (app|sp) create | federated-credential create /.test(c))).toEqual([]);
  });

  it('--no-app-registrations is the guide\'s create_sp -p: no Graph permission', async () => {
    const r = await identity(['--name', 'aura-infra', '--no-app-registrations', '--apply']);
    expect(r.code).toBe(0);
    expect(r.tools.calls().filter((c) => c.includes('permission'))).toEqual([]);
  });

  it.each([
    [['--apply'], /name the identity with --name/],
    [['--name', 'x', '--github', 'not a repo'], /--github takes OWNER\/REPO/],
    [['--name', 'x', '--apply', '--dry-run'], /choose one of --apply and --dry-run/],
  ])('%j: usage, exit 2', async (argv, message) => {
    const r = await identity(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('not logged in: exit 3 before any change', async () => {
    const r = await identity(['--name', 'x', '--apply'], { notLoggedIn: true });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/not logged in to Azure/);
  });
});

import { atlasNames } from '../components/atlas';
import { clusterResourceGroup, hasOwnCluster } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { keyVaultSecretFor } from '../profile/secrets';
import { capture, EnvironmentError, showLine, stream, type Tool, type ToolIo } from './tools';

/**
 * Stop and start the environment, as the guide's `stop` and `start`: the AKS cluster and the Atlas
 * cluster. Each side's state is read first, so a second stop (or start) changes nothing.
 *
 * Order, so nothing is lost: stopping, AKS goes first, so the applications (and the Atlas
 * operator, which would resume a paused cluster to match its AtlasDeployment) stop writing
 * before the database pauses; starting, Atlas goes first, so the applications find their
 * database when they start.
 */
export type Direction = 'stop' | 'start';

/**
 * The Atlas CLI authenticates with the profile's API keys and works in its organisation, all read
 * from Key Vault (never printed) unless already in the environment: the organisation id has one
 * source, beside the keys (issue 13).
 */
const ATLAS_KEY_VARIABLES = {
  MONGODB_ATLAS_PUBLIC_API_KEY: 'atlas_public_apikey',
  MONGODB_ATLAS_PRIVATE_API_KEY: 'atlas_private_apikey',
  MONGODB_ATLAS_ORG_ID: 'atlas_orgId',
} as const;

/** The Key Vault secrets the lifecycle commands read themselves (the Atlas CLI's keys), for the secrets inventory. */
export function lifecycleKeyVaultSecrets(c: Config): { name: string; usedBy: string }[] {
  // Tenants and releases have no lifecycle of their own: their parent's profile stops the environment.
  if (!c.atlas_enabled || !hasOwnCluster(c)) return [];
  return Object.entries(ATLAS_KEY_VARIABLES).map(([variable, key]) => ({ name: keyVaultSecretFor(key), usedBy: `npm run infra -- --stop, --start and --delete: the Atlas CLI's ${variable}, unless set in the environment` }));
}

interface Side {
  what: string;
  tool: Tool;
  /** Reads the state: true when already where the direction goes. */
  isDone: (io: ToolIo) => Promise<boolean>;
  action: string[];
  /** How the plan shows the state query. */
  query: string[];
  /** Runs the action when it needs more than its arguments (the Atlas project id). */
  run?: () => Promise<void>;
}

function aksSide(c: Config, direction: Direction): Side {
  const target = ['--resource-group', clusterResourceGroup(c), '--name', c.cluster_name];
  const query = ['aks', 'show', ...target, '--query', 'powerState.code', '--output', 'tsv'];
  return {
    what: `AKS cluster ${c.cluster_name}`,
    tool: 'az',
    query,
    action: ['aks', direction, ...target],
    isDone: async (io) => {
      const state = (await capture('az', query, io)).trim();
      if (state !== 'Running' && state !== 'Stopped') throw new EnvironmentError(`AKS cluster ${c.cluster_name} reports power state "${state.slice(0, 40)}", neither Running nor Stopped: wait for it to settle, then run again`);
      return state === (direction === 'stop' ? 'Stopped' : 'Running');
    },
  };
}

/** The Atlas project's id, looked up by name (the CLI addresses clusters by project id). */
export async function atlasProjectId(c: Config, io: ToolIo): Promise<string> {
  const project = atlasNames(c).project;
  const out = await capture('atlas', ['projects', 'list', '--output', 'json'], io);
  let found: { id?: string } | undefined;
  try {
    found = (JSON.parse(out).results ?? []).find((p: { name?: string }) => p.name === project);
  } catch {
    throw new EnvironmentError('atlas projects list did not answer JSON');
  }
  if (!found?.id) throw new EnvironmentError(`no Atlas project named ${project} is visible to these API keys`);
  return found.id;
}

/** The environment of the atlas processes: the API keys from Key Vault unless already set. */
export async function atlasEnvironment(c: Config, io: ToolIo): Promise<ToolIo> {
  const env = { ...io.env };
  for (const [variable, key] of Object.entries(ATLAS_KEY_VARIABLES)) {
    if (env[variable]) continue;
    const secret = keyVaultSecretFor(key);
    try {
      env[variable] = (await capture('az', ['keyvault', 'secret', 'show', '--vault-name', c.key_vault.name, '--name', secret, '--query', 'value', '--output', 'tsv'], io)).trim();
    } catch (e) {
      throw new EnvironmentError(`cannot read the Atlas API key ${secret} from Key Vault ${c.key_vault.name} (${(e as Error).message.replace(/^.*?: /, '')}); or set ${variable}`);
    }
  }
  return { ...io, env };
}

export const atlasProjectPlaceholder = (c: Config): string => `<id of Atlas project ${atlasNames(c).project}>`;

function atlasSide(c: Config, direction: Direction, projectId: () => Promise<string>, atlasIo: () => Promise<ToolIo>): Side {
  const cluster = atlasNames(c).cluster;
  const placeholder = atlasProjectPlaceholder(c);
  const action = ['clusters', direction === 'stop' ? 'pause' : 'start', cluster, '--projectId', placeholder, '--output', 'json'];
  return {
    what: `Atlas cluster ${cluster}`,
    tool: 'atlas',
    query: ['clusters', 'describe', cluster, '--projectId', placeholder, '--output', 'json'],
    action,
    isDone: async () => {
      const io = await atlasIo();
      const id = await projectId();
      const out = await capture('atlas', ['clusters', 'describe', cluster, '--projectId', id, '--output', 'json'], io);
      let paused: unknown;
      try {
        paused = JSON.parse(out).paused;
      } catch {
        throw new EnvironmentError('atlas clusters describe did not answer JSON');
      }
      return (paused === true) === (direction === 'stop');
    },
  };
}

/** The sides in the order the direction takes them; the Atlas side reads its keys and project only when it runs. */
function sides(c: Config, direction: Direction, io: ToolIo): Side[] {
  if (!c.atlas_enabled) return [aksSide(c, direction)];
  let atlasIo: Promise<ToolIo> | undefined;
  let projectId: Promise<string> | undefined;
  const getIo = () => (atlasIo ??= atlasEnvironment(c, io));
  const getId = async () => (projectId ??= atlasProjectId(c, await getIo()));
  const atlas = atlasSide(c, direction, getId, getIo);
  atlas.run = async () => {
    const id = await getId();
    await stream('atlas', atlas.action.map((a) => (a === atlasProjectPlaceholder(c) ? id : a)), await getIo());
  };
  return direction === 'stop' ? [aksSide(c, direction), atlas] : [atlas, aksSide(c, direction)];
}

/** What the direction would do, for --dry-run: each state query, then its action unless already done. */
export function lifecyclePlan(c: Config, direction: Direction): string[] {
  const io: ToolIo = { out: () => {}, env: {}, cwd: '' };
  return sides(c, direction, io).flatMap((s) => [showLine(s.tool, s.query), `${showLine(s.tool, s.action)}   # unless already ${direction === 'stop' ? 'stopped' : 'running'}`]);
}

/** The tools a direction needs. */
export const lifecycleTools = (c: Config): Tool[] => (c.atlas_enabled ? ['az', 'atlas'] : ['az']);

export async function runLifecycle(c: Config, direction: Direction, io: ToolIo): Promise<void> {
  for (const side of sides(c, direction, io)) {
    if (await side.isDone(io)) io.out(`${side.what} is already ${direction === 'stop' ? 'stopped' : 'running'}: nothing to do`);
    else if (side.run) await side.run();
    else await stream(side.tool, side.action, io);
  }
}

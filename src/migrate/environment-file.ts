import { closeSync, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../util/errors';

/**
 * What a migration needs of one side: dist/<profile>/infra/environment.json (src/infra/environment.ts),
 * the installer's output_install/<env>_info.json. The file is input, perhaps hand-edited or from
 * another checkout: read bounded, each field checked against the form Azure and Kubernetes give
 * it, and a problem named by file and field, never by its value (every value reaches a command line).
 */
export interface EnvironmentSide {
  file: string;
  environment: string;
  tenant: string;
  cluster: { name: string; resourceGroup: string };
  storageAccount: { name: string; backups: string; snapshots: string };
  namespaces: { core: string; system: string; agents: string };
  /** The Atlas project and cluster, or undefined for the in-cluster MongoDB. */
  atlas?: { project: string; cluster: string };
}

const MAX_BYTES = 1024 * 1024;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const FORMS = {
  environment: [DNS_LABEL, 'an environment name (lower-case letters, digits and "-")'],
  tenant: [DNS_LABEL, 'a tenant name'],
  cluster: [/^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/, 'an AKS cluster name'],
  resourceGroup: [/^[-\w.()]{0,89}[-\w()]$/, 'an Azure resource group name'],
  storageAccount: [/^[a-z0-9]{3,24}$/, 'a storage account name (3 to 24 lower-case letters and digits)'],
  container: [/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'a blob container name'],
  namespace: [DNS_LABEL, 'a Kubernetes namespace name'],
  atlasName: [/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'an Atlas project or cluster name'],
} as const;

/** Reads and checks one side's environment.json. */
export function readEnvironmentFile(file: string, option: string): EnvironmentSide {
  const data = readJson(file, option);
  const problems: string[] = [];
  const at = (path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined), data);
  const text = (path: string, form: keyof typeof FORMS): string => {
    const value = at(path);
    const [pattern, what] = FORMS[form];
    if (typeof value !== 'string' || !pattern.test(value)) {
      problems.push(`${path}: expected ${what}`);
      return '';
    }
    return value;
  };
  const side: EnvironmentSide = {
    file,
    environment: text('environment', 'environment'),
    tenant: text('tenant', 'tenant'),
    cluster: { name: text('cluster.name', 'cluster'), resourceGroup: text('cluster.resourceGroup', 'resourceGroup') },
    storageAccount: { name: text('storageAccount.name', 'storageAccount'), backups: text('storageAccount.containers.backups', 'container'), snapshots: text('storageAccount.containers.snapshots', 'container') },
    namespaces: { core: text('namespaces.core', 'namespace'), system: text('namespaces.system', 'namespace'), agents: text('namespaces.agents', 'namespace') },
  };
  const atlas = at('atlas');
  if (atlas !== null) {
    if (atlas === undefined || typeof atlas !== 'object') problems.push('atlas: expected the Atlas project and cluster, or null (the in-cluster MongoDB)');
    else side.atlas = { project: text('atlas.project', 'atlasName'), cluster: text('atlas.cluster', 'atlasName') };
  }
  // The cluster's stores (aura-system) hold the data of every namespace on it: a migration is the cluster profile's.
  if (at('cluster.ownCluster') !== true)
    problems.push("cluster.ownCluster: this profile runs on another profile's cluster (a tenant, or a release beside the running one); migrate with the environment.json of the profile that owns the cluster");
  if (problems.length) throw new InputError(`${option} ${file}: not an environment.json written by npm run synth (${problems.join('; ')}); compile the profile again`);
  return side;
}

function readJson(file: string, option: string): unknown {
  let st;
  try {
    st = lstatSync(file);
  } catch (e) {
    throw new InputError(`${option} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'}); name the dist/<profile>/infra/environment.json of that side`);
  }
  if (!st.isFile()) throw new InputError(`${option} ${file}: not a regular file (a symlink, folder or device is not read)`);
  if (st.size > MAX_BYTES) throw new InputError(`${option} ${file}: larger than ${MAX_BYTES} bytes, not an environment.json`);
  const fd = openSync(file, 'r');
  let text: string;
  try {
    // The size again on the open file: it may have been replaced since.
    const size = Math.min(fstatSync(fd).size, MAX_BYTES + 1);
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    if (read > MAX_BYTES) throw new InputError(`${option} ${file}: larger than ${MAX_BYTES} bytes, not an environment.json`);
    text = buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${option} ${file}: not valid JSON`);
  }
}

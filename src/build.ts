import { checkInvariants } from './checks/invariants';
import { checkNetworkPolicies } from './checks/network';
import { verifyNetwork } from './network/verify';
import { checkSchemas } from './checks/schema';
import { type CompiledObject, type CompileOptions, compileConfig, type Manifest } from './compile';
import { type ChartRevision, helmChart, readChartRevision } from './delivery/helm-chart';
import { withDeliveryMetadata } from './delivery/ordering';
import { kustomizations, PHASE_ORDER } from './output/kustomize';
import { APPLICATIONSET_FILE, applicationSet, applicationSetKey, gitopsObjects } from './delivery/gitops';
import { fileHeader, manifestPath, objectFileName } from './output/layout';
import type { ProfileFiles } from './output/write';
import { toYaml } from './output/yaml';
import { aksParametersFile, hasOwnCluster, PARAMETERS_FILE } from './infra/parameters';
import type { Config } from './profile/config.generated';
import { type LoadedProfile, loadProfile } from './profile/load';
import { type Diagnostic, formatPath, ProfileError } from './profile/errors';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { validateProfile } from './profile/validate';

/** A profile whose compiled objects fail the checks. */
export class CheckError extends Error {
  constructor(
    readonly profile: string,
    readonly problems: string[],
  ) {
    super(`profile ${profile} fails the output checks:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'CheckError';
  }
}

export interface BuiltProfile extends ProfileFiles {
  objects: CompiledObject[];
  config: Config;
}

export interface BuildOptions extends CompileOptions {
  /**
   * The output folder (dist) holding the profile's previous output: its chart's revision is the
   * base of the new chart version. Without it the chart is revision 1.
   */
  outDir?: string;
}

/** Profile reference to checked files: load, validate, compile, check, render. Writes nothing. */
export function buildProfile(ref: string, profilesDir: string, options: BuildOptions = {}): BuiltProfile {
  const loaded = loadProfile(ref, profilesDir);
  const config = resolveChartArchives(loaded, validateProfile(loaded));
  const objects = compileConfig(config, options).map(withDeliveryMetadata);
  const manifests = objects.map((o) => o.manifest);
  const gitops = gitopsObjects(config, loaded.name, PHASE_ORDER.filter((p) => objects.some((o) => o.phase === p)), manifests);
  const problems = [
    ...checkSchemas(objects),
    ...checkSchemas([...gitops.values()].flat().map((manifest) => ({ manifest }))),
    ...checkInvariants(objects),
    ...checkNetworkPolicies(manifests),
    ...verifyNetwork(manifests, config as unknown as Record<string, unknown>).problems,
  ];
  if (problems.length) throw new CheckError(loaded.name, problems);
  const previousChart = options.outDir ? readChartRevision(join(options.outDir, loaded.name)) : undefined;
  return { name: loaded.name, objects, config, files: renderProfile(loaded.name, config, objects, gitops, previousChart) };
}

/**
 * A chart archive path is relative to the profile file that sets it; the compiler gets it
 * absolute. A missing archive is a profile error at that key.
 */
function resolveChartArchives(loaded: LoadedProfile, config: Config): Config {
  const operators = { ...config.operators };
  const diagnostics: Diagnostic[] = [];
  for (const key of ['eck', 'mongodb_atlas'] as const) {
    const archive = operators[key].chart_archive;
    if (!archive) continue;
    const path = formatPath(['operators', key, 'chart_archive']);
    const layer = [...loaded.layers].reverse().find((l) => l.positions.has(path))!;
    const absolute = resolve(dirname(layer.file), archive);
    if (!existsSync(absolute)) diagnostics.push({ file: layer.file, ...layer.positions.get(path), path, message: `no chart archive at ${absolute}` });
    operators[key] = { ...operators[key], chart_archive: absolute };
  }
  if (diagnostics.length) throw new ProfileError(loaded.name, diagnostics);
  return { ...config, operators };
}

/** Everything under dist/<profile>/: the manifests, and the cluster's parameters unless a tenant. */
export function renderProfile(
  profile: string,
  config: Config,
  objects: readonly CompiledObject[],
  gitops: ReadonlyMap<string, Manifest[]>,
  previousChart?: ChartRevision,
): Map<string, string> {
  const files = renderFiles(profile, objects);
  for (const [folder, manifests] of gitops) for (const m of manifests) files.set(`${folder}/${objectFileName(m)}`, toYaml(m, fileHeader(profile)));
  for (const [path, content] of helmChart(config, objects, files, previousChart)) files.set(path, content);
  for (const [path, content] of kustomizations(profile, objects)) files.set(path, content);
  if (hasOwnCluster(config)) files.set(PARAMETERS_FILE, aksParametersFile(config));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function renderFiles(profile: string, objects: readonly CompiledObject[]): Map<string, string> {
  const files = new Map<string, string>();
  const header = fileHeader(profile);
  for (const o of objects) files.set(manifestPath(o), toYaml(o.manifest, header));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The file beside the profile folders: the ApplicationSet covering every profile. Its content
 * depends only on the GitOps settings, which the profiles compiled together must share.
 */
export function renderApplicationSet(built: readonly BuiltProfile[]): string {
  const groups = new Map<string, string[]>();
  for (const b of built) {
    const key = applicationSetKey(b.config);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(b.name);
  }
  if (groups.size > 1) {
    const lines = [...groups].map(([key, names]) => `${names.join(', ')}: gitops ${key}`);
    throw new CheckError(
      built.map((b) => b.name).join(', '),
      ['profiles compiled together must share gitops.repository, revision, output_path, argocd_namespace and argocd_project (one ApplicationSet covers them all):', ...lines],
    );
  }
  const manifests = applicationSet(built[0]!.config);
  const problems = checkSchemas(manifests.map((manifest) => ({ manifest })), { remember: true });
  if (problems.length) throw new CheckError(APPLICATIONSET_FILE, problems);
  const header = "# Generated by aura-manifests: the fleet's Argo CD project and one ApplicationSet for every profile. Edit the profiles, not this file.\n";
  return header + manifests.map((m) => `---\n${toYaml(m)}`).join('');
}

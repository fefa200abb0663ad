import { checkInvariants } from './checks/invariants';
import { checkKubernetesNames } from './checks/k8s-names';
import { checkNetworkPolicies } from './checks/network/policies';
import { checkPodSecurity } from './checks/pod-security';
import { operatorStandIns, verifyProfileNetwork } from './checks/network/operators';
import type { MatrixRow } from './checks/network/verify';
import { profileWiring } from './checks/wiring/profile';
import { checkSchemas } from './checks/schema';
import { type CompiledObject, type CompileOptions, compileConfig, type Manifest } from './compile';
import { type ChartRevision, helmChart, readChartRevision } from './delivery/helm-chart';
import { withDeliveryMetadata } from './delivery/ordering';
import { runtimeOwnedFields, withFluxOwnership } from './delivery/runtime-owned';
import { kustomizations, PHASE_ORDER } from './output/kustomize';
import { APPLICATIONSET_FILE, applicationSet, applicationSetKey, gitopsObjects } from './delivery/gitops';
import { fileHeader, manifestPath, objectFileName } from './output/layout';
import type { ProfileFiles } from './output/write';
import { toYaml } from './output/yaml';
import { infraFiles } from './infra/environment';
import { localBuildFiles } from './components/local-modules';
import type { Config } from './profile/config.generated';
import type { LoadedProfile, LoadOptions } from './profile/load';
import { type Diagnostic, formatPath, ProfileError } from './profile/errors';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadValidProfile } from './profile/validate';
import { RESERVED_ENVIRONMENT_TYPES } from './profile/formats';
import { runningProfileOf } from './profile/running';
import { kubernetesVersionProblem, targetKubernetesVersion } from './model/kubernetes-versions';

import { CheckError } from './checks/check-error';

export { CheckError };
// What the commands use beside buildProfile, loaded with the compiler (src/incremental/run.ts loads it lazily).
export { clusterSiblings, clusterViewProblems, profileCluster } from './checks/cluster-view';
export { compileConfig } from './compile';
export { formatConnections } from './checks/wiring/check';
export { profileWiring };

export interface BuiltProfile extends ProfileFiles {
  objects: CompiledObject[];
  config: Config;
  /** Deprecated apiVersions the profile's objects use (a later Kubernetes version removes them). */
  warnings: string[];
  /** Every file compiled from: the profile file, its layers, its chart archives (src/incremental/record.ts). */
  sources: string[];
  /** [absolute path, sha256] of each of `sources` as this compile read it: what its cache record says. */
  inputs: [string, string][];
}

export interface BuildOptions extends CompileOptions {
  /** Compile for this Kubernetes version instead of the profile's (`npm run synth -- --kubernetes-version`). */
  kubernetesVersion?: string;
  /**
   * The output folder (dist) holding the profile's previous output: its chart's revision is the
   * base of the new chart version. Without it the chart is revision 1.
   */
  outDir?: string;
}

/** Profile reference to checked files: load, validate, compile, check, render. Writes nothing. */
export function buildProfile(ref: string, profilesDir: string, options: BuildOptions = {}, readRules: LoadOptions = {}): BuiltProfile {
  // Every problem of the profile at once: its secrets' and its schema's.
  const { loaded, config: valid } = loadValidProfile(ref, profilesDir, readRules);
  const archiveDigests = new Map<string, string>();
  const validated = resolveChartArchives(loaded, valid, archiveDigests);
  if (options.kubernetesVersion !== undefined && kubernetesVersionProblem(options.kubernetesVersion))
    throw new Error(`Kubernetes version outside the window: ${kubernetesVersionProblem(options.kubernetesVersion)}`);
  const config = options.kubernetesVersion === undefined ? validated : { ...validated, kubernetes_version: options.kubernetesVersion };
  // A release is checked against the aura-system of the profile it runs beside.
  const running = runningProfileOf(loaded, validated, profilesDir, readRules);
  const compiled = compileWithNames(loaded.name, config, options);
  const runtimeOwned = runtimeOwnedFields(compiled, config.aura_operator_enabled);
  const objects = compiled.map((o) => withDeliveryMetadata(withFluxOwnership(o, runtimeOwned)));
  const manifests = objects.map((o) => o.manifest);
  const gitops = gitopsObjects(config, loaded.name, PHASE_ORDER.filter((p) => objects.some((o) => o.phase === p)), runtimeOwned, manifests);
  const warnings: string[] = [...profileWarnings(config)];
  // Every object, the GitOps ones included, against the API of the version the cluster runs.
  const schemaOptions = { kubernetesVersion: targetKubernetesVersion(config), warn: (w: string) => warnings.push(w) };
  // The reachability matrix once: the network check's, shared with the wiring check where it is the same (sharedMatrix).
  const network = verifyProfileNetwork(manifests, config);
  const problems = [
    ...checkSchemas(objects, schemaOptions),
    ...checkSchemas([...gitops.values()].flat().map((manifest) => ({ manifest })), schemaOptions),
    ...checkKubernetesNames(manifests),
    ...checkKubernetesNames([...gitops.values()].flat()),
    ...checkInvariants(objects),
    ...checkNetworkPolicies(manifests),
    ...checkPodSecurity(manifests),
    ...network.problems,
    ...profileWiring(config, manifests, running && { ...running.config, kubernetes_version: config.kubernetes_version }, sharedMatrix(manifests, config, network.rows)).errors,
  ];
  if (problems.length) throw new CheckError(loaded.name, problems);
  const archives = [config.operators.eck.chart_archive, config.operators.mongodb_atlas.chart_archive].filter((a): a is string => !!a);
  // Layer files are named as displayed (relative to the working folder): made absolute, the profile file first.
  const sources = [...new Set([loaded.file, ...loaded.layers.map((l) => resolve(l.file)), ...(running?.files ?? []), ...archives])];
  // The hashes of the bytes this compile read (the profile file is the last layer), not of the files as they are afterwards.
  const digests = new Map<string, string>([...(running?.digests ?? []), ...loaded.layers.map((l) => [resolve(l.file), l.digest] as const), ...archiveDigests]);
  const inputs = sources.map((file) => [file, digests.get(file)!] as [string, string]);
  const previousChart = options.outDir ? readChartRevision(join(options.outDir, loaded.name)) : undefined;
  return { name: loaded.name, objects, config, warnings, sources, inputs, files: renderProfile(loaded.name, config, objects, gitops, previousChart) };
}

/**
 * The network check's matrix, as the wiring check of a profile with its own cluster would compute
 * it over the profile's objects alone, or undefined where it might differ. The network check adds
 * stand-ins for the chart-installed operators (a Namespace and a pod each); a policy selects pods
 * of its own namespace only, so the matrix between the profile's pods is the same unless a
 * stand-in's namespace is one of theirs (its labels would count) or a stand-in is named like one
 * of their workloads (the wiring check tells sources by name). A tenant's or release's wiring
 * check reaches its parent's objects: it computes its own.
 */
export function sharedMatrix(manifests: readonly Manifest[], config: Config, rows: readonly MatrixRow[]): readonly MatrixRow[] | undefined {
  const standIns = operatorStandIns(config);
  const namespaces = new Set(manifests.flatMap((m) => (m.kind === 'Namespace' ? [m.metadata.name] : m.metadata.namespace ? [m.metadata.namespace] : [])));
  const names = new Set(manifests.map((m) => m.metadata.name));
  const apart = standIns.every((s) => (s.kind === 'Namespace' ? !namespaces.has(s.metadata.name) : !names.has(s.metadata.name) && !namespaces.has(s.metadata.namespace!)));
  return apart ? rows : undefined;
}

/** What compiles but deserves a second look, in the guide's words. */
export function profileWarnings(config: Config): string[] {
  const type = config.environment_type;
  if ((RESERVED_ENVIRONMENT_TYPES as readonly string[]).includes(type)) return [];
  return [
    `environment_type ${type} is not one of the types the guide reserves for the OBs (${RESERVED_ENVIRONMENT_TYPES.join(', ')}): the guide asks to agree another type with the Aura Team before using it, since it names the environment, its DNS entries and its Azure resources`,
  ];
}

/**
 * A chart archive path is relative to the profile file that sets it; the compiler gets it
 * absolute. A missing archive is a profile error at that key.
 */
function resolveChartArchives(loaded: LoadedProfile, config: Config, digests: Map<string, string>): Config {
  const operators = { ...config.operators };
  const diagnostics: Diagnostic[] = [];
  for (const key of ['eck', 'mongodb_atlas'] as const) {
    const archive = operators[key].chart_archive;
    if (!archive) continue;
    const path = formatPath(['operators', key, 'chart_archive']);
    const layer = [...loaded.layers].reverse().find((l) => l.positions.has(path))!;
    const absolute = resolve(dirname(layer.file), archive);
    const problem = chartArchiveProblem(absolute);
    if (problem) diagnostics.push({ file: layer.file, ...layer.positions.get(path), path, message: problem });
    // Hashed before the compile reads it: an archive changed meanwhile leaves a record that no longer matches.
    else digests.set(absolute, createHash('sha256').update(readFileSync(absolute)).digest('hex'));
    operators[key] = { ...operators[key], chart_archive: absolute };
  }
  if (diagnostics.length) throw new ProfileError(loaded.name, diagnostics);
  return { ...config, operators };
}

/**
 * cdk8s refuses two constructs of one id with a stack trace; two profile entries that map to
 * one object name (nlp_packages keys, users) are a profile problem, said so.
 */
function compileWithNames(profile: string, config: Config, options: CompileOptions): CompiledObject[] {
  try {
    return compileConfig(config, options);
  } catch (e) {
    if (e instanceof Error && /There is already a Construct with name/.test(e.message))
      throw new CheckError(profile, ['two profile entries map to one object name (for example two nlp_packages keys that differ only in case, "_" or "."); rename one']);
    throw e;
  }
}

/** Why a chart archive cannot be used (a missing file, a folder, a device, too large), or undefined. */
function chartArchiveProblem(file: string): string | undefined {
  if (!/\.(tgz|tar\.gz)$/.test(file)) return 'a chart archive is a .tgz file (helm package)';
  try {
    const st = statSync(file);
    if (!st.isFile()) return 'the chart archive named here is not a regular file';
    if (st.size > 64 * 1024 * 1024) return 'the chart archive named here is larger than 64 MiB';
    return undefined;
  } catch (e) {
    return `no chart archive at the path named here (relative to this profile file): ${(e as NodeJS.ErrnoException).code}`;
  }
}

/** Everything under dist/<profile>/: the manifests, the Azure templates' parameters and the environment facts. */
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
  for (const [path, content] of infraFiles(config)) files.set(path, content);
  for (const [path, content] of localBuildFiles(config)) files.set(path, content);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function renderFiles(profile: string, objects: readonly CompiledObject[]): Map<string, string> {
  const files = new Map<string, string>();
  const header = fileHeader(profile);
  for (const o of objects) files.set(manifestPath(o), toYaml(o.manifest, header));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The grouping key of the ApplicationSet a profile's settings give (profiles compiled together share it). */
export const applicationSetKeyOf = (config: Config) => applicationSetKey(config);

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

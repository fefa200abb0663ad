import { dirname, resolve } from 'node:path';
import type { Config } from './config.generated';
import { ProfileError } from './errors';
import { type LoadedProfile, type LoadOptions, listProfiles, loadProfile, positionOf } from './load';
import { validateProfile } from './validate';

/** The profile a release runs beside: the one whose aura-system, CRDs and cluster its clients reach. */
export interface RunningProfile {
  name: string;
  config: Config;
  /** Its files (the profile and its layers): a release's checks depend on them. */
  files: string[];
  /** sha256 of each of `files` as read (a cache record's inputs, src/incremental/record.ts). */
  digests: Map<string, string>;
}

/**
 * A release (`core_only: true`) compiles its core phase only; its clients reach the aura-system
 * of the environment's running profile on the same cluster. That profile is the deployable
 * profile the release extends (nearest first, the `extends: de-pro` of docs/releases-and-migrations.md), or else the one
 * profile of the profiles folder on the same cluster and tenant that is not a release itself.
 * It must be of the same environment and cluster: what it runs is what the release is checked
 * against. Undefined for a profile that is not a release.
 */
export function runningProfileOf(release: LoadedProfile, config: Config, profilesDir: string, readRules: LoadOptions = {}): RunningProfile | undefined {
  if (!config.core_only) return undefined;
  const inFolder = (file: string) => resolve(dirname(file)) === resolve(profilesDir);
  const fail = (path: string[], message: string): never => {
    throw new ProfileError(release.name, [{ ...positionOf(release, path), path: path.join('.'), message }]);
  };
  // The layers, most general first, the release's own file last: the nearest deployable profile it extends.
  const extended = release.layers
    .slice(0, -1)
    .map((l) => resolve(l.file))
    .filter(inFolder)
    .reverse();
  const candidate = extended[0] ?? siblingOf(release, config, profilesDir, readRules, fail);
  const name = candidate.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
  const loaded = loadProfile(candidate, profilesDir, readRules);
  const running = validateProfile(loaded);
  const how = extended.length ? ['extends'] : ['core_only'];
  if (running.core_only) fail(how, `${name} is a release itself (core_only: true); a release runs beside its environment's running profile: extend that one`);
  for (const key of ['cluster_name', 'environment_profile', 'environment_type', 'tenant_name'] as const)
    if (running[key] !== config[key]) fail([key], `differs from the running profile ${name} that this release runs beside (core_only: true); a release runs on its running profile's cluster, in its environment`);
  if (running.release_suffix === config.release_suffix)
    fail(['release_suffix'], `is the running profile ${name}'s own; a release beside it needs a core namespace of its own`);
  return { name: loaded.name, config: running, files: loaded.layers.map((l) => resolve(l.file)), digests: new Map(loaded.layers.map((l) => [resolve(l.file), l.digest])) };
}

/** The one deployable profile of the folder that runs the release's cluster and tenant (a release that extends layers only). */
function siblingOf(release: LoadedProfile, config: Config, profilesDir: string, readRules: LoadOptions, fail: (path: string[], message: string) => never): string {
  const matches = listProfiles(profilesDir).filter((name) => {
    const file = resolve(profilesDir, `${name}.yaml`);
    if (file === resolve(release.file)) return false;
    try {
      const c = validateProfile(loadProfile(name, profilesDir, readRules));
      return !c.core_only && c.cluster_name === config.cluster_name && c.tenant_name === config.tenant_name;
    } catch {
      // An invalid profile is reported when it is compiled itself.
      return false;
    }
  });
  if (matches.length !== 1)
    fail(
      ['core_only'],
      matches.length
        ? `a release runs beside one running profile, and ${matches.join(' and ')} run this cluster; extend the one this release runs beside (extends: <profile>)`
        : `a release runs beside its environment's running profile, whose aura-system its clients reach; no profile of the profiles folder runs this cluster: extend it (extends: <profile>)`,
    );
  return resolve(profilesDir, `${matches[0]}.yaml`);
}

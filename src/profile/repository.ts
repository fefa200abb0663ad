import { join } from 'node:path';
import type { FileRules } from './source-scan';

/** The repository: profiles and their layers are read from inside it unless --allow-outside-repo. */
export const REPOSITORY_ROOT = join(__dirname, '..', '..');
/** Where profile names (de-pro) are looked up unless a command is given --profiles. */
export const DEFAULT_PROFILES_DIR = join(REPOSITORY_ROOT, 'profiles');

/**
 * The one read rule of every command: profile and layer files are read from the repository and
 * the chosen profiles folder, or from anywhere with --allow-outside-repo (AURA_ALLOW_OUTSIDE_REPO=1
 * for the cdk8s app, which takes no options).
 */
export function profileReadRules(profilesDir: string, allowOutside: boolean | undefined): FileRules {
  return allowOutside ? {} : { roots: [REPOSITORY_ROOT, profilesDir] };
}

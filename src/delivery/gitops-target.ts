import type { Phase } from '../model/phases';
import { GITOPS_FOLDER } from '../output/layout';
import { MANAGED_BY, PART_OF } from '../platform/labels';
import type { Config } from '../profile/config.generated';
import type { RuntimeOwnedField } from './runtime-owned';

/** Folders of dist/<profile>/gitops/: one per tool, each holding manifests only (Flux requires it). */
export const ARGOCD_FOLDER = `${GITOPS_FOLDER}/argocd`;
export const FLUX_FOLDER = `${GITOPS_FOLDER}/flux`;
export const FLUX_OPERATORS_FOLDER = `${GITOPS_FOLDER}/flux-operators`;

/** Where one profile's output lives in the Git repository. */
export interface Target {
  config: Config;
  /** The profile's folder under the output path (dist/<profile>). */
  profileDir: string;
  env: string;
  phases: Phase[];
  /** Fields the cluster's controllers own at run time: Argo CD ignores them. */
  runtimeOwned: readonly RuntimeOwnedField[];
}

export const OWNER_LABELS = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': PART_OF };
export const labelsOf = (env: string) => ({ 'app.kubernetes.io/instance': env, ...OWNER_LABELS });

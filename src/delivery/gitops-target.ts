import type { Manifest } from '../model/manifest';
import type { Phase } from '../model/phases';
import { GITOPS_FOLDER } from '../output/layout';
import { COMPONENT_LABEL, MANAGED_BY, PART_OF, VERSION_LABEL } from '../platform/labels';
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
  /** The profile's compiled objects: their namespaces and cluster-scoped kinds bound its Argo CD project. */
  objects: readonly Manifest[];
}

export const OWNER_LABELS = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': PART_OF, [COMPONENT_LABEL]: 'gitops' };
/** The GitOps objects of a profile deliver its release: they carry its version like every object they deploy. */
export const labelsOf = (t: Target) => ({ 'app.kubernetes.io/instance': t.env, ...OWNER_LABELS, [VERSION_LABEL]: t.config.images.tag });
/** Where Argo CD itself runs: the Applications and projects are created there, whatever cluster they deploy to. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

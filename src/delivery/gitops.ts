import { App, Chart } from 'cdk8s';
import type { Manifest } from '../model/manifest';
import type { Phase } from '../model/phases';
import { instanceName } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { argoCd } from './argocd';
import type { RuntimeOwnedField } from './runtime-owned';
import { flux, fluxOperators } from './flux';
import { ARGOCD_FOLDER, FLUX_FOLDER, FLUX_OPERATORS_FOLDER, type Target } from './gitops-target';

export { APPLICATIONSET_FILE, applicationSet, applicationSetKey } from './applicationset';
export { ARGOCD_FOLDER, FLUX_FOLDER, FLUX_OPERATORS_FOLDER } from './gitops-target';
export { profileProject } from './argocd';

/**
 * The GitOps objects of one profile, by folder: Argo CD Applications, Flux's entry objects and
 * the operators Flux installs. Returned as plain manifests for the same checks and rendering as
 * the platform's objects.
 */
export function gitopsObjects(config: Config, profile: string, phases: Phase[], runtimeOwned: readonly RuntimeOwnedField[] = [], objects: readonly Manifest[] = []): Map<string, Manifest[]> {
  const t: Target = { config, profileDir: `${config.gitops.output_path}/${profile}`, env: instanceName(config), phases, runtimeOwned, objects };
  const app = new App({ outdir: '/nonexistent' });
  const out = new Map<string, Manifest[]>();
  for (const [folder, build] of [
    [ARGOCD_FOLDER, argoCd],
    [FLUX_FOLDER, flux],
    [FLUX_OPERATORS_FOLDER, fluxOperators],
  ] as const) {
    const chart = new Chart(app, folder.replace('/', '-'), { disableResourceNameHashes: true });
    build(chart, t);
    const manifests = chart.toJson() as Manifest[];
    if (manifests.length) out.set(folder, manifests);
  }
  return out;
}


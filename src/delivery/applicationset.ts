import { ApiObject, App, Chart } from 'cdk8s';
import type { Manifest } from '../model/manifest';
import type { Config } from '../profile/config.generated';
import { ARGOCD_FOLDER, OWNER_LABELS } from './gitops-target';

// Beside the profile folders: the ApplicationSet that creates every profile's parent Application.
// Named in output/layout.ts, which the CLI reads without loading cdk8s.
export { APPLICATIONSET_FILE } from '../output/layout';

/** Settings every profile must share for one ApplicationSet to cover them all. */
export const applicationSetKey = (c: Config) =>
  JSON.stringify([c.gitops.repository, c.gitops.revision, c.gitops.output_path, c.gitops.argocd_namespace, c.gitops.argocd_project]);

/**
 * One ApplicationSet for every profile: a Git directory generator finds each dist/<profile>/
 * gitops/argocd folder and makes an app-of-apps Application for it, whose children (the
 * profile's operator and phase Applications) carry the sync waves. A new profile is picked up
 * by the commit that adds its folder; nothing here lists profiles.
 */
export function applicationSet(c: Config): Manifest {
  const g = c.gitops;
  const profileSegment = g.output_path.split('/').length;
  const app = new App({ outdir: '/nonexistent' });
  const chart = new Chart(app, 'applicationset', { disableResourceNameHashes: true });
  // Not imported: the generated code of the ApplicationSet CRD is 3.3 MB. The strict schema check covers it.
  new ApiObject(chart, 'aura', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'aura', namespace: g.argocd_namespace, labels: OWNER_LABELS },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: g.repository, revision: g.revision, directories: [{ path: `${g.output_path}/*/${ARGOCD_FOLDER}` }] } }],
      template: {
        metadata: { name: `aura-{{ index .path.segments ${profileSegment} }}`, labels: OWNER_LABELS },
        spec: {
          project: g.argocd_project,
          source: { repoURL: g.repository, targetRevision: g.revision, path: '{{ .path.path }}' },
          // The children are Argo CD Applications: they live beside Argo CD, whatever cluster they deploy to.
          destination: { server: 'https://kubernetes.default.svc', namespace: g.argocd_namespace },
          syncPolicy: { automated: { prune: true, selfHeal: true } },
        },
      },
    },
  });
  return chart.toJson()[0] as Manifest;
}

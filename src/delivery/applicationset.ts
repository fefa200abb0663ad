import { ApiObject, App, Chart } from 'cdk8s';
import type { Manifest } from '../model/manifest';
import { VERSION_LABEL } from '../platform/labels';
import type { Config } from '../profile/config.generated';
import { ARGOCD_FOLDER, IN_CLUSTER, OWNER_LABELS } from './gitops-target';

// Beside the profile folders: the fleet's AppProject and the ApplicationSet that creates every
// profile's parent Application. Named in output/layout.ts, which the CLI reads without loading cdk8s.
export { APPLICATIONSET_FILE } from '../output/layout';

/** Settings every profile must share for one ApplicationSet to cover them all. */
export const applicationSetKey = (c: Config) =>
  JSON.stringify([c.gitops.repository, c.gitops.revision, c.gitops.output_path, c.gitops.argocd_namespace, c.gitops.argocd_project]);

const PACKAGE_VERSION: string = require('../../package.json').version;
/** The fleet's objects serve every profile, whatever release each runs: they carry the compiler's version. */
const FLEET_LABELS = { ...OWNER_LABELS, [VERSION_LABEL]: PACKAGE_VERSION };

/**
 * The fleet's objects, beside the profile folders: its Argo CD project, then one ApplicationSet
 * for every profile. A Git directory generator finds each dist/<profile>/gitops/argocd folder
 * and makes an app-of-apps Application for it, whose children (the profile's project, operator
 * and phase Applications) carry the sync waves. A new profile is picked up by the commit that
 * adds its folder; nothing here lists profiles.
 *
 * The fleet project allows only what those parent Applications do: read this repository and
 * create Applications and projects in Argo CD's namespace. Deleting the ApplicationSet keeps
 * what the Applications deployed (preserveResourcesOnDeletion), as their missing finalizer does.
 */
export function applicationSet(c: Config): Manifest[] {
  const g = c.gitops;
  const profileSegment = g.output_path.split('/').length;
  const app = new App({ outdir: '/nonexistent' });
  const chart = new Chart(app, 'applicationset', { disableResourceNameHashes: true });
  new ApiObject(chart, 'project', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: g.argocd_project, namespace: g.argocd_namespace, labels: FLEET_LABELS },
    spec: {
      description: 'Aura fleet: the parent Application of each profile, which creates that profile\'s project and Applications.',
      sourceRepos: [g.repository],
      destinations: [{ server: IN_CLUSTER, namespace: g.argocd_namespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
    },
  });
  // Not imported: the generated code of the ApplicationSet CRD is 3.3 MB. The strict schema check covers it.
  new ApiObject(chart, 'aura', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'aura', namespace: g.argocd_namespace, labels: FLEET_LABELS },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: g.repository, revision: g.revision, directories: [{ path: `${g.output_path}/*/${ARGOCD_FOLDER}` }] } }],
      syncPolicy: { preserveResourcesOnDeletion: true },
      template: {
        metadata: { name: `aura-{{ index .path.segments ${profileSegment} }}`, labels: FLEET_LABELS },
        spec: {
          project: g.argocd_project,
          source: { repoURL: g.repository, targetRevision: g.revision, path: '{{ .path.path }}' },
          // The children are Argo CD Applications: they live beside Argo CD, whatever cluster they deploy to.
          destination: { server: IN_CLUSTER, namespace: g.argocd_namespace },
          syncPolicy: { automated: { prune: true, selfHeal: true } },
        },
      },
    },
  });
  return chart.toJson() as Manifest[];
}

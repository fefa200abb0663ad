import type { PathSegment } from '../errors';

/**
 * The installer's defaults that are not the profile schema's `default`: values the guide gives as
 * Jinja templates (resolved with the config's own variables), and the one default this project
 * deliberately changed. A config.yml that leaves such a key out ran with this value, so the import
 * writes it into the profile when the compiler would derive another one.
 *
 * `sameAsCompiler`: the compiler derives the same value when the key is absent (test/profile/
 * import.test.ts proves it on every shipped profile), so an equal value is left out of the profile.
 */
export interface InstallerDefault {
  path: PathSegment[];
  /** A Jinja template of the guide, or a literal. */
  template?: string;
  value?: unknown;
  sameAsCompiler: boolean;
  /** The guide's words for it, quoted. */
  guide: string;
}

export const INSTALLER_DEFAULTS: InstallerDefault[] = [
  { path: ['atlas_project_name'], template: 'aura-project-{{ environment_name }}', sameAsCompiler: true, guide: 'atlas_project_name: "aura-project-{{ environment_name }}"' },
  {
    path: ['atlas_cluster_name'],
    template: "{{ environment_name }}{{ atlas_mongo_major_version | replace('.', '') }}",
    sameAsCompiler: true,
    guide: `atlas_cluster_name: "{{ environment_name }}{{ atlas_mongo_major_version | replace('.', '') }}"`,
  },
  { path: ['fourth_platform', 'apigw_url'], template: 'https://api.{{environment_profile}}-{{environment_type}}.baikalplatform.com', sameAsCompiler: true, guide: 'Usually, https://api.{{environment_profile}}-{{environment_type}}.baikalplatform.com' },
  { path: ['fourth_platform', 'apigw_url_context'], template: '{{environment_profile}}-{{environment_type}}.baikalplatform.com', sameAsCompiler: true, guide: 'Usually {{environment_profile}}-{{environment_type}}.baikalplatform.com' },
  { path: ['fourth_platform', 'authserver_url'], template: 'https://auth.{{environment_profile}}-{{environment_type}}.baikalplatform.com/', sameAsCompiler: true, guide: 'Usually https://auth.{{environment_profile}}-{{environment_type}}.baikalplatform.com/' },
  { path: ['genesys', 'push_provider'], template: 'aura-{{ environment_name }}', sameAsCompiler: true, guide: 'By default is set with the aura-{{ environment_name }}' },
  // Ours is false: each cluster writes its own folder of the shared account. The installer's
  // repository was read-only unless said otherwise; a takeover keeps that until it is changed.
  { path: ['eck_azure_snapshot_readonly'], value: true, sameAsCompiler: false, guide: 'this repository will be readonly by default' },
];

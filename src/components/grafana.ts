import { join } from 'node:path';
import { folderReader } from '../util/repository-folder';
import type { Config } from '../profile/config.generated';
import { emitYaml } from '../util/emit';
import { backofficePasswordSecret } from '../profile/secrets';
import { JOB_DEADLINES, JOB_FILES, JOB_IMAGES, runScript, SCRIPT_ENV, scriptFiles } from './job-tools';
import { SINGLETON, type Component, type Platform, type ResourceSpec } from '../platform/types';

/**
 * Grafana, reading metrics through the Thanos querier so dashboards see the long-term blocks
 * too, and the Job that creates its users: the first dashboards user is the admin, the others
 * read-only.
 */
const MEDIUM: ResourceSpec = { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };
const SMALL: ResourceSpec = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };

/** The repository folder of the Grafana dashboards, one JSON file each, edited as JSON. */
export const DASHBOARDS_DIR = join(__dirname, '..', '..', 'dashboards');
/** The uid of the Thanos data source every panel queries. */
export const GRAFANA_DATASOURCE_UID = 'thanos';
/** The guide's label of the official dashboards, replaced on every deployment. */
export const OFFICIAL_DASHBOARD_TAG = 'baikal';

/** Every dashboard file, and whether a profile gets it. */
export const DASHBOARDS: { file: string; enabled: (c: Config) => boolean }[] = [
  { file: 'aura-overview.json', enabled: () => true },
  { file: 'kubernetes-storage.json', enabled: () => true },
  { file: 'elasticsearch.json', enabled: () => true },
  { file: 'redis-mongodb.json', enabled: () => true },
  { file: 'nginx-plus.json', enabled: (c) => c.nginx_plus_enabled },
];

/** A dashboard's JSON text, read once per process. */
export const dashboardText = folderReader(DASHBOARDS_DIR);

/** The dashboards of a profile, by file name, as Grafana's file provider reads them. */
export const dashboardFiles = (c: Config): Record<string, string> =>
  Object.fromEntries(DASHBOARDS.filter((d) => d.enabled(c)).map((d) => [d.file, dashboardText(d.file)]));

/** Where Grafana's pods mount the dashboards ConfigMap. */
export const DASHBOARDS_MOUNT = '/var/lib/grafana/dashboards/aura';

/**
 * Grafana's dashboard provider: the official dashboards from the mounted folder, in the folder
 * "Aura"; edits in the UI are not kept (the guide: they are replaced on every deployment).
 */
export const dashboardProvider = (): string =>
  emitYaml({
    apiVersion: 1,
    providers: [{
      name: 'aura', orgId: 1, folder: 'Aura', type: 'file', disableDeletion: true, allowUiUpdates: false, updateIntervalSeconds: 60,
      options: { path: DASHBOARDS_MOUNT, foldersFromFilesStructure: false },
    }],
  });

const grafanaDatasources = (p: Platform) =>
  emitYaml({
    apiVersion: 1,
    datasources: [{ name: 'Thanos', uid: GRAFANA_DATASOURCE_UID, type: 'prometheus', access: 'proxy', isDefault: true, url: p.endpoint('thanos-querier', 'http').url('http') }],
  });

/** The first dashboards user is Grafana's admin. */
export const dashboardUsers = (c: Config) => c.backoffice_users.dashboards.map((u) => u.name);

export const grafana: Component = {
  name: 'grafana',
  workloads: [
    {
      name: 'grafana', phase: 'system', talksTo: ['thanos'], workload: 'StatefulSet', image: 'thirdparty/grafana', imageTag: '11.2.0', scale: SINGLETON,
      ports: [{ name: 'http', port: 3000 }], resources: MEDIUM, scrape: { port: 'http' }, volume: { mountPath: '/var/lib/grafana', size: '10Gi' },
      files: (p) => ({ 'datasources.yaml': grafanaDatasources(p) }), filesPath: '/etc/grafana/provisioning/datasources',
      fileSets: [
        { name: 'dashboard-providers', mountPath: '/etc/grafana/provisioning/dashboards', files: () => ({ 'aura.yaml': dashboardProvider() }) },
        { name: 'dashboards', mountPath: DASHBOARDS_MOUNT, files: (p) => dashboardFiles(p.config) },
      ],
      env: ({ config: c }) => ({ GF_SECURITY_ADMIN_USER: dashboardUsers(c)[0] ?? '', GF_USERS_ALLOW_SIGN_UP: false, GF_AUTH_ANONYMOUS_ENABLED: false }),
      secrets: ({ config: c }): Record<string, string> => ({ GF_SECURITY_ADMIN_PASSWORD: `kv:${backofficePasswordSecret('dashboards', dashboardUsers(c)[0] ?? '')}` }),
    },
    {
      // The viewers, through Grafana's API as its admin (scripts/grafana.py users): a re-run changes nothing.
      name: 'grafana-provision', app: 'grafana', phase: 'system', talksTo: ['grafana'], workload: 'Job', ...JOB_IMAGES.python, ports: [], resources: SMALL,
      deadlineSeconds: JOB_DEADLINES.provision, files: () => scriptFiles('grafana.py', 'aura_http.py'), filesPath: JOB_FILES,
      command: () => runScript('python3', 'grafana.py', 'users'),
      env: (p) => ({
        ...SCRIPT_ENV,
        GRAFANA_URL: p.endpoint('grafana', 'http').url('http'),
        GRAFANA_ADMIN_USER: dashboardUsers(p.config)[0] ?? '',
        GRAFANA_VIEWERS: dashboardUsers(p.config).slice(1).join(','),
      }),
      secrets: ({ config: c }): Record<string, string> =>
        Object.fromEntries(dashboardUsers(c).map((u, i) => [i === 0 ? 'GRAFANA_ADMIN_PASSWORD' : `GRAFANA_VIEWER_${i}_PASSWORD`, `kv:${backofficePasswordSecret('dashboards', u)}`])),
    },
  ],
  policies: [{ target: 'grafana', ports: ['http'], form: 'pod-in-namespace' }],
  routes: [{ name: 'dashboards', to: 'grafana', port: 'http', allow: (c) => c.service_whitelist_source_ranges.dashboard, public: false, backoffice: 'dashboards' }],
};

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../profile/config.generated';
import { emitYaml } from '../output/emit';

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

const cache = new Map<string, string>();
/** A dashboard's JSON text, read once per process. */
export function dashboardText(file: string): string {
  if (!cache.has(file)) cache.set(file, readFileSync(join(DASHBOARDS_DIR, file), 'utf8'));
  return cache.get(file)!;
}

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

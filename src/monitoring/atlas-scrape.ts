import type { Config } from '../profile/config.generated';
import { ATLAS_JOB } from './rules/mongodb';

/** Where the Key Vault secret of the atlasprometheus user is mounted in the Prometheus pods. */
export const ATLAS_PROMETHEUS_PASSWORD_FILE = '/mnt/secrets-store/atlas-prometheus-password';
/** The user the AtlasProject's Prometheus integration creates (the guide's name). */
export const ATLAS_PROMETHEUS_USER = 'atlasprometheus';

/**
 * The scrape job of the Atlas Prometheus integration: Atlas lists the project's metrics endpoints
 * at its discovery URL; both it and the endpoints take the integration's basic auth.
 */
export function atlasScrapeJob(c: Config): object[] {
  if (!c.atlas_enabled || !c.atlas_project_id) return [];
  const auth = { username: ATLAS_PROMETHEUS_USER, password_file: ATLAS_PROMETHEUS_PASSWORD_FILE };
  return [{
    job_name: ATLAS_JOB,
    scheme: 'https',
    metrics_path: '/metrics',
    basic_auth: auth,
    http_sd_configs: [{ url: `https://cloud.mongodb.com/prometheus/v1.0/groups/${c.atlas_project_id}/discovery`, refresh_interval: '60s', basic_auth: auth }],
  }];
}

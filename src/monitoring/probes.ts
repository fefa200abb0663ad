import type { Config } from '../profile/config.generated';
import { emitYaml } from '../output/emit';
import { serviceHost, SYSTEM_NAMESPACE } from '../platform/naming';

/** blackbox-exporter's listen port, where Prometheus sends each probe. */
export const BLACKBOX_PORT = 9115;
/** Probe modules: a TLS handshake (the certificate's expiry), and an HTTPS GET that must answer 2xx. */
export const BLACKBOX_MODULES = { tls: 'tls_connect', health: 'https_2xx' } as const;
/** Probe jobs, named as the blackbox rules and the runbooks read them. */
export const PROBE_JOBS = { tls: 'blackbox-tls', health: 'blackbox-health' } as const;

export const blackboxConfig = (): string =>
  emitYaml({
    modules: {
      [BLACKBOX_MODULES.tls]: { prober: 'tcp', timeout: '10s', tcp: { tls: true, preferred_ip_protocol: 'ip4' } },
      [BLACKBOX_MODULES.health]: {
        prober: 'http',
        timeout: '10s',
        http: { method: 'GET', valid_status_codes: [], fail_if_not_ssl: true, preferred_ip_protocol: 'ip4', follow_redirects: true },
      },
    },
  });

/** A probe job: each target is handed to blackbox-exporter as `?target=`, and stays the `instance` label. */
const probeJob = (job: string, module: string, targets: string[]) => ({
  job_name: job,
  metrics_path: '/probe',
  params: { module: [module] },
  static_configs: [{ targets }],
  relabel_configs: [
    { source_labels: ['__address__'], target_label: '__param_target' },
    { source_labels: ['__param_target'], target_label: 'instance' },
    { target_label: '__address__', replacement: `${serviceHost('blackbox-exporter', SYSTEM_NAMESPACE)}:${BLACKBOX_PORT}` },
  ],
});

/** The probe jobs of a profile: every public host on 443, and the external health endpoint when the profile names one. */
export function probeJobs(c: Config, publicHosts: string[]): object[] {
  return [
    ...(publicHosts.length ? [probeJob(PROBE_JOBS.tls, BLACKBOX_MODULES.tls, publicHosts.map((h) => `${h}:443`))] : []),
    ...(c.external_health_endpoint ? [probeJob(PROBE_JOBS.health, BLACKBOX_MODULES.health, [c.external_health_endpoint])] : []),
  ];
}

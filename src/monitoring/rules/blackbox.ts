import type { RuleSet } from '../alert-rules';

export const CERTIFICATE_WARNING_DAYS = 14;

/** The blackbox-exporter probes: each public host's TLS certificate, and the external health endpoint. */
export const BLACKBOX_RULES: RuleSet = {
  name: 'blackbox-exporter',
  rules: [
    {
      alert: 'CertificateExpiringSoon',
      expr: `probe_ssl_earliest_cert_expiry - time() < ${CERTIFICATE_WARNING_DAYS} * 86400`,
      severity: 'warning',
      summary: `The certificate of {{ $labels.instance }} expires within ${CERTIFICATE_WARNING_DAYS} days`,
      description: 'Renew the TLS certificate in Key Vault: the secrets store driver rolls it out to NGINX.',
    },
    {
      alert: 'ProbeFailed',
      expr: 'probe_success == 0',
      for: '5m',
      severity: 'critical',
      summary: 'Probe {{ $labels.job }} of {{ $labels.instance }} fails',
      description: '{{ $labels.instance }} has not answered the {{ $labels.job }} probe for 5 minutes: the public endpoint or the health check is down.',
    },
  ],
};

/** A Prometheus job that finds a Service's pods through its endpoints and scrapes one named port. */
export interface ServiceScrape {
  job: string;
  service: string;
  namespace: string;
  port: string;
  /**
   * Discover in every namespace and keep those this regex matches, instead of `namespace` alone:
   * core services also run in every tenant's namespace, which the cluster's profile does not list.
   * @default only `namespace`
   */
  namespaceRegex?: string;
  /** @default /metrics */
  path?: string;
  /** URL parameters of every scrape (redis-exporter's `target`). @default none */
  params?: Record<string, string[]>;
  /** Keep the scraped `pod` and `namespace` labels (kube-state-metrics reports other objects'). @default false */
  honorLabels?: boolean;
}

export const endpointsJob = (s: ServiceScrape): Record<string, unknown> => ({
  job_name: s.job,
  ...(s.honorLabels ? { honor_labels: true } : {}),
  metrics_path: s.path ?? '/metrics',
  ...(s.params ? { params: s.params } : {}),
  kubernetes_sd_configs: [s.namespaceRegex ? { role: 'endpoints' } : { role: 'endpoints', namespaces: { names: [s.namespace] } }],
  relabel_configs: [
    ...(s.namespaceRegex ? [{ source_labels: ['__meta_kubernetes_namespace'], regex: s.namespaceRegex, action: 'keep' }] : []),
    { source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpoint_port_name'], regex: `${s.service};${s.port}`, action: 'keep' },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
  ],
});

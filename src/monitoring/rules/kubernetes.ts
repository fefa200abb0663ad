import type { RuleSet } from '../alert-rules';
import { ACTIVE_LISTENING_NAMESPACE } from '../../platform/system-catalog';

/** Every namespace the platform owns: aura-system, aura-<env>, aura-agents-<env> of every tenant, and active-listening. */
export const AURA_NAMESPACES = `aura-.+|${ACTIVE_LISTENING_NAMESPACE}`;

const volumeFree = (ns: string) =>
  `kubelet_volume_stats_available_bytes{namespace=~"${ns}"} / kubelet_volume_stats_capacity_bytes{namespace=~"${ns}"}`;

/** The kubelet reports every mounted volume's usage: Prometheus, Elasticsearch, the log buffers, the databases. */
export const KUBELET_RULES: RuleSet = {
  name: 'kubelet',
  rules: [
    {
      alert: 'PersistentVolumeFillingUp',
      expr: `${volumeFree(AURA_NAMESPACES)} < 0.15`,
      for: '15m',
      severity: 'warning',
      summary: 'Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is more than 85 % full',
      description: 'PVC {{ $labels.persistentvolumeclaim }} has less than 15 % free space. Grow it from the profile or reduce what it keeps before it fills.',
    },
    {
      alert: 'PersistentVolumeFull',
      expr: `${volumeFree(AURA_NAMESPACES)} < 0.05`,
      for: '5m',
      severity: 'critical',
      summary: 'Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is more than 95 % full',
      description: 'PVC {{ $labels.persistentvolumeclaim }} has less than 5 % free space: its workload stops writing soon.',
    },
  ],
};

/** Workload health from kube-state-metrics (its job keeps the namespace and pod labels of the objects it reports). */
export const KUBE_STATE_RULES: RuleSet = {
  name: 'kube-state-metrics',
  rules: [
    {
      alert: 'PodCrashLooping',
      expr: `max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", namespace=~"${AURA_NAMESPACES}"}[5m]) >= 1`,
      for: '15m',
      severity: 'warning',
      summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping',
      description: 'Kubernetes keeps restarting {{ $labels.container }} in pod {{ $labels.pod }}; read its previous log.',
    },
    {
      alert: 'HorizontalPodAutoscalerAtMaximum',
      // An HPA whose minimum equals its maximum is always "at maximum": it is not scaling, so not saturated.
      expr: `kube_horizontalpodautoscaler_status_current_replicas{namespace=~"${AURA_NAMESPACES}"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace=~"${AURA_NAMESPACES}"}
  and kube_horizontalpodautoscaler_spec_max_replicas > kube_horizontalpodautoscaler_spec_min_replicas`,
      for: '15m',
      severity: 'warning',
      summary: 'HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at its maximum for 15 minutes',
      description: 'The service cannot scale further: raise its maximum in service_replicas or find what loads it.',
    },
  ],
};

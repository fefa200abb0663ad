import type { Config } from '../profile/config.generated';
import { environmentName } from './naming';

export const PART_OF = 'aura';
export const MANAGED_BY = 'aura-manifests';

/**
 * Labels a workload's pods are selected by. `app` is what operators and the guide's network
 * policies use (`kubectl logs -l app=aura-bot`); several workloads may share one (the Thanos
 * parts are all `app: thanos`), so the name label makes each selector unique.
 */
export const selectorLabels = (name: string, app = name): Record<string, string> => ({ app, 'app.kubernetes.io/name': name });

/** The standard label set of every object we emit. */
export function standardLabels(name: string, c: Config, app = name): Record<string, string> {
  return {
    ...selectorLabels(name, app),
    'app.kubernetes.io/instance': environmentName(c),
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** The pod label a client carries to reach a target, and the namespace label of its namespace. */
export const podAccessLabel = (target: string): string => `networking/allow-pod-${target}-access`;
export const namespaceAccessLabel = (target: string): string => `networking/allow-namespace-${target}-access`;

import type { Config } from '../profile/config.generated';
import { environmentName } from './naming';

export const PART_OF = 'aura';
export const MANAGED_BY = 'aura-manifests';

/** Labels a workload's pods are selected by: `kubectl logs -l app=aura-bot` relies on them. */
export const selectorLabels = (app: string): Record<string, string> => ({ app });

/** The standard label set of every object we emit. */
export function standardLabels(app: string, c: Config): Record<string, string> {
  return {
    ...selectorLabels(app),
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/instance': environmentName(c),
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

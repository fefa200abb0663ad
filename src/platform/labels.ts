import type { Config } from '../profile/config.generated';
import { instanceName } from './naming';

export const PART_OF = 'aura';
export const MANAGED_BY = 'aura-manifests';
export const VERSION_LABEL = 'app.kubernetes.io/version';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

/**
 * Labels a workload's pods are selected by. `app` is what operators and the guide's network
 * policies use (`kubectl logs -l app=aura-bot`); several workloads may share one (the Thanos
 * parts are all `app: thanos`), so the name label makes each selector unique.
 */
export const selectorLabels = (name: string, app = name): Record<string, string> => ({ app, 'app.kubernetes.io/name': name });

/**
 * The standard label set of every object we emit. The component is the platform component the
 * object belongs to (its `app`: every Thanos part is `thanos`, a component's network policy is
 * the component's); the version is what it runs: the Aura release (images.tag) unless the
 * component pins its own (a third-party image's tag). Pinned versions keep an Aura release from
 * restarting third-party pods for a label. Neither label is in a selector: a selector cannot
 * change, a version does.
 */
export function standardLabels(name: string, c: Config, app = name, version = c.images.tag): Record<string, string> {
  return {
    ...selectorLabels(name, app),
    [COMPONENT_LABEL]: app,
    [VERSION_LABEL]: version,
    'app.kubernetes.io/instance': instanceName(c),
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** The pod label a client carries to reach a target, and the namespace label of its namespace. */
export const podAccessLabel = (target: string): string => `networking/allow-pod-${target}-access`;
export const namespaceAccessLabel = (target: string): string => `networking/allow-namespace-${target}-access`;

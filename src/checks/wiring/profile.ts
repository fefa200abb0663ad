import { compileConfig, type Manifest } from '../../compile';
import { hasOwnCluster } from '../../platform/naming';
import type { Config } from '../../profile/config.generated';
import { checkWiring, type WiringReport } from './check';

/**
 * The wiring of a compiled profile. A tenant runs on its parent's cluster: its clients reach the
 * parent's aura-system, which a tenant inherits from its parent's layers, so the parent's
 * system objects are the tenant's configuration compiled as the cluster's default tenant.
 */
export function profileWiring(config: Config, manifests: readonly Manifest[]): WiringReport {
  const parent = hasOwnCluster(config)
    ? undefined
    : compileConfig({ ...config, tenant_name: 'default' }).filter((o) => o.phase === 'crds' || o.phase === 'system').map((o) => o.manifest);
  return checkWiring(manifests, { parent, flags: config as unknown as Record<string, unknown> });
}

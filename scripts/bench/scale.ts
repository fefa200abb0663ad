import { type ComponentSpec, enabledComponents } from '../../src/platform/catalog';
import type { Config } from '../../src/profile/config.generated';

/**
 * A synthetic scale profile: the profile's core components, each repeated `factor` times under
 * new names (aura-bot, aura-bot-s1, ...). Their ConfigMaps, Key Vault classes, Services, HPAs
 * and PDBs multiply with them, so the object count grows by the same factor.
 */
export function scaledComponents(config: Config, factor: number): ComponentSpec[] {
  const base = enabledComponents(config, 'core');
  const out: ComponentSpec[] = [];
  for (let i = 0; i < factor; i++) for (const spec of base) out.push(i === 0 ? spec : { ...spec, name: `${spec.name}-s${i}` });
  return out;
}

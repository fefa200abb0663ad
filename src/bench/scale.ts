import { CATALOG } from '../components/catalog';
import type { Component } from '../platform/types';

/**
 * A synthetic scale catalog: every core workload repeated `factor` times under new names
 * (aura-bot, aura-bot-s1, ...). Their ConfigMaps, Key Vault classes, Services, HPAs and PDBs
 * multiply with them, so the object count grows by the same factor.
 */
export function scaledCatalog(factor: number): Component[] {
  return CATALOG.map((k) => ({
    ...k,
    workloads: k.workloads.flatMap((w) => (w.phase !== 'core' ? [w] : Array.from({ length: factor }, (_, i) => (i === 0 ? w : { ...w, name: `${w.name}-s${i}` })))),
  }));
}

import { EnvironmentError } from '../util/errors';
import type { KeyVaultObject } from './key-vault-inventory';
import { capture, preflight, type ToolIo } from './tools';

/** What Key Vault lacks of an inventory, asked through az for names only (never a value). */
export async function missingObjects(inventory: readonly KeyVaultObject[], tools: ToolIo): Promise<KeyVaultObject[]> {
  await preflight('az', tools);
  const present = new Set<string>();
  for (const vault of [...new Set(inventory.map((e) => e.vault))])
    for (const type of ['secret', 'certificate'] as const) {
      const text = await capture('az', listQuery(type, vault), tools);
      let names: unknown;
      try {
        names = JSON.parse(text);
      } catch {
        names = undefined;
      }
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new EnvironmentError(`az keyvault ${type} list --vault-name ${vault} did not answer a JSON list of names`);
      for (const n of names) present.add(`${vault}/${type}/${n}`);
    }
  return inventory.filter((e) => !present.has(`${e.vault}/${e.type}/${e.name}`));
}

/** The queries --check runs, for --dry-run. */
export const checkQueries = (inventory: readonly KeyVaultObject[]): string[][] =>
  [...new Set(inventory.map((e) => e.vault))].flatMap((vault) => [listQuery('secret', vault), listQuery('certificate', vault)]);

/** Names only: the list API never returns a value, and the query keeps nothing but the names. */
export const listQuery = (type: 'secret' | 'certificate', vault: string) => ['keyvault', type, 'list', '--vault-name', vault, '--query', '[].name', '--output', 'json'];

export function formatInventory(profile: string, inventory: readonly KeyVaultObject[]): string {
  const lines: string[] = [];
  for (const vault of [...new Set(inventory.map((e) => e.vault))]) {
    const objects = inventory.filter((e) => e.vault === vault);
    lines.push(`${vault}: ${objects.length} Key Vault objects the profile ${profile} needs`, '');
    for (const e of objects) {
      lines.push(`${e.name} (${e.type})`, `  stands for: ${e.description}`);
      for (const u of e.usedBy) lines.push(`  used by:    ${u}`);
      e.create.forEach((c, i) => lines.push(`  ${i ? 'or:        ' : 'create:    '} ${c}`));
      lines.push('');
    }
  }
  lines.push(`Check which exist: aura-manifests secrets --profile ${profile} --check`);
  return lines.join('\n');
}

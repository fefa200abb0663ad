import { clusterDeploymentName, clusterResourceGroup } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { TEMPLATE_FILE } from './parameters';

/** The cluster deployment's actions (stop and start are src/infra/lifecycle.ts). */
export type InfraAction = 'what-if' | 'apply';

/** The az command lines of an action, in order (arguments only, without `az`). */
export function azCommands(action: InfraAction, c: Config, parametersFile: string): string[][] {
  const group = clusterResourceGroup(c);
  const deployment = ['--resource-group', group, '--name', clusterDeploymentName(c), '--template-file', TEMPLATE_FILE, '--parameters', `@${parametersFile}`];
  switch (action) {
    case 'what-if':
      return [['deployment', 'group', 'what-if', ...deployment]];
    case 'apply': {
      const tags = Object.entries(c.resources_tags).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => azTag(k, v ?? ""));
      return [
        ['group', 'create', '--name', group, '--location', c.azure_region, ...(tags.length ? ['--tags', ...tags] : []), '--output', 'none'],
        ['deployment', 'group', 'create', ...deployment, '--output', 'table'],
      ];
    }
  }
}

/** How a command line is shown: quoted where the shell would need it. */
export const showCommand = (args: string[]): string =>
  ['az', ...args].map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

/**
 * One `--tags` word. The profile's tag rules already refuse such names; this is the last line:
 * a word that az could read as an option (leading "-") or split differently is never passed.
 */
export function azTag(key: string, value: string): string {
  if (!key || /^[-\s]/.test(key) || key.includes('=') || /[\u0000-\u001f\u007f]/.test(key + value))
    throw new Error('a resources_tags name that az would misread reached the az command line (the profile rules should have refused it)');
  return `${key}=${value}`;
}

import type { ImportResult, Note } from './installer';

/**
 * The migration report of an import: what was written, every secret as the Key Vault secret it
 * becomes with the command that stores it (the value goes through a pipe, never a command line or
 * the screen), what to replace before applying, and every key left out with why. It names keys and
 * Key Vault secrets, never a secret's value.
 */
export interface ReportContext {
  config: string;
  profile: string;
  file: string;
  written: boolean;
  /** The written profile's validation problems (none: it validates). */
  problems: string[];
}

/** A word for a POSIX shell, quoted when it needs to be. */
export const shellWord = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const vaultOf = (r: ImportResult) => String((r.profile.key_vault as { name?: string } | undefined)?.name ?? '<key vault>');

/** The command that stores one secret: config.yml → pipe → Key Vault. */
export function storeCommand(r: ImportResult, config: string, key: string, secret: string, vaulted: boolean): string {
  return [
    `npx aura-manifests import --config ${shellWord(config)} --extract ${shellWord(key)}${vaulted ? ' --vault-password-file vault-password.txt' : ''}`,
    `az keyvault secret set --vault-name ${vaultOf(r)} --name ${secret} --file /dev/stdin --output none`,
  ].join(' | ');
}

const where = (n: { line?: number }) => (n.line ? ` (line ${n.line})` : '');
const bullets = (notes: readonly Note[]) => notes.map((n) => `- \`${n.key}\`${where(n)}: ${n.text}`);

export function formatReport(r: ImportResult, c: ReportContext): string {
  const stored = r.secrets.filter((s) => s.keyVaultSecret);
  const unreferenced = r.secrets.filter((s) => !s.keyVaultSecret);
  const written = Object.keys(r.profile).filter((k) => k !== 'extends').length;
  const out: string[] = [
    `# Migration report: ${c.config} → ${c.file}`,
    '',
    `${c.written ? 'Written' : 'Not written (--dry-run)'}: profile \`${c.profile}\`, extending ${r.extends.map((e) => `\`${e}\``).join(' and ')}, with ${written} top-level key(s) of its own; ${r.sameAsLayers} value(s) of ${c.config} equal what the layers give and are left out.`,
    '',
  ];
  if (c.problems.length)
    out.push(`**It does not validate yet** (fix these in ${c.file}, then run \`npx aura-manifests synth --profile ${c.profile}\`):`, '', '```', ...c.problems, '```', '');
  out.push(`## Secrets (${stored.length}): store each in Key Vault \`${vaultOf(r)}\``, '');
  if (stored.length) {
    out.push(
      `No secret value is in the profile, this report or the terminal. Each command reads the value from ${c.config} into a pipe, never onto a command line or the screen:`,
      '',
      '| config.yml key | Key Vault secret |',
      '|---|---|',
      ...stored.map((s) => `| \`${s.key}\`${where(s)} | \`${s.keyVaultSecret}\`${s.vaulted ? ' (ansible-vault encrypted)' : ''} |`),
      '',
      '```sh',
      ...stored.map((s) => storeCommand(r, c.config, s.key, s.keyVaultSecret!, s.vaulted)),
      '```',
      '',
    );
    if (stored.some((s) => s.vaulted)) out.push('A value encrypted with ansible-vault (`!vault`) is decrypted in the pipe with the vault password file (its first line, as ansible-vault reads it); replace `vault-password.txt` with yours.', '');
  } else out.push('config.yml holds no secret value.', '');
  if (unreferenced.length)
    out.push(
      'Values that look like credentials but that no workload reads from Key Vault: they are left out of the profile; remove them from the config, or, if a component needs one, tell the aura-manifests team:',
      '',
      ...unreferenced.map((s) => `- \`${s.key}\`${where(s)}${s.vaulted ? ' (ansible-vault encrypted)' : ''}`),
      '',
    );
  out.push(
    `The compiled workloads also need Key Vault objects that no config.yml holds (the storage connection string, Thanos' object store, the TLS certificate, ...): \`npx aura-manifests secrets --profile ${c.profile}\` lists every one, what uses it and how to create it; \`--check\` asks the vault which are missing. A secret above that it does not list belongs to a feature the profile leaves off (active_listening_enabled: false, for example): it need not be stored.`,
    '',
  );
  out.push('## Before you apply', '', ...bullets(r.placeholders));
  out.push(
    `- \`images.tag\`: the Aura release the images are pulled at; set it to the release the installer deployed (the installer's zip name, \`auradeploy-<hash>-<ob>-<release>.zip\`), or the compiled output upgrades the environment.`,
    `- Compare with what runs before the first apply: export the live objects and Atlas clusters (docs/moving-from-the-installer.md), then \`npx aura-manifests diff --profile ${c.profile} --live <folder>\`. A renamed Atlas cluster, StatefulSet or Elasticsearch node set shows as a hazard there: set the profile key it names.`,
    '',
  );
  if (r.missing.length) out.push('## Required keys missing', '', ...bullets(r.missing), '');
  if (r.leftOut.length) out.push(`## Not imported (${r.leftOut.length})`, '', ...bullets(r.leftOut), '');
  if (r.mapped.length) out.push('## Older layouts, mapped', '', ...bullets(r.mapped), '');
  if (r.resolved.length) out.push('## Jinja resolved as the installer does', '', ...bullets(r.resolved), '');
  if (r.installerDefaults.length) out.push("## The installer's defaults, kept", '', ...bullets(r.installerDefaults), '');
  out.push(
    '## Next',
    '',
    `1. \`npx aura-manifests synth --profile ${c.profile}\`: compile with every check; review \`dist/${c.profile}/\`.`,
    `2. Store the secrets above, then \`npx aura-manifests secrets --profile ${c.profile} --check\`.`,
    `3. \`npx aura-manifests diff --profile ${c.profile} --live <folder>\` against what runs, until it shows no hazard.`,
    '4. Then the walkthrough in docs/moving-from-the-installer.md: the deploying identity, the first apply, the GitOps sync.',
    '',
  );
  return `${out.join('\n')}\n`;
}

export function reportJson(r: ImportResult, c: ReportContext) {
  return {
    config: c.config,
    profile: c.profile,
    file: c.file,
    written: c.written,
    validates: c.problems.length === 0,
    problems: c.problems,
    extends: r.extends,
    sameAsLayers: r.sameAsLayers,
    keyVault: vaultOf(r),
    secrets: r.secrets.map((s) => ({ ...s, command: s.keyVaultSecret ? storeCommand(r, c.config, s.key, s.keyVaultSecret, s.vaulted) : undefined })),
    placeholders: r.placeholders,
    missing: r.missing,
    leftOut: r.leftOut,
    mapped: r.mapped,
    resolved: r.resolved,
    installerDefaults: r.installerDefaults,
  };
}

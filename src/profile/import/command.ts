import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { helpOrVersion } from '../../util/command-line';
import { EnvironmentError, InputError, takeDebugFlag, UsageError, withBoundary } from '../../util/errors';
import { formatDiagnostic, ProfileError } from '../errors';
import { PROFILE_NAME, PROFILE_NAME_RULE, readProfileSource } from '../source-scan';
import { loadValidProfile } from '../validate';
import { ConfigError, IMPORT_HEADER, importConfig, type ImportResult, parseConfig, profileText, shownPath, Vaulted } from './installer';
import { decryptVaulted, readVaultPassword } from './vault';
import { formatReport, reportJson } from './report';

export const USAGE = `usage: aura-manifests import --config config.yml --name NAME [options]
       aura-manifests import --config config.yml --extract KEY [--vault-password-file FILE] | az keyvault secret set ... --file /dev/stdin

  Writes profiles/NAME.yaml from an installer config.yml (any release the guide describes): the
  matching OB and environment layers, and only what differs from them; Jinja defaults resolved as
  the installer does; older layouts mapped. Prints the migration report: every secret as the Key
  Vault secret it becomes, with the command that stores it; every key left out, and why.

  --config FILE          the installer's config.yml (read, never changed)
  --name NAME            the profile to write (profiles/NAME.yaml); ${PROFILE_NAME_RULE}
  --profiles DIR         the profiles folder, with its layers/ (default: profiles/)
  --key-vault NAME       the workloads' Key Vault (default: kv-aura-<environment>)
  --tenant-id GUID       the Key Vault's Entra tenant (default: the OB layer's)
  --identity-client-id GUID
                         the AKS Key Vault secrets provider identity (default: a placeholder to replace)
  --outbound-ip IP       the cluster's outbound address for the Atlas access list; repeatable
  --force                replace a profile an earlier import wrote (never a hand-written one)
  --dry-run              print the profile and the report; write nothing
  --report FILE          also write the report (Markdown) to FILE
  --json                 the report as one JSON document
  --extract KEY          print one secret of config.yml (KEY as the report names it) to a pipe, for
                         az keyvault secret set --file /dev/stdin; refused on a terminal
  --vault-password-file FILE
                         with --extract: the ansible-vault password of a !vault value (first line)
  --debug                print the stack of an internal error

  Exit codes: 0 written (and it validates), 1 invalid input or a profile that does not validate yet,
  2 usage, 3 environment or I/O.`;

export interface ImportIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Raw standard output (no newline added), for --extract. */
  write?: (text: string) => void;
  /** Whether standard output is a terminal: a secret is never printed on one. */
  isTTY?: boolean;
}

const DEFAULT_PROFILES = join(__dirname, '../../../profiles');

export function run(rawArgv: string[], io: ImportIo): number {
  const { argv, debug } = takeDebugFlag(rawArgv);
  const early = helpOrVersion(argv, USAGE, io);
  if (early !== undefined) return early;
  const invalid = (e: unknown) => (e instanceof ConfigError ? `✗ ${e.message}` : e instanceof ProfileError ? `✗ ${e.message}` : undefined);
  return withBoundary(io, { usage: USAGE, debug, invalid }, () => {
    const o = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        name: { type: 'string' },
        profiles: { type: 'string' },
        'key-vault': { type: 'string' },
        'tenant-id': { type: 'string' },
        'identity-client-id': { type: 'string' },
        'outbound-ip': { type: 'string', multiple: true },
        force: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        report: { type: 'string' },
        json: { type: 'boolean' },
        extract: { type: 'string' },
        'vault-password-file': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
    if (!o.config) throw new UsageError('name the installer config with --config config.yml');
    const source = readProfileSource(resolve(o.config), {});
    if ('problem' in source) throw new InputError(`${o.config}: ${source.problem.replace('a profile file', 'a config file')}`);
    if (o.extract !== undefined) return extract(o.config, source.text, o.extract, o['vault-password-file'], io);
    if (o['vault-password-file']) throw new UsageError('--vault-password-file goes with --extract');
    if (!o.name) throw new UsageError('name the profile to write with --name');
    if (!PROFILE_NAME.test(o.name)) throw new UsageError(`--name must be a profile name: ${PROFILE_NAME_RULE}`);
    for (const [flag, value] of [['tenant-id', o['tenant-id']], ['identity-client-id', o['identity-client-id']]] as const)
      if (value !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw new UsageError(`--${flag} takes a GUID`);
    for (const ip of o['outbound-ip'] ?? []) if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(ip)) throw new UsageError('--outbound-ip takes an IPv4 address');
    if (o['key-vault'] !== undefined && !/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(o['key-vault'])) throw new UsageError('--key-vault takes a Key Vault name (3-24 letters, digits and dashes)');
    const profilesDir = resolve(o.profiles ?? DEFAULT_PROFILES);
    if (!existsSync(join(profilesDir, 'layers'))) throw new UsageError(`${o.profiles ?? 'profiles/'} has no layers/ folder: name the profiles folder with --profiles`);

    const result = importConfig({ file: o.config, text: source.text }, {
      name: o.name,
      profilesDir,
      keyVaultName: o['key-vault'],
      tenantId: o['tenant-id'],
      identityClientId: o['identity-client-id'],
      outboundIps: o['outbound-ip'],
    });
    const text = profileText(result, o.config, o.name);
    const target = join(profilesDir, `${o.name}.yaml`);
    const shownTarget = `${o.profiles ? o.profiles.replace(/\/$/, '') : 'profiles'}/${o.name}.yaml`;
    let problems: string[] = [];
    if (o['dry-run']) {
      problems = validateText(text, o.name, profilesDir);
      if (!o.json) io.out(text);
    } else {
      if (existsSync(target) && !(o.force && readFileSync(target, 'utf8').startsWith(`# ${IMPORT_HEADER}`)))
        throw new InputError(
          `${shownTarget} exists${o.force ? ' and was not written by aura-manifests import' : ''}: choose another --name${o.force ? '' : ', or pass --force to replace a profile an earlier import wrote'}`,
        );
      writeAtomically(target, text);
      problems = validation(target, profilesDir);
    }
    const context = { config: o.config, profile: o.name, file: shownTarget, written: !o['dry-run'], problems };
    const markdown = formatReport(result, context);
    if (o.report) writeAtomically(resolve(o.report), markdown);
    if (o.json) io.out(JSON.stringify({ ...reportJson(result, context), ...(o['dry-run'] ? { profileText: text } : {}) }, null, 2));
    else io.out(markdown.trimEnd());
    return problems.length ? 1 : 0;
  });
}

/** The written profile's problems as the compiler reports them (one line each), or none. */
function validation(file: string, profilesDir: string): string[] {
  try {
    loadValidProfile(file, profilesDir, {});
    return [];
  } catch (e) {
    if (e instanceof ProfileError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
}

function validateText(text: string, name: string, profilesDir: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'aura-import-'));
  try {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, text);
    return validation(file, profilesDir).map((l) => l.replace(file, `${name}.yaml`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Written beside, then renamed: a reader never sees half a profile. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * One secret of config.yml, to a pipe: `... --extract KEY | az keyvault secret set --file /dev/stdin`.
 * Never to a terminal, never with a newline added (Key Vault would store it), and only a value the
 * import counts as a secret: this is not a way to read config.yml.
 */
function extract(configFile: string, text: string, key: string, vaultPasswordFile: string | undefined, io: ImportIo): number {
  if (io.isTTY || !io.write) throw new UsageError('--extract prints a secret: pipe it into az keyvault secret set --file /dev/stdin, never to a terminal');
  const secrets = importConfigSecrets(configFile, text);
  const entry = secrets.find((s) => s.key === key);
  if (!entry) throw new InputError(`${configFile}: ${shownPath(parseKey(key) ?? [])} is not one of its secrets (the import report lists them, with the key to extract)`);
  const { data } = parseConfig({ file: configFile, text });
  let value: unknown = parseKey(key)!.reduce<any>((n, k) => n?.[k], data);
  if (value instanceof Vaulted) {
    if (!vaultPasswordFile) throw new UsageError(`${shownPath(parseKey(key)!)} is encrypted with ansible-vault: give its password file with --vault-password-file`);
    value = decryptVaulted(value.envelope, readVaultPassword(vaultPasswordFile));
  } else if (vaultPasswordFile) throw new UsageError('--vault-password-file: this value is not encrypted');
  if (typeof value !== 'string' && typeof value !== 'number') throw new InputError(`${configFile}: ${shownPath(parseKey(key)!)} is not a text value`);
  io.write(String(value));
  return 0;
}

function importConfigSecrets(configFile: string, text: string): ImportResult['secrets'] {
  // The same detection as the import's: a profile folder is not needed to find the secrets.
  try {
    return importConfig({ file: configFile, text }, { name: 'extract', profilesDir: join(tmpdir(), 'aura-import-no-profiles') }).secrets;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new EnvironmentError(`${configFile}: cannot be read as a config.yml`);
  }
}

/** `backoffice_users.dashboards[0].password` → ['backoffice_users', 'dashboards', 0, 'password']. */
export function parseKey(key: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  let consumed = '';
  while ((m = re.exec(key))) {
    out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
    consumed += m[0];
  }
  return out.length && consumed.length === key.replace(/\./g, '').length ? out : undefined;
}

import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvironmentError, InputError, UsageError } from '../../util/errors';
import { printable } from '../../util/printable';
import { formatDiagnostic, ProfileError } from '../errors';
import { readProfileSource } from '../source-scan';
import { loadValidProfile } from '../validate';
import { ConfigError, IMPORT_HEADER, importConfig, type ImportResult, parseConfig, profileText, shownPath, Vaulted } from './installer';
import { decryptVaulted, readVaultPassword } from './vault';
import { formatReport, reportJson } from './report';

export interface ImportRequest {
  /** config.yml as the user named it (printed in the report's commands). */
  config: string;
  name: string;
  profilesDir: string;
  /** How the profiles folder is named in messages (`profiles`, or --profiles as given). */
  profilesShown: string;
  keyVaultName?: string;
  tenantId?: string;
  identityClientId?: string;
  outboundIps?: string[];
  force?: boolean;
  dryRun?: boolean;
  /** Also write the Markdown report there. */
  reportFile?: string;
}

export interface ImportOutcome {
  /** The profile file's text. */
  text: string;
  markdown: string;
  json: Record<string, unknown>;
  /** The written profile's validation problems, one line each (none: it validates). */
  problems: string[];
}

/** Reads config.yml (bounded, a regular .yml or .yaml file), or says why not. */
function readConfig(config: string): string {
  const source = readProfileSource(resolve(config), {});
  if ('problem' in source) throw new InputError(`${printable(config)}: ${source.problem.replace('a profile file', 'a config file')}`);
  return source.text;
}

/**
 * Writes profiles/NAME.yaml from an installer config.yml and returns it with its migration report.
 * Never replaces a file it did not write; with dryRun, writes nothing.
 */
export function importProfile(req: ImportRequest): ImportOutcome {
  const text0 = readConfig(req.config);
  if (!existsSync(join(req.profilesDir, 'layers'))) throw new UsageError(`${printable(req.profilesShown)} has no layers/ folder: name the profiles folder with --profiles`);
  const result = importConfig({ file: req.config, text: text0 }, {
    name: req.name,
    profilesDir: req.profilesDir,
    keyVaultName: req.keyVaultName,
    tenantId: req.tenantId,
    identityClientId: req.identityClientId,
    outboundIps: req.outboundIps,
  });
  const text = profileText(result, req.config, req.name);
  const target = join(req.profilesDir, `${req.name}.yaml`);
  const shownTarget = `${req.profilesShown.replace(/\/$/, '')}/${req.name}.yaml`;
  let problems: string[];
  if (req.dryRun) problems = validateText(text, req.name, req.profilesDir);
  else {
    if (existsSync(target) && !(req.force && readFileSync(target, 'utf8').startsWith(`# ${IMPORT_HEADER}`)))
      throw new InputError(
        `${printable(shownTarget)} exists${req.force ? ' and was not written by aura-manifests import' : ''}: choose another --name${req.force ? '' : ', or pass --force to replace a profile an earlier import wrote'}`,
      );
    writeAtomically(target, text);
    problems = validation(target, req.profilesDir);
  }
  const context = { config: req.config, profile: req.name, file: shownTarget, written: !req.dryRun, problems };
  const markdown = formatReport(result, context);
  if (req.reportFile) writeAtomically(resolve(req.reportFile), markdown);
  return { text, markdown, json: { ...reportJson(result, context), ...(req.dryRun ? { profileText: text } : {}) }, problems };
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

/** Written beside, then renamed: a reader never sees half a profile or report. */
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
 * One secret of config.yml, for a pipe: `... --extract KEY | az keyvault secret set --file /dev/stdin`.
 * Only a value the import counts as a secret (this is not a way to read config.yml); a value
 * ansible-vault encrypted is decrypted with the password file.
 */
export function extractSecret(configFile: string, key: string, vaultPasswordFile: string | undefined): string {
  const text = readConfig(configFile);
  const path = parseKey(key);
  const shown = shownPath(path ?? []);
  if (!path || !importConfigSecrets(configFile, text).some((s) => s.key === key)) throw new InputError(`${printable(configFile)}: ${shown} is not one of its secrets (the import report lists them, with the key to extract)`);
  const { data } = parseConfig({ file: configFile, text });
  let value: unknown = path.reduce<any>((n, k) => n?.[k], data);
  if (value instanceof Vaulted) {
    if (!vaultPasswordFile) throw new UsageError(`${shown} is encrypted with ansible-vault: give its password file with --vault-password-file`);
    value = decryptVaulted(value.envelope, readVaultPassword(vaultPasswordFile));
  } else if (vaultPasswordFile) throw new UsageError('--vault-password-file: this value is not encrypted');
  if (typeof value !== 'string' && typeof value !== 'number') throw new InputError(`${printable(configFile)}: ${shown} is not a text value`);
  return String(value);
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

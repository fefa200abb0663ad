import Ajv, { _, type ErrorObject, type ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cachedValidator } from '../util/validator-cache';
import type { Config } from './config.generated';
import { type Diagnostic, formatPath, type PathSegment, ProfileError } from './errors';
import { closest, PROFILE_FORMATS } from './formats';
import { type LoadedProfile, type LoadOptions, loadProfile, positionOf } from './load';
import { crossFieldRules, type RuleViolation } from './rules';
import { PROFILE_SCHEMA } from './schema';
import { keyVaultSecretName } from './secrets';
import { PROTOTYPE_KEYS, safeFormatPath } from './source-scan';

const SECRET_KEYWORD = 'x-key-vault-secret';

let compiled: ValidateFunction | undefined;

const FORMATS_MODULE = join(__dirname, 'formats');

/** Compiled once per process (and cached across runs): every profile of a run shares it. */
function profileValidator(): ValidateFunction {
  if (compiled) return compiled;
  const key = `profile|${createHash('sha256').update(JSON.stringify(PROFILE_SCHEMA)).digest('hex')}`;
  compiled = cachedValidator(key, () => {
    const ajv = new Ajv({
      allErrors: true,
      useDefaults: true,
      verbose: true,
      strict: true,
      allowUnionTypes: true,
      code: { source: true, formats: _`require(${FORMATS_MODULE}).PROFILE_FORMATS` },
    });
    for (const [name, format] of Object.entries(PROFILE_FORMATS)) ajv.addFormat(name, format);
    ajv.addKeyword({
      keyword: SECRET_KEYWORD,
      schemaType: 'string',
      // Any value fails, but an empty one, which carries no secret (installer templates ship `access_key: ""`).
      code: (cxt) => cxt.fail(_`${cxt.data} !== null && ${cxt.data} !== ""`),
    });
    return { ajv, validate: ajv.compile(PROFILE_SCHEMA) };
  });
  return compiled;
}

/** Validates a loaded profile, applies the schema's defaults and returns the typed config. */
export function validateProfile(profile: LoadedProfile): Config {
  const raw = structuredClone(profile.data);
  const withDefaults = structuredClone(profile.data);
  const validate = profileValidator();
  validate(withDefaults);
  const hints = { left: MAX_HINTED_UNKNOWN_KEYS, unknownWithoutHint: 0 };
  const problems: RuleViolation[] = (validate.errors ?? []).flatMap((e) => describeSchemaError(e, profile.data, hints));
  problems.push(...crossFieldRules(raw, withDefaults));
  if (problems.length) {
    const seen = new Set<string>();
    const diagnostics: Diagnostic[] = [];
    for (const p of problems) {
      // A key path is printed as far as the schema names it; keys the profile chose are shown as <key> (they may be secrets).
      const d = { ...positionOf(profile, p.path), path: p.shownPath ?? safeFormatPath(p.path), message: p.message };
      const key = `${d.path}\0${d.message}`;
      if (!seen.has(key)) diagnostics.push(d), seen.add(key);
    }
    diagnostics.sort((a, b) => (a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) : a.file < b.file ? -1 : 1));
    if (hints.unknownWithoutHint)
      diagnostics.push({ file: positionOf(profile, []).file, path: '', message: `${hints.unknownWithoutHint} more unknown key(s) were not compared with the known keys (only the first ${MAX_HINTED_UNKNOWN_KEYS} are)` });
    throw new ProfileError(profile.name, diagnostics);
  }
  return normalize(withDefaults as unknown as Config, raw);
}

/**
 * Loads and validates a profile, reporting every problem of it at once: the source scan's
 * findings (a secret value, a credential-like value) together with the schema's and the rules'.
 */
export function loadValidProfile(ref: string, profilesDir: string, rules: LoadOptions = {}): { loaded: LoadedProfile; config: Config } {
  const deferred: Diagnostic[] = [];
  const loaded = loadProfile(ref, profilesDir, rules, deferred);
  let config: Config | undefined;
  let found: Diagnostic[] = [];
  try {
    config = validateProfile(loaded);
  } catch (e) {
    if (!(e instanceof ProfileError)) throw e;
    found = e.diagnostics;
  }
  if (!deferred.length && config) return { loaded, config };
  // The scan and the schema both refuse a secret value, in the same words: said once.
  const seen = new Set(found.map((d) => `${d.path}\0${d.message}`));
  const all = [...found, ...deferred.filter((d) => !seen.has(`${d.path}\0${d.message}`))];
  const line = (d: Diagnostic) => d.line ?? Number.MAX_SAFE_INTEGER;
  all.sort((a, b) => (a.file === b.file ? line(a) - line(b) || (a.col ?? 0) - (b.col ?? 0) : a.file < b.file ? -1 : 1));
  throw new ProfileError(loaded.name, all);
}

/** Folds the guide's older key names into the current ones. */
function normalize(config: Config, raw: Record<string, any>): Config {
  if (raw.elasticsearch?.storage !== undefined && raw.elasticsearch?.storage_size_gb === undefined)
    config.elasticsearch.storage_size_gb = raw.elasticsearch.storage;
  if (raw.prometheus?.storage_size !== undefined && raw.prometheus?.storage_size_gb === undefined)
    config.prometheus.storage_size_gb = raw.prometheus.storage_size;
  delete config.elasticsearch.storage;
  delete config.prometheus.storage_size;
  delete config.extends;
  return config;
}

function pathOf(instancePath: string): PathSegment[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/**
 * Turns an ajv error into our message. Values are never echoed: a secret pasted into the
 * wrong key must not reach a CI log.
 */
/** Unknown keys searched for a near known key; the search costs a comparison with every known key. */
export const MAX_HINTED_UNKNOWN_KEYS = 40;

function describeSchemaError(e: ErrorObject, root: unknown, hints: { left: number; unknownWithoutHint: number }): RuleViolation[] {
  const path = pathOf(e.instancePath);
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case SECRET_KEYWORD: {
      const secret = keyVaultSecretName(e.schema as string, path, root);
      return [{ path, message: `holds a secret value; profiles never carry secrets. Store it in Azure Key Vault as the secret "${secret}" and remove this key (workloads read it from Key Vault)` }];
    }
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as any)?.properties ?? {});
      const key = String(p.additionalProperty);
      const keyPath = [...path, key];
      if (hints.left <= 0) {
        hints.unknownWithoutHint++;
        return [{ path: keyPath, message: 'unknown key' }];
      }
      hints.left--;
      const hint = key.length <= 64 ? closest(key, known) : undefined;
      const where = path.length ? `under ${safeFormatPath(path)}` : 'at the top level';
      // A near miss of a known key is a typo, not a secret: it is shown so it can be found.
      const shownPath = hint && !PROTOTYPE_KEYS.has(key) && /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? `${safeFormatPath(path) ? `${safeFormatPath(path)}.` : ''}${key}` : undefined;
      return [{ path: keyPath, shownPath, message: `unknown key${hint ? `; did you mean ${hint}?` : ` (known keys ${where}: ${known.join(', ')})`}` }];
    }
    case 'required':
      return [{ path, message: `missing required key ${p.missingProperty}${describeKey([...path, p.missingProperty])}` }];
    case 'type':
      return [{ path, message: `expected ${[p.type].flat().join(' or ')}, got ${typeName(e.data)}` }];
    case 'enum': {
      // The nearest allowed value is suggested, never the value given (it may be a pasted secret).
      const hint = typeof e.data === 'string' ? closest(e.data, (p.allowedValues as unknown[]).filter((v): v is string => typeof v === 'string')) : undefined;
      return [{ path, message: `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}` }];
    }
    case 'const':
      return [{ path, message: `must be ${JSON.stringify(p.allowedValue)}${describeKey(path)}` }];
    case 'format':
    case 'pattern':
      // The installer's config.yml carries Jinja defaults (atlas_project_name: "aura-project-{{ environment_name }}"); a profile holds values.
      if (typeof e.data === 'string' && /\{\{.*\}\}/.test(e.data))
        return [{ path, message: 'is a Jinja template, as the installer\'s config.yml writes it; a profile holds the rendered value: write it out, or let aura-manifests import render the config.yml' }];
      if (e.keyword === 'pattern') return [{ path, message: `does not match the expected form ${p.pattern}` }];
      return [{ path, message: `expected ${FORMAT_NAMES[p.format] ?? `a valid ${p.format}`}` }];
    case 'multipleOf':
      return [{ path, message: `must be a multiple of ${p.multipleOf}` }];
    case 'propertyNames':
      return []; // reported as the pattern error of the name itself
    default:
      return [{ path: e.propertyName ? [...path, e.propertyName] : path, message: e.message ?? e.keyword }];
  }
}

const FORMAT_NAMES: Record<string, string> = {
  cidr: 'an IPv4 network in CIDR notation, such as 195.235.92.0/23',
  'ip-or-cidr': 'an IPv4 address or CIDR network, such as 195.235.92.0/23',
  'rfc1123-subdomain': "a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' or '.', starting and ending with a letter or digit",
  'quartz-cron': 'a Quartz cron expression with seconds first, such as "0 0 1 * * ?"',
  email: 'an email address',
  uri: 'a URL such as https://example.com/path',
  hostname: 'a DNS host name',
  uuid: 'a GUID such as 00000000-0000-0000-0000-000000000000',
  'environment-type': 'an environment type: 2 to 9 lowercase letters or digits, starting with a letter, such as pro, pre, int or test',
};

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v;
}

/** The schema's description of a key, to say what a missing or fixed key is for. */
function describeKey(path: readonly PathSegment[]): string {
  let node: any = PROFILE_SCHEMA;
  for (const seg of path) {
    if (typeof seg === 'number') node = node?.items;
    else node = node?.properties?.[seg] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
    if (node?.$ref) node = PROFILE_SCHEMA.definitions[node.$ref.split('/').pop()];
  }
  return node?.description ? ` (${node.description.replace(/\.$/, '')})` : '';
}

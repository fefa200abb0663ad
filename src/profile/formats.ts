import { fullFormats } from 'ajv-formats/dist/formats';

/** String formats of the profile schema that ajv-formats does not know. */

export function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function isCidr(s: string): boolean {
  const m = /^([^/]+)\/([0-9]{1,2})$/.exec(s);
  return !!m && isIpv4(m[1]!) && Number(m[2]) <= 32;
}

export const isIpOrCidr = (s: string): boolean => isIpv4(s) || isCidr(s);

/** Lowercase RFC 1123 subdomain: what Kubernetes and the Atlas operator accept as a name. */
export const isRfc1123Subdomain = (s: string): boolean =>
  s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);

/** Quartz-style cron (seconds first, 6 or 7 fields), as Elasticsearch and Databricks schedules use. */
export function isQuartzCron(s: string): boolean {
  const fields = s.trim().split(/\s+/);
  return (fields.length === 6 || fields.length === 7) && fields.every((f) => /^[0-9A-Z*?/,#LW-]+$/i.test(f));
}

/**
 * An environment type: the guide's reserved pro, pre and int, or another agreed with the Aura Team
 * (test, dev). 2 to 9 lowercase letters or digits, starting with a letter: it ends the Azure names
 * stauracommon<ob><type> (24 characters at most) and kv-aura-cmk-<ob>-<type> (24).
 */
export const isEnvironmentType = (s: string): boolean => /^[a-z][a-z0-9]{1,8}$/.test(s);

/** The types the guide reserves for the OBs; any other compiles with the guide's caution. */
export const RESERVED_ENVIRONMENT_TYPES = ['pro', 'pre', 'int'] as const;

// Did-you-mean lives in util/ (the command line uses it too); re-exported for the profile's callers.
export { closest, editDistance } from '../util/did-you-mean';

/**
 * Every format of the profile schema, in one module that cached standalone validators can
 * require (src/profile/validate.ts).
 */
export const PROFILE_FORMATS = {
  email: fullFormats.email,
  uri: fullFormats.uri,
  hostname: fullFormats.hostname,
  uuid: fullFormats.uuid,
  cidr: isCidr,
  'ip-or-cidr': isIpOrCidr,
  'rfc1123-subdomain': isRfc1123Subdomain,
  'quartz-cron': isQuartzCron,
  'environment-type': isEnvironmentType,
};

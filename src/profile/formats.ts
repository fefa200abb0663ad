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

/** Damerau-Levenshtein (optimal string alignment) distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key closest to a misspelt one, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) [best, bestDistance] = [c, dist];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

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
};

import type { Config } from './config.generated';

/**
 * What environment_profile selects besides names: the operating business' locale and time zone
 * (the guide: "to use different resources, locale, timezone"). AP is the global profile.
 */
export const OPERATING_BUSINESS: Readonly<Record<Config['environment_profile'], { locale: string; timeZone: string }>> = {
  es: { locale: 'es-ES', timeZone: 'Europe/Madrid' },
  uk: { locale: 'en-GB', timeZone: 'Europe/London' },
  de: { locale: 'de-DE', timeZone: 'Europe/Berlin' },
  br: { locale: 'pt-BR', timeZone: 'America/Sao_Paulo' },
  ap: { locale: 'en-GB', timeZone: 'UTC' },
};

/** The profile's locale and time zone: its own keys, else its operating business'. */
export function localeOf(c: Config): { locale: string; timeZone: string } {
  const ob = OPERATING_BUSINESS[c.environment_profile];
  return { locale: c.locale ?? ob.locale, timeZone: c.time_zone ?? ob.timeZone };
}

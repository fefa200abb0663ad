import type { Config } from '../../profile/config.generated';
import type { RuleSet } from '../alert-rules';
import { enabledComponents, PLATFORM_COMPONENTS } from '../../platform/catalog';
import { ALERTMANAGER_RULES } from './alertmanager';
import { BACKUP_RULES } from './backups';
import { BLACKBOX_RULES } from './blackbox';
import { ELASTICSEARCH_RULES } from './elasticsearch';
import { FLUENT_BIT_RULES } from './fluent-bit';
import { KUBE_STATE_RULES, KUBELET_RULES } from './kubernetes';
import { ATLAS_RULES, MONGODB_RULES } from './mongodb';
import { NGINX_PLUS_RULES } from './nginx';
import { prometheusRules } from './prometheus';
import { redisRules } from './redis';
import { THANOS_RULES } from './thanos';

/** The scrape jobs of a profile: one per enabled component that declares a metrics port. */
export const scrapeJobs = (c: Config): string[] =>
  [...enabledComponents(c, 'system'), ...enabledComponents(c, 'core')].filter((s) => s.scrape).map((s) => s.name);

const redisReplicas = (c: Config): number => PLATFORM_COMPONENTS.find((s) => s.name === 'redis')!.replicas!(c);

/** Every rule set of the platform, for a profile (enabled or not: ruleFiles() picks the enabled ones). */
export const platformRuleSets = (c: Config): RuleSet[] => [
  prometheusRules(scrapeJobs(c)),
  ALERTMANAGER_RULES,
  KUBELET_RULES,
  KUBE_STATE_RULES,
  BACKUP_RULES,
  ELASTICSEARCH_RULES,
  FLUENT_BIT_RULES,
  THANOS_RULES,
  redisRules(redisReplicas(c)),
  MONGODB_RULES,
  ATLAS_RULES,
  NGINX_PLUS_RULES,
  BLACKBOX_RULES,
];

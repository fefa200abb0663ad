// A model of how the API server admits an object through a ValidatingAdmissionPolicy and its
// binding (kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy): the
// policy's resource rules and namespace selector, the binding's namespace and object selectors,
// the variables evaluated in order, and every validation true, or the request denied (an error
// denies too: failurePolicy Fail). There is no API server here: the matching is modelled; the CEL
// itself runs in a conformant CEL evaluator (@bufbuild/cel), with objects as the API server types
// them (maps, and integers as int, not double).
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import type { Manifest } from '../../src/model/manifest';

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

export function selects(selector: Selector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok = e.operator === 'In' ? has && e.values!.includes(labels[e.key]!) : e.operator === 'NotIn' ? !has || !e.values!.includes(labels[e.key]!) : e.operator === 'Exists' ? has : !has;
    if (!ok) return false;
  }
  return true;
}

/** JSON as the API server gives it to CEL: objects as maps, whole numbers as int. */
export const toCel = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(toCel) : v && typeof v === 'object' ? new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)])) : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;

const RESOURCES: Record<string, { group: string; resource: string }> = {
  Pod: { group: '', resource: 'pods' },
  Deployment: { group: 'apps', resource: 'deployments' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
};

const plans = new Map<string, ReturnType<typeof plan>>();
function evaluate(expression: string, bindings: Record<string, unknown>): unknown {
  if (!plans.has(expression)) plans.set(expression, plan(celEnv(), parse(expression)));
  return plans.get(expression)!(bindings as never);
}

export interface Admission {
  /** Whether the policy, through the binding, applies to the object at all. */
  matched: boolean;
  allowed: boolean;
  /** Messages of the validations that failed (or errored). */
  denials: string[];
}

/** Admits `object` (CREATE) into a namespace with the given labels. */
export function admit(policy: Manifest, binding: Manifest, object: Manifest, namespaceLabels: Record<string, string>): Admission {
  const p = (policy as any).spec;
  const b = (binding as any).spec;
  const r = RESOURCES[object.kind];
  const ruleMatches = !!r && p.matchConstraints.resourceRules.some((rule: any) => rule.apiGroups.includes(r.group) && rule.resources.includes(r.resource) && rule.operations.includes('CREATE'));
  const matched = b.policyName === policy.metadata.name && ruleMatches && selects(p.matchConstraints.namespaceSelector, namespaceLabels) && selects(b.matchResources?.namespaceSelector, namespaceLabels) && selects(b.matchResources?.objectSelector, object.metadata.labels);
  if (!matched) return { matched, allowed: true, denials: [] };
  const obj = toCel(object);
  const variables = new Map<string, unknown>();
  const denials: string[] = [];
  for (const v of p.variables ?? []) {
    const value = evaluate(v.expression, { object: obj, variables });
    if (isCelError(value)) return { matched, allowed: false, denials: [`variable ${v.name}: ${value.message}`] };
    variables.set(v.name, value);
  }
  for (const v of p.validations) {
    const result = evaluate(v.expression, { object: obj, variables });
    if (result !== true) denials.push(isCelError(result) ? `${v.message} (error: ${result.message})` : v.message);
  }
  return { matched, allowed: !denials.length, denials };
}

import { EXEMPTION_LABEL, POD_SPEC_VARIABLE } from '../constructs/restricted-pods-policy';
import type { Manifest } from '../model/manifest';
import { describeObject } from '../model/manifest';
import { podTemplatesOf } from '../model/pod-templates';
import { restrictedViolations } from '../model/pod-security';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

/**
 * Pod Security, both sides, over the compiled objects. Every pod (template) of a namespace that
 * enforces `restricted` meets it. A namespace that enforces anything weaker (aura-system, for
 * its node agents) has a ValidatingAdmissionPolicy and binding holding its other pods to
 * `restricted`: every pod the binding does not leave out meets `restricted`, and those it leaves
 * out are exactly node agents: DaemonSets that need the host (they fail `restricted`), each
 * named by the exemption, none named that does not exist.
 */
export function checkPodSecurity(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const namespaces = manifests.filter((m) => m.kind === 'Namespace');
  const policies = manifests.filter((m) => m.kind === 'ValidatingAdmissionPolicy' && m.apiVersion === 'admissionregistration.k8s.io/v1');
  const bindings = manifests.filter((m) => m.kind === 'ValidatingAdmissionPolicyBinding' && m.apiVersion === 'admissionregistration.k8s.io/v1');
  const violations = (m: Manifest) =>
    podTemplatesOf(m).flatMap((t) => restrictedViolations(t.spec ?? {}, t.metadata ?? {}).map((v) => `${v.control} (${v.field})`));
  for (const ns of namespaces) {
    const name = ns.metadata.name;
    const level = ns.metadata.labels?.[ENFORCE];
    const workloads = manifests.filter((m) => m.metadata.namespace === name && podTemplatesOf(m).length);
    if (level === 'restricted') {
      for (const w of workloads) {
        const v = violations(w);
        if (v.length) problems.push(`${describeObject(w)}: namespace ${name} enforces Pod Security "restricted", which its pods break: ${v.join(', ')}`);
      }
      continue;
    }
    const binding = bindings.find((b) => (b as any).spec?.matchResources?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === name);
    const policy = binding && policies.find((p) => p.metadata.name === (binding as any).spec.policyName);
    const holdsPods = policy && (policy as any).spec?.variables?.some((v: { expression?: string }) => v.expression === POD_SPEC_VARIABLE) && (policy as any).spec?.validations?.length > 0 && (binding as any).spec?.validationActions?.includes('Deny');
    if (!binding || !policy || !holdsPods) {
      if (workloads.length) problems.push(`namespace ${name} enforces Pod Security "${level ?? 'privileged'}" and no admission policy holds its pods to "restricted": any pod there may run privileged`);
      continue;
    }
    const expressions = ((binding as any).spec.matchResources.objectSelector?.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[];
    const exempt = new Set(expressions.filter((e) => e.key === EXEMPTION_LABEL && e.operator === 'NotIn').flatMap((e) => e.values ?? []));
    if (expressions.some((e) => !(e.key === EXEMPTION_LABEL && e.operator === 'NotIn')) || (binding as any).spec.matchResources.objectSelector?.matchLabels)
      problems.push(`${describeObject(binding)}: its object selector may only leave node agents out (${EXEMPTION_LABEL} NotIn ...)`);
    // An object is left out when it, and its pods, carry an exempt name.
    const isExempt = (m: Manifest) => exempt.has(m.metadata.labels?.[EXEMPTION_LABEL] ?? '') && podTemplatesOf(m).every((t) => exempt.has(t.metadata?.labels?.[EXEMPTION_LABEL] ?? ''));
    for (const w of workloads) {
      const v = violations(w);
      if (!isExempt(w)) {
        if (v.length) problems.push(`${describeObject(w)}: ${name}'s admission policy holds it to Pod Security "restricted", which its pods break: ${v.join(', ')}`);
      } else if (w.kind !== 'DaemonSet') problems.push(`${describeObject(w)}: left out of ${name}'s "restricted" admission policy, but only node agents (DaemonSets) may be`);
      else if (!v.length) problems.push(`${describeObject(w)}: left out of ${name}'s "restricted" admission policy without needing it (its pods meet "restricted"); take it out of the exemption`);
    }
    for (const agent of exempt)
      if (!workloads.some((w) => w.kind === 'DaemonSet' && w.metadata.labels?.[EXEMPTION_LABEL] === agent))
        problems.push(`${describeObject(binding)}: leaves out ${agent}, which is no DaemonSet of ${name} (an exemption nobody uses is an open door)`);
  }
  return problems;
}

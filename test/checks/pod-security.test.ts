// Item 10 of issue 23: aura-system enforces Pod Security "privileged" for its node agents only.
// The ValidatingAdmissionPolicy's CEL is evaluated (a conformant CEL evaluator; the API server's
// matching modelled in test/support/admission.ts) on every pod and pod template the profiles
// compile into aura-system; mutations of a compliant pod, one per control, are denied by the CEL
// and reported by the model the Pod Security check uses, and the check itself fails on each way
// the exemption could be widened.
import { describe, expect, it } from 'vitest';
import { checkPodSecurity } from '../../src/checks/pod-security';
import type { Manifest } from '../../src/model/manifest';
import { podTemplatesOf } from '../../src/model/pod-templates';
import { restrictedViolations } from '../../src/model/pod-security';
import { built } from '../helpers';
import { admit } from '../support/admission';

const OWN_CLUSTER = ['de-pro', 'es-pro', 'uk-pre', 'br-pro', 'es-int'];
const manifestsOf = (name: string) => built(name).objects.map((o) => o.manifest);
const clone = <T>(x: T): T => structuredClone(x);

function admission(name: string) {
  const ms = manifestsOf(name);
  const policy = ms.find((m) => m.kind === 'ValidatingAdmissionPolicy')!;
  const binding = ms.find((m) => m.kind === 'ValidatingAdmissionPolicyBinding')!;
  const ns = ms.find((m) => m.kind === 'Namespace' && m.metadata.name === 'aura-system')!;
  // The API server labels every namespace with its name.
  const labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': 'aura-system' };
  return { ms, policy, binding, labels };
}

/** The pods a workload's controller (or ECK) makes from its templates. */
const podsOf = (m: Manifest): Manifest[] =>
  podTemplatesOf(m).map((t, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${m.metadata.name}-${i}`, namespace: m.metadata.namespace, labels: t.metadata?.labels, annotations: t.metadata?.annotations }, spec: t.spec }) as Manifest);

describe.each(OWN_CLUSTER)('%s: the admission policy on the compiled aura-system', (name) => {
  const { ms, policy, binding, labels } = admission(name);
  const inSystem = ms.filter((m) => m.metadata.namespace === 'aura-system' && podTemplatesOf(m).length);
  const agents = inSystem.filter((m) => m.kind === 'DaemonSet');

  it('the namespace stays privileged (for the node agents), warning and auditing against restricted', () => {
    expect(labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' });
    expect(agents.map((a) => a.metadata.name).sort()).toEqual(['fluent-bit', 'node-exporter']);
  });

  it('admits every other workload and pod (ECK-made ones from their templates included), each matched by the policy', () => {
    const others = inSystem.filter((m) => m.kind !== 'DaemonSet');
    expect(others.length).toBeGreaterThan(10);
    expect(others.some((m) => m.kind === 'Elasticsearch') && others.some((m) => m.kind === 'CronJob')).toBe(true);
    for (const m of others.flatMap((w) => [...(w.kind === 'Elasticsearch' || w.kind === 'Kibana' ? [] : [w]), ...podsOf(w)])) {
      const a = admit(policy, binding, m, labels);
      expect(a.matched, `${m.kind}/${m.metadata.name}`).toBe(true);
      expect(a.denials, `${m.kind}/${m.metadata.name}`).toEqual([]);
    }
  });

  it('leaves the node agents out by their label; without the exemption the CEL would deny them (they need the host)', () => {
    const unbound = clone(binding);
    delete (unbound as any).spec.matchResources.objectSelector;
    for (const agent of agents)
      for (const m of [agent, ...podsOf(agent)]) {
        expect(admit(policy, binding, m, labels).matched, m.metadata.name).toBe(false);
        const without = admit(policy, unbound, m, labels);
        expect(without.allowed, m.metadata.name).toBe(false);
        expect(without.denials.join('\n')).toMatch(/volume types|host namespaces|runAsNonRoot|runAsUser/);
        expect(without.denials.join('\n')).not.toMatch(/error:/); // denied by the rules, not by an evaluation error
      }
  });

  it('does not reach other namespaces', () => {
    const bot = ms.find((m) => m.kind === 'Deployment' && m.metadata.namespace !== 'aura-system')!;
    expect(admit(policy, binding, bot, { 'kubernetes.io/metadata.name': bot.metadata.namespace! }).matched).toBe(false);
  });
});

describe('one control at a time: the CEL denies and the model reports it; compliant variations pass both', () => {
  const { ms, policy, binding, labels } = admission('de-pro');
  const grafana = ms.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'grafana')!;
  const base = podsOf(grafana)[0]!;
  const spec = (p: Manifest) => (p as any).spec;
  const c0 = (p: Manifest) => spec(p).containers[0];

  // [case, mutation of the compliant pod, the control (null: still compliant)]
  const CASES: [string, (p: Manifest) => void, string | null][] = [
    ['a privileged container', (p) => (c0(p).securityContext.privileged = true), 'privileged'],
    ['a privileged init container', (p) => (spec(p).initContainers = [{ ...clone(c0(p)), name: 'init', securityContext: { ...c0(p).securityContext, privileged: true } }]), 'privileged'],
    ['hostNetwork', (p) => (spec(p).hostNetwork = true), 'host namespaces'],
    ['hostPID', (p) => (spec(p).hostPID = true), 'host namespaces'],
    ['hostIPC', (p) => (spec(p).hostIPC = true), 'host namespaces'],
    ['a hostPath volume', (p) => spec(p).volumes.push({ name: 'root', hostPath: { path: '/' } }), 'volume types'],
    ['a host port', (p) => (c0(p).ports = [{ containerPort: 80, hostPort: 80 }]), 'host ports'],
    ['a capability added (SYS_ADMIN)', (p) => (c0(p).securityContext.capabilities.add = ['SYS_ADMIN']), 'capabilities'],
    ['capabilities not dropped', (p) => delete c0(p).securityContext.capabilities, 'capabilities'],
    ['an ephemeral container that drops nothing', (p) => (spec(p).ephemeralContainers = [{ name: 'debug', image: 'x', securityContext: { allowPrivilegeEscalation: false } }]), 'capabilities'],
    ['privilege escalation allowed', (p) => (c0(p).securityContext.allowPrivilegeEscalation = true), 'allowPrivilegeEscalation'],
    ['privilege escalation unset', (p) => delete c0(p).securityContext.allowPrivilegeEscalation, 'allowPrivilegeEscalation'],
    ['runAsNonRoot false in a container', (p) => (c0(p).securityContext.runAsNonRoot = false), 'runAsNonRoot'],
    ['runAsNonRoot set nowhere', (p) => (delete c0(p).securityContext.runAsNonRoot, delete spec(p).securityContext.runAsNonRoot), 'runAsNonRoot'],
    ['runAsUser 0 for the pod', (p) => (spec(p).securityContext.runAsUser = 0), 'runAsUser'],
    ['runAsUser 0 in a container', (p) => (c0(p).securityContext.runAsUser = 0), 'runAsUser'],
    ['seccomp Unconfined', (p) => (spec(p).securityContext.seccompProfile = { type: 'Unconfined' }), 'seccompProfile'],
    ['seccomp set nowhere', (p) => delete spec(p).securityContext.seccompProfile, 'seccompProfile'],
    ['an unsafe sysctl', (p) => (spec(p).securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]), 'sysctls'],
    ['procMount Unmasked', (p) => (c0(p).securityContext.procMount = 'Unmasked'), 'procMount'],
    ['an SELinux user', (p) => (spec(p).securityContext.seLinuxOptions = { user: 'system_u' }), 'SELinux'],
    ['an SELinux type outside the container types', (p) => (c0(p).securityContext.seLinuxOptions = { type: 'spc_t' }), 'SELinux'],
    ['AppArmor unconfined (field)', (p) => (c0(p).securityContext.appArmorProfile = { type: 'Unconfined' }), 'AppArmor'],
    ['AppArmor unconfined (annotation)', (p) => ((p.metadata as any).annotations = { 'container.apparmor.security.beta.kubernetes.io/grafana': 'unconfined' }), 'AppArmor'],
    ['a Windows host process', (p) => (spec(p).securityContext.windowsOptions = { hostProcess: true }), 'hostProcess'],
    ['NET_BIND_SERVICE added (allowed)', (p) => (c0(p).securityContext.capabilities.add = ['NET_BIND_SERVICE']), null],
    ['seccomp per container, none for the pod (allowed)', (p) => (delete spec(p).securityContext.seccompProfile, spec(p).containers.forEach((c: any) => (c.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' }))), null],
    ['runAsNonRoot per container only (allowed)', (p) => (delete spec(p).securityContext.runAsNonRoot, spec(p).containers.forEach((c: any) => (c.securityContext.runAsNonRoot = true))), null],
    ['a safe sysctl (allowed)', (p) => (spec(p).securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]), null],
    ['AppArmor runtime/default (allowed)', (p) => ((p.metadata as any).annotations = { 'container.apparmor.security.beta.kubernetes.io/grafana': 'runtime/default' }), null],
  ];

  it('the base pod (grafana) is compliant for both', () => {
    expect(admit(policy, binding, base, labels)).toEqual({ matched: true, allowed: true, denials: [] });
    expect(restrictedViolations(spec(base), base.metadata)).toEqual([]);
  });

  it.each(CASES)('%s', (_, mutate, control) => {
    const pod = clone(base);
    mutate(pod);
    const cel = admit(policy, binding, pod, labels);
    const model = restrictedViolations(spec(pod), pod.metadata);
    expect(cel.denials.join('\n')).not.toMatch(/error:/);
    if (control === null) {
      expect(cel.allowed).toBe(true);
      expect(model).toEqual([]);
    } else {
      expect(cel.allowed).toBe(false);
      expect(cel.denials.map((d) => d.replace(/^.*\(node agents aside\): /, '').split(':')[0])).toEqual([control]);
      expect([...new Set(model.map((v) => v.control))]).toEqual([control]);
    }
    // The same object as a Deployment's template is judged alike.
    const deployment = clone(grafana);
    (deployment as any).spec.template.spec = spec(pod);
    (deployment as any).spec.template.metadata = { ...(deployment as any).spec.template.metadata, annotations: (pod.metadata as any).annotations };
    expect(admit(policy, binding, deployment, labels).allowed).toBe(control === null);
  });

  it('every validation of the policy is needed: without any one, a case above is admitted', () => {
    const validations = (policy as any).spec.validations as unknown[];
    expect(validations).toHaveLength(new Set(CASES.filter(([, , c]) => c).map(([, , c]) => c)).size);
    validations.forEach((_, i) => {
      const weaker = clone(policy);
      (weaker as any).spec.validations.splice(i, 1);
      const admitted = CASES.filter(([, mutate, control]) => {
        const pod = clone(base);
        mutate(pod);
        return control !== null && admit(weaker, binding, pod, labels).allowed;
      });
      expect(admitted.length, (validations[i] as { message: string }).message).toBeGreaterThan(0);
    });
  });
});

describe('the Pod Security check proves both sides (each mutation fails it)', () => {
  const ms = manifestsOf('de-pro');
  const edit = (fn: (ms: Manifest[]) => void) => {
    const copy = clone(ms);
    fn(copy);
    return checkPodSecurity(copy);
  };
  const find = (list: Manifest[], kind: string, name: string) => list.find((m) => m.kind === kind && m.metadata.name === name) as any;

  it('passes on every shipped profile', () => {
    for (const name of ['de-pro', 'de-pro-wsim', 'es-pro', 'es-int', 'uk-pro', 'br-pre']) expect(checkPodSecurity(manifestsOf(name)), name).toEqual([]);
  });

  it.each([
    ['a privileged container in aura-system (beside the agents)', (l: Manifest[]) => (find(l, 'StatefulSet', 'grafana').spec.template.spec.containers[0].securityContext.privileged = true), /StatefulSet\/aura-system\/grafana: aura-system's admission policy holds it to Pod Security "restricted", which its pods break: privileged/],
    ['the binding removed', (l: Manifest[]) => l.splice(l.indexOf(find(l, 'ValidatingAdmissionPolicyBinding', 'aura-system-restricted-pods')), 1), /namespace aura-system enforces Pod Security "privileged" and no admission policy holds its pods to "restricted"/],
    ['the binding only warning', (l: Manifest[]) => (find(l, 'ValidatingAdmissionPolicyBinding', 'aura-system-restricted-pods').spec.validationActions = ['Warn']), /no admission policy holds its pods/],
    ['the exemption widened to a StatefulSet', (l: Manifest[]) => find(l, 'ValidatingAdmissionPolicyBinding', 'aura-system-restricted-pods').spec.matchResources.objectSelector.matchExpressions[0].values.push('grafana'), /StatefulSet\/aura-system\/grafana: left out of aura-system's "restricted" admission policy, but only node agents \(DaemonSets\) may be/],
    ['the exemption naming no DaemonSet', (l: Manifest[]) => find(l, 'ValidatingAdmissionPolicyBinding', 'aura-system-restricted-pods').spec.matchResources.objectSelector.matchExpressions[0].values.push('nobody'), /leaves out nobody, which is no DaemonSet of aura-system/],
    ['the exemption by another selector', (l: Manifest[]) => (find(l, 'ValidatingAdmissionPolicyBinding', 'aura-system-restricted-pods').spec.matchResources.objectSelector.matchLabels = { tier: 'x' }), /its object selector may only leave node agents out/],
    ['a node agent that no longer needs it', (l: Manifest[]) => {
      const ne = find(l, 'DaemonSet', 'node-exporter').spec.template.spec;
      Object.assign(ne, { hostNetwork: false, hostPID: false, volumes: ne.volumes.filter((v: any) => !v.hostPath) });
      ne.containers[0].volumeMounts = ne.containers[0].volumeMounts.filter((m: any) => ne.volumes.some((v: any) => v.name === m.name));
    }, /DaemonSet\/aura-system\/node-exporter: left out of aura-system's "restricted" admission policy without needing it/],
    ['a hostPath in a restricted namespace', (l: Manifest[]) => find(l, 'Deployment', 'aura-bot').spec.template.spec.volumes.push({ name: 'h', hostPath: { path: '/' } }), /Deployment\/aura-de-pro\/aura-bot: namespace aura-de-pro enforces Pod Security "restricted", which its pods break: volume types/],
  ])('%s', (_, mutate, message) => {
    const problems = edit(mutate);
    expect(problems.join('\n')).toMatch(message);
  });
});

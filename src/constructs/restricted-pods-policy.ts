import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import {
  ADDABLE_CAPABILITY, APPARMOR_ANNOTATION_PREFIX, CONTAINER_LISTS, PROFILE_TYPES, RESTRICTED_VOLUME_TYPES, SAFE_SYSCTLS, SELINUX_TYPES,
} from '../model/pod-security';

/**
 * The Pod Security `restricted` level for the pods of a namespace that must enforce
 * `privileged` because of a few node agents (aura-system: node-exporter and fluent-bit read the
 * host). Pod Security admission works per namespace, so the namespace stays `privileged`, and a
 * ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, built into every supported minor)
 * holds every other pod, and every workload's pod template, to `restricted`. Its binding selects
 * the namespace, and leaves out the node agents by their `app.kubernetes.io/name` label (their
 * DaemonSets and the pods those make carry it).
 *
 * The CEL is generated from the level's facts (src/model/pod-security.ts) and uses only standard
 * CEL with `has()` guards at every step (no optional types), so it evaluates, and cannot error,
 * on any pod; with failurePolicy Fail an error would deny.
 */
export interface RestrictedPodsPolicyProps {
  namespace: string;
  /** `app.kubernetes.io/name` of the node agents the binding leaves out. */
  exempt: readonly string[];
  labels: Record<string, string>;
}

/** Label the binding's object selector leaves node agents out by. */
export const EXEMPTION_LABEL = 'app.kubernetes.io/name';

const list = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;
/** `x` is absent, or equal to `value`. */
const unsetOr = (path: string, field: string, test: string) => `(!has(${path}.${field}) || ${path}.${field}${test})`;

/** A predicate on every container of every list of the pod spec `s`. */
const everyContainer = (s: string, pred: (c: string) => string) => CONTAINER_LISTS.map((l) => `(!has(${s}.${l}) || ${s}.${l}.all(c, ${pred('c')}))`).join(' && ');
/** A predicate on a container's securityContext field that holds when the context or the field is absent. */
const scUnsetOr = (c: string, field: string, test: string) => `(!has(${c}.securityContext) || ${unsetOr(`${c}.securityContext`, field, test)})`;
const podScUnsetOr = (s: string, field: string, test: string) => `(!has(${s}.securityContext) || ${unsetOr(`${s}.securityContext`, field, test)})`;

/** `[validation message, CEL over variables.spec]`, one per control of the level. */
export function restrictedValidations(): [string, string][] {
  const s = 'variables.spec';
  const profileOk = (p: string) => `${p}.type in ${list(PROFILE_TYPES)}`;
  const seLinuxOk = (o: string) => `((!has(${o}.type) || ${o}.type == '' || ${o}.type in ${list(SELINUX_TYPES)}) && (!has(${o}.user) || ${o}.user == '') && (!has(${o}.role) || ${o}.role == ''))`;
  const annotationsOk = (m: string) => `(!has(${m}.annotations) || ${m}.annotations.all(k, !k.startsWith('${APPARMOR_ANNOTATION_PREFIX}') || ${m}.annotations[k] == 'runtime/default' || ${m}.annotations[k].startsWith('localhost/')))`;
  const metadataOk = `(object.kind == 'Pod' ? ${annotationsOk('object.metadata')} : object.kind == 'CronJob' ? (!has(object.spec.jobTemplate.spec.template.metadata) || ${annotationsOk('object.spec.jobTemplate.spec.template.metadata')}) : (!has(object.spec.template.metadata) || ${annotationsOk('object.spec.template.metadata')}))`;
  const podSeccompSet = `(has(${s}.securityContext) && has(${s}.securityContext.seccompProfile))`;
  const podNonRoot = `(has(${s}.securityContext) && has(${s}.securityContext.runAsNonRoot) && ${s}.securityContext.runAsNonRoot == true)`;
  return [
    ['hostProcess: no Windows host process', `(!has(${s}.securityContext) || !has(${s}.securityContext.windowsOptions) || ${unsetOr(`${s}.securityContext.windowsOptions`, 'hostProcess', ' == false')}) && ${everyContainer(s, (c) => `(!has(${c}.securityContext) || !has(${c}.securityContext.windowsOptions) || ${unsetOr(`${c}.securityContext.windowsOptions`, 'hostProcess', ' == false')})`)}`],
    ['host namespaces: hostNetwork, hostPID and hostIPC must be unset or false', ['hostNetwork', 'hostPID', 'hostIPC'].map((f) => unsetOr(s, f, ' == false')).join(' && ')],
    ['privileged: no privileged container', everyContainer(s, (c) => scUnsetOr(c, 'privileged', ' == false'))],
    [`capabilities: every container drops ALL and adds at most ${ADDABLE_CAPABILITY}`, everyContainer(s, (c) => `has(${c}.securityContext) && has(${c}.securityContext.capabilities) && has(${c}.securityContext.capabilities.drop) && ${c}.securityContext.capabilities.drop.exists(d, d == 'ALL') && (!has(${c}.securityContext.capabilities.add) || ${c}.securityContext.capabilities.add.all(a, a == '${ADDABLE_CAPABILITY}'))`)],
    [`volume types: only ${RESTRICTED_VOLUME_TYPES.join(', ')} (no hostPath)`, `(!has(${s}.volumes) || ${s}.volumes.all(v, ${RESTRICTED_VOLUME_TYPES.map((t) => `has(v.${t})`).join(' || ')}))`],
    ['host ports: none', everyContainer(s, (c) => `(!has(${c}.ports) || ${c}.ports.all(p, !has(p.hostPort) || p.hostPort == 0))`)],
    ['AppArmor: RuntimeDefault or Localhost only', `${podScUnsetOr(s, 'appArmorProfile', `.type in ${list(PROFILE_TYPES)}`)} && ${everyContainer(s, (c) => scUnsetOr(c, 'appArmorProfile', `.type in ${list(PROFILE_TYPES)}`))} && ${metadataOk}`],
    ['SELinux: only the container types, no user or role', `(!has(${s}.securityContext) || !has(${s}.securityContext.seLinuxOptions) || ${seLinuxOk(`${s}.securityContext.seLinuxOptions`)}) && ${everyContainer(s, (c) => `(!has(${c}.securityContext) || !has(${c}.securityContext.seLinuxOptions) || ${seLinuxOk(`${c}.securityContext.seLinuxOptions`)})`)}`],
    ['procMount: Default only', everyContainer(s, (c) => scUnsetOr(c, 'procMount', " == 'Default'"))],
    [
      'seccompProfile: RuntimeDefault or Localhost, set for the pod or for every container',
      `(!${podSeccompSet} || ${profileOk(`${s}.securityContext.seccompProfile`)}) && ${everyContainer(s, (c) => `(has(${c}.securityContext) && has(${c}.securityContext.seccompProfile) ? ${profileOk(`${c}.securityContext.seccompProfile`)} : ${podSeccompSet})`)}`,
    ],
    ['sysctls: the safe set only', podScUnsetOr(s, 'sysctls', `.all(x, x.name in ${list(SAFE_SYSCTLS)})`)],
    ['allowPrivilegeEscalation: false in every container', everyContainer(s, (c) => `has(${c}.securityContext) && has(${c}.securityContext.allowPrivilegeEscalation) && ${c}.securityContext.allowPrivilegeEscalation == false`)],
    [
      'runAsNonRoot: true for the pod or every container, false nowhere',
      `${podScUnsetOr(s, 'runAsNonRoot', ' == true')} && ${everyContainer(s, (c) => `(has(${c}.securityContext) && has(${c}.securityContext.runAsNonRoot) ? ${c}.securityContext.runAsNonRoot == true : ${podNonRoot})`)}`,
    ],
    ['runAsUser: never 0', `${podScUnsetOr(s, 'runAsUser', ' != 0')} && ${everyContainer(s, (c) => scUnsetOr(c, 'runAsUser', ' != 0'))}`],
  ];
}

/** The pod spec of the admitted object: a Pod's own, a CronJob's job template's, a workload's template's. */
export const POD_SPEC_VARIABLE = "object.kind == 'Pod' ? object.spec : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec";

/** The resources whose pods (or pod templates) are admitted: pods and every workload kind that makes them. */
export const ADMITTED_RESOURCES: { apiGroup: string; resources: string[] }[] = [
  { apiGroup: '', resources: ['pods', 'pods/ephemeralcontainers'] },
  { apiGroup: 'apps', resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'] },
  { apiGroup: 'batch', resources: ['cronjobs', 'jobs'] },
];

export class RestrictedPodsPolicy extends Construct {
  constructor(scope: Construct, id: string, props: RestrictedPodsPolicyProps) {
    super(scope, id);
    const name = `${props.namespace}-restricted-pods`;
    const namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } };
    new k8s.KubeValidatingAdmissionPolicy(this, 'Policy', {
      metadata: { name, labels: props.labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          namespaceSelector,
          resourceRules: ADMITTED_RESOURCES.map((r) => ({ apiGroups: [r.apiGroup], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: r.resources })),
        },
        variables: [{ name: 'spec', expression: POD_SPEC_VARIABLE }],
        validations: restrictedValidations().map(([message, expression]) => ({ expression, message: `${props.namespace} holds pods to Pod Security "restricted" (node agents aside): ${message}`, reason: 'Forbidden' })),
      },
    });
    new k8s.KubeValidatingAdmissionPolicyBinding(this, 'Binding', {
      metadata: { name, labels: props.labels },
      spec: {
        policyName: name,
        validationActions: ['Deny'],
        matchResources: {
          namespaceSelector,
          objectSelector: { matchExpressions: [{ key: EXEMPTION_LABEL, operator: 'NotIn', values: [...props.exempt].sort() }] },
        },
      },
    });
  }
}

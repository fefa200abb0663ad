/**
 * The Pod Security Standards' `restricted` level (kubernetes.io/docs/concepts/security/
 * pod-security-standards, as pod-security-admission enforces it in the supported minors 1.34 to
 * 1.36): the baseline controls and the restricted ones, as data and as one function over a pod
 * spec. The facts are written once here; the ValidatingAdmissionPolicy's CEL
 * (src/constructs/restricted-pods-policy.ts) and the Pod Security check (src/checks/pod-security.ts)
 * are both derived from them. A model of the real evaluator (Go, not packaged here), tested
 * against a CEL evaluator on the same pods (test/checks/pod-security.test.ts).
 */

/** Volume types a restricted pod may use. */
export const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'] as const;
/** Sysctls the baseline level allows (the "safe" set of the kubelet, 1.32 and later). */
export const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
] as const;
/** SELinux types the baseline level allows (besides none). */
export const SELINUX_TYPES = ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'] as const;
/** Seccomp and AppArmor profile types a restricted pod may use. */
export const PROFILE_TYPES = ['RuntimeDefault', 'Localhost'] as const;
/** The only capability a restricted container may add (after dropping ALL). */
export const ADDABLE_CAPABILITY = 'NET_BIND_SERVICE';
export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** The container lists of a pod spec: each restricted control applies to all three. */
export const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** One control of the level: its name as pod-security-admission reports it. */
export type Control =
  | 'hostProcess' | 'host namespaces' | 'privileged' | 'capabilities' | 'volume types' | 'host ports' | 'AppArmor' | 'SELinux' | 'procMount'
  | 'seccompProfile' | 'sysctls' | 'allowPrivilegeEscalation' | 'runAsNonRoot' | 'runAsUser';

export interface Violation {
  control: Control;
  /** Where, as a field path (spec.containers[name=x].securityContext.privileged). */
  field: string;
}

type Sc = Record<string, any> | undefined;

/**
 * The restricted controls a pod spec (with its metadata, for the AppArmor annotations) breaks.
 * Empty: the pod is admitted at the restricted level.
 */
export function restrictedViolations(spec: Record<string, any>, metadata: { annotations?: Record<string, string> } = {}): Violation[] {
  const out: Violation[] = [];
  const fail = (control: Control, field: string) => out.push({ control, field });
  const pod: Sc = spec.securityContext;
  const containers: [string, Record<string, any>][] = CONTAINER_LISTS.flatMap((list) => ((spec[list] ?? []) as Record<string, any>[]).map((c) => [`spec.${list}[name=${c.name}]`, c] as [string, Record<string, any>]));
  const sc = (c: Record<string, any>): Sc => c.securityContext;

  if (pod?.windowsOptions?.hostProcess === true) fail('hostProcess', 'spec.securityContext.windowsOptions.hostProcess');
  for (const [at, c] of containers) if (sc(c)?.windowsOptions?.hostProcess === true) fail('hostProcess', `${at}.securityContext.windowsOptions.hostProcess`);
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[field] === true) fail('host namespaces', `spec.${field}`);
  for (const [at, c] of containers) if (sc(c)?.privileged === true) fail('privileged', `${at}.securityContext.privileged`);
  for (const [at, c] of containers) {
    const caps = sc(c)?.capabilities;
    if (!Array.isArray(caps?.drop) || !caps.drop.includes('ALL')) fail('capabilities', `${at}.securityContext.capabilities.drop`);
    if (Array.isArray(caps?.add) && caps.add.some((a: string) => a !== ADDABLE_CAPABILITY)) fail('capabilities', `${at}.securityContext.capabilities.add`);
  }
  for (const v of (spec.volumes ?? []) as Record<string, unknown>[])
    if (!RESTRICTED_VOLUME_TYPES.some((t) => v[t] !== undefined)) fail('volume types', `spec.volumes[name=${v.name}]`);
  for (const [at, c] of containers) for (const p of (c.ports ?? []) as { hostPort?: number }[]) if (p.hostPort !== undefined && p.hostPort !== 0) fail('host ports', `${at}.ports`);
  const appArmorOk = (p: Sc) => p === undefined || (PROFILE_TYPES as readonly string[]).includes(p.type);
  if (!appArmorOk(pod?.appArmorProfile)) fail('AppArmor', 'spec.securityContext.appArmorProfile');
  for (const [at, c] of containers) if (!appArmorOk(sc(c)?.appArmorProfile)) fail('AppArmor', `${at}.securityContext.appArmorProfile`);
  for (const [key, value] of Object.entries(metadata.annotations ?? {}))
    if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && value !== 'runtime/default' && !value.startsWith('localhost/')) fail('AppArmor', `metadata.annotations[${key}]`);
  const seLinuxOk = (o: Sc) => o === undefined || ((o.type === undefined || o.type === '' || (SELINUX_TYPES as readonly string[]).includes(o.type)) && !o.user && !o.role);
  if (!seLinuxOk(pod?.seLinuxOptions)) fail('SELinux', 'spec.securityContext.seLinuxOptions');
  for (const [at, c] of containers) if (!seLinuxOk(sc(c)?.seLinuxOptions)) fail('SELinux', `${at}.securityContext.seLinuxOptions`);
  for (const [at, c] of containers) if (sc(c)?.procMount !== undefined && sc(c)!.procMount !== 'Default') fail('procMount', `${at}.securityContext.procMount`);
  const profileOk = (p: Sc) => p !== undefined && (PROFILE_TYPES as readonly string[]).includes(p.type);
  const podSeccomp = pod?.seccompProfile;
  if (podSeccomp !== undefined && !profileOk(podSeccomp)) fail('seccompProfile', 'spec.securityContext.seccompProfile');
  for (const [at, c] of containers) {
    const own = sc(c)?.seccompProfile;
    if (own !== undefined ? !profileOk(own) : podSeccomp === undefined) fail('seccompProfile', `${at}.securityContext.seccompProfile`);
  }
  for (const s of (pod?.sysctls ?? []) as { name: string }[]) if (!(SAFE_SYSCTLS as readonly string[]).includes(s.name)) fail('sysctls', `spec.securityContext.sysctls[name=${s.name}]`);
  for (const [at, c] of containers) if (sc(c)?.allowPrivilegeEscalation !== false) fail('allowPrivilegeEscalation', `${at}.securityContext.allowPrivilegeEscalation`);
  for (const [at, c] of containers) {
    const own = sc(c)?.runAsNonRoot;
    if (own === false || (own === undefined && pod?.runAsNonRoot !== true)) fail('runAsNonRoot', `${at}.securityContext.runAsNonRoot`);
  }
  if (pod?.runAsNonRoot === false) fail('runAsNonRoot', 'spec.securityContext.runAsNonRoot');
  if (pod?.runAsUser === 0) fail('runAsUser', 'spec.securityContext.runAsUser');
  for (const [at, c] of containers) if (sc(c)?.runAsUser === 0) fail('runAsUser', `${at}.securityContext.runAsUser`);
  return out;
}

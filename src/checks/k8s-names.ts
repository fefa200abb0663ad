/**
 * Kubernetes' own syntax rules for what the API server would refuse, checked on every compiled
 * object: names (RFC 1123 subdomain; a DNS label for the kinds that need one), namespaces,
 * label keys and values, the annotations' total size, a ConfigMap's 1 MiB limit, and one object
 * per kind, namespace and name. The rules follow k8s.io/apimachinery/pkg/util/validation.
 */
import type { Manifest } from '../model/manifest';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** Kinds whose name must be a DNS label (63 characters, no dots): they become DNS names or label values. */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);
/** The API server's limit on an object in etcd, of which a ConfigMap's data may use 1 MiB. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

/** A label or annotation key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts.pop()!;
  if (parts.length && !isDnsSubdomain(parts[0]!)) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

export function isLabelValue(v: string): boolean {
  return v === '' || (v.length <= 63 && LABEL_NAME.test(v));
}

/** `kind namespace/name` without echoing an invalid name: it may come from a profile. */
const who = (m: Manifest, nameOk: boolean) => `${m.kind} ${m.metadata.namespace && isDnsLabel(m.metadata.namespace) ? `${m.metadata.namespace}/` : ''}${nameOk ? m.metadata.name : '(invalid name)'}`;

export function checkKubernetesNames(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of manifests) {
    const name = m.metadata?.name;
    const nameOk = typeof name === 'string' && (LABEL_NAMED_KINDS.has(m.kind) ? isDnsLabel(name) : isDnsSubdomain(name));
    if (!nameOk)
      problems.push(`${who(m, false)}: metadata.name must be ${LABEL_NAMED_KINDS.has(m.kind) ? 'an RFC 1123 label (lowercase letters, digits and "-", at most 63 characters)' : 'an RFC 1123 subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)'}; check the profile value it comes from`);
    const ns = m.metadata?.namespace;
    if (ns !== undefined && !(typeof ns === 'string' && isDnsLabel(ns))) problems.push(`${who(m, nameOk)}: metadata.namespace must be an RFC 1123 label (lowercase letters, digits and "-", at most 63 characters)`);
    for (const [k, v] of Object.entries(m.metadata?.labels ?? {})) {
      if (!isQualifiedName(k)) problems.push(`${who(m, nameOk)}: a label key is not a valid Kubernetes label key`);
      else if (typeof v !== 'string' || !isLabelValue(v)) problems.push(`${who(m, nameOk)}: the value of label ${k} must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`);
    }
    let annotationBytes = 0;
    for (const [k, v] of Object.entries(m.metadata?.annotations ?? {})) {
      if (!isQualifiedName(k)) problems.push(`${who(m, nameOk)}: an annotation key is not a valid Kubernetes key`);
      annotationBytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
    }
    if (annotationBytes > ANNOTATIONS_MAX_BYTES) problems.push(`${who(m, nameOk)}: annotations total ${annotationBytes} bytes; Kubernetes allows ${ANNOTATIONS_MAX_BYTES}`);
    if (m.kind === 'ConfigMap' || m.kind === 'Secret') {
      const size = Buffer.byteLength(JSON.stringify((m as any).data ?? {})) + Buffer.byteLength(JSON.stringify((m as any).binaryData ?? {}));
      if (size > CONFIGMAP_MAX_BYTES) problems.push(`${who(m, nameOk)}: its data is ${size} bytes; a ${m.kind} holds at most 1 MiB`);
    }
    const id = `${m.apiVersion}|${m.kind}|${ns ?? ''}|${name}`;
    if (seen.has(id)) problems.push(`${who(m, nameOk)}: two objects have this kind, namespace and name (two profile entries map to one name)`);
    seen.add(id);
  }
  return problems;
}

/**
 * The Kubernetes versions this project compiles for: the one place that says which minor versions
 * a profile may target (`kubernetes_version`) and which one it gets when it says nothing.
 *
 * Moving the window: add or remove a line below (the upstream definitions of a new version go to
 * ../shared/upstream/k8s/v<definitions>/), then `npm run gen:schemas`; when DEFAULT changes, also
 * `scripts/import.sh` (imports/k8s.ts is generated from the default's definitions) and
 * `npm run synth -- --all`.
 *
 * Source and assumptions (as of 2026-11-26): AKS supports three GA minor versions for 12 months
 * each, plus long-term support (LTS) for a year more on the Premium tier
 * (learn.microsoft.com/azure/aks/supported-kubernetes-versions, .../long-term-support). The AKS
 * release calendar publishes months, not days: `aksEndOfLife` is that month (support ends during
 * it). Upstream end-of-life dates are from kubernetes.io/releases/<minor>. 1.37 is GA on AKS by
 * now but its definitions are not in ../shared/upstream yet, so it is not offered. 1.32 and 1.33
 * are LTS-only (Premium tier and the AKSLongTermSupport plan, which infra/aks.bicep does not
 * deploy), so they are not offered either.
 */
export interface KubernetesVersion {
  /** The minor version a profile names: `1.35` (AKS then runs its latest patch) or `1.35.<patch>`. */
  minor: string;
  /** The upstream definitions (../shared/upstream/k8s/v<definitions>/) its schemas come from. */
  definitions: string;
  /** The month AKS community support ends (YYYY-MM, from the AKS release calendar). */
  aksEndOfLife: string;
  /** The day upstream Kubernetes stops releasing patches (kubernetes.io/releases). */
  upstreamEndOfLife: string;
}

/** Oldest first. */
export const KUBERNETES_VERSIONS: readonly KubernetesVersion[] = [
  { minor: '1.34', definitions: '1.34.0', aksEndOfLife: '2026-11', upstreamEndOfLife: '2026-10-27' },
  { minor: '1.35', definitions: '1.35.0', aksEndOfLife: '2027-03', upstreamEndOfLife: '2027-02-28' },
  { minor: '1.36', definitions: '1.36.0', aksEndOfLife: '2027-06', upstreamEndOfLife: '2027-06-28' },
];

/**
 * What a profile gets without `kubernetes_version`: the newest minor in the window, so a new
 * cluster has the longest support ahead of it (1.34 leaves AKS support this month, 1.35 in March).
 */
export const DEFAULT_KUBERNETES_VERSION = '1.36';

export const SUPPORTED_MINORS = KUBERNETES_VERSIONS.map((v) => v.minor);

/** `1.35.2` → `1.35`; anything that is not a version → undefined. */
export function minorOf(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

/** The window entry of a version (`1.35` or `1.35.2`), or undefined when outside the window. */
export const kubernetesVersion = (version: string): KubernetesVersion | undefined => KUBERNETES_VERSIONS.find((v) => v.minor === minorOf(version));

/** Compares minors numerically: 1.9 < 1.10. */
export function compareMinors(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am! - bm! || an! - bn!;
}

/** Why a version is not accepted, or undefined when it is. */
export function kubernetesVersionProblem(version: unknown): string | undefined {
  const allowed = `allowed: ${SUPPORTED_MINORS.join(', ')} (or one of their patch versions, such as ${SUPPORTED_MINORS.at(-1)}.1)`;
  if (typeof version !== 'string' || !minorOf(version)) return `must be a Kubernetes version such as ${DEFAULT_KUBERNETES_VERSION}; ${allowed}`;
  if (!kubernetesVersion(version)) return `is not a version this project validates for AKS; ${allowed}`;
  return undefined;
}

/** The version a profile targets, as written (`1.35` or `1.35.2`), or the default. */
export const targetKubernetesVersion = (config: { kubernetes_version?: string }): string => config.kubernetes_version ?? DEFAULT_KUBERNETES_VERSION;

/** The minor version a profile targets: what its objects are validated against. */
export const targetKubernetesMinor = (config: { kubernetes_version?: string }): string => minorOf(targetKubernetesVersion(config)) ?? DEFAULT_KUBERNETES_VERSION;

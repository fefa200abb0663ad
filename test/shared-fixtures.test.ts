import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { built, manifests, MINIMAL } from './helpers';
import { buildCounts, compiler } from './support/compiler';
import { deepFreeze, shared } from './support/shared-fixtures';

// The shipped profiles are compiled once per run and shared by every test file: a test that
// changed one would change what every later test sees. The fixtures are deep-frozen, so it fails.
it('a test that mutates a shared compiled profile fails instead of changing it for the next test', () => {
  const b = built('es-pro');
  const m = b.objects[0]!.manifest;
  const name = m.metadata.name;
  expect(() => {
    m.metadata.name = 'changed';
  }).toThrow(TypeError);
  expect(() => {
    (m.metadata as any).labels.extra = 'x';
  }).toThrow(TypeError);
  expect(() => b.objects.push(b.objects[0]!)).toThrow(TypeError);
  expect(() => manifests('es-pro').sort()).not.toThrow(); // a new array: manifests() maps
  expect(() => b.objects.sort()).toThrow(TypeError);
  expect(() => b.files.set('manifests/extra.yaml', 'x')).toThrow(TypeError);
  expect(() => b.files.delete([...b.files.keys()][0]!)).toThrow(TypeError);
  expect(() => b.files.clear()).toThrow(TypeError);
  expect(() => {
    (b.config as any).cluster_name = 'changed';
  }).toThrow(TypeError);
  expect(built('es-pro').objects[0]!.manifest.metadata.name).toBe(name);
  expect(built('es-pro')).toBe(b);
});

it('freezes Sets, nested arrays and shared references, and leaves copies writable', () => {
  const inner = { n: 1 };
  const v = deepFreeze({ list: [[inner]], again: inner, set: new Set([{ k: 1 }]) });
  expect(Object.isFrozen(v.list[0]) && Object.isFrozen(inner)).toBe(true);
  expect(() => v.set.add({ k: 2 })).toThrow(TypeError);
  expect(() => ([...v.set][0]!.k = 2)).toThrow(TypeError);
  const copy = structuredClone(v);
  copy.again.n = 2;
  expect(copy.again.n).toBe(2);
});

it('a fixture is computed once and a failure is reported by every test that needs it', () => {
  let calls = 0;
  const key = `probe-${process.pid}-${Date.now()}`;
  expect(shared(key, () => ({ calls: ++calls }))).toEqual({ calls: 1 });
  expect(shared(key, () => ({ calls: ++calls }))).toEqual({ calls: 1 });
  expect(calls).toBe(1);
  const failing = `failing-${process.pid}-${Date.now()}`;
  expect(() => shared(failing, () => { throw new Error('boom'); })).toThrow('boom');
  expect(() => shared(failing, () => 1)).toThrow(/boom/);
  expect(() => shared('../escape', () => 1)).toThrow(/letters, digits/);
});

// test/support/compiler.ts: the compiler the commands get in tests remembers a build, and must
// never answer with one whose inputs changed.
describe('the compiler the commands use in tests', () => {
  const counted = (f: () => unknown) => {
    const before = { ...buildCounts };
    f();
    return { compiled: buildCounts.compiled - before.compiled, remembered: buildCounts.remembered - before.remembered };
  };
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-remembered-'));
    mkdirSync(join(dir, 'layers'));
    writeFileSync(join(dir, 'layers/base.yaml'), MINIMAL);
    writeFileSync(join(dir, 'p.yaml'), 'extends: layers/base.yaml\n');
    return dir;
  };
  const email = (b: { config: { notifications_email: string } }) => b.config.notifications_email;

  it('answers the same build again with an equal copy, not the object another caller may have changed', () => {
    const dir = folder();
    const first = compiler.buildProfile('p', dir);
    let again: typeof first | undefined;
    expect(counted(() => (again = compiler.buildProfile('p', dir)))).toEqual({ compiled: 0, remembered: 1 });
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(again!.files).not.toBe(first.files);
  });

  it('compiles again when the profile, a layer it extends or the previous chart changed (mutations)', () => {
    const dir = folder();
    compiler.buildProfile('p', dir);
    writeFileSync(join(dir, 'layers/base.yaml'), MINIMAL.replace('ops@example.com', 'layer@example.com'));
    let b: any;
    expect(counted(() => (b = compiler.buildProfile('p', dir)))).toEqual({ compiled: 1, remembered: 0 });
    expect(email(b)).toBe('layer@example.com');
    writeFileSync(join(dir, 'p.yaml'), 'extends: layers/base.yaml\nnotifications_email: own@example.com\n');
    expect(counted(() => (b = compiler.buildProfile('p', dir)))).toEqual({ compiled: 1, remembered: 0 });
    expect(email(b)).toBe('own@example.com');
    // An output folder whose chart is at another revision: the next chart version differs.
    const out = mkdtempSync(join(tmpdir(), 'aura-remembered-out-'));
    const fresh = compiler.buildProfile('p', dir, { outDir: out });
    const chart = fresh.files.get('chart/Chart.yaml')!;
    mkdirSync(join(out, 'p/chart'), { recursive: true });
    writeFileSync(join(out, 'p/chart/Chart.yaml'), chart.replace(/^version: 0\.1\.1$/m, 'version: 0.1.7'));
    expect(counted(() => (b = compiler.buildProfile('p', dir, { outDir: out })))).toEqual({ compiled: 1, remembered: 0 });
    expect(b.files.get('chart/Chart.yaml')).toMatch(/^version: 0\.1\.7$/m);
    expect(chart).toMatch(/^version: 0\.1\.1$/m);
  });

  it('answers a profile that reads no other file under another folder, naming that folder\'s file', () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), 'aura-remembered-a-')), mkdtempSync(join(tmpdir(), 'aura-remembered-b-'))];
    const text = MINIMAL.replace('ops@example.com', 'alone@example.com');
    writeFileSync(join(a, 'p.yaml'), text);
    writeFileSync(join(b, 'p.yaml'), text);
    compiler.buildProfile('p', a);
    let built: any;
    expect(counted(() => (built = compiler.buildProfile('p', b)))).toEqual({ compiled: 0, remembered: 1 });
    expect(built.sources).toEqual([join(b, 'p.yaml')]);
    expect(built.inputs[0][0]).toBe(join(b, 'p.yaml'));
  });

  it('never remembers a failure: a bad profile is compiled, and refused, every time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-remembered-bad-'));
    writeFileSync(join(dir, 'p.yaml'), `${MINIMAL}unknown_key: 1\n`);
    expect(() => compiler.buildProfile('p', dir)).toThrow(/unknown key/);
    expect(counted(() => expect(() => compiler.buildProfile('p', dir)).toThrow(/unknown key/))).toEqual({ compiled: 1, remembered: 0 });
  });
});

import { expect, it } from 'vitest';
import { built, manifests } from './helpers';
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

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile, mergeDeep, positionOf } from '../../src/profile/load';
import { catchError } from '../helpers';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-load-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('mergeDeep', () => {
  it.each([
    [{ a: { b: 1, c: 2 } }, { a: { c: 3 } }, { a: { b: 1, c: 3 } }],
    [{ a: [1, 2, 3] }, { a: [4] }, { a: [4] }],
    [{ a: { b: 1 } }, { a: 'x' }, { a: 'x' }],
    [{ a: 1 }, { b: 2 }, { a: 1, b: 2 }],
    [{ a: { b: { c: 1 } } }, { a: { b: { d: 2 } } }, { a: { b: { c: 1, d: 2 } } }],
  ])('merges %j with %j', (base, overlay, expected) => {
    expect(mergeDeep(base, overlay)).toEqual(expected);
  });
});

describe('extends', () => {
  it('layers by name, list order, then the file itself, and drops extends', () => {
    const dir = tree({
      'layers/ob.yaml': 'a: ob\nnested: { x: 1, y: 1 }\nlist: [1, 2]\n',
      'layers/env.yaml': 'a: env\nnested: { y: 2 }\n',
      'leaf.yaml': 'extends: [layers/ob, layers/env]\nlist: [3]\n',
    });
    const p = loadProfile('leaf', dir);
    expect(p.data).toEqual({ a: 'env', nested: { x: 1, y: 2 }, list: [3] });
    expect(p.layers.map((l) => l.file.split('/').slice(-2).join('/'))).toEqual(['layers/ob.yaml', 'layers/env.yaml', expect.stringMatching(/leaf.yaml$/)]);
  });

  it('resolves a relative path from the extending file', () => {
    const dir = tree({ 'shared/base.yaml': 'a: 1\n', 'team/leaf.yaml': 'extends: ../shared/base.yaml\nb: 2\n' });
    expect(loadProfile(join(dir, 'team/leaf.yaml'), dir).data).toEqual({ a: 1, b: 2 });
  });

  it('reports a missing parent at the extends key', () => {
    const dir = tree({ 'leaf.yaml': 'b: 2\nextends: nope\n' });
    const e = catchError(() => loadProfile('leaf', dir));
    expect(e.diagnostics).toEqual([expect.objectContaining({ line: 2, col: 1, path: 'extends', message: 'names a profile or layer file that does not exist' })]);
  });

  it('reports a cycle', () => {
    const dir = tree({ 'a.yaml': 'extends: b\n', 'b.yaml': 'extends: a\n' });
    expect(catchError(() => loadProfile('a', dir)).message).toMatch(/extends cycle: a.yaml -> b.yaml -> a.yaml/);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    const dir = tree({ 'bad.yaml': 'a: 1\na: 2\n', 'broken.yaml': 'a: [1, 2\nb: 3\n' });
    expect(catchError(() => loadProfile('bad', dir)).diagnostics[0]).toMatchObject({ line: 2, message: expect.stringMatching(/set twice in one mapping \(first on line 1\)/) });
    expect(catchError(() => loadProfile('broken', dir)).diagnostics[0]!.message).toMatch(/^YAML syntax/);
  });

  it('names the known profiles when one does not exist', () => {
    const dir = tree({ 'es-pro.yaml': 'a: 1\n' });
    expect(catchError(() => loadProfile('es-prod', dir)).message).toMatch(/no such profile .*es-pro/);
  });

  it('positions a key in the layer that set it last', () => {
    const dir = tree({ 'base.yaml': 'x:\n  y: 1\n  z: 1\n', 'leaf.yaml': 'extends: base\nx:\n  z: 2\n' });
    const p = loadProfile('leaf', dir);
    expect(positionOf(p, ['x', 'y'])).toMatchObject({ file: expect.stringMatching(/base.yaml$/), line: 2, col: 3 });
    expect(positionOf(p, ['x', 'z'])).toMatchObject({ file: expect.stringMatching(/leaf.yaml$/), line: 3, col: 3 });
  });
});


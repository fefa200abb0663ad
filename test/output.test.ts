import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { emitYaml } from '../src/util/emit';
import { canonical, toYaml } from '../src/output/yaml';
import { manifests, SHIPPED } from './helpers';

const TRICKY = [
  '', ' ', 'true', 'False', 'null', '~', 'yes', 'NO', 'on', 'y', '1', '-1', '+1', '1.5', '1e3', '.5', '0x1F', '0o17', '.inf', '-.NaN', '12:30',
  '2024-01-01', '10.0.0.0/16', '0.10.0', '100m', '512Mi', 'a: b', 'a:b', 'http://x.example/a?b=c', 'a #b', '#a', '- a', '? a', '!tag', '&a', '*a',
  '@a', '`a`', '"q"', "'q'", 'a\tb', 'line1\nline2', 'line1\nline2\n', 'trailing\n\n', ' lead\nx', 'x \ny', '{a}', '[a]', 'a,b', '%a', '|', '>',
  'TLSv1.2 TLSv1.3', 'EECDH+ECDSA+AESGCM !aNULL', 'ünïcode', 'emoji 🚀', 'back\\slash', 'cr\r\nlf', '\u0001', 'a  b', 'a ', ' a', 'key=value', '--appendonly', '-x', '-', '--', '---', '- x', '-1', '-.inf', '--max=1', '0 2 * * *', '0 0 1 * * ?', 'a,b', '* a', ', a', '%x y', 'a ,b', 'x: *y', 'a:*',
];

describe('emitYaml', () => {
  it.each(TRICKY.map((s) => [s]))('round-trips the string %j as a value, a key and a list item', (s) => {
    const doc = { value: s, [s]: 1, list: [s, { k: s }], nested: { deeper: [[s]] } };
    expect(parse(emitYaml(doc))).toEqual(doc);
  });

  it.each([[0], [-3], [1.25], [1e21], [true], [false], [null], [[]], [{}], [[[]]], [[{}]]])('round-trips %j', (v) => {
    expect(parse(emitYaml({ v }))).toEqual({ v });
  });

  it('matches the yaml library on every shipped object, except where it quotes a scalar the library leaves plain', () => {
    // Quoting is always safe, and needed for YAML 1.1 booleans (yes, no, on, off), which kubectl
    // reads as booleans while the library (YAML 1.2) leaves them plain. Never the other way round.
    const quoted = /^(\s*(?:- |[^:"]+: ))(".*")$/;
    let differences = 0;
    for (const name of SHIPPED)
      for (const m of manifests(name)) {
        const expected = stringify(canonical(m), { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false, indentSeq: true }).split('\n');
        const actual = emitYaml(canonical(m)).split('\n');
        expect(actual.length).toBe(expected.length);
        actual.forEach((line, i) => {
          if (line === expected[i]) return;
          differences++;
          const q = quoted.exec(line);
          expect(q, `${name} ${m.kind}/${m.metadata.name}: ${line}`).not.toBeNull();
          // The library may quote too, in single quotes (a text with ": " in it): the same text either way.
          const single = /^(\s*(?:- |[^:"']+: ))'(.*)'$/.exec(expected[i]!);
          expect(`${q![1]}${JSON.parse(q![2]!)}`, `${name} ${m.kind}/${m.metadata.name}`).toBe(single ? `${single[1]}${single[2]!.replace(/''/g, "'")}` : expected[i]);
        });
        expect(parse(toYaml(m, 'header'))).toEqual(canonical(m));
      }
    expect(differences).toBeGreaterThan(0); // the YAML 1.1 booleans of redis' args at least
  });

  it('writes keys in the conventional order', () => {
    const m = manifests('es-pro').find((x) => x.kind === 'ConfigMap')!;
    expect(toYaml(m).split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(':')[0])).toEqual(['apiVersion', 'kind', 'metadata', 'data']);
    expect(Object.keys(canonical(m).metadata)).toEqual(['name', 'namespace', 'labels', 'annotations']);
  });
});

/**
 * Conformance: the engine against np-guard/netpol-analyzer's own test suite, read in place from
 * ../shared/upstream/netpol-analyzer/. For every ordered pair of distinct workloads of a folder
 * and every probe (port and protocol), the engine's answer must equal the analyzer's expected
 * connectivity. IP-block and ingress-controller lines are left out (not pod to pod).
 */
import { describe, expect, it } from 'vitest';
import { type Engine, engine, PROTOCOLS, type Protocol, RULES } from '../src/checks/network/semantics';
import { connects, type ConformanceCase, loadCase, probePorts, suiteFolders, suiteRoot } from './netpol-analyzer';

const root = suiteRoot();
const cases: ConformanceCase[] = suiteFolders(root).map((f) => loadCase(root, f));

interface Outcome {
  pairs: number;
  probes: number;
  disagreements: string[];
}

function run(c: ConformanceCase, e: Engine = engine()): Outcome {
  const ports = probePorts(c);
  const out: Outcome = { pairs: 0, probes: 0, disagreements: [] };
  for (const src of c.workloads)
    for (const dst of c.workloads) {
      if (src === dst) continue;
      out.pairs++;
      const expected = c.expected.get(`${src.key} => ${dst.key}`);
      const allowed = e.between(src.pod, dst.pod, c.network);
      for (const protocol of PROTOCOLS)
        for (const port of ports) {
          out.probes++;
          const want = connects(expected, protocol, port);
          const got = allowed({ port, protocol });
          if (got !== want) out.disagreements.push(`${c.folder}: ${src.key} => ${dst.key} ${protocol} ${port}: analyzer ${want ? 'allows' : 'denies'}, engine ${got ? 'allows' : 'denies'}`);
        }
    }
  return out;
}

const outcomes = new Map(cases.map((c) => [c.folder, run(c)]));
const total = [...outcomes.values()].reduce((t, o) => ({ pairs: t.pairs + o.pairs, probes: t.probes + o.probes }), { pairs: 0, probes: 0 });

describe('NetworkPolicy conformance with netpol-analyzer', () => {
  it('reads the suite: every folder has workloads, and every expected pair names known workloads', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    for (const c of cases) {
      expect(c.workloads.length, c.folder).toBeGreaterThan(0);
      const known = new Set(c.workloads.map((w) => w.key));
      for (const pair of c.expected.keys()) for (const end of pair.split(' => ')) expect(known.has(end), `${c.folder}: ${end}`).toBe(true);
    }
  });

  it.each(cases.map((c) => c.folder))('%s: the engine agrees on every pair and probe', (folder) => {
    expect(outcomes.get(folder)!.disagreements.slice(0, 20)).toEqual([]);
  });

  it(`agrees on all ${cases.length} folders, ${total.pairs} ordered workload pairs, ${total.probes} probes`, () => {
    expect([...outcomes.values()].flatMap((o) => o.disagreements)).toEqual([]);
    console.log(`netpol-analyzer conformance: ${cases.length} folders, ${total.pairs} ordered workload pairs, ${total.probes} probes (pair x port x protocol), all agreeing`);
  });

  // The comparison can fail: engines with one rule of the issue broken disagree with the suite.
  it.each<[string, Engine]>([
    ['without the namespace name label', engine({ ...RULES, namespaceLabels: (_, declared) => declared })],
    ['blind to protocols', engine({ ...RULES, portMatches: (rp, d, c) => RULES.portMatches(rp, d, { ...c, protocol: (rp.protocol ?? 'TCP') as Protocol }) })],
  ])('an engine %s disagrees', (_, broken) => {
    expect(cases.flatMap((c) => run(c, broken).disagreements).length).toBeGreaterThan(0);
  });
});

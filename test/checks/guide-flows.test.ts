import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podsOf } from '../../src/checks/network/model';
import type { Pod } from '../../src/checks/network/semantics';
import { type ExpectedFlow, expectedFlows, flowPortMatches } from '../../src/checks/network/verify';
import { SYSTEM_NAMESPACE } from '../../src/platform/naming';
import { compileConfig } from '../../src/compile';
import { configOf, MINIMAL } from '../helpers';

/**
 * network/expected-flows.yaml names ports by the names the components give them; the guide's
 * policy rows give most of them as numbers. The two are witnesses of each other: every port of a
 * guide row, resolved on the compiled pods, is a port the flow list names for that workload, and
 * the reverse, but for the ports the flow list adds (with its why). A stand-in for nothing: both
 * are read as they are, the ports resolved on the objects a profile compiles to.
 */
const GUIDE = readFileSync(join(__dirname, '../../../shared/spec/aura-deployment-guide.txt'), 'utf8');

/** Ports the flow list gives a guide row beyond the guide's own (network/expected-flows.yaml says why). */
const ADDED_TO_GUIDE_ROWS: Record<string, string[]> = { 'fluent-bit-aggregator': ['forward', 'http-input', 'syslog'] };

/** The guide's policy rows: the protected app and the ports it lists (`TCP 9114`, `TCP http`). */
function guideRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const m of GUIDE.matchAll(/Allows pods in namespace aura-system with labels app: ([a-z-]+).* on ports? (.+)$/gm)) {
    const ports = m[2]!.split(/, | and /).map((p) => p.replace(/^TCP /, '').trim());
    rows.set(m[1]!, [...new Set([...(rows.get(m[1]!) ?? []), ...ports])]);
  }
  return rows;
}

const label = (p: Pod['ports'][number]) => `${p.name ?? ''}/${p.port}`;

/** Differences between the guide's rows and the guide-sourced flows, each port resolved on the pods of its app. */
function disagreements(flows: ExpectedFlow[], pods: Pod[]): string[] {
  const out: string[] = [];
  for (const [app, guidePorts] of guideRows()) {
    const ports = pods.filter((p) => p.namespace === SYSTEM_NAMESPACE && p.labels.app === app).flatMap((p) => p.ports);
    if (!ports.length) {
      out.push(`${app}: no compiled pod`);
      continue;
    }
    const fromGuide = new Set(guidePorts.flatMap((g) => {
      const hit = ports.filter((p) => (/^\d+$/.test(g) ? p.port === Number(g) : p.name === g));
      if (!hit.length) out.push(`${app}: the guide's port ${g} is no port of its pods`);
      return hit.map(label);
    }));
    const added = ADDED_TO_GUIDE_ROWS[app] ?? [];
    const fromFlows = new Set(
      // Clients of a workload get all its listed ports: every flow to it names the same ones.
      flows.filter((f) => f.to === app).flatMap((f) => f.ports).filter((fp) => !added.includes(typeof fp === 'object' ? String(fp.port) : String(fp)))
        .flatMap((fp) => ports.filter((p) => flowPortMatches(fp, p)).map(label)),
    );
    for (const l of fromGuide) if (!fromFlows.has(l)) out.push(`${app}: the guide lists ${l}, the flow list does not`);
    for (const l of fromFlows) if (!fromGuide.has(l)) out.push(`${app}: the flow list names ${l}, the guide does not`);
  }
  return out.sort();
}

describe('network/expected-flows.yaml against the guide', () => {
  // Every workload a guide row protects: MongoDB in the cluster, prometheus-msteams for a Teams webhook.
  const config = configOf(`${MINIMAL}atlas_enabled: false
notifications_webhooks:
  - { name: teams, url: "https://contoso.webhook.office.com/webhookb2/abc", severity: warning }
`);
  const pods = podsOf(compileConfig(config).map((o) => o.manifest));

  it('names ports by name only: no port number where the component names the port', () => {
    const numbered = expectedFlows().flatMap((f) => f.ports.filter((p) => typeof (typeof p === 'object' ? p.port : p) === 'number').map((p) => `${f.to}: ${JSON.stringify(p)}`));
    expect(numbered).toEqual([]);
  });

  it('reads every policy row of the guide', () => {
    expect([...guideRows().keys()].sort()).toEqual([
      'alertmanager', 'elasticsearch', 'elasticsearch-exporter', 'fluent-bit', 'fluent-bit-aggregator', 'grafana', 'kibana', 'mongodb', 'mongodb-exporter',
      'node-exporter', 'prometheus', 'prometheus-msteams', 'pushgateway', 'redis', 'thanos',
    ]);
    expect(guideRows().get('redis')).toEqual(['6379', '26379', '9121']);
  });

  it('agrees with the guide row by row, ports resolved on the compiled pods', () => {
    expect(disagreements(expectedFlows(), pods)).toEqual([]);
  });

  it('fails when a flow names another port than the guide, or a component renumbers a port (mutation)', () => {
    const flows = expectedFlows().map((f) => (f.to === 'redis' ? { ...f, ports: ['redis', 'sentinel'] } : f));
    expect(disagreements(flows, pods)).toEqual(['redis: the guide lists metrics/9121, the flow list does not']);
    const renumbered = pods.map((p) => (p.labels.app === 'redis' ? { ...p, ports: p.ports.map((cp) => (cp.name === 'sentinel' ? { ...cp, port: 26380 } : cp)) } : p));
    expect(disagreements(expectedFlows(), renumbered)).toContain("redis: the guide's port 26379 is no port of its pods");
  });
});

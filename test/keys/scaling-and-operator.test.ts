/**
 * Issue 27 item 8: the guide's scaling procedures (kubectl scale statefulsets elasticsearch,
 * fluent-bit-aggregator, prometheus) and its operator procedures (kubectl patch ... spec.update,
 * spec.tag) as profile keys, and each Aura operator confined to its own namespaces; through
 * `synth --all` with every check, the shipped de-pro and its tenant de-pro-wsim side by side.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { keysWorkspace } from './workspace';

const ws = keysWorkspace('scaling');
afterAll(() => ws.remove());

const SCALED = `elasticsearch: { node_count: 5 }
prometheus: { replicas: 3 }
fluent_bit_aggregator: { replicas: 4 }
resolutions: { version: 0.0.5, update: Minor }
nlp_packages:
  resources-de: { version: 1.2.0, update: Patch }
  intents-de: 2.0.0
context_agents:
  billing: { tag: 1.1.0, update: Major }
  care: {}
`;

describe('scaling and operator keys, compiled with every check', () => {
  ws.write('de-pro', ws.withKeys('de-pro', SCALED));
  ws.write('de-pro-wsim', ws.withKeys('de-pro-wsim', 'context_agents: { sales: {} }'));
  const r = ws.synth('--all');

  it('compiles', () => expect([r.code, r.err]).toEqual([0, '']));

  it('Elasticsearch runs node_count nodes; the aggregator and Prometheus their replicas, each with its disruption budget', () => {
    const es = ws.object('de-pro', 'manifests/system/aura-system/elasticsearch-elasticsearch.yaml');
    expect(es.spec.nodeSets.map((s: any) => s.count)).toEqual([5]);
    expect(ws.object('de-pro', 'manifests/system/aura-system/statefulset-prometheus.yaml').spec.replicas).toBe(3);
    expect(ws.object('de-pro', 'manifests/system/aura-system/statefulset-fluent-bit-aggregator.yaml').spec.replicas).toBe(4);
    for (const name of ['prometheus', 'fluent-bit-aggregator'])
      expect(ws.object('de-pro', `manifests/system/aura-system/poddisruptionbudget-${name}.yaml`).spec.maxUnavailable).toBe(1);
  });

  it('update strategies and per-agent tags are in the objects GitOps keeps; absent ones stay absent', () => {
    const core = 'manifests/core/aura-de-pro';
    expect(ws.object('de-pro', `${core}/resolutionresources-resolutionresources.yaml`).spec).toEqual({ version: '0.0.5', update: 'Minor' });
    expect(ws.object('de-pro', `${core}/nlptraining-resources-de.yaml`).spec).toEqual({ version: '1.2.0', update: 'Patch' });
    expect(ws.object('de-pro', `${core}/nlptraining-intents-de.yaml`).spec).toEqual({ version: '2.0.0' });
    const agents = 'manifests/agents/aura-agents-de-pro';
    expect(ws.object('de-pro', `${agents}/agent-billing.yaml`).spec).toEqual({ tag: '1.1.0', update: 'Major' });
    expect(ws.object('de-pro', `${agents}/agent-care.yaml`).spec).toEqual({ tag: '7.2.0' });
    // nlp-provisioning installs the same packages at the versions the profile names.
    expect(ws.object('de-pro', `${core}/configmap-nlp-provisioning-config.yaml`).data.NLP_PACKAGES).toBe('intents-de@2.0.0,resources-de@1.2.0');
  });

  it('each Aura operator watches its own core and agents namespaces, and is bound there only', () => {
    const sides: [string, string, string][] = [['de-pro', 'aura-de-pro', 'aura-agents-de-pro'], ['de-pro-wsim', 'aura-de-pro-wsim', 'aura-agents-de-pro-wsim']];
    for (const [profile, core, agents] of sides) {
      expect(ws.object(profile, `manifests/core/${core}/configmap-aura-operator-config.yaml`).data.WATCH_NAMESPACE).toBe(`${core},${agents}`);
      const bindings = ws.objects(profile).filter((m) => m.kind.endsWith('RoleBinding') && m.subjects?.some((s: any) => s.name === 'aura-operator'));
      expect(bindings.map((b) => [b.kind, b.metadata.namespace, b.roleRef.name, b.subjects]).sort((a, b) => (a[1] < b[1] ? 1 : -1))).toEqual([
        ['RoleBinding', core, `${core}-aura-operator`, [{ kind: 'ServiceAccount', name: 'aura-operator', namespace: core }]],
        ['RoleBinding', agents, `${core}-aura-operator`, [{ kind: 'ServiceAccount', name: 'aura-operator', namespace: core }]],
      ]);
    }
  });
});

describe('the guide limits, as profile errors', () => {
  const cases: [string, string, RegExp][] = [
    ['prometheus below the HA minimum', 'prometheus: { replicas: 1 }\n', /de-pro\.yaml:\d+.*prometheus\.replicas.*>= 2/],
    ['an update strategy the operator does not know', 'resolutions: { update: Latest }\n', /resolutions\.update/],
    ['the operator off with agents configured', 'aura_operator_enabled: false\ncontext_agents: { billing: {} }\n', /de-pro\.yaml:\d+.*aura_operator_enabled: is false, but context_agents has 1 agent, which only the Aura operator runs/],
    ['the operator off with an update strategy', 'aura_operator_enabled: false\nnlp_packages: { resources-de: { version: 1.0.0, update: Minor } }\n', /nlp_packages\.<key>\.update: is an update strategy the Aura operator follows, but aura_operator_enabled is false/],
  ];
  for (const [name, keys, message] of cases)
    it(`${name}: exit 1, one line, nothing written`, () => {
      ws.write('de-pro', ws.withKeys('de-pro', keys));
      const before = ws.snapshot();
      const r = ws.synth('--profile', 'de-pro');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(ws.snapshot()).toBe(before);
    });
});

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkNetworkPolicies } from '../src/checks/network/policies';
import type { Manifest } from '../src/compile';
import { main as verifyCli, readManifests } from '../src/commands/verify-network';
import { allowed, isolated, type Network, type NetworkPolicy, peerMatches, type Pod, portMatches, type Protocol, selects } from '../src/checks/network/semantics';
import { verifyNetwork } from '../src/checks/network/verify';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { find, manifests, SHIPPED } from './helpers';

const pod = (name: string, namespace: string, labels: Record<string, string>, ports: Pod['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): Pod => ({ name, namespace, labels, ports });
const nsLabels: Record<string, Record<string, string>> = { a: { team: 'a', env: 'pro' }, b: { team: 'b' } };
const labelsOf = (ns: string) => nsLabels[ns] ?? {};
const tcp = (port: number) => ({ port, protocol: 'TCP' as const });

describe('selectors', () => {
  it.each<[string, object, Record<string, string>, boolean]>([
    ['empty selects all', {}, { x: '1' }, true],
    ['matchLabels hit', { matchLabels: { app: 'x' } }, { app: 'x', y: '1' }, true],
    ['matchLabels miss', { matchLabels: { app: 'x' } }, { app: 'y' }, false],
    ['In hit', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, { tier: 'b' }, true],
    ['In miss', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }, { tier: 'c' }, false],
    ['In absent key', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }, {}, false],
    ['NotIn hit', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, { tier: 'b' }, true],
    ['NotIn absent key', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, {}, true],
    ['NotIn miss', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, { tier: 'a' }, false],
    ['Exists hit', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, { tier: '' }, true],
    ['Exists miss', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, {}, false],
    ['DoesNotExist hit', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, {}, true],
    ['DoesNotExist miss', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, { tier: 'a' }, false],
    ['labels and expressions are ANDed', { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, { app: 'x' }, false],
  ])('%s', (_, selector, labels, expected) => expect(selects(selector as any, labels)).toBe(expected));
});

describe('peers', () => {
  const client = pod('client', 'a', { role: 'client' });
  it.each<[string, object, string, boolean]>([
    ['pod and namespace selectors together: both match', { podSelector: { matchLabels: { role: 'client' } }, namespaceSelector: { matchLabels: { team: 'a' } } }, 'b', true],
    ['together: pod matches, namespace does not', { podSelector: { matchLabels: { role: 'client' } }, namespaceSelector: { matchLabels: { team: 'b' } } }, 'b', false],
    ['together: namespace matches, pod does not', { podSelector: { matchLabels: { role: 'other' } }, namespaceSelector: { matchLabels: { team: 'a' } } }, 'b', false],
    ['pod selector alone: same namespace as the policy', { podSelector: { matchLabels: { role: 'client' } } }, 'a', true],
    ['pod selector alone: another namespace never matches', { podSelector: { matchLabels: { role: 'client' } } }, 'b', false],
    ['namespace selector alone: every pod of it', { namespaceSelector: { matchLabels: { env: 'pro' } } }, 'b', true],
    ['namespace selector alone: other namespaces', { namespaceSelector: { matchLabels: { team: 'b' } } }, 'b', false],
    ['empty pod selector: every pod of the policy namespace', { podSelector: {} }, 'a', true],
    ['empty pod selector: not other namespaces', { podSelector: {} }, 'b', false],
    ['empty namespace selector: every namespace', { namespaceSelector: {} }, 'b', true],
    ['ipBlock never matches a pod', { ipBlock: { cidr: '0.0.0.0/0' } }, 'a', false],
  ])('%s', (_, peer, policyNs, expected) => expect(peerMatches(peer as any, policyNs, client, labelsOf)).toBe(expected));
});

describe('ports', () => {
  const dst = pod('db', 'a', {}, [{ name: 'mongodb', port: 27017, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
  it.each<[string, object, number, string, boolean]>([
    ['no port: all ports', {}, 27017, 'TCP', true],
    ['number hit', { port: 27017 }, 27017, 'TCP', true],
    ['number miss', { port: 27018 }, 27017, 'TCP', false],
    ['endPort range hit', { port: 27000, endPort: 28000 }, 27017, 'TCP', true],
    ['endPort range miss', { port: 27000, endPort: 27010 }, 27017, 'TCP', false],
    ['named port resolves on the destination', { port: 'mongodb' }, 27017, 'TCP', true],
    ['named port the destination lacks', { port: 'http' }, 27017, 'TCP', false],
    ['protocol defaults to TCP', { port: 53 }, 53, 'UDP', false],
    ['protocol UDP', { port: 'dns', protocol: 'UDP' }, 53, 'UDP', true],
  ])('%s', (_, rulePort, port, protocol, expected) => expect(portMatches(rulePort as any, dst, { port, protocol: protocol as Protocol })).toBe(expected));
});

describe('isolation', () => {
  const db = pod('db', 'a', { app: 'db' });
  const client = pod('client', 'b', { access: 'yes' });
  const other = pod('other', 'b', {});
  const policy = (spec: NetworkPolicy['spec'], namespace = 'a'): NetworkPolicy => ({ metadata: { name: 'p', namespace }, spec });
  const net = (...policies: NetworkPolicy[]): Network => ({ policies, namespaceLabels: labelsOf });

  it('a pod no policy selects accepts everything', () => expect(allowed(other, db, tcp(8080), net())).toBe(true));
  it('a selecting policy without rules denies everything', () => {
    const n = net(policy({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }));
    expect(isolated(db, 'Ingress', n)).toBe(true);
    expect(allowed(client, db, tcp(8080), n)).toBe(false);
  });
  it('allow rules add up across policies', () => {
    const n = net(
      policy({ podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { access: 'yes' } }, namespaceSelector: {} }] }] }),
      policy({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }], ports: [{ port: 9999 }] }] }),
    );
    expect(allowed(client, db, tcp(8080), n)).toBe(true);
    expect(allowed(other, db, tcp(8080), n)).toBe(false);
    expect(allowed(other, db, tcp(9999), n)).toBe(true);
  });
  it('an empty from allows every source, on the listed ports only', () => {
    const n = net(policy({ podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 'http' }] }] }));
    expect(allowed(other, db, tcp(8080), n)).toBe(true);
    expect(allowed(other, db, tcp(9090), n)).toBe(false);
  });
  it('a policy in another namespace does not isolate', () => {
    expect(isolated(db, 'Ingress', net(policy({ podSelector: {}, policyTypes: ['Ingress'] }, 'b')))).toBe(false);
  });
  it('an Egress-only policy does not isolate ingress, but limits its source', () => {
    const egressOnly = policy({ podSelector: { matchLabels: { access: 'yes' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'a' } } }], ports: [{ port: 8080 }] }] }, 'b');
    expect(isolated(db, 'Ingress', net(egressOnly))).toBe(false);
    expect(allowed(client, db, tcp(8080), net(egressOnly))).toBe(true);
    expect(allowed(client, pod('x', 'b', {}), tcp(8080), net(egressOnly))).toBe(false);
  });
  it('policy types default to Ingress, plus Egress only when there are egress rules (an empty egress list adds nothing)', () => {
    const emptyEgress = net(policy({ podSelector: { matchLabels: { access: 'yes' } }, egress: [] }, 'b'));
    expect(isolated(client, 'Egress', emptyEgress)).toBe(false);
    expect(isolated(client, 'Ingress', emptyEgress)).toBe(true);
    const withRule = net(policy({ podSelector: { matchLabels: { access: 'yes' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }, 'b'));
    expect(isolated(client, 'Egress', withRule)).toBe(true);
    expect(isolated(client, 'Ingress', withRule)).toBe(true);
  });
});

const flags = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR)) as unknown as Record<string, unknown>;

describe.each(SHIPPED)('network of %s', (name) => {
  it('matches the expected flows: listed flows allowed, all other flows into protected pods denied', () => {
    expect(verifyNetwork(manifests(name), flags(name)).problems).toEqual([]);
  });
  it('passes the policy checks', () => expect(checkNetworkPolicies(manifests(name))).toEqual([]));
});

describe('the guide policies', () => {
  const policies = () => manifests('es-int').filter((m) => m.kind === 'NetworkPolicy') as any[];

  it('es-int (no Atlas, no Teams webhook so no prometheus-msteams) has the other 14, named <x>-network-policy in aura-system', () => {
    expect(policies().map((p) => p.metadata.name).sort()).toEqual(
      ['alertmanager', 'elasticsearch-exporter', 'elasticsearch', 'fluent-bit-aggregator', 'fluent-bit', 'grafana', 'kibana', 'mongodb-exporter', 'mongodb', 'node-exporter', 'prometheus', 'pushgateway', 'redis', 'thanos']
        .map((t) => `${t}-network-policy`).sort(),
    );
    expect(policies().every((p) => p.metadata.namespace === 'aura-system')).toBe(true);
  });

  it('with Atlas there is no mongodb policy', () => {
    expect(find('es-pro', 'NetworkPolicy', 'mongodb-network-policy')).toBeUndefined();
    expect(find('es-pro', 'NetworkPolicy', 'redis-network-policy')).toBeDefined();
  });

  it('uses the two rule forms and the listed selectors and ports', () => {
    const mongo = find('es-int', 'NetworkPolicy', 'mongodb-network-policy') as any;
    expect(mongo.spec).toEqual({
      podSelector: { matchLabels: { app: 'mongodb' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: { 'networking/allow-pod-mongodb-access': 'true' } }, namespaceSelector: { matchLabels: { 'networking/allow-namespace-mongodb-access': 'true' } } }],
        ports: [{ port: 'mongodb', protocol: 'TCP' }],
      }],
    });
    const push = find('es-int', 'NetworkPolicy', 'pushgateway-network-policy') as any;
    expect(push.spec.podSelector).toEqual({ matchLabels: { app: 'pushgateway', release: 'pushgateway' } });
    expect(push.spec.ingress.map((r: any) => Object.keys(r.from[0]))).toEqual([['namespaceSelector'], ['podSelector']]);
    expect((find('es-int', 'NetworkPolicy', 'prometheus-network-policy') as any).spec.ingress[0].ports.map((p: any) => p.port)).toEqual(['http', 'exposed', 10901]);
    expect((find('es-int', 'NetworkPolicy', 'redis-network-policy') as any).spec.ingress[0].ports.map((p: any) => p.port)).toEqual([6379, 26379, 9121]);
  });

  it('derives the client labels from what each component talks to', () => {
    const labels = (kind: string, n: string) => (find('es-int', kind, n) as any).spec.template.metadata.labels;
    expect(labels('Deployment', 'aura-bot')).toMatchObject({ 'networking/allow-pod-mongodb-access': 'true', 'networking/allow-pod-prometheus-access': 'true' });
    expect(labels('Deployment', 'context')).toMatchObject({ 'networking/allow-pod-redis-access': 'true' });
    expect(Object.keys(labels('Deployment', 'web-sdk')).filter((k) => k.startsWith('networking/'))).toEqual([]);
    expect(find('es-int', 'Namespace', 'aura-es-int')!.metadata.labels).toMatchObject({ 'networking/allow-namespace-mongodb-access': 'true', 'networking/allow-namespace-redis-access': 'true' });
    expect(find('es-int', 'Namespace', 'aura-system')!.metadata.labels!['networking/allow-namespace-redis-access']).toBe('true');
    expect(find('es-int', 'Namespace', 'aura-system')!.metadata.labels!['networking/allow-namespace-elasticsearch-exporter-access']).toBe('true');
    expect(find('es-int', 'Namespace', 'aura-es-int')!.metadata.labels!['networking/allow-namespace-elasticsearch-exporter-access']).toBeUndefined();
  });
});

describe('the checks catch mistakes', () => {
  const mutated = (fn: (ms: any[]) => void): Manifest[] => {
    const ms = structuredClone(manifests('es-int')) as any[];
    fn(ms);
    return ms;
  };
  it('a missing client label is an expected flow denied', () => {
    const ms = mutated((m) => delete m.find((x) => x.metadata.name === 'aura-bot' && x.kind === 'Deployment').spec.template.metadata.labels['networking/allow-pod-mongodb-access']);
    expect(verifyNetwork(ms, {}).problems).toContainEqual(expect.stringMatching(/aura-es-int\/aura-bot -> aura-system\/mongodb:mongodb\/27017 is an expected flow but denied/));
  });
  it('an extra client label is an unexpected flow allowed', () => {
    const ms = mutated((m) => (m.find((x) => x.metadata.name === 'web-sdk' && x.kind === 'Deployment').spec.template.metadata.labels['networking/allow-pod-redis-access'] = 'true'));
    expect(verifyNetwork(ms, {}).problems).toContainEqual(expect.stringMatching(/aura-es-int\/web-sdk -> aura-system\/redis:redis\/6379 is allowed but not an expected flow/));
  });
  it('a policy that selects no pod, or names a port no selected pod has', () => {
    const ms = mutated((m) => {
      m.find((x) => x.metadata.name === 'redis-network-policy').spec.podSelector.matchLabels.app = 'rediss';
      m.find((x) => x.metadata.name === 'grafana-network-policy').spec.ingress[0].ports[0].port = 'web';
    });
    expect(checkNetworkPolicies(ms)).toEqual([
      'NetworkPolicy/aura-system/grafana-network-policy: port web is not a named port of the pods it selects (grafana, grafana-provision)',
      'NetworkPolicy/aura-system/redis-network-policy: selects no pod',
    ]);
  });
});

describe('npm run verify:network', () => {
  const run = (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = verifyCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  it('reads the committed dist, prints the matrix and passes', () => {
    const r = run('--profile', 'es-int');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^protected port\s+allowed from/);
    expect(r.out).toMatch(/mongodb:mongodb\/27017\s+aura-bot, aura-bridge, aura-groot, authentication-api, mongodb, mongodb-backup, mongodb-exporter, mongodb-provision, mongodb-restore, tac/);
    expect(r.out).toContain('✓ every flow into a protected workload of es-int is as expected');
  });
  it('prints JSON', () => {
    const v = JSON.parse(run('--profile', 'de-pro', '--json').out);
    expect(v.problems).toEqual([]);
    expect(v.rows.find((r: any) => r.to === 'fluent-bit-aggregator' && r.port === 'syslog/5140').allowedFrom).toContain('nginx');
  });
  it('fails on edited manifests, and on a missing dist', () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-net-'));
    cpSync(join(__dirname, '../dist/es-pro'), join(out, 'es-pro'), { recursive: true });
    rmSync(join(out, 'es-pro/manifests/system/aura-system/networkpolicy-redis-network-policy.yaml'));
    const r = run('--profile', 'es-pro', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/aura-system\/redis is open to every pod, but network\/expected-flows.yaml protects redis/);
    expect(run('--profile', 'uk-pro', '--out', out).code).toBe(1);
    expect(readManifests(join(__dirname, '../dist/es-pro/manifests')).length).toBe(manifests('es-pro').length);
  });
  it('usage errors exit 2', () => expect(run().code).toBe(2));
});

describe('protocols in the verifier and the policy checks', () => {
  // A collector whose second container takes syslog over UDP; only `sender` should reach it.
  const deployment = (name: string, labels: Record<string, string>, containers: object[] = [{ name: 'app' }]) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'aura-system' },
    spec: { template: { metadata: { labels: { app: name, ...labels } }, spec: { containers } } },
  });
  const objects = (policyPort: object): Manifest[] =>
    [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'aura-system' } },
      deployment('collector', {}, [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }, { name: 'syslog', ports: [{ name: 'syslog', containerPort: 5140, protocol: 'UDP' }] }]),
      deployment('sender', { role: 'sender' }),
      deployment('other', {}),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'collector-network-policy', namespace: 'aura-system' },
        spec: { podSelector: { matchLabels: { app: 'collector' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'sender' } } }], ports: [policyPort] }] },
      },
    ] as unknown as Manifest[];
  const udpFlow = [{ to: 'collector', ports: [{ port: 'syslog', protocol: 'UDP' as const }], from: ['sender'], source: 'added' as const }];

  it('checks each container port with its own protocol, and prints the protocol when not TCP', () => {
    const v = verifyNetwork(objects({ port: 'syslog', protocol: 'UDP' }), {}, udpFlow);
    expect(v.problems).toEqual([]);
    expect(v.rows).toEqual([
      { to: 'collector', namespace: 'aura-system', port: 'http/8080', allowedFrom: [] },
      { to: 'collector', namespace: 'aura-system', port: 'syslog/5140/UDP', allowedFrom: ['sender'] },
    ]);
    expect(checkNetworkPolicies(objects({ port: 'syslog', protocol: 'UDP' }))).toEqual([]);
  });

  it('a flow port without a protocol means TCP, so it does not cover a UDP port', () => {
    expect(verifyNetwork(objects({ port: 'syslog', protocol: 'UDP' }), {}, [{ ...udpFlow[0]!, ports: ['syslog'] }]).problems).toEqual([
      'aura-system/sender -> aura-system/collector:syslog/5140/UDP is allowed but not an expected flow',
    ]);
  });

  it('a policy naming a UDP port without its protocol opens nothing, and the check says why', () => {
    expect(verifyNetwork(objects({ port: 'syslog' }), {}, udpFlow).problems).toEqual(['aura-system/sender -> aura-system/collector:syslog/5140/UDP is an expected flow but denied']);
    expect(checkNetworkPolicies(objects({ port: 'syslog' }))).toEqual([
      'NetworkPolicy/aura-system/collector-network-policy: port syslog is not a named port of the pods it selects (collector): they declare it for UDP; state that protocol in the policy',
    ]);
  });
});

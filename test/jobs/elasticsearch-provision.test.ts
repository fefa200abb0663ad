import { copyFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfig, type Manifest } from '../../src/compile';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { ELASTICSEARCH_CA } from '../../src/components/elasticsearch';
import { LOG_STREAMS } from '../../src/components/elasticsearch';
import { loadProfile } from '../../src/profile/load';
import { validateProfile } from '../../src/profile/validate';
import { ElasticStandIn, testCertificates } from './elastic-stand-in';
import { compiledJob, join, runPod, scratch } from './harness';

/**
 * The compiled elasticsearch-provision Job runs its script (Python, its standard library) against
 * stand-ins of Elasticsearch and Kibana over HTTPS, verified against a CA made for the test and
 * mounted where the Job mounts ECK's. Profile: de-pro (NGINX Plus: the WAF pipeline and data
 * views; a writable snapshot repository: the snapshot lifecycle) with two logs users added.
 * Changed for the test: READY_POLL_SECONDS 0.05 (the wait between health checks).
 */
const base = validateProfile(loadProfile('de-pro', DEFAULT_PROFILES_DIR));
const config = { ...base, backoffice_users: { ...base.backoffice_users, logs: [{ name: 'ops', roles: ['kibana_admin', 'aura'] }, { name: 'auditor', role: '"aura"' }] } };
const objects: Manifest[] = compileConfig(config as typeof base).map((o) => o.manifest);
const job = compiledJob(objects, 'elasticsearch-provision');
const cluster = objects.find((m) => m.kind === 'Elasticsearch') as any;
const autoCreateIndex = cluster.spec.nodeSets[0].config['action.auto_create_index'] as string;
const aggregatorConfig = (objects.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'fluent-bit-aggregator-files') as any).data['fluent-bit.conf'] as string;
/** The index names the aggregator's es outputs write to, from its compiled configuration. */
const aggregatorIndices = [...aggregatorConfig.matchAll(/^\s*Index\s+(\S+)$/gm)].map((m) => m[1]!);

const SECRETS = { ELASTIC_USERNAME: 'elastic', ELASTIC_PASSWORD: 'sentinel-elastic-password', LOGS_USER_0_PASSWORD: 'sentinel-ops-password', LOGS_USER_1_PASSWORD: 'sentinel-auditor-password' };
const FAST = { READY_POLL_SECONDS: '0.05' };

/** The step of the order each request belongs to. */
const STEPS = ['ingest pipeline', 'ILM policy', 'snapshot repository', 'index templates', 'bootstrap write indices', 'snapshot lifecycle', 'roles', 'users', 'Kibana saved objects'];
const stepOf = (method: string, path: string): number | undefined => {
  if (method === 'HEAD' || method === 'GET') return undefined;
  const rules: [RegExp, number][] = [[/^\/_ingest\/pipeline\//, 0], [/^\/_ilm\/policy\//, 1], [/^\/_snapshot\//, 2], [/^\/_index_template\//, 3], [/^\/[^_][^/]*-\d{6}$/, 4], [/^\/_slm\/policy\//, 5], [/^\/_security\/role\//, 6], [/^\/_security\/user\//, 7], [/^\/api\/saved_objects\/_import/, 8]];
  return rules.find(([r]) => r.test(path))?.[1];
};

describe('elasticsearch-provision against Elasticsearch and Kibana stand-ins', () => {
  const s = scratch('aura-es-provision-');
  let tls: ReturnType<typeof testCertificates>;
  let other: ReturnType<typeof testCertificates>;
  beforeAll(() => {
    tls = testCertificates(s.dir('tls'));
    other = testCertificates(s.dir('other-ca'));
  });
  afterAll(() => s.stop());

  /** A pod root with the CA mounted where the Job mounts ECK's certificates. */
  const podRoot = (name: string, ca: string) => {
    const root = s.dir(name);
    for (const v of job.pod.volumes.filter((x: any) => x.secret)) {
      const mount = job.pod.containers[0].volumeMounts.find((m: any) => m.name === v.name).mountPath;
      mkdirSync(join(root, mount), { recursive: true });
      copyFileSync(ca, join(root, mount, ELASTICSEARCH_CA.key));
    }
    return root;
  };
  const start = async (autoCreate: string | undefined) => {
    const standIn = new ElasticStandIn({ user: SECRETS.ELASTIC_USERNAME, password: SECRETS.ELASTIC_PASSWORD }, autoCreate);
    const ports = await standIn.start(tls);
    const hosts = (t: string) =>
      t.replace(/elasticsearch-es-http\.aura-system\.svc\.cluster\.local:9200/g, `localhost:${ports.elasticsearch}`).replace(/kibana-kb-http\.aura-system\.svc\.cluster\.local:5601/g, `localhost:${ports.kibana}`);
    const provision = (root: string, secrets: Record<string, string> = SECRETS) => runPod(job, { root, secrets, hosts, env: FAST });
    /** What the aggregator sends: one bulk request per es output, to the index name it is configured with. */
    const aggregatorWrites = async () => {
      const { request } = await import('node:https');
      return Promise.all(
        aggregatorIndices.map(
          (index) =>
            new Promise<any>((resolve, reject) => {
              const body = `${JSON.stringify({ create: { _index: index } })}\n${JSON.stringify({ '@timestamp': '2025-01-01T00:00:00Z', log: 'first line' })}\n`;
              const r = request({ host: '127.0.0.1', port: ports.elasticsearch, path: '/_bulk', method: 'POST', ca: tls.cert, rejectUnauthorized: false, auth: `${SECRETS.ELASTIC_USERNAME}:${SECRETS.ELASTIC_PASSWORD}`, headers: { 'content-type': 'application/x-ndjson' } }, (res) => {
                let out = '';
                res.on('data', (d) => (out += d));
                res.on('end', () => resolve(JSON.parse(out)));
              });
              r.on('error', reject);
              r.end(body);
            }),
        ),
      );
    };
    return { standIn, provision, aggregatorWrites, stop: () => standIn.stop() };
  };

  it('the compiled Job: Python running its script from its ConfigMap, ECK CAs mounted, bounded', () => {
    const c = job.pod.containers[0];
    expect(c.command).toEqual(['python3', '/etc/aura-job/elasticsearch-provision.py']);
    expect(c.image).toMatch(/\/aura\/thirdparty\/python:/);
    expect(job.pod.volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName).sort()).toEqual(['elasticsearch-es-http-certs-public', 'kibana-kb-http-certs-public']);
    expect(job.jobSpec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(aggregatorIndices.sort()).toEqual(Object.values(LOG_STREAMS).map((x) => x.alias).sort());
  });

  it('first install: the aggregator writing first creates no index; provisioning applies everything in order; the retried write lands; a second run changes nothing', async () => {
    const es = await start(autoCreateIndex);
    try {
      es.standIn.unhealthyFor = 3;
      const early = await es.aggregatorWrites();
      for (const answer of early) expect(answer.items[0].create).toMatchObject({ status: 404, error: { type: 'index_not_found_exception' } });
      expect(Object.keys(es.standIn.state.indices)).toEqual([]);

      const first = await es.provision(podRoot('first', tls.ca));
      expect(first.code, first.output).toBe(0);
      const steps = es.standIn.requests.map((r) => stepOf(r.method, r.path)).filter((x): x is number => x !== undefined);
      expect([...steps].sort((a, b) => a - b)).toEqual(steps);
      expect([...new Set(steps)].map((i) => STEPS[i])).toEqual(STEPS);
      for (const stream of Object.values(LOG_STREAMS)) {
        const index = es.standIn.state.indices[`${stream.alias}-000001`]!;
        expect(index.aliases).toEqual({ [stream.alias]: { is_write_index: true } });
        expect(index.settings).toMatchObject({ 'index.lifecycle.name': 'aura-logs', 'index.lifecycle.rollover_alias': stream.alias });
      }
      expect(es.standIn.state.users.ops).toEqual({ roles: ['kibana_admin', 'aura'], full_name: 'ops', password: SECRETS.LOGS_USER_0_PASSWORD });
      expect(es.standIn.state.users.auditor.roles).toEqual(['aura']);
      expect(Object.keys(es.standIn.state.kibana).length).toBeGreaterThan(0);
      expect(first.output).not.toContain(SECRETS.ELASTIC_PASSWORD);
      expect(first.output).not.toContain(SECRETS.LOGS_USER_0_PASSWORD);

      const retried = await es.aggregatorWrites();
      for (const answer of retried) expect(answer.items[0].create).toMatchObject({ status: 201 });
      expect(Object.keys(es.standIn.state.indices).sort()).toEqual(Object.values(LOG_STREAMS).map((x) => `${x.alias}-000001`).sort());

      const before = es.standIn.snapshot();
      const sent = es.standIn.requests.length;
      const second = await es.provision(podRoot('second', tls.ca));
      expect(second.code, second.output).toBe(0);
      expect(es.standIn.snapshot()).toBe(before);
      expect(es.standIn.requests.slice(sent).filter((r) => stepOf(r.method, r.path) === 4)).toEqual([]);
    } finally {
      es.stop();
    }
  });

  it('without the auto_create_index setting (mutation), the early write takes the alias name and provisioning fails', async () => {
    const es = await start(undefined);
    try {
      await es.aggregatorWrites();
      expect(Object.keys(es.standIn.state.indices)).toContain('aura-services');
      const run = await es.provision(podRoot('mutated', tls.ca));
      expect(run.code).toBe(1);
      expect(run.output).toMatch(/PUT \/aura-services-000001 answered 400: invalid_alias_name_exception/);
    } finally {
      es.stop();
    }
  });

  it('refuses a server its CA did not sign, and a wrong password, applying nothing and printing no secret', async () => {
    const es = await start(autoCreateIndex);
    try {
      const untrusted = await es.provision(podRoot('untrusted', other.ca));
      expect(untrusted.code).toBe(1);
      expect(untrusted.output).toContain('Elasticsearch: localhost: the certificate is not trusted by the CA file');
      const wrong = await es.provision(podRoot('wrong', tls.ca), { ...SECRETS, ELASTIC_PASSWORD: 'sentinel-wrong-password' });
      expect(wrong.code).toBe(1);
      expect(wrong.output).not.toContain('sentinel-wrong-password');
      expect(es.standIn.snapshot()).toBe(new ElasticStandIn({ user: '', password: '' }).snapshot());
    } finally {
      es.stop();
    }
  }, 90_000);
});

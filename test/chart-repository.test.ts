import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import execa from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledObject } from '../src/compile';
import { CONTENT_HASH_ANNOTATION, type ChartRevision, chartVersion, helmChart, nextRevision, readChartRevision } from '../src/delivery/helm-chart';
import { toYaml } from '../src/output/yaml';
import { helmBinary, runHelm } from '../src/tools/helm';
import { configOf, MINIMAL } from './helpers';

const config = configOf(MINIMAL);
const object = (value: string): CompiledObject => ({
  phase: 'core',
  manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'aura-es-pro' }, data: { value } },
});
const chartOf = (value: string, previous?: ChartRevision) => {
  const o = object(value);
  return helmChart(config, [o], new Map([['manifests/core/aura-es-pro/configmap-c.yaml', toYaml(o.manifest)]]), previous);
};
const meta = (files: Map<string, string>) => parse(files.get('chart/Chart.yaml')!);
const revisionOf = (files: Map<string, string>): ChartRevision => {
  const m = meta(files);
  return { revision: Number(m.version.split('.')[2]), hash: m.annotations[CONTENT_HASH_ANNOTATION] };
};

describe('chart versions', () => {
  it('stay the same for the same content, byte for byte, and grow by one when it changes', () => {
    const first = chartOf('1');
    expect(meta(first).version).toBe('0.1.1');
    const same = chartOf('1', revisionOf(first));
    expect(same.get('chart/Chart.yaml')).toBe(first.get('chart/Chart.yaml'));
    const changed = chartOf('2', revisionOf(first));
    expect(meta(changed).version).toBe('0.1.2');
    expect(meta(changed).annotations[CONTENT_HASH_ANNOTATION]).not.toBe(meta(first).annotations[CONTENT_HASH_ANNOTATION]);
    // Back to the first content: still a newer version, never an old number reused.
    expect(meta(chartOf('1', revisionOf(changed))).version).toBe('0.1.3');
  });

  it('keep the revision when the compiler version changes, so ordering holds across compiler releases', () => {
    expect(chartVersion(7, '0.1.4')).toBe('0.1.7');
    expect(chartVersion(8, '0.2.0')).toBe('0.2.8');
    expect(nextRevision('h', undefined)).toBe(1);
    expect(nextRevision('h', { revision: 4, hash: 'h' })).toBe(4);
    expect(nextRevision('g', { revision: 4, hash: 'h' })).toBe(5);
  });

  it('read the previous revision from a written chart; one that is not a plain release version or is half-merged is an error, never a reset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-chart-rev-'));
    expect(readChartRevision(dir)).toBeUndefined();
    mkdirSync(join(dir, 'chart'));
    writeFileSync(join(dir, 'chart/Chart.yaml'), chartOf('1').get('chart/Chart.yaml')!);
    expect(readChartRevision(dir)).toEqual(revisionOf(chartOf('1')));
    writeFileSync(join(dir, 'chart/Chart.yaml'), 'version: 0.1.0+abc\n');
    expect(() => readChartRevision(dir)).toThrow(/version is not a release version/);
    writeFileSync(join(dir, 'chart/Chart.yaml'), '<<<<<<< HEAD\nversion: 0.1.2\n=======\n  version: [\n');
    expect(() => readChartRevision(dir)).toThrow(/has git conflict markers/);
    // Without the hash annotation (not written by this tool's version) the revision still grows from it.
    writeFileSync(join(dir, 'chart/Chart.yaml'), 'version: 0.1.7\n');
    expect(readChartRevision(dir)).toEqual({ revision: 7, hash: '' });
    rmSync(dir, { recursive: true, force: true });
  });
});

/**
 * A chart repository as Helm users have one: packaged versions indexed by `helm repo index`,
 * served over HTTP on loopback (helm pull has no file:// getter), read with helm's own commands.
 */
describe('a chart repository holding several packaged versions', () => {
  const work = mkdtempSync(join(tmpdir(), 'aura-chart-repo-'));
  const repo = join(work, 'repo');
  let server: Server;
  let url = '';
  // helm's repository settings and cache in the temporary folder, never the user's.
  const env = { HELM_REPOSITORY_CONFIG: join(work, 'repositories.yaml'), HELM_REPOSITORY_CACHE: join(work, 'cache'), HELM_CACHE_HOME: join(work, 'cache-home') };
  // Async: the server answers in this process while helm runs. Bounded in time.
  const helm = (...args: string[]) => execa(helmBinary(), args, { env, timeout: 20_000 }).then((r) => r.stdout);

  beforeAll(async () => {
    mkdirSync(repo, { recursive: true });
    // Revisions 1, 2 ... 10: 0.1.10 must sort after 0.1.9 and 0.1.2 (numerically, not as text).
    let files = chartOf('0');
    const versions: string[] = [];
    for (let i = 1; i <= 10; i++) {
      if (i > 1) files = chartOf(String(i), revisionOf(files));
      if (![1, 2, 9, 10].includes(i)) continue;
      const dir = join(work, `src-${i}`);
      for (const [path, content] of files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      runHelm(['package', join(dir, 'chart'), '--destination', repo]);
      versions.push(meta(files).version);
    }
    expect(versions).toEqual(['0.1.1', '0.1.2', '0.1.9', '0.1.10']);
    server = createServer((req, res) => {
      const file = join(repo, decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/+/, ''));
      if (!file.startsWith(repo) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
      res.writeHead(200);
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    runHelm(['repo', 'index', repo, '--url', url]);
    await helm('repo', 'add', 'aura', url);
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    rmSync(work, { recursive: true, force: true });
  });

  const pulled = async (...args: string[]) => {
    const destination = mkdtempSync(join(work, 'pull-'));
    await helm('pull', 'aura/aura-es-pro', '--destination', destination, ...args);
    return readdirSync(destination);
  };

  it('helm search repo shows the newest version first', async () => {
    const rows = (await helm('search', 'repo', 'aura/aura-es-pro', '--versions', '-o', 'json')) as string;
    expect(JSON.parse(rows).map((r: { version: string }) => r.version)).toEqual(['0.1.10', '0.1.9', '0.1.2', '0.1.1']);
  });

  it('helm pull without a version fetches the newest chart', async () => {
    expect(await pulled()).toEqual(['aura-es-pro-0.1.10.tgz']);
  });

  it('a version range picks the newest chart inside it', async () => {
    expect(await pulled('--version', '>0.1.1')).toEqual(['aura-es-pro-0.1.10.tgz']);
    expect(await pulled('--version', '~0.1')).toEqual(['aura-es-pro-0.1.10.tgz']);
    expect(await pulled('--version', '>=0.1.1 <0.1.9')).toEqual(['aura-es-pro-0.1.2.tgz']);
  });
});

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import execa from 'execa';
import { describe, expect, it } from 'vitest';

/**
 * Facts written once (issue 24, item 3): ECK's conventions in src/model/eck.ts, Redis' ports in
 * the Redis component, the pod-template walk in src/model/pod-templates.ts, the platform's
 * namespace rules in src/platform/naming.ts. The scan proves the old duplicates are gone; the
 * mutation below proves the component and every check read the one place.
 */
const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

/** Code without its comments (a comment may name a fact; only code may state it). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

interface Fact {
  what: string;
  pattern: RegExp;
  /** The one file that states it. */
  home: string;
  /** Other files that may mention it, and why. */
  mentions?: Record<string, string>;
}

const FACTS: Fact[] = [
  {
    what: "ECK's ports, Services and Secrets",
    pattern: /\b(9200|9300|5601)\b|-es-http|-kb-http|-certs-public|-es-elastic-user/,
    home: 'model/eck.ts',
    mentions: { 'model/programs.ts': "elasticsearch-exporter's documented default URL, in a note about the program" },
  },
  { what: "Redis' and Sentinel's ports", pattern: /\b(6379|26379)\b/, home: 'components/redis.ts' },
  { what: 'the workload kinds', pattern: /new Set\(\['Deployment'/, home: 'model/pod-templates.ts' },
  { what: 'the walk into a CronJob pod template', pattern: /jobTemplate\?\.spec/, home: 'model/pod-templates.ts' },
  { what: "the platform's namespace prefix", pattern: /'aura-'|startsWith\('aura-|`aura-\.\+|'aura-system'|NAMESPACE = '/, home: 'platform/naming.ts' },
];

/** Files other than a fact's home (and its allowed mentions) whose code states it. */
function strayStatements(files: Map<string, string>): string[] {
  return FACTS.flatMap((f) =>
    [...files]
      .filter(([path, text]) => path !== f.home && !f.mentions?.[path] && f.pattern.test(code(text)))
      .map(([path]) => `${f.what}: ${path}`),
  );
}

describe('each fact written once', () => {
  const tree = new Map(sources(SRC).map((p) => [relative(SRC, p), readFileSync(p, 'utf8')]));

  it('states each fact in its home only', () => {
    expect(strayStatements(tree)).toEqual([]);
    for (const f of FACTS) expect(f.pattern.test(code(tree.get(f.home)!)), `${f.what} in ${f.home}`).toBe(true);
  });

  it('finds a duplicate written back (mutation)', () => {
    const mutated = new Map(tree);
    mutated.set('checks/network/model.ts', `${tree.get('checks/network/model.ts')}\nconst ES = { port: 9200 };\n`);
    mutated.set('platform/redis-ha.ts', 'export const SENTINEL_PORT = 26379;\n');
    mutated.set('components/prometheus.ts', `${tree.get('components/prometheus.ts')}\nexport const NS = \`aura-.+|x\`;\n`);
    expect(strayStatements(mutated)).toEqual([
      "ECK's ports, Services and Secrets: checks/network/model.ts",
      "Redis' and Sentinel's ports: platform/redis-ha.ts",
      "the platform's namespace prefix: components/prometheus.ts",
    ]);
  });
});

/**
 * A checkout whose src/ is a copy with one file edited, everything else (but bin/) linked to this one: the
 * mutation runs through the real command, with every check, in a process of its own.
 */
function mutatedCheckout(file: string, edit: (text: string) => string): string {
  const root = mkdtempSync(join(tmpdir(), 'aura-facts-'));
  // src/ and bin/ are copies: Node resolves a linked file's imports from where the link points.
  for (const entry of readdirSync(ROOT)) if (!['src', 'bin', 'dist', '.git'].includes(entry)) symlinkSync(join(ROOT, entry), join(root, entry));
  for (const copied of ['src', 'bin']) cpSync(join(ROOT, copied), join(root, copied), { recursive: true });
  const path = join(root, 'src', file);
  const before = readFileSync(path, 'utf8');
  writeFileSync(path, edit(before));
  expect(readFileSync(path, 'utf8')).not.toBe(before);
  return root;
}

describe("ECK's conventions read from src/model/eck.ts (mutation: the Elasticsearch HTTP port moved to 9201 there only)", () => {
  it('moves the clients, the network matrix and the Service the wiring check sees, together: synth with every check passes', () => {
    const root = mutatedCheckout('model/eck.ts', (t) => t.replace("{ name: 'https', port: 9200 }", "{ name: 'https', port: 9201 }"));
    const out = join(root, 'out');
    try {
      const r = execa.sync(process.execPath, ['bin/aura-manifests.js', 'synth', '--profile', 'es-int', '--out', out, '--no-cache'], { cwd: root, reject: false, env: { ...process.env, CI: '' } });
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      const system = join(out, 'es-int/manifests/system/aura-system');
      const exporter = readFileSync(join(system, 'deployment-elasticsearch-exporter.yaml'), 'utf8');
      expect(exporter).toContain('--es.uri=https://elasticsearch-es-http.aura-system.svc.cluster.local:9201');
      // The Elasticsearch policy admits the moved port by number (the guide writes numbers): it followed too.
      const policy = readFileSync(join(system, 'networkpolicy-elasticsearch-network-policy.yaml'), 'utf8');
      expect(policy).toMatch(/port: 9201/);
      expect(policy).not.toMatch(/port: 9200/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

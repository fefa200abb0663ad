import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/components/catalog';
import { renderRule, rulesOf, runbookAnchor, runbookBase, RUNBOOKS_PATH } from '../../src/platform/alert-rules';
import { resolvePlatform } from '../../src/platform/resolve';
import { PROFILE_SCHEMA } from '../../src/profile/schema';
import { PROFILE_REFERENCE_FILE, renderProfileReference } from '../../scripts/profile-reference';
import { configOf, MINIMAL } from '../helpers';
import { anchorsOf, documentationFiles, githubSlug, linkProblems, ROOT, runbookProblems } from './links';

const FILES = documentationFiles();
const README = FILES['README.md']!;

/** Every alert of the catalog, with every optional rule set's component switched on. */
const CONFIG = configOf(`${MINIMAL}nginx_plus_enabled: true\nprometheus_es_exporter_enabled: true\natlas_project_id: 0123456789abcdef01234567\n`);
const PLATFORM = resolvePlatform(CONFIG, CATALOG);
const RULES = CATALOG.flatMap((c) => c.alertRules ?? []).flatMap((set) => rulesOf(set, PLATFORM));
const ALERTS = RULES.map((r) => r.alert);

describe('README', () => {
  it('is an entry page: at most 250 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('keeps the quick start: npm ci, synth of de-pro, npm test', () => {
    const quickStart = README.slice(README.indexOf('## Quick start'), README.indexOf('\n## ', README.indexOf('## Quick start') + 1));
    for (const command of ['npm ci', 'npm run synth -- --profile de-pro', 'npm test']) expect(quickStart).toMatch(new RegExp(`^${command.replace(/[-.]/g, '\\$&')}\\b`, 'm'));
  });

  it('links every file of docs/', () => {
    const linked = [...README.matchAll(/\]\((docs\/[^)#]+\.md)/g)].map((m) => m[1]);
    expect(Object.keys(FILES).filter((f) => f.startsWith('docs/') && !linked.includes(f))).toEqual([]);
  });
});

describe('internal links', () => {
  it('every relative link of README.md and docs/*.md reaches a file, and every #anchor a heading', () => {
    expect(Object.keys(FILES).length).toBeGreaterThan(15);
    expect(linkProblems(FILES)).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect(githubSlug("Upgrade a cluster's Kubernetes version")).toBe('upgrade-a-clusters-kubernetes-version');
    expect(githubSlug('`npm run bench`')).toBe('npm-run-bench');
    expect(githubSlug('environment.json')).toBe('environmentjson');
    expect(githubSlug('waf_policy_hits_increase')).toBe('waf_policy_hits_increase');
    expect(githubSlug('5. Compare with what runs: `diff --live`')).toBe('5-compare-with-what-runs-diff---live');
    expect([...anchorsOf('# A\n## Helm\n```\n## Not a heading\n```\n### Helm\n')]).toEqual(['a', 'helm', 'helm-1']);
  });

  it('fails on a link to a file that does not exist (mutation)', () => {
    const broken = { ...FILES, 'README.md': README.replace('](docs/profiles.md)', '](docs/profile.md)') };
    expect(broken['README.md']).not.toBe(README);
    expect(linkProblems(broken)).toEqual([expect.stringMatching(/^README\.md:\d+: docs\/profile\.md: no such file docs\/profile\.md$/)]);
  });

  it('fails on an anchor the target has no heading for (mutation)', () => {
    const broken = { ...FILES, 'README.md': README.replace('](docs/how-to.md#add-a-tenant)', '](docs/how-to.md#add-a-tenants)') };
    expect(broken['README.md']).not.toBe(README);
    expect(linkProblems(broken)).toEqual([expect.stringMatching(/docs\/how-to\.md has no heading with the anchor #add-a-tenants$/)]);
  });

  it('fails when a heading another file links to is renamed (mutation)', () => {
    const howTo = FILES['docs/how-to.md']!;
    const broken = { ...FILES, 'docs/how-to.md': howTo.replace('## Add a tenant', '## Adding a tenant') };
    expect(linkProblems(broken).some((p) => p.startsWith('README.md:') && p.endsWith('#add-a-tenant'))).toBe(true);
  });

  it('ignores links inside code, and links out of the repository', () => {
    expect(linkProblems({ 'docs/x.md': '```\n[a](missing.md)\n```\n`[b](missing.md)` [c](https://example.com/x#y)\n' })).toEqual([]);
    expect(linkProblems({ 'docs/x.md': '[a](../../etc/passwd)\n' })).toEqual(['docs/x.md:1: ../../etc/passwd: points outside the repository']);
  });
});

describe('runbooks', () => {
  const RUNBOOKS = FILES[RUNBOOKS_PATH]!;

  it('docs/runbooks.md has one heading per alert, and no heading without an alert', () => {
    expect(ALERTS.length).toBeGreaterThan(30);
    expect(runbookProblems(RUNBOOKS, ALERTS, runbookAnchor)).toEqual([]);
  });

  it("every alert's runbook_url is that heading's anchor in docs/runbooks.md of the deploying repository", () => {
    const base = runbookBase(CONFIG);
    expect(base).toBe(`https://github.com/telefonica/aura-manifests/blob/main/${RUNBOOKS_PATH}`);
    const anchors = anchorsOf(RUNBOOKS);
    for (const rule of RULES) {
      const url = renderRule(rule, base).annotations.runbook_url;
      expect(url.startsWith(`${base}#`), url).toBe(true);
      expect(anchors.has(url.slice(base.length + 1)), url).toBe(true);
    }
  });

  it('fails when an alert loses its runbook heading (mutation)', () => {
    const without = RUNBOOKS.replace(/^## RedisNoMaster$/m, '## RedisNoMasterX');
    expect(without).not.toBe(RUNBOOKS);
    expect(runbookProblems(without, ALERTS, runbookAnchor)).toEqual([
      'alert RedisNoMaster: no runbook heading "## RedisNoMaster" (anchor #redisnomaster)',
      'runbook heading "## RedisNoMasterX": no alert has that name',
    ]);
  });

  it('fails when a new alert has no runbook (mutation)', () => {
    expect(runbookProblems(RUNBOOKS, [...ALERTS, 'BrandNewAlert'], runbookAnchor)).toEqual(['alert BrandNewAlert: no runbook heading "## BrandNewAlert" (anchor #brandnewalert)']);
  });
});

describe('profile reference (docs/profile-reference.md)', () => {
  it('is current: generated from schemas/profile.schema.json (npm run gen:docs)', () => {
    expect(readFileSync(PROFILE_REFERENCE_FILE, 'utf8') === renderProfileReference(), 'docs/profile-reference.md is stale: run npm run gen:docs').toBe(true);
  });

  it("carries every description of the schema, each on its key's row", () => {
    const reference = readFileSync(PROFILE_REFERENCE_FILE, 'utf8');
    const rows = new Map(reference.split('\n').filter((l) => l.startsWith('| `')).map((l) => [/^\| `([^`]+)`/.exec(l)![1]!, l]));
    for (const [key, node] of Object.entries<Record<string, any>>(PROFILE_SCHEMA.properties)) {
      expect(rows.has(key), key).toBe(true);
      if (node.description) expect(rows.get(key), key).toContain(node.description.replace(/\|/g, '\\|'));
    }
    expect(rows.get('key_vault.name')).toBeDefined();
    expect(rows.get('fourth_platform.client_secret')).toMatch(/\*Secret\*: Key Vault `fourth-platform-client-secret`/);
  });

  it('goes stale when a description changes (mutation)', () => {
    const schema = structuredClone(PROFILE_SCHEMA);
    schema.properties.cluster_name.description = 'A changed description.';
    const mutated = renderProfileReference(schema);
    expect(mutated).not.toBe(readFileSync(PROFILE_REFERENCE_FILE, 'utf8'));
    expect(mutated).toContain('| `cluster_name` | string, pattern');
    expect(mutated).toContain('A changed description.');
  });

  it('is written where the docs link it', () => {
    expect(PROFILE_REFERENCE_FILE).toBe(join(ROOT, 'docs', 'profile-reference.md'));
  });
});

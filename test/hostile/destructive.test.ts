// Items 3 and 9 of issue 23: destructive commands act only on what the profile owns, as compiled
// now. Each case runs `npm run infra -- --delete ... --yes` with fake az, kubectl and atlas that
// log their arguments: the exit code, the message, no sentinel anywhere, nothing deleted that
// the profile does not own, and the output folder unchanged.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { deletePlan, type DeleteInput, PROTECTED_NAMESPACES } from '../../src/infra/delete';
import { main as infraMain } from '../../src/commands/infra';
import type { CompiledObject } from '../../src/model/manifest';
import { built } from '../helpers';
import { fakeTools } from '../support/fake-tools';
import { SENTINEL, sentinelNowhere, snapshot, synth } from './harness';

const DIST = join(__dirname, '../../dist');

async function infra(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await infraMain(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A copy of the committed dist/ (the --out of a case). */
function distCopy(): string {
  const out = mkdtempSync(join(tmpdir(), 'aura-delete-dist-'));
  cpSync(DIST, out, { recursive: true });
  return out;
}

const deletes = (calls: string[]) => calls.filter((c) => / delete /.test(` ${c} `) || c.startsWith('atlas clusters delete'));

const NAMESPACE = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: { owner: ${SENTINEL} }\n`;

describe('infra --delete refuses a committed dist/ that is not the compile', () => {
  it.each([
    ['a file naming namespace argocd under manifests/system/', (d: string) => (mkdirSync(join(d, 'de-pro/manifests/system/argocd'), { recursive: true }), writeFileSync(join(d, 'de-pro/manifests/system/argocd/namespace-argocd.yaml'), NAMESPACE('argocd'))), 'system', /extra manifests\/system\/argocd\/namespace-argocd\.yaml/],
    ['kube-system renamed into the core namespace file', (d: string) => writeFileSync(join(d, 'de-pro/manifests/core/_cluster/namespace-aura-de-pro.yaml'), NAMESPACE('kube-system')), 'core', /differs manifests\/core\/_cluster\/namespace-aura-de-pro\.yaml/],
    ['a hidden file in the folder', (d: string) => writeFileSync(join(d, 'de-pro/.x.yaml'), NAMESPACE('default')), 'core', /extra \.x\.yaml/],
    ['a YAML bomb in a compiled file', (d: string) => writeFileSync(join(d, 'de-pro/manifests/core/aura-de-pro/deployment-aura-bot.yaml'), `a: &a [${SENTINEL}, ${SENTINEL}]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`), 'core', /differs manifests\/core\/aura-de-pro\/deployment-aura-bot\.yaml/],
    ['an empty compiled file', (d: string) => writeFileSync(join(d, 'de-pro/manifests/system/aura-system/daemonset-fluent-bit.yaml'), ''), 'system', /differs manifests\/system\/aura-system\/daemonset-fluent-bit\.yaml/],
  ])('%s: exit 1, naming the file; no tool deletes anything', async (_, plant, target, message) => {
    const out = distCopy();
    plant(out);
    const before = snapshot(out);
    const tools = fakeTools();
    const r = await infra(['--profile', 'de-pro', '--delete', target, '--include-data', '--yes', '--out', out], tools.env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/is not what profile de-pro compiles to now .*nothing was deleted/);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    expect(tools.calls()).toEqual([]); // refused before any tool ran
    expect(sentinelNowhere(r)).toBe(true);
    expect(snapshot(out)).toEqual(before);
  });

  it('a profile edited but not recompiled: the plan of the edit is refused, naming what would change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-delete-edited-'));
    const file = join(dir, 'de-pro.yaml');
    writeFileSync(file, `extends: ${join(DEFAULT_PROFILES_DIR, 'de-pro.yaml')}\n`);
    const out = mkdtempSync(join(tmpdir(), 'aura-delete-out-'));
    expect(synth('--profile', file, '--allow-outside-repo', '--out', out).code).toBe(0);
    // The volumes' size changes in the profile; dist/ still holds the old compile.
    writeFileSync(file, `extends: ${join(DEFAULT_PROFILES_DIR, 'de-pro.yaml')}\nelasticsearch: { storage_size_gb: 99 }\n`);
    const before = snapshot(out);
    const tools = fakeTools();
    const r = await infra(['--profile', file, '--allow-outside-repo', '--delete', 'core', '--yes', '--out', out], tools.env);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/is not what profile de-pro compiles to now \(\d+ file\(s\): [^)]*differs manifests\/system\/aura-system\/elasticsearch-elasticsearch\.yaml/);
    expect(deletes(tools.calls())).toEqual([]);
    expect(snapshot(out)).toEqual(before);
  });
});

describe("a profile's keys never put it into another profile's namespace", () => {
  it("release_suffix: wsim in de-pro (its tenant's name): synth fails naming both; infra --delete refuses", async () => {
    const profiles = mkdtempSync(join(tmpdir(), 'aura-clash-profiles-'));
    cpSync(DEFAULT_PROFILES_DIR, profiles, { recursive: true });
    writeFileSync(join(profiles, 'de-pro.yaml'), `${(await import('node:fs')).readFileSync(join(DEFAULT_PROFILES_DIR, 'de-pro.yaml'), 'utf8')}release_suffix: wsim\n`);
    const out = mkdtempSync(join(tmpdir(), 'aura-clash-out-'));
    const r = synth('--profiles', profiles, '--profile', 'de-pro', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the release_suffix of profile de-pro names its namespace like the tenant_name of profile de-pro-wsim/);
    expect(snapshot(out)).toEqual({});
    // Compiled in a profiles folder without the tenant, it writes; the deletion still sees the repository's tenant.
    rmSync(join(profiles, 'de-pro-wsim.yaml'));
    const file = join(profiles, 'de-pro.yaml');
    const alone = synth('--profiles', profiles, '--profile', 'de-pro', '--out', out);
    expect(alone.code, alone.err).toBe(0);
    const tools = fakeTools();
    const d = await infra(['--profile', file, '--allow-outside-repo', '--delete', 'core', '--include-data', '--yes', '--out', out], tools.env);
    expect(d.code).toBe(1);
    // The repository's tenant extends the repository's de-pro: here the clash is literal (one namespace name).
    expect(d.err).toMatch(/profiles de-pro and de-pro-wsim both create the namespaces aura-de-pro-wsim, aura-agents-de-pro-wsim .*nothing was deleted/);
    expect(deletes(tools.calls())).toEqual([]);
  }, 120_000);
});

describe('the delete plan deletes only what the profile owns', () => {
  const c = built('de-pro').config;
  const fresh = built('de-pro').objects;
  const ns = (name: string, phase: CompiledObject['phase']): CompiledObject => ({ phase, manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  const cm = (namespace: string, phase: CompiledObject['phase']): CompiledObject => ({ phase, manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace } } });
  const namespaceDeletes = (input: DeleteInput, target: 'core' | 'system') =>
    deletePlan(target, input, { full: true, includeData: true }).steps.filter((s) => s.args[1] === 'namespace').map((s) => s.args[2]);

  it.each([...PROTECTED_NAMESPACES, c.gitops.argocd_namespace, c.operators.eck.namespace, c.operators.mongodb_atlas.namespace])(
    'a compile that created namespace %s (and objects in it) never deletes it; its objects go by owner labels',
    (name) => {
      for (const target of ['core', 'system'] as const) {
        const phase = target === 'core' ? 'core' : 'system';
        const input = { config: c, objects: [...fresh, ns(name, phase), cm(name, phase)], othersNamespaces: new Map() };
        expect(namespaceDeletes(input, target)).not.toContain(name);
        const plan = deletePlan(target, input, { full: true, includeData: true });
        if (target === 'system') expect(plan.kept.join('\n')).toMatch(new RegExp(`namespace ${name}: not this profile's to delete`));
        const inIt = plan.steps.filter((s) => s.args.includes('--namespace') && s.args[s.args.indexOf('--namespace') + 1] === name);
        for (const s of inIt) expect(s.args).toContain('--selector');
      }
    },
  );

  it("another profile's namespace, created by this compile too, is never deleted", () => {
    const input = { config: c, objects: fresh, othersNamespaces: new Map([['aura-de-pro', 'other'], ['aura-system', 'other']]) };
    expect(namespaceDeletes(input, 'core')).toEqual(['aura-agents-de-pro']);
    expect(namespaceDeletes(input, 'system')).toEqual([]);
  });

  it('as compiled, de-pro deletes its own namespaces and nothing else; every object delete selects by the owner labels', () => {
    const input = { config: c, objects: fresh, othersNamespaces: new Map() };
    expect(namespaceDeletes(input, 'core')).toEqual(['aura-agents-de-pro', 'aura-de-pro']);
    expect(namespaceDeletes(input, 'system')).toEqual(['aura-system']);
    for (const target of ['core', 'system'] as const)
      for (const s of deletePlan(target, input, { full: true, includeData: true }).steps.filter((s) => s.tool === 'kubectl' && s.args[1] !== 'namespace'))
        expect(s.args[s.args.indexOf('--selector') + 1]).toMatch(/^app\.kubernetes\.io\/managed-by=aura-manifests,app\.kubernetes\.io\/instance=de-pro,auracognitive\.com\/phase/);
  });

  it('the committed dist/ (the compile) deletes with --yes exactly the plan, through the fake tools', async () => {
    const tools = fakeTools();
    const r = await infra(['--profile', 'de-pro', '--delete', 'system', '--include-data', '--yes'], tools.env);
    expect(r.code, r.err).toBe(0);
    const namespaces = deletes(tools.calls()).filter((c) => c.startsWith('kubectl delete namespace'));
    expect(namespaces).toEqual(['kubectl delete namespace aura-system --ignore-not-found']);
  });
});

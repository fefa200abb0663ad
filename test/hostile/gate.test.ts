// Item 1 of issue 23: the committed output is untrusted input. A pull request edits a compiled
// manifest and forges every record it can (the legacy one in the folder, and one in the
// checkout's node_modules/.cache signed with the attacker's own key); on a fresh checkout the
// example workflow's gate compiles and fails, and so does every other machine. Run as real
// processes in a copy of the repository, as CI runs them.
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordStore } from '../../src/incremental/store';
import { freshCheckout, runStep, snapshot } from './harness';

const BOT = 'manifests/core/aura-de-pro/deployment-aura-bot.yaml';
const EVIL = 'evil.example.com/aura-bot:pwned';
const workflow = parse(readFileSync(join(__dirname, '../../examples/github-actions/aura-manifests.yml'), 'utf8'));
const gate: string = workflow.jobs.compile.steps.find((s: { name?: string }) => /fail if the committed dist\/ is stale/.test(s.name ?? '')).run;

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
/** The outputs hash as the tool computes it (src/incremental/record.ts), over every file of a folder. */
function folderHash(dir: string): { outputs: string; entries: number; bytes: number } {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((p) => lstatSync(join(dir, p)).isFile()).sort((a, b) => (a < b ? -1 : 1));
  const h = createHash('sha256');
  let bytes = 0;
  for (const p of files) {
    const b = readFileSync(join(dir, p));
    bytes += b.length;
    h.update(`${p}\0${sha256(b)}\n`);
  }
  return { outputs: h.digest('hex'), entries: files.length, bytes };
}

let repo: string;
const attacker = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'aura-attacker-home-')) };
let before: Record<string, string>;
let plantForgery: () => void;

beforeAll(() => {
  repo = freshCheckout();
  const cache = join(repo, 'node_modules/.cache/aura-manifests');
  // The attacker compiles on their own machine: a genuine record, signed with their key.
  const compiled = runStep(repo, 'npm run --silent synth -- --profile de-pro', attacker);
  expect(compiled.code, compiled.err).toBe(0);
  // Then edits the image, and makes every record say the edited folder is what the compiler made.
  const bot = join(repo, 'dist/de-pro', BOT);
  writeFileSync(bot, readFileSync(bot, 'utf8').replace(/image: \S+aura-bot:\S+/, `image: ${EVIL}`));
  expect(readFileSync(bot, 'utf8')).toContain(EVIL);
  const env = { AURA_MANIFESTS_CACHE_DIR: cache, ...attacker };
  const store = recordStore(join(repo, 'dist'), env)!;
  const record = JSON.parse(store.read(join(repo, 'dist'), 'de-pro')!);
  // The legacy record in the folder (what earlier versions trusted), with the outputs hash recomputed.
  writeFileSync(join(repo, 'dist/de-pro/.aura-cache.json'), `${JSON.stringify({ ...record, format: 1, outputs: folderHash(join(repo, 'dist/de-pro')).outputs })}\n`);
  const forged = folderHash(join(repo, 'dist/de-pro'));
  // A --check stores its own records: each case starts from the forgery again.
  plantForgery = () => store.write(join(repo, 'dist'), 'de-pro', `${JSON.stringify({ ...record, ...forged })}\n`);
  plantForgery();
  // On the attacker's own machine the forgery verifies: the record, not the folder, is what is trusted there.
  const own = runStep(repo, 'npm run --silent synth -- --profile de-pro --check', attacker);
  expect(own.out).toMatch(/de-pro: \d+ objects \(unchanged\)/);
  expect(own.code).toBe(0);
  before = snapshot(join(repo, 'dist'));
}, 300_000);

afterAll(() => {
  // Nothing the gate ran changed the output folder.
  expect(snapshot(join(repo, 'dist'))).toEqual(before);
});

describe('the gate on a tampered dist/ with forged records', () => {
  beforeEach(() => plantForgery());
  it("the example workflow's gate (CI=true, no cache key) compiles every profile and fails, naming the file", () => {
    const r = runStep(repo, gate, { CI: 'true', GITHUB_ACTIONS: 'true' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`differs +${BOT.replace(/\./g, '\\.')}`));
    expect(r.err).toMatch(/extra +\.aura-cache\.json/);
    expect(r.err).toMatch(/Deployment\/aura-de-pro\/aura-bot/);
    expect(r.out).toMatch(/::error file=dist\/de-pro\/manifests\/core\/aura-de-pro\/deployment-aura-bot\.yaml/);
    expect(`${r.out}${r.err}`).not.toMatch(/unchanged|proven by their cache record/);
  }, 300_000);

  it('a CI with its own cache key (AURA_CACHE_KEY) does not verify the forged record', () => {
    const r = runStep(repo, 'npm run --silent synth -- --profile de-pro --check', { CI: 'true', AURA_CACHE_KEY: randomBytes(32).toString('hex') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/differs +manifests\/core\/aura-de-pro\/deployment-aura-bot\.yaml/);
    expect(r.out).not.toMatch(/unchanged/);
  }, 300_000);

  it("another developer's machine (its own key) does not either", () => {
    const r = runStep(repo, 'npm run --silent synth -- --profile de-pro --check', { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'aura-victim-home-')) });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/differs +manifests\/core\/aura-de-pro\/deployment-aura-bot\.yaml/);
    expect(r.out).not.toMatch(/unchanged/);
  }, 300_000);
});

describe('the example workflow trusts no record a pull request could make', () => {
  const steps: { name?: string; uses?: string; if?: string; env?: Record<string, string>; run?: string; with?: Record<string, string> }[] = workflow.jobs.compile.steps;
  const gateStep = steps.find((s) => s.run === gate)!;

  it('gives the cache key to pushes to main only, and saves records only there', () => {
    expect(gateStep.env?.AURA_CACHE_KEY).toMatch(/^\$\{\{ github\.event_name == 'push' && github\.ref == 'refs\/heads\/main' && secrets\.AURA_CACHE_KEY \|\| '' \}\}$/);
    const save = steps.find((s) => s.uses?.startsWith('actions/cache/save'))!;
    expect(save.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    // The records live outside the checkout, never under dist/ or the workspace.
    expect(gateStep.env?.AURA_MANIFESTS_CACHE_DIR).toMatch(/^\$\{\{ runner\.temp \}\}\//);
    expect(save.with?.path).toBe(gateStep.env?.AURA_MANIFESTS_CACHE_DIR);
  });

  it('diffs only after the gate, and only when it passed (no always() or failure())', () => {
    const diff = steps.findIndex((s) => s.run?.includes('npm run --silent diff -- --all --against'));
    expect(diff).toBeGreaterThan(steps.indexOf(gateStep));
    for (const s of steps.slice(steps.indexOf(gateStep) + 1)) expect(s.if ?? '').not.toMatch(/always\(\)|failure\(\)|cancelled\(\)/);
  });
});

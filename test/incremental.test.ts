// Incremental compilation (src/incremental/): an unchanged profile is proven fresh by its record,
// and the record never vouches for a changed input or output. One profile is compiled per run of
// the CLI here; everything else is checked at the record's level.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { main } from '../src/commands/synth';
import { APPLICATIONSET_FILE } from '../src/output/layout';
import { applicationSetFresh, COMPILER_INPUTS, compilerHash, readRecord as readStored, recordContext, REPOSITORY, type RunOptions, staleReason } from '../src/incremental/record';
import { recordStore } from '../src/incremental/store';
import type { FileRules } from '../src/profile/source-scan';

const PROFILE = 'de-pro-wsim';

function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main([...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** One byte of a file changed, its length kept. */
function flipByte(file: string, at = -2): void {
  const bytes = readFileSync(file);
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = bytes[i] === 0x61 ? 0x62 : 0x61;
  writeFileSync(file, bytes);
}

let base: string;
let profiles: string;
let out: string;
const rules = () => ({ roots: [REPOSITORY, profiles] });
const store = () => recordStore(out)!;
const readRecord = (_folder?: string) => readStored(store(), out, PROFILE);
const staleWith = (options: RunOptions, r: FileRules) => staleReason(out, PROFILE, join(profiles, `${PROFILE}.yaml`), recordContext(store(), options, r, profiles));
const stale = () => staleWith({}, rules());
const recordFile = () => join(store().folder(out), `${PROFILE}.json`);

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'aura-incremental-'));
  // A private copy of the profiles and their layers, so that a test can change one byte of them.
  profiles = join(base, 'profiles');
  cpSync(DEFAULT_PROFILES_DIR, profiles, { recursive: true });
  out = join(base, 'out');
  const r = run('--profiles', profiles, '--profile', PROFILE, '--out', out);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the cache record', () => {
  it('is stored outside the output tree: a MAC line and one line of JSON, repository-relative paths, the profile file and each layer it extends', () => {
    const text = readFileSync(recordFile(), 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(2);
    expect(text).toMatch(/^[0-9a-f]{64}\n\{/);
    expect(readdirSync(join(out, PROFILE)).filter((e) => e.startsWith('.'))).toEqual(['.aura-manifests']);
    const record = readRecord()!;
    // Relative to the repository (these copies are outside it), so the record does not depend on where the checkout is.
    expect(record.inputs.every(([path]) => !isAbsolute(path) && !path.includes('\\'))).toBe(true);
    const inputs = record.inputs.map(([path]) => path.replace(/^.*\/profiles\//, ''));
    expect(inputs).toEqual([`${PROFILE}.yaml`, 'layers/global.yaml', 'layers/de.yaml', 'layers/pro.yaml', 'de-pro.yaml']);
    expect(record.files).toBe(readdirSync(join(out, PROFILE), { recursive: true }).filter((p) => !String(p).split('/').some((s) => s.startsWith('.')) && statSync(join(out, PROFILE, String(p))).isFile()).length);
    expect(record.entries).toBe(record.files + 1); // and the marker
  });

  it('proves an unchanged profile fresh, and its ApplicationSet', () => {
    expect(stale()).toBeUndefined();
    expect(applicationSetFresh(join(out, APPLICATIONSET_FILE), [readRecord()!])).toBe(true);
  });

  it('is not fresh for another Kubernetes version or other read rules', () => {
    expect(staleWith({ kubernetesVersion: '1.35' }, rules())).toBe('inputs changed');
    // The copied profiles are outside the repository: without --allow-outside-repo they are not read, so not trusted.
    expect(staleWith({}, { roots: [REPOSITORY] })).toMatch(/unreadable/);
  });

  it('a record that is missing, broken, edited (its MAC no longer verifies) or of another format proves nothing', () => {
    const file = recordFile();
    const saved = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, `<<<<<<< ours\n${saved}=======\n${saved}>>>>>>> theirs\n`);
      expect(stale()).toBe('no cache record');
      writeFileSync(file, saved.replace('"format":2', '"format":1'));
      expect(stale()).toBe('no cache record');
      writeFileSync(file, saved.replace(/"objects":\d+/, '"objects":1'));
      expect(stale()).toBe('no cache record');
      rmSync(file);
      expect(stale()).toBe('no cache record');
    } finally {
      writeFileSync(file, saved);
    }
    expect(stale()).toBeUndefined();
  });
});

describe('one changed byte is never proven fresh', () => {
  it('of an output file, an added file, a removed file', () => {
    const file = join(out, PROFILE, 'kustomization.yaml');
    const saved = readFileSync(file);
    flipByte(file);
    expect(stale()).toBe('output changed');
    writeFileSync(file, saved);
    expect(stale()).toBeUndefined();
    writeFileSync(join(out, PROFILE, 'extra.yaml'), 'x');
    expect(stale()).toBe('output changed');
    rmSync(join(out, PROFILE, 'extra.yaml'));
    rmSync(file);
    expect(stale()).toBe('output changed');
    writeFileSync(file, saved);
    expect(stale()).toBeUndefined();
  });

  it('of the profile file, and of a layer it extends', () => {
    for (const input of [`${PROFILE}.yaml`, 'layers/de.yaml', 'de-pro.yaml']) {
      const file = join(profiles, input);
      const saved = readFileSync(file);
      flipByte(file, 0); // the first byte is a comment's `#`: still a valid profile
      expect(stale(), input).toBe('inputs changed');
      writeFileSync(file, saved);
      expect(stale()).toBeUndefined();
    }
  });

  it('a profile added to the profiles folder (a possible cluster sibling), or removed', () => {
    writeFileSync(join(profiles, 'zz-new.yaml'), readFileSync(join(profiles, `${PROFILE}.yaml`)));
    expect(stale()).toBe('inputs changed');
    rmSync(join(profiles, 'zz-new.yaml'));
    expect(stale()).toBeUndefined();
  });

  it("of the compiler's own source, generated code or schemas", () => {
    const root = mkdtempSync(join(tmpdir(), 'aura-compiler-'));
    try {
      mkdirSync(join(root, 'src/sub'), { recursive: true });
      mkdirSync(join(root, 'schemas'));
      writeFileSync(join(root, 'src/sub/a.ts'), 'export const a = 1;\n');
      writeFileSync(join(root, 'schemas/s.json'), '{}\n');
      writeFileSync(join(root, 'package.json'), '{"version":"1.0.0"}\n');
      const before = compilerHash(root);
      for (const file of ['src/sub/a.ts', 'schemas/s.json', 'package.json']) {
        const saved = readFileSync(join(root, file));
        flipByte(join(root, file), 0);
        expect(compilerHash(root), file).not.toBe(before);
        writeFileSync(join(root, file), saved);
        expect(compilerHash(root)).toBe(before);
      }
      writeFileSync(join(root, 'src/sub/b.ts'), '');
      expect(compilerHash(root)).not.toBe(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('synth and --check with the cache', () => {
  it('--check proves an unchanged profile without compiling it; synth does not rewrite it', () => {
    const check = run('--profiles', profiles, '--profile', PROFILE, '--out', out, '--check');
    expect(check.code).toBe(0);
    expect(check.out).toContain(`${PROFILE}: ${readRecord()!.objects} objects (unchanged)`);
    expect(check.out).toMatch(/1 proven by their cache record/);
    const mtime = statSync(join(out, PROFILE, 'kustomization.yaml')).mtimeMs;
    expect(run('--profiles', profiles, '--profile', PROFILE, '--out', out).out).toMatch(/1 unchanged, not rewritten/);
    expect(statSync(join(out, PROFILE, 'kustomization.yaml')).mtimeMs).toBe(mtime);
  });

  it('--check fails on one changed byte of an output file (the record does not hide it); --no-cache compiles', () => {
    const file = join(out, PROFILE, 'kustomization.yaml');
    const saved = readFileSync(file);
    flipByte(file);
    try {
      const r = run('--profiles', profiles, '--profile', PROFILE, '--out', out, '--check', '--no-cache');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/differs {3}kustomization\.yaml/);
      expect(r.out).not.toContain('(unchanged)');
      // Without --no-cache the record does not vouch for it either (staleReason above): the same verdict.
      expect(stale()).toBe('output changed');
    } finally {
      writeFileSync(file, saved);
    }
  });

  it('an edited ApplicationSet is not proven by the records', () => {
    const file = join(out, APPLICATIONSET_FILE);
    const saved = readFileSync(file);
    flipByte(file);
    try {
      expect(applicationSetFresh(file, [readRecord()!])).toBe(false);
    } finally {
      writeFileSync(file, saved);
    }
  });
});

describe('COMPILER_INPUTS', () => {
  it('names every repository folder the compiler reads (scanned from src/)', () => {
    const top = new Set(readdirSync(REPOSITORY).filter((e) => !e.startsWith('.')));
    const read = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts')) {
          // Paths written relative to a module: '../../schemas/...', join(__dirname, '..', '..', 'kibana').
          for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/['"](?:\.\.\/)+([\w-][\w.-]*)|['"]\.\.['"](?:,\s*['"]\.\.['"])*,\s*['"]([\w-][\w.-]*)['"]/g)) read.add((m[1] ?? m[2])!);
        }
      }
    };
    walk(join(REPOSITORY, 'src'));
    // Profiles are each profile's own inputs; node_modules holds caches derived from the inputs;
    // dist is the output; shared/ (the upstream data) is read only by npm run gen:schemas.
    const notCompilerInputs = new Set(['profiles', 'node_modules', 'dist', 'shared']);
    const missing = [...read].filter((name) => top.has(name) && !notCompilerInputs.has(name) && !(COMPILER_INPUTS as readonly string[]).includes(name));
    expect(read.has('schemas') && read.has('imports') && read.has('network')).toBe(true);
    expect(missing).toEqual([]);
  });
});

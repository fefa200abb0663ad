// The compiler the commands use under vitest (src/incremental/run.ts loads it lazily with
// require(), which cannot load vitest's TypeScript modules): every test file gets the compiler its
// modules already see, with buildProfile remembered per worker, so that a test running synth on
// a profile another test already compiled does not compile it again.
//
// Remembered only what is sound to remember: a successful build (a failing one is built again, so
// its error is the compiler's own each time), without a replacement catalog, keyed by the
// profile file's name and bytes, the options, the read rules and the previous chart revision of
// the output folder (read as buildProfile reads it). A hit is used only when every other file
// the build read (layers, the running profile, chart archives; its `inputs`) still has the bytes
// it had, and at the same path unless the profile read no other file. Each hit is a copy: the
// commands may change what they get. A test that wraps the compiler itself restores `compiler`.
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as build from '../../src/build';
import { readChartRevision } from '../../src/delivery/helm-chart';
import { provideCompiler } from '../../src/incremental/run';
import { profileNameOf, resolveProfileRef } from '../../src/profile/load';

type Built = ReturnType<typeof build.buildProfile>;
interface Remembered {
  file: string;
  profilesDir: string;
  cwd: string;
  /** The profile read no file but itself: the same bytes under another folder build the same. */
  alone: boolean;
  built: Built;
}

// On globalThis: setup files run again for every test file, the worker's builds outlive them.
const remembered: Map<string, Remembered> = ((globalThis as { auraTestBuilds?: Map<string, Remembered> }).auraTestBuilds ??= new Map());
/** The most recent builds kept (a shipped profile's build is a few MB). */
const KEPT = 40;
/** How many builds this worker compiled, and how many it answered from a remembered one. */
export const buildCounts: { compiled: number; remembered: number } = ((globalThis as { auraTestBuildCounts?: { compiled: number; remembered: number } }).auraTestBuildCounts ??= { compiled: 0, remembered: 0 });
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const MAX_BYTES = 1024 * 1024;

/** The file's bytes, when it is a regular file of sane size; undefined otherwise (then nothing is remembered). */
function bytesOf(file: string): Buffer | undefined {
  const st = lstatSync(file, { throwIfNoEntry: false });
  return st?.isFile() && st.size <= MAX_BYTES ? readFileSync(file) : undefined;
}

/** The key of a build, or undefined when it is not one to remember. */
function keyOf(ref: string, profilesDir: string, options: build.BuildOptions, readRules: object): { key: string; file: string; digest: string } | undefined {
  if (Object.keys(options).some((k) => k !== 'outDir' && k !== 'kubernetesVersion')) return undefined;
  try {
    const file = resolveProfileRef(ref, profilesDir);
    const name = profileNameOf(file);
    const bytes = bytesOf(file);
    if (!name || !bytes) return undefined;
    const chart = options.outDir ? readChartRevision(join(options.outDir, name)) : undefined;
    const digest = sha256(bytes);
    const key = JSON.stringify([basename(file), digest, options.kubernetesVersion ?? null, readRules, chart ?? null]);
    return { key, file, digest };
  } catch {
    return undefined; // buildProfile says what is wrong, in its own words
  }
}

/** Every file the build read other than the profile file has the bytes it read. */
function inputsUnchanged(built: Built, file: string): boolean {
  return built.inputs.every(([path, digest]) => {
    if (path === file) return true;
    const bytes = bytesOf(path);
    return bytes !== undefined && sha256(bytes) === digest;
  });
}

function buildProfile(...args: Parameters<typeof build.buildProfile>): Built {
  const [ref, profilesDir, options = {}, readRules = {}] = args;
  const at = keyOf(ref, profilesDir, options, readRules);
  const hit = at && remembered.get(at.key);
  const same = hit && hit.file === at!.file && hit.profilesDir === resolve(profilesDir) && hit.cwd === process.cwd();
  if (at && hit && (hit.alone || same) && inputsUnchanged(hit.built, hit.file)) {
    remembered.delete(at.key);
    remembered.set(at.key, hit); // most recently used last
    buildCounts.remembered++;
    const copy = structuredClone(hit.built);
    if (hit.file === at.file) return copy;
    return { ...copy, sources: [at.file], inputs: [[at.file, at.digest]] };
  }
  buildCounts.compiled++;
  const built = build.buildProfile(...args);
  // Remembered only if the compile read the bytes the key names (the file was not edited meanwhile).
  if (at && built.inputs.some(([path, digest]) => path === at.file && digest === at.digest)) {
    const alone = built.inputs.length === 1 && built.inputs[0]![0] === at.file && !built.config.core_only;
    remembered.set(at.key, { file: at.file, profilesDir: resolve(profilesDir), cwd: process.cwd(), alone, built: structuredClone(built) });
    for (const old of remembered.keys()) if (remembered.size > KEPT) remembered.delete(old);
  }
  return built;
}

/** The compiler the commands get in tests. */
export const compiler: typeof build = { ...build, buildProfile };

provideCompiler(compiler);

/**
 * The cache's part in a synth or --check run (src/commands/synth.ts): which profiles are proven fresh
 * before anything is compiled, and the records written after a compile. See record.ts.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BuiltProfile } from '../build';
import { JOURNAL_FILE, isOurs } from '../output/journal';
import { writeFileAtomic } from '../output/write';
import type { Config } from '../profile/config.generated';
import { loadProfile, profileNameOf, resolveProfileRef } from '../profile/load';
import type { FileRules } from '../profile/source-scan';
import { applicationSetFresh, type ProfileRecord, RECORD_FILE, readRecord, recordFor, type RunOptions, sha256Hex, staleReason } from './record';

type Compiler = typeof import('../build');
let compiler: Compiler | undefined;

/**
 * The compiler, loaded only when a profile must be compiled: it is most of a run's start-up.
 * Under vitest, whose modules `require` cannot load, a setup file provides it (test/support/compiler.ts).
 */
export const loadCompiler = (): Compiler => (compiler ??= require('../build') as Compiler);
export const provideCompiler = (loaded: Compiler) => void (compiler = loaded);

export interface CachedRun {
  /** Profile references proven fresh, with their records: not compiled, not rewritten. */
  fresh: Map<string, ProfileRecord>;
  names: string[];
  objects: number;
  files: number;
  /** The ApplicationSet's text when every profile is fresh (then it is proven too). */
  applicationSet?: string;
  options: RunOptions;
  profilesDir: string;
  /** True if a compiled profile's GitOps settings give the ApplicationSet the fresh ones recorded. */
  sameApplicationSet(config: Config): boolean;
  /** Trusts no record after all: returns the references that were fresh, to be compiled. */
  forget(): string[];
}

export interface CacheContext {
  outDir: string;
  profilesDir: string;
  kubernetesVersion?: string;
  readRules: FileRules;
  applicationSetFile: string;
}

/** A folder an interrupted run left half-swapped is recovered and compiled, never trusted. */
function interrupted(outDir: string): boolean {
  return existsSync(join(outDir, JOURNAL_FILE)) || readdirSync(outDir).some((e) => e.startsWith('.aura-staging-') || e.startsWith('.aura-old-'));
}

export function cachedRun(refs: readonly string[], ctx: CacheContext): CachedRun {
  const options: RunOptions = ctx.kubernetesVersion === undefined ? {} : { kubernetesVersion: ctx.kubernetesVersion };
  const fresh = new Map<string, ProfileRecord>();
  const isDir = (() => {
    try {
      return lstatSync(ctx.outDir).isDirectory();
    } catch {
      return false;
    }
  })();
  if (refs.length && isDir && !interrupted(ctx.outDir)) {
    for (const ref of refs) {
      const file = resolveProfileRef(ref, ctx.profilesDir);
      const name = profileNameOf(file);
      if (name === undefined || staleReason(ctx.outDir, name, file, options, ctx.readRules, ctx.profilesDir) !== undefined) continue;
      fresh.set(ref, readRecord(join(ctx.outDir, name))!);
    }
  }
  let applicationSet: string | undefined;
  if (fresh.size && fresh.size === refs.length) {
    // Every profile fresh: the ApplicationSet must be as recorded, or one profile is compiled to render it.
    if (applicationSetFresh(ctx.applicationSetFile, [...fresh.values()])) applicationSet = readFileSync(ctx.applicationSetFile, 'utf8');
    else fresh.delete([...fresh.keys()][0]!);
  }
  const records = () => [...fresh.values()];
  return {
    fresh,
    get names() {
      return records().map((r) => r.profile);
    },
    get objects() {
      return records().reduce((n, r) => n + r.objects, 0);
    },
    get files() {
      return records().reduce((n, r) => n + r.files, 0);
    },
    applicationSet,
    options,
    profilesDir: ctx.profilesDir,
    sameApplicationSet: (config) => {
      const key = sha256Hex(loadCompiler().applicationSetKeyOf(config));
      return records().every((r) => r.applicationSet.key === key);
    },
    forget() {
      const refs = [...fresh.keys()];
      fresh.clear();
      this.applicationSet = undefined;
      return refs;
    },
  };
}

/** Writes each compiled profile's record into its folder (unchanged records are not rewritten). */
export function writeRecords(outDir: string, built: readonly BuiltProfile[], applicationSet: string, options: RunOptions, profilesDir: string, readRules: FileRules): void {
  if (!built.length) return;
  const { applicationSetKeyOf, clusterSiblings } = loadCompiler();
  // A profile passed the cluster view with its siblings (src/checks/cluster-view.ts): their files are its inputs too.
  const clusters = new Map<string, string[]>();
  const siblingSources = (b: BuiltProfile): string[] => {
    const cluster = b.config.cluster_name;
    if (!clusters.has(cluster)) clusters.set(cluster, [b.name, ...clusterSiblings(b.name, profilesDir, b.config, readRules)]);
    return clusters
      .get(cluster)!
      .filter((name) => name !== b.name)
      .flatMap((name) => {
        const loaded = loadProfile(name, profilesDir, readRules);
        return [loaded.file, ...loaded.layers.map((l) => resolve(l.file))];
      });
  };
  for (const b of built) {
    const folder = join(outDir, b.name);
    if (!isOurs(folder)) continue;
    const record = recordFor(
      { name: b.name, files: b.files, objects: b.objects.length, warnings: b.warnings, sources: [...new Set([...b.sources, ...siblingSources(b)])], applicationSet: { key: applicationSetKeyOf(b.config), content: applicationSet } },
      options,
      profilesDir,
    );
    if (record === undefined) rmSync(join(folder, RECORD_FILE), { force: true });
    else writeFileAtomic(join(folder, RECORD_FILE), record);
  }
}

/**
 * The cache's part in a synth or --check run (src/commands/synth.ts): which profiles are proven fresh
 * before anything is compiled, and the records stored after a compile. See record.ts and store.ts.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltProfile } from '../build';
import { JOURNAL_FILE } from '../output/journal';
import type { Config } from '../profile/config.generated';
import { profileNameOf, resolveProfileRef } from '../profile/load';
import type { FileRules } from '../profile/source-scan';
import { applicationSetFresh, compilerUnchanged, type ProfileRecord, readRecord, recordContext, type RecordContext, recordFor, type RunOptions, sha256Hex, staleReason } from './record';
import { recordStore } from './store';

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
  /** What the records of this run are read and written with (undefined store: no cache this run). */
  records: RecordContext;
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
  /** --no-cache: no record is read (records are still stored). */
  noCache?: boolean;
  /** The environment deciding where records are and whether any is trusted (CI, AURA_CACHE_KEY). */
  env?: NodeJS.ProcessEnv;
}

/** A folder an interrupted run left half-swapped is compiled, never trusted. */
function interrupted(outDir: string): boolean {
  return existsSync(join(outDir, JOURNAL_FILE)) || readdirSync(outDir).some((e) => e.startsWith('.aura-staging-') || e.startsWith('.aura-old-'));
}

export function cachedRun(refs: readonly string[], ctx: CacheContext): CachedRun {
  const options: RunOptions = ctx.kubernetesVersion === undefined ? {} : { kubernetesVersion: ctx.kubernetesVersion };
  const records = recordContext(recordStore(ctx.outDir, ctx.env), options, ctx.readRules, ctx.profilesDir);
  const fresh = new Map<string, ProfileRecord>();
  const isDir = (() => {
    try {
      return lstatSync(ctx.outDir).isDirectory();
    } catch {
      return false;
    }
  })();
  if (!ctx.noCache && records.store && refs.length && isDir && !interrupted(ctx.outDir)) {
    for (const ref of refs) {
      const file = resolveProfileRef(ref, ctx.profilesDir);
      const name = profileNameOf(file);
      if (name === undefined || staleReason(ctx.outDir, name, file, records) !== undefined) continue;
      fresh.set(ref, readRecord(records.store, ctx.outDir, name)!);
    }
  }
  let applicationSet: string | undefined;
  if (fresh.size && fresh.size === refs.length) {
    // Every profile fresh: the ApplicationSet must be as recorded, or one profile is compiled to render it.
    if (applicationSetFresh(ctx.applicationSetFile, [...fresh.values()])) applicationSet = readFileSync(ctx.applicationSetFile, 'utf8');
    else fresh.delete([...fresh.keys()][0]!);
  }
  const list = () => [...fresh.values()];
  return {
    fresh,
    get names() {
      return list().map((r) => r.profile);
    },
    get objects() {
      return list().reduce((n, r) => n + r.objects, 0);
    },
    get files() {
      return list().reduce((n, r) => n + r.files, 0);
    },
    applicationSet,
    options,
    profilesDir: ctx.profilesDir,
    records,
    sameApplicationSet: (config) => {
      const key = sha256Hex(loadCompiler().applicationSetKeyOf(config));
      return list().every((r) => r.applicationSet.key === key);
    },
    forget() {
      const refs = [...fresh.keys()];
      fresh.clear();
      this.applicationSet = undefined;
      return refs;
    },
  };
}

/**
 * Stores each compiled profile's record. A profile passed the cluster view with its siblings
 * (src/checks/cluster-view.ts), so their files, as that compile read them, are its inputs too:
 * `siblings` are the profiles compiled for the cluster view only. Nothing is stored when the
 * compiler changed during the run.
 */
export function writeRecords(outDir: string, built: readonly BuiltProfile[], siblings: readonly BuiltProfile[], applicationSet: string, cache: CachedRun): void {
  const ctx = cache.records;
  if (!built.length || !ctx.store || !compilerUnchanged(ctx)) return;
  const { applicationSetKeyOf } = loadCompiler();
  const all = [...built, ...siblings];
  for (const b of built) {
    const others = all.filter((o) => o !== b && o.config.cluster_name === b.config.cluster_name).flatMap((o) => o.inputs);
    const seen = new Set<string>();
    const inputs = [...b.inputs, ...others].filter(([file]) => !seen.has(file) && !!seen.add(file));
    const record = recordFor({ name: b.name, files: b.files, objects: b.objects.length, warnings: b.warnings, inputs, applicationSet: { key: applicationSetKeyOf(b.config), content: applicationSet } }, ctx);
    ctx.store.write(outDir, b.name, record);
  }
}

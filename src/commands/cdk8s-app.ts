// Entry point for the cdk8s CLI (cdk8s.yaml). `npx cdk8s synth` compiles the profiles named by
// AURA_PROFILE (comma-separated, default de-pro) through the same pipeline as `aura-manifests synth`,
// and writes what cdk8s users expect: plain manifests only, one multi-document file per profile,
// <profile>.k8s.yaml in CDK8S_OUTDIR, objects in install order. `npx cdk8s synth --stdout` is
// then one YAML stream for `kubectl apply -f -`. The charts, kustomizations, GitOps objects and
// infrastructure parameters stay with `aura-manifests synth` (dist/). The cdk8s CLI passes no
// options: the read rule's --allow-outside-repo is AURA_ALLOW_OUTSIDE_REPO=1 here.
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCompiler } from '../incremental/run';
import { installOrder } from '../output/kustomize';
import { fileHeader } from '../output/layout';
import { toYaml } from '../output/yaml';
import { DEFAULT_PROFILES_DIR, profileReadRules } from '../profile/repository';
import type { FileRules } from '../profile/source-scan';
import { asEnvironmentError } from '../util/errors';
import { printable } from '../util/printable';
import { type CommandContext, defineCommand, describeInvalid, EnvironmentError } from './command';

/** One profile's objects as one YAML stream: a header comment, then each object after `---`. */
export function multiDocument(name: string, objects: Parameters<typeof installOrder>[0]): string {
  return `# ${fileHeader(name)}\n${installOrder(objects).map((o) => `---\n${toYaml(o.manifest)}`).join('')}`;
}

/**
 * Compiles the profiles, then writes one file each into outdir. Returns the exit code: 0, or 1
 * when a profile is invalid or fails the checks (nothing is written then); a folder that cannot
 * take the files throws an EnvironmentError (exit 3).
 */
export function synthForCdk8s(profiles: string[], outdir: string, err: (line: string) => void = console.error, readRules: FileRules = profileReadRules(DEFAULT_PROFILES_DIR, false)): number {
  // A folder that cannot take the files is said before minutes of compiling.
  outputFolderProblem(outdir);
  const files = new Map<string, string>();
  const { buildProfile } = loadCompiler();
  for (const ref of profiles) {
    try {
      const b = buildProfile(ref, DEFAULT_PROFILES_DIR, {}, readRules);
      files.set(`${b.name}.k8s.yaml`, multiDocument(b.name, b.objects));
    } catch (e) {
      const invalid = describeInvalid(e);
      if (invalid === undefined) throw e;
      err(invalid);
      return 1;
    }
  }
  writeOutput(outdir, files);
  return 0;
}

/**
 * Writes each file by a new temporary file renamed over it: a symlink at the file's place is
 * refused (never written through), and so is an output folder that is a symlink or not a folder.
 */
function outputFolderProblem(outdir: string): void {
  const kind = entryKind(outdir);
  if (kind === 'symlink') throw new EnvironmentError(`${printable(outdir)} (CDK8S_OUTDIR) is a symlink: refusing to write through it`);
  if (kind !== undefined && kind !== 'folder') throw new EnvironmentError(`${printable(outdir)} (CDK8S_OUTDIR) is not a folder`);
}

function writeOutput(outdir: string, files: ReadonlyMap<string, string>): void {
  outputFolderProblem(outdir);
  try {
    mkdirSync(outdir, { recursive: true });
  } catch (e) {
    throw asEnvironmentError(e, outdir);
  }
  for (const file of files.keys()) {
    const existing = entryKind(join(outdir, file));
    if (existing === 'symlink') throw new EnvironmentError(`${printable(join(outdir, file))} is a symlink: refusing to write through it`);
    if (existing !== undefined && existing !== 'file') throw new EnvironmentError(`${printable(join(outdir, file))} is not a regular file: refusing to replace it`);
  }
  for (const [file, text] of files) {
    const target = join(outdir, file);
    const tmp = join(outdir, `.${file}.${process.pid}.tmp`);
    try {
      // O_EXCL: a path that exists (a symlink planted there included) is never opened.
      const fd = openSync(tmp, 'wx', 0o644);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw asEnvironmentError(e, target);
    }
  }
}

function entryKind(path: string): 'file' | 'folder' | 'symlink' | 'other' | undefined {
  try {
    const st = lstatSync(path);
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'folder' : st.isFile() ? 'file' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asEnvironmentError(e, path);
  }
}

export const command = defineCommand({
  name: 'cdk8s-app',
  summary: 'the app the cdk8s CLI runs (cdk8s.yaml): npx cdk8s synth',
  synopsis: '',
  help: `  Run by \`npx cdk8s synth\` (cdk8s.yaml), configured by the environment:
  AURA_PROFILE      the profiles, comma-separated (default: de-pro)
  CDK8S_OUTDIR      where <profile>.k8s.yaml goes (set by the cdk8s CLI; default: cdk8s.out)
  AURA_ALLOW_OUTSIDE_REPO=1  read profile files outside the repository`,
  options: {},
  run: (_, ctx: CommandContext) => {
    const profiles = (ctx.env.AURA_PROFILE ?? 'de-pro').split(',').map((p) => p.trim()).filter(Boolean);
    const readRules = profileReadRules(DEFAULT_PROFILES_DIR, ctx.env.AURA_ALLOW_OUTSIDE_REPO === '1');
    return synthForCdk8s(profiles, resolve(ctx.env.CDK8S_OUTDIR || 'cdk8s.out'), ctx.err, readRules);
  },
});

export const main = command.main;

if (require.main === module) process.exitCode = main(process.argv.slice(2));

/**
 * A profiles folder of its own for the key tests: copies of the shipped profiles, edited as a
 * test says, compiled through `synth` (every check, the cluster view with the folder's other
 * profiles) into a dist folder of its own.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments, parseDocument } from 'yaml';
import { main as cli } from '../../src/commands/synth';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';

export type Obj = Record<string, any>;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

export function keysWorkspace(name: string) {
  const work = mkdtempSync(join(tmpdir(), `aura-keys-${name}-`));
  const profiles = join(work, 'profiles');
  const dist = join(work, 'dist');
  cpSync(join(DEFAULT_PROFILES_DIR, 'layers'), join(profiles, 'layers'), { recursive: true });
  const ws = {
    work,
    profiles,
    dist,
    remove: () => rmSync(work, { recursive: true, force: true }),
    shipped: (profile: string) => readFileSync(join(DEFAULT_PROFILES_DIR, `${profile}.yaml`), 'utf8'),
    /** A shipped profile with top-level keys replaced (or added) by those of `keys`, its comments kept. */
    withKeys: (profile: string, keys: string) => {
      const doc = parseDocument(ws.shipped(profile));
      for (const [key, value] of Object.entries(parse(keys) as Record<string, unknown>)) doc.set(key, value);
      return doc.toString();
    },
    write: (profile: string, text: string) => writeFileSync(join(profiles, `${profile}.yaml`), text),
    /** A file beside the profiles (a folder the profile names). */
    writeFile: (path: string, text: string) => {
      mkdirSync(join(profiles, path, '..'), { recursive: true });
      writeFileSync(join(profiles, path), text);
    },
    remove_profile: (profile: string) => rmSync(join(profiles, `${profile}.yaml`), { force: true }),
    synth: (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = cli([...args, '--profiles', profiles, '--out', dist, '--allow-outside-repo', '--no-cache'], { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
    read: (profile: string, path: string) => readFileSync(join(dist, profile, path), 'utf8'),
    exists: (profile: string, path: string) => existsSync(join(dist, profile, path)),
    /** The first object of a compiled file. */
    object: (profile: string, path: string): Obj => parseAllDocuments(ws.read(profile, path))[0]!.toJS(),
    /** Every object of a profile's manifests, as kubectl would apply them. */
    objects: (profile: string): Obj[] =>
      files(join(dist, profile, 'manifests'))
        .filter((f) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml'))
        .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as Obj))
        .filter((o) => o && typeof o === 'object'),
    /** Every file of dist with its digest: what an error must leave unchanged. */
    snapshot: () => files(dist).map((f) => `${relative(dist, f)} ${createHash('sha256').update(readFileSync(f)).digest('hex')}`).join('\n'),
    /** Every byte the compile wrote, for sentinel searches. */
    allOutput: () => files(dist).map((f) => readFileSync(f, 'utf8')).join('\n'),
  };
  return ws;
}

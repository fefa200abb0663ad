import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUNDLES_FOLDER, bundleFileOf, LOCAL_BOT_IMAGE, LOCAL_BUILD_FOLDER, localBuildFiles, localImageTag } from '../components/local-modules';
import { loadProfile } from '../profile/load';
import { validateProfile } from '../profile/validate';
import { DEFAULT_PROFILES_DIR, profileReadRules, REPOSITORY_ROOT as ROOT } from '../profile/repository';
import { UsageError } from '../util/errors';
import { readBundles } from './bundles';
import { EnvironmentError, InputError, preflight, probe, showLine, stream, type ToolIo } from './tools';

/**
 * The guide's build_local: the aura-bot image of a profile's local modules, built from the global
 * one and pushed to the profile's Azure Container Registry with `az acr build`. The build context
 * is the one compiled into dist/<profile>/local-modules/ (refused when stale: what is built is
 * what was reviewed), plus the libraries' bundles, each checked against the profile's
 * local_modules.modules. The image's tag is derived from its inputs: an image that exists is not
 * built again. deploy_local is `npm run synth` and applying the core phase.
 */
export interface BuildLocalOptions {
  profile?: string;
  bundles?: string;
  yes?: boolean;
  out?: string;
  profiles?: string;
  'allow-outside-repo'?: boolean;
}

export interface BuildLocalIo {
  out: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function buildLocal(o: BuildLocalOptions, io: BuildLocalIo): Promise<number> {
  if (!o.profile) throw new UsageError('name a profile with --profile');
  const profilesDir = resolve(o.profiles ?? DEFAULT_PROFILES_DIR);
  const loaded = loadProfile(o.profile, profilesDir, profileReadRules(profilesDir, !!o['allow-outside-repo']));
  const c = validateProfile(loaded);
  const m = c.local_modules;
  if (!m) throw new InputError(`${loaded.name} has no local_modules: add the entry (its libraries) to build the local aura-bot`);
  // The context as compiled and reviewed: refused when dist/ is not what the profile compiles to now.
  const compiled = localBuildFiles(c);
  const outDir = o.out ?? 'dist';
  const folder = resolve(outDir, loaded.name);
  for (const [path, content] of compiled) {
    const file = join(folder, path);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current !== content) throw new InputError(`${join(outDir, loaded.name, path)} is ${current === undefined ? 'missing' : 'stale'}: run npm run synth -- --profile ${loaded.name} (and review the change) first`);
  }
  const registry = acrOf(c.images.registry);
  if (!registry)
    throw new InputError(`images.registry (${loaded.name}) is not an Azure Container Registry (<name>.azurecr.io): build ${join(outDir, loaded.name, LOCAL_BUILD_FOLDER)} with its bundles under ${BUNDLES_FOLDER}/ using docker build, and push it as ${LOCAL_BOT_IMAGE}:${localImageTag(c, m)}`);
  const repository = [registry.path, LOCAL_BOT_IMAGE].filter(Boolean).join('/');
  const image = `${repository}:${localImageTag(c, m)}`;
  const bundles = matchBundles(resolve(o.bundles ?? 'local_modules'), m.modules);
  const exists = ['acr', 'repository', 'show', '--name', registry.name, '--image', image, '--output', 'none'];
  const build = ['acr', 'build', '--registry', registry.name, '--image', image, '--file', '<context>/Dockerfile', '<context>'];
  io.out(`Plan: build the local aura-bot of ${loaded.name}`);
  io.out(`  image   ${c.images.registry.split('/')[0]}/${image}`);
  io.out(`  from    ${JSON.parse(compiled.get(`${LOCAL_BUILD_FOLDER}/image.json`)!).base}`);
  for (const b of bundles) io.out(`  library ${b.name} ${b.version} (${b.file}, sha256 ${b.sha256})`);
  io.out(`  ${showLine('az', exists)}   # built already? then nothing to do`);
  io.out(`  ${showLine('az', build)}`);
  io.out(`  check: ${showLine('az', exists)} finds it`);
  if (!o.yes) {
    io.out('Nothing was built: add --yes to run this plan.');
    return 0;
  }
  const tools: ToolIo = { out: io.out, env: io.env, cwd: ROOT };
  await preflight('az', tools);
  if ((await probe('az', exists, tools)).exitCode === 0) {
    io.out(`✓ ${image} exists already (its tag is a digest of its inputs): nothing to build`);
    return 0;
  }
  const context = mkdtempSync(join(tmpdir(), 'aura-build-local-'));
  try {
    for (const [path, content] of compiled) if (!path.endsWith('image.json')) writeFileSync(join(context, path.slice(LOCAL_BUILD_FOLDER.length + 1)), content);
    mkdirSync(join(context, BUNDLES_FOLDER));
    for (const b of bundles) copyFileSync(b.path, join(context, BUNDLES_FOLDER, b.file));
    await stream('az', build.map((a) => a.replace('<context>', context)), tools);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  if ((await probe('az', exists, tools)).exitCode !== 0) throw new EnvironmentError(`az acr build ended, but ${image} is not in ${registry.name}: read the build's output above`);
  io.out(`✓ built and pushed ${image}; deploy it: npm run synth -- --profile ${loaded.name}, then apply its core phase`);
  return 0;
}

/** An Azure Container Registry and the path below it: auraregistry.azurecr.io/aura → auraregistry, aura. */
export function acrOf(registry: string): { name: string; path: string } | undefined {
  const m = /^([a-z0-9]{5,50})\.azurecr\.io(?:\/(.*))?$/.exec(registry);
  return m ? { name: m[1]!, path: m[2] ?? '' } : undefined;
}

/** Each declared library's bundle, found by its file name and checked by the package.json inside; nothing else. */
function matchBundles(folder: string, modules: { name: string; version: string }[]) {
  const found = readBundles(folder);
  const problems: string[] = [];
  const chosen = modules.map((x) => {
    const b = found.find((f) => f.file === bundleFileOf(x));
    if (!b) problems.push(`${bundleFileOf(x)} (${x.name} ${x.version}) is not in ${folder}`);
    else if (b.name !== x.name || b.version !== x.version) problems.push(`${b.file} holds ${b.name} ${b.version}, but local_modules.modules names ${x.name} ${x.version}`);
    return b;
  });
  for (const f of found) if (!chosen.includes(f)) problems.push(`${f.file} is not a library of local_modules.modules: add it to the profile, or move it away`);
  if (problems.length) throw new InputError(`the bundles do not match the profile's local_modules: ${problems.join('; ')}`);
  return chosen as NonNullable<(typeof chosen)[number]>[];
}

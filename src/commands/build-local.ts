import { buildLocal } from '../infra/build-local';
import { DEFAULT_PROFILES_DIR } from '../profile/repository';
import { defineCommand } from './command';

export const command = defineCommand({
  name: 'build-local',
  summary: "build and push the aura-bot image of a profile's local modules (the guide's build_local; plan, --yes runs it)",
  synopsis: '--profile NAME [--bundles DIR] [--yes] [--out DIR]',
  help: `  Builds and pushes the aura-bot image of the profile's local_modules: the global aura-bot plus the
  libraries' npm pack bundles, with az acr build from the context compiled into
  <out>/<profile>/local-modules/. Prints the plan; --yes runs it. An image that exists is not built again.

  --profile NAME   the profile (a name in profiles/ or a path)
  --bundles DIR    the libraries' bundles, <name>-<version>.tgz (default: local_modules)
  --yes            build and push (without it, only the plan is printed)
  --out DIR        where the compiled profiles are (default: dist)
  --profiles DIR   where profile names are looked up (default: profiles/)
  --allow-outside-repo  read profile files outside the repository`,
  options: {
    profile: { type: 'string' },
    bundles: { type: 'string', default: 'local_modules' },
    yes: { type: 'boolean' },
    out: { type: 'string', default: 'dist' },
    profiles: { type: 'string', default: DEFAULT_PROFILES_DIR },
    'allow-outside-repo': { type: 'boolean' },
  },
  run: (args, ctx) => buildLocal(args, ctx),
});

export const main = command.main;

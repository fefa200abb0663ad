import { formatDiagnostic, ProfileError } from '../profile/errors';
import { loadCompiler } from '../incremental/run';
import { loadProfile } from '../profile/load';
import { DEFAULT_PROFILES_DIR, profileReadRules } from '../profile/repository';
import { validateProfile } from '../profile/validate';
import { runningProfileOf } from '../profile/running';
import { type CommandContext, defineCommand, UsageError, type Values } from './command';

const OPTIONS = {
  profile: { type: 'string' },
  json: { type: 'boolean' },
  unused: { type: 'boolean' },
  'allow-outside-repo': { type: 'boolean' },
} as const;

export const command = defineCommand({
  name: 'verify wiring',
  summary: 'verify who connects to what: every endpoint reaches a listening port with matching credentials',
  synopsis: '--profile NAME [--json] [--unused] [--allow-outside-repo]',
  help: `  Prints who connects to what in a profile: client → server:port, protocol, credential source,
  the policy that admits it; fails when a connection does not resolve. Compiles in memory.

  --profile NAME   a profile in profiles/ or a path to a YAML file
  --json           the connections as one JSON document
  --unused         also list the flows the policies allow that no configuration uses
  --allow-outside-repo  read profile files outside the repository`,
  options: OPTIONS,
  invalid: (e) => (e instanceof ProfileError ? `✗ ${e.diagnostics.map(formatDiagnostic).join('\n  ')}` : undefined),
  run: verifyWiring,
});

export const main = command.main;

function verifyWiring(opts: Values<typeof OPTIONS>, io: CommandContext): number {
  if (!opts.profile) throw new UsageError('name a profile with --profile');
  const loaded = loadProfile(opts.profile, DEFAULT_PROFILES_DIR, profileReadRules(DEFAULT_PROFILES_DIR, opts['allow-outside-repo']));
  const config = validateProfile(loaded);
  // The compiler and the wiring check load only when a profile is to be compiled: the bin starts light.
  const { compileConfig, formatConnections, profileWiring } = loadCompiler();
  // A release is checked against the aura-system of the profile it runs beside.
  const running = runningProfileOf(loaded, config, DEFAULT_PROFILES_DIR, profileReadRules(DEFAULT_PROFILES_DIR, opts['allow-outside-repo']));
  const report = profileWiring(config, compileConfig(config).map((o) => o.manifest), running?.config);
  if (opts.json) io.out(JSON.stringify(report, null, 2));
  else {
    io.out(formatConnections(report));
    io.out(`\n${report.connections.length} connections; ${report.unused.length} flows the policies allow that no configuration uses${opts.unused ? ':' : ' (--unused lists them)'}`);
    if (opts.unused) for (const u of report.unused) io.out(`  ${u}`);
  }
  if (report.errors.length) {
    io.err(`✗ ${report.errors.length} wiring error(s) in ${loaded.name}:\n${report.errors.map((e) => `  ${e}`).join('\n')}`);
    return 1;
  }
  if (!opts.json) io.out(`✓ every endpoint of ${loaded.name} reaches a listening port through its policies with matching credentials`);
  return 0;
}

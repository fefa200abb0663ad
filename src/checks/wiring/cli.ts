import { parseArgs } from 'node:util';
import { DEFAULT_PROFILES_DIR } from '../../cli';
import { compileConfig } from '../../compile';
import { formatDiagnostic, ProfileError } from '../../profile/errors';
import { loadProfile } from '../../profile/load';
import { validateProfile } from '../../profile/validate';
import { runningProfileOf } from '../../profile/running';
import { formatConnections } from './check';
import { profileWiring } from './profile';

const USAGE = 'usage: npm run verify:wiring -- --profile NAME [--json] [--unused]';

/**
 * Prints who connects to what in a profile: client → server:port, protocol, credential source,
 * the policy that admits it; fails when a connection does not resolve. Compiles in memory.
 */
export function main(argv: string[], io = { out: console.log, err: console.error }): number {
  let opts;
  try {
    opts = parseArgs({ args: argv, options: { profile: { type: 'string' }, json: { type: 'boolean' }, unused: { type: 'boolean' } }, strict: true }).values;
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!opts.profile) {
    io.err(`error: name a profile with --profile\n${USAGE}`);
    return 2;
  }
  try {
    const loaded = loadProfile(opts.profile, DEFAULT_PROFILES_DIR);
    const config = validateProfile(loaded);
    const running = runningProfileOf(loaded, config, DEFAULT_PROFILES_DIR);
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
  } catch (e) {
    if (e instanceof ProfileError) {
      io.err(`✗ ${e.diagnostics.map(formatDiagnostic).join('\n  ')}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

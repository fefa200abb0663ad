/**
 * `aura-manifests <command>`: one entry point for every command (package.json `bin`). Each
 * command keeps its npm script (`npm run synth -- …`) and its own usage; this dispatches, and
 * answers --help and --version for the whole tool.
 */
import { main as synth } from './cli';
import { main as pkg } from './delivery/package-cli';
import { main as infra } from './infra/cli';
import { main as verify } from './checks/network/cli';
import { main as bench } from '../scripts/bench/bench';
import { main as diff } from './review/cli';
import { runMigrateCluster, runMigrateLogs } from './migrate/commands';
import { runBuildLocal } from './infra/build-local';
import { closest } from './profile/formats';
import { PACKAGE_VERSION, PROGRAM } from './util/command-line';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

type Command = (argv: string[], io: Io) => number | Promise<number>;

/** Every command, in the order a user meets them. */
export const COMMANDS: Record<string, { summary: string; run: Command }> = {
  synth: { summary: 'compile profiles into dist/ (or check that dist/ is current)', run: (argv, io) => synth(['synth', ...argv], io) },
  diff: { summary: 'semantic diff of compiled objects: against a Git ref, another profile or a Kubernetes version', run: (argv, io) => diff(argv, { out: (s) => io.out(s.replace(/\n$/, '')), err: io.err }) },
  verify: { summary: 'verify the network policies: who can reach whom', run: (argv, io) => verify(argv, io) },
  package: { summary: "package a profile's Helm chart with helm package", run: (argv, io) => pkg(argv, io) },
  infra: { summary: "the profile's Azure infrastructure (Bicep) and its lifecycle", run: (argv, io) => infra(argv, { ...io, env: process.env }) },
  'build-local': { summary: "build and push the aura-bot image of a profile's local modules (plan; --yes runs it)", run: (argv, io) => runBuildLocal(argv, { ...io, env: process.env }) },
  'migrate-cluster': { summary: "move a cluster's MongoDB and Redis data to a new cluster (plan; --yes runs it)", run: (argv, io) => runMigrateCluster(argv, { ...io, env: process.env }) },
  'migrate-logs': { summary: "move a cluster's logs to a new cluster through the snapshot repository (plan; --yes runs it)", run: (argv, io) => runMigrateLogs(argv, { ...io, env: process.env }) },
  bench: { summary: 'measure the compiler (takes minutes)', run: (argv, io) => bench(argv, io) },
};

export const USAGE = `usage: ${PROGRAM} <command> [options]

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2)}${c.summary}`)
  .join('\n')}

  ${PROGRAM} <command> --help   the options of a command
  ${PROGRAM} --version          the version

  Exit codes: 0 success, 1 invalid input or failed checks, 2 usage, 3 environment or I/O.`;

/** Runs the tool and returns the exit code. */
export async function run(argv: string[], io: Io = { out: console.log, err: console.error }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${PROGRAM} ${PACKAGE_VERSION}`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const hint = closest(name, Object.keys(COMMANDS));
    io.err(`error: unknown command ${/^[a-z:-]{1,30}$/.test(name) ? name : '(not a command name)'}${hint ? `; did you mean ${hint}?` : ''}\n${USAGE}`);
    return 2;
  }
  return command.run(rest, io);
}

/**
 * `aura-manifests <command>`: the one entry point of every command (package.json `bin`; the npm
 * scripts are aliases of it). It dispatches on the command's name, one or two words
 * (`verify wiring`), and answers --help and --version for the whole tool. A command is added in
 * its own file of this folder, the way ./command.ts says, and listed here.
 */
import { command as bench } from './bench';
import { type Command, type CommandIo, EXIT, PACKAGE_VERSION, processIo, PROGRAM } from './command';
import { command as diff } from './diff';
import { command as infra } from './infra';
import { command as buildLocal } from './build-local';
import { command as migrateCluster } from './migrate-cluster';
import { command as migrateLogs } from './migrate-logs';
import { command as pkg } from './package';
import { command as synth } from './synth';
import { command as verifyNetwork } from './verify-network';
import { command as verifyWiring } from './verify-wiring';
import { closest } from '../util/did-you-mean';
import { printable } from '../util/printable';

/** Every command, in the order a user meets them. */
export const COMMANDS: readonly Command[] = [synth, diff, verifyNetwork, verifyWiring, pkg, infra, buildLocal, migrateCluster, migrateLogs, bench];

export const USAGE = `usage: ${PROGRAM} <command> [options]

${COMMANDS.map((c) => `  ${c.name.padEnd(17)}${c.summary}`).join('\n')}

  ${PROGRAM} <command> --help   the options of a command
  ${PROGRAM} --version          the version

  Exit codes: 0 success, 1 invalid input or failed checks, 2 usage, 3 environment or I/O (a tool missing or failing).`;

/** The command named by the first words of argv, and the arguments after its name. */
export function commandOf(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  for (const c of [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)) {
    const words = c.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command: c, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** Runs the tool and returns the exit code. */
export async function run(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const [name] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${PROGRAM} ${PACKAGE_VERSION}`);
    return EXIT.ok;
  }
  const found = commandOf(argv);
  if (found) return found.command.main(found.rest, io);
  // `verify` alone, `verify:wiring` (the npm script's name), `snyth`: the command meant, if one is close.
  const given = /^[A-Za-z:-]{1,30}$/.test(name) && /^[a-z-]+$/.test(argv[1] ?? '') ? [name, argv[1]!] : [name];
  const names = COMMANDS.map((c) => c.name);
  const hint = names.filter((n) => n.startsWith(`${name} `)).join(' or ') || closest(given.join(' ').replace(':', ' '), names) || closest(name.replace(':', ' '), names);
  io.err(`error: unknown command ${printable(name)}${hint ? `; did you mean ${hint}?` : ''}\n${USAGE}`);
  return EXIT.usage;
}

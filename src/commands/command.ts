/**
 * The command layer's one shared module: what every command of `aura-manifests` does the same way.
 * Option parsing (node:util parseArgs, strict), --help and --version before any work, did-you-mean
 * for options, --format and --debug, the error boundary with its exit codes (0 success, 1 invalid
 * input or failed checks, 2 usage, 3 environment or I/O: a tool missing or failing), colour only on
 * a terminal, process output that survives a closed pipe (`... | head -1`), and output that GitHub
 * Actions cannot read as a workflow command.
 *
 * Adding a command (`import`, `secrets`, `migrate-cluster` ...):
 *  1. Write src/commands/<name>.ts; keep the domain logic in its domain folder (src/profile/import/
 *     ...), the command file only parses, calls it and prints:
 *
 *       export const command = defineCommand({
 *         name: 'secrets',                    // as typed after aura-manifests ('verify wiring': two words)
 *         summary: 'one line for aura-manifests --help',
 *         synopsis: '--profile NAME [--out DIR]',
 *         help: `  --profile NAME   ...\n  --out DIR        ...`, // --format, --debug, --help, exit codes are added
 *         options: { profile: { type: 'string' }, out: { type: 'string', default: 'dist' } },
 *         run(args, ctx) {                    // sync, or async (returns a Promise)
 *           if (!args.profile) throw new UsageError('name a profile with --profile');
 *           ctx.out('...');
 *           return EXIT.ok;
 *         },
 *       });
 *       export const main = command.main;     // main(argv, io) -> exit code: what tests call
 *
 *     Throw UsageError (exit 2), InputError (1), EnvironmentError (3, also a missing tool); a
 *     ProfileError or CheckError is exit 1 by itself. Read profiles with profileReadRules
 *     (src/profile/repository.ts): outside the repository only with --allow-outside-repo.
 *     Put data (a file, folder or object name, a message from a file or a tool) into a line
 *     through printable() (src/util/printable.ts): a newline in data never starts a line.
 *  2. List it in COMMANDS of src/commands/aura-manifests.ts (that order is the --help order).
 *  3. An npm script alias only if users type it often: "name": "node bin/aura-manifests.js name".
 *  4. One name per concept: --profile, --all, --profiles DIR, --out DIR (the output folder),
 *     --allow-outside-repo, --json (one JSON document on stdout), --dry-run, --yes.
 *  5. test/command-line.test.ts runs every command of COMMANDS through --help, --version, a typo
 *     and the GitHub guard; test what is the command's own in its own test file.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CheckError } from '../checks/check-error';
import { ProfileError } from '../profile/errors';
import { closest } from '../util/did-you-mean';
import { describeFsError, EnvironmentError, EXIT, InputError, isFsError, UsageError } from '../util/errors';
import { printable } from '../util/printable';

export { EnvironmentError, EXIT, InputError, UsageError };

export const PROGRAM = 'aura-manifests';
export const PACKAGE_VERSION: string = require('../../package.json').version;

/** Where a command writes: one line (or several joined by \n) per call, no trailing newline. */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The environment (GITHUB_ACTIONS, the tools' PATH); process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Colour wanted on stdout (a terminal, no NO_COLOR); false when absent. */
  color?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Output

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export const paint = (color: boolean) => (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

/**
 * The process's own stdout and stderr. A reader that went away (`| head -1`, a closed pager) is
 * not an error: what is left to print is dropped, the command finishes its work (a synth still
 * writes its folder whole) and exits with its own code; never a stack trace.
 */
export function processIo(env: NodeJS.ProcessEnv = process.env): CommandIo {
  const closed = { out: false, err: false };
  const watch = (stream: NodeJS.WriteStream, side: 'out' | 'err') =>
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      closed[side] = true;
    });
  watch(process.stdout, 'out');
  watch(process.stderr, 'err');
  return {
    out: (line) => void (closed.out || process.stdout.write(`${line}\n`)),
    err: (line) => void (closed.err || process.stderr.write(`${line}\n`)),
    env,
    color: useColor(process.stdout, env),
  };
}

export type OutputFormat = 'text' | 'github';

/** `--format github`, or automatically under GitHub Actions (GITHUB_ACTIONS=true). */
export function outputFormat(option: string | undefined, env: NodeJS.ProcessEnv = process.env, extra: readonly string[] = []): string {
  if (option === undefined) return env.GITHUB_ACTIONS === 'true' ? 'github' : 'text';
  const known = ['text', 'github', ...extra];
  if (!known.includes(option)) {
    const hint = option === 'terminal' ? 'text' : closest(option, known);
    throw new UsageError(`unknown --format ${printable(option)}: ${known.join(', ')}${hint ? `; did you mean ${hint}?` : ''}`);
  }
  return option;
}

export interface Annotation {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
  message: string;
}

// GitHub's workflow command escaping (actions/runner ActionCommand.cs): the message escapes %, CR
// and LF; a property also , and :.
const escapeData = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escapeProperty = (s: string) => escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** One `::error file=…,line=…,col=…,title=…::message` line, as GitHub Actions reads it. */
export function githubAnnotation(a: Annotation, level: 'error' | 'warning' = 'error'): string {
  const props = [
    a.file !== undefined ? `file=${escapeProperty(a.file)}` : undefined,
    a.line !== undefined ? `line=${a.line}` : undefined,
    a.col !== undefined ? `col=${a.col}` : undefined,
    a.title !== undefined ? `title=${escapeProperty(a.title)}` : undefined,
  ].filter(Boolean);
  return `::${level}${props.length ? ` ${props.join(',')}` : ''}::${escapeData(a.message)}`;
}

/**
 * A line GitHub Actions cannot take for a workflow command. The runner reads `::command::` at the
 * start of a line after leading blanks, and the legacy `##[command]` anywhere in a line, on both
 * streams; `::stop-commands::` would even silence the real annotations after it. So under GitHub
 * every line the tool prints that is not its own annotation is defused the way the runner escapes
 * (`%3A` for `:`, `%5B` for `[`): a file, object or folder name can never forge or hide a result.
 */
export function defused(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^(\s*):(?=:)/, '$1%3A').replaceAll('##[', '##%5B'))
    .join('\n');
}

/**
 * A progress line for long work: rewritten in place on a terminal, one line per step otherwise
 * (a CI log keeps every line). Goes to stderr, so stdout stays the result.
 */
export function progress(stream: { isTTY?: boolean; write: (s: string) => unknown } = process.stderr) {
  let last = 0;
  return {
    step(text: string) {
      if (stream.isTTY) {
        stream.write(`\r${text.padEnd(last)}`);
        last = text.length;
      } else stream.write(`${text}\n`);
    },
    done() {
      if (stream.isTTY && last) stream.write(`\r${' '.repeat(last)}\r`);
      last = 0;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Options

/**
 * Answers --help (-h) and --version (-V) wherever they stand in argv, before the command parses
 * anything or starts work: both exit 0. Undefined when neither is asked for.
 */
export function helpOrVersion(argv: readonly string[], usage: string, io: Pick<CommandIo, 'out' | 'err'>): number | undefined {
  // After `--` everything is an operand, never a flag.
  const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  if (flags.some((a) => a === '--help' || a === '-h')) {
    io.out(usage);
    return EXIT.ok;
  }
  if (flags.some((a) => a === '--version' || a === '-V')) {
    io.out(`${PROGRAM} ${PACKAGE_VERSION}`);
    return EXIT.ok;
  }
  return undefined;
}

/** Options every command has. */
const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  debug: { type: 'boolean' },
  format: { type: 'string' },
} as const;

/** Old spellings, named with the one the tool uses now. */
const RENAMED: Record<string, string> = { '--dist': '--out' };

/** The long options a usage text lists (`--profile`, `--out` ...), plus the ones every command has. */
export const optionsOf = (usage: string) => [...new Set([...(usage.match(/--[a-z][a-z0-9-]*/g) ?? []), '--help', '--version', '--debug', '--format'])];

/**
 * `unknown option --profle; did you mean --profile?` for node's parseArgs errors, from the
 * options the usage lists. The typo is the user's own command line, not a profile value.
 */
export function optionHint(e: unknown, usage: string): string | undefined {
  const err = e as { code?: string; message?: string };
  if (err?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const given = /'(-{1,2}[^'=\s]+)/.exec(err.message ?? '')?.[1];
  if (!given) return undefined;
  if (RENAMED[given]) return `unknown option ${given}; did you mean ${RENAMED[given]}? (the output folder is ${RENAMED[given]} in every command)`;
  const hint = closest(given.replace(/^-+/, '--'), optionsOf(usage));
  return `unknown option ${printable(given)}${hint ? `; did you mean ${hint}?` : ' (see --help)'}`;
}

// ---------------------------------------------------------------------------------------------
// The error boundary

export interface BoundaryOptions {
  usage: string;
  /** Print the stack of an unexpected error. */
  debug?: boolean;
  /** Errors of the command's own kinds: exit 1 with the message returned. */
  invalid?: (e: unknown) => string | undefined;
}

/** Errors of invalid input every command knows (a profile, a failed check): exit 1. */
export function describeInvalid(e: unknown): string | undefined {
  return e instanceof ProfileError || e instanceof CheckError ? `✗ ${e.message}` : undefined;
}

/** The exit code and lines for an error that reached the top of a command. */
export function reportError(e: unknown, io: Pick<CommandIo, 'err'> & Partial<CommandIo>, opts: BoundaryOptions): number {
  const invalid = opts.invalid?.(e) ?? describeInvalid(e);
  if (invalid !== undefined) {
    io.err(invalid);
    return EXIT.invalid;
  }
  if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    io.err(`error: ${optionHint(e, opts.usage) ?? printable((e as Error).message)}\n${opts.usage}`);
    return EXIT.usage;
  }
  if (e instanceof InputError) {
    io.err(`✗ ${e.message}`);
    return EXIT.invalid;
  }
  if (e instanceof EnvironmentError) {
    io.err(`✗ ${e.message}`);
    return EXIT.environment;
  }
  if (isFsError(e)) {
    io.err(`✗ ${describeFsError(e)}`);
    return EXIT.environment;
  }
  // A bug of ours: its message may carry anything (a library may quote its input), so it is not shown.
  const kind = e instanceof Error ? e.name : typeof e;
  io.err(`✗ internal error (${printable(kind)}); please report it to the aura-manifests team with the command you ran${opts.debug ? '' : ' (run again with --debug for details)'}`);
  if (opts.debug) io.err(e instanceof Error ? (e.stack ?? e.message) : String(e));
  return EXIT.environment;
}

/** Runs a command body, synchronous or not, inside the boundary. */
export function withBoundary<R extends number | Promise<number>>(io: Pick<CommandIo, 'err'> & Partial<CommandIo>, opts: BoundaryOptions, body: () => R): R {
  try {
    const result = body();
    return (result instanceof Promise ? result.catch((e: unknown) => reportError(e, io, opts)) : result) as R;
  } catch (e) {
    return reportError(e, io, opts) as R;
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O & typeof COMMON_OPTIONS; strict: true; allowPositionals: true }>>;
export type Values<O extends Options> = Parsed<O>['values'];

/** What a command's body gets beside its options. */
export interface CommandContext {
  /** One line (or several joined by \n) to stdout; defused under GitHub Actions. */
  out: (line: string) => void;
  /** The same to stderr. */
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** text, github, or one of the command's own formats. */
  format: string;
  /** Under GitHub (--format github or GITHUB_ACTIONS=true): lines are defused, annotations printed. */
  github: boolean;
  color: boolean;
  debug: boolean;
  /** Prints a GitHub annotation under --format github; nothing otherwise. */
  annotate: (a: Annotation, level?: 'error' | 'warning') => void;
  /** Operands after the options (only for a command that takes them). */
  positionals: string[];
}

export interface CommandSpec<O extends Options, R extends number | Promise<number>> {
  /** As typed after `aura-manifests`; two words for a sub-command (`verify wiring`). */
  name: string;
  /** One line for `aura-manifests --help`. */
  summary: string;
  /** What follows `usage: aura-manifests <name>`; one entry per form. */
  synopsis: string | string[];
  /** The options, one per line; lines for --format, --debug, --help and the exit codes are added. */
  help: string;
  options: O;
  /** --format values beyond text and github (diff: markdown). */
  formats?: readonly string[];
  /** Operands after the options (none unless true). */
  positionals?: boolean;
  /** Errors of the command's own kinds: exit 1 with the message returned. */
  invalid?: (e: unknown) => string | undefined;
  run: (args: Values<O>, ctx: CommandContext) => R;
}

export interface Command<R extends number | Promise<number> = number | Promise<number>> {
  name: string;
  summary: string;
  usage: string;
  /** Runs the command on its arguments (what follows its name); returns the exit code. */
  main: (argv: string[], io?: CommandIo) => R;
}

const COMMON_HELP: [string, string][] = [
  ['--format', '  --format F       text, or github: annotations, and no line GitHub Actions could read as\n                   a workflow command; automatic under GitHub Actions'],
  ['--debug', '  --debug          print the stack of an internal error'],
];

/** The whole --help text of a command. */
function usageOf(spec: { name: string; synopsis: string | string[]; help: string }): string {
  const forms = (Array.isArray(spec.synopsis) ? spec.synopsis : [spec.synopsis]).map((s, i) => `${i ? '       ' : 'usage: '}${PROGRAM} ${spec.name} ${s}`.trimEnd());
  const common = COMMON_HELP.filter(([flag]) => !new RegExp(`^\\s*${flag}\\b`, 'm').test(spec.help)).map(([, text]) => text);
  return [
    forms.join('\n'),
    '',
    [spec.help, ...common].filter(Boolean).join('\n'),
    '',
    '  Exit codes: 0 success, 1 invalid input or failed checks, 2 usage, 3 environment or I/O (a tool missing or failing).',
  ].join('\n');
}

/** Under GitHub, or possibly so: before the options are parsed, a `github` anywhere counts. */
const mayBeGithub = (argv: readonly string[], env: NodeJS.ProcessEnv) => env.GITHUB_ACTIONS === 'true' || argv.some((a) => a === 'github' || a === '--format=github');

/** A command from its spec: parsing, help, version, format, boundary, output, all the same way. */
export function defineCommand<O extends Options, R extends number | Promise<number>>(spec: CommandSpec<O, R>): Command<R> {
  const usage = usageOf(spec);
  const main = (argv: string[], io: CommandIo = processIo()): R => {
    const env = io.env ?? process.env;
    const early = helpOrVersion(argv, usage, io);
    if (early !== undefined) return early as R;
    const debug = argv.includes('--debug') || env.AURA_DEBUG === '1';
    let guarded = mayBeGithub(argv, env);
    const out = (line: string) => io.out(guarded ? defused(line) : line);
    const err = (line: string) => io.err(guarded ? defused(line) : line);
    return withBoundary({ err }, { usage, debug, invalid: spec.invalid }, () => {
      const { values, positionals } = parseArgs({ args: argv, options: { ...spec.options, ...COMMON_OPTIONS }, strict: true, allowPositionals: true }) as unknown as { values: Values<O>; positionals: string[] };
      if (!spec.positionals && positionals.length) throw new UsageError(`unexpected argument ${printable(positionals[0]!)}`);
      const format = outputFormat((values as { format?: string }).format, env, spec.formats);
      const github = format === 'github' || env.GITHUB_ACTIONS === 'true';
      guarded = github;
      const annotate = (a: Annotation, level: 'error' | 'warning' = 'error') => {
        if (format === 'github') io.out(githubAnnotation(a, level));
      };
      return spec.run(values, { out, err, env, format, github, color: io.color === true, debug, annotate, positionals });
    });
  };
  return { name: spec.name, summary: spec.summary, usage, main };
}

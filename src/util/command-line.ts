/**
 * What every command shares on the command line, beside the error boundary (./errors.ts):
 * --help and --version, did-you-mean for options, colour only on a terminal, GitHub Actions
 * annotations and a progress line. One place, so the commands agree.
 */
import { closest } from './did-you-mean';

export const PROGRAM = 'aura-manifests';
export const PACKAGE_VERSION: string = require('../../package.json').version;

export interface LineIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Answers --help (-h) and --version (-V) wherever they stand in argv, before the command parses
 * anything or starts work: both exit 0. Undefined when neither is asked for.
 */
export function helpOrVersion(argv: readonly string[], usage: string, io: LineIo): number | undefined {
  // After `--` everything is an operand, never a flag.
  const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  if (flags.some((a) => a === '--help' || a === '-h')) {
    io.out(usage);
    return 0;
  }
  if (flags.some((a) => a === '--version' || a === '-V')) {
    io.out(`${PROGRAM} ${PACKAGE_VERSION}`);
    return 0;
  }
  return undefined;
}

/** The long options a usage text lists (`--profile`, `--out` ...), plus the ones every command has. */
export const optionsOf = (usage: string) => [...new Set([...(usage.match(/--[a-z][a-z0-9-]*/g) ?? []), '--help', '--version', '--debug'])];

/**
 * `unknown option --profle; did you mean --profile?` for node's parseArgs errors, from the
 * options the usage lists. The typo is the user's own command line, not a profile value.
 */
export function optionHint(e: unknown, usage: string): string | undefined {
  const err = e as { code?: string; message?: string };
  if (err?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const given = /'(-{1,2}[^'=\s]+)/.exec(err.message ?? '')?.[1];
  if (!given) return undefined;
  const hint = closest(given.replace(/^-+/, '--'), optionsOf(usage));
  return `unknown option ${given}${hint ? `; did you mean ${hint}?` : ' (see --help)'}`;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export const paint = (color: boolean) => (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

export type OutputFormat = 'text' | 'github';

/** `--format github`, or automatically under GitHub Actions (GITHUB_ACTIONS=true). */
export function outputFormat(option: string | undefined, env: NodeJS.ProcessEnv = process.env): OutputFormat {
  if (option === undefined) return env.GITHUB_ACTIONS === 'true' ? 'github' : 'text';
  if (option !== 'text' && option !== 'github') throw new Error(`unknown --format ${option}: text or github`);
  return option;
}

export interface Annotation {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
  message: string;
}

// GitHub's workflow command escaping: the message escapes %, CR and LF; properties also , and :.
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

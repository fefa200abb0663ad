import { printable } from '../util/printable';

/** A profile whose compiled objects fail the checks. Its own module: the CLI names it without loading the compiler. */
export class CheckError extends Error {
  constructor(
    readonly profile: string,
    readonly problems: string[],
  ) {
    super(`profile ${printable(profile)} fails the output checks:\n${problems.map((p) => `  ${printable(p)}`).join('\n')}`);
    this.name = 'CheckError';
  }
}

// The bench scripts' numeric option parsers (bench/options.mjs): a value out of range or not a number stops the
// script with commander's error naming the option, and exit code 2, instead of running with NaN.
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integer, positiveNumber } from '../../bench/options.mjs';

/** Parses `args` with one option `--n <n>` read by `parser`; returns its value or the CommanderError thrown. */
function parse(parser: (text: string) => number, args: string[]): number | CommanderError {
  const program = new Command('t')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .option('--n <n>', 'a number', parser);
  try {
    return program.parse(['node', 't', ...args]).opts().n as number;
  } catch (e) {
    if (e instanceof CommanderError) return e;
    throw e;
  }
}

describe('bench option parsers', () => {
  it('take whole numbers from the minimum up, and positive finite numbers', () => {
    expect(parse(integer(1), ['--n', '12'])).toBe(12);
    expect(parse(integer(0), ['--n', '0'])).toBe(0);
    expect(parse(positiveNumber, ['--n', '1e-3'])).toBe(1e-3);
  });

  it('reject anything else with exit code 2 and a message naming the option', () => {
    for (const bad of ['abc', '1.5', '1e3', '', '0']) {
      const err = parse(integer(1), ['--n', bad]);
      expect(err, bad).toBeInstanceOf(CommanderError);
      expect((err as CommanderError).exitCode).toBe(2);
      expect((err as CommanderError).message).toBe(`error: option '--n <n>' argument '${bad}' is invalid. Expected an integer ≥ 1.`);
    }
    for (const bad of ['0', '-1', 'x', 'Infinity']) {
      expect((parse(positiveNumber, ['--n', bad]) as CommanderError).message, bad).toMatch(/is invalid\. Expected a number > 0\.$/);
    }
  });
});

/**
 * Parsers for the bench scripts' numeric options (commander's argParser): a value that is not a number in range
 * stops the script with commander's one-line error, which names the option and the value, e.g.
 * `error: option '--steps <n>' argument 'abc' is invalid. Expected an integer ≥ 1.`, and exit code 2, as errors.mjs
 * and the `nac` CLI give for bad input.
 */
import { InvalidArgumentError } from 'commander';

/** Commander's error for an option value, with exit code 2 (commander's own is 1). */
function invalid(message) {
  const err = new InvalidArgumentError(message);
  err.exitCode = 2;
  return err;
}

/** An option parser for whole numbers (digits, optional minus sign) of at least `min`. */
export function integer(min) {
  return (text) => {
    const n = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) throw invalid(`Expected an integer ≥ ${min}.`);
    return n;
  };
}

/** An option parser for finite numbers above 0. */
export function positiveNumber(text) {
  const n = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(n) || n <= 0) throw invalid('Expected a number > 0.');
  return n;
}

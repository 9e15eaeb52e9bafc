/**
 * Shared CLI plumbing: the --backend option, backend start-up with a one-line report, and error
 * handling that prints a clear message (no engine stack trace) and sets a non-zero exit code.
 */
import * as os from 'node:os';
import { Option } from 'commander';
import { BACKEND_NAMES, currentBackendReport, describeBackend, initBackend, type BackendName } from '../engine/backend.js';
import { ConfigError } from '../config/validate.js';
import { cpuInfo } from './cpu-info.js';

/** The `--backend <name>` option, validated by commander against the allowed names. */
export function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend').choices(['auto', ...BACKEND_NAMES]).default('auto');
}

/** Starts the requested backend and prints which one runs, and why, on stderr. */
export async function startBackend(name: string): Promise<void> {
  const report = await initBackend({ backend: name as BackendName | 'auto', quiet: true });
  process.stderr.write(`${describeBackend(report)}\n`);
}

/** Exit code for bad input (see the help text's epilogue). */
export const EXIT_BAD_INPUT = 2;

/** Runs a command body; on error prints `error: <message>` and exits with code 2 (EXIT_BAD_INPUT). */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    if (typeof code === 'number') process.exitCode = code;
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`error: ${err.message}\n`);
    // Set and not 0 (initBackend rejects values other than 0 and 1, but the error may come before it).
    const debug = process.env.NAC_DEBUG;
    if (debug != null && debug !== '' && debug !== '0') process.stderr.write(`${err.stack}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  }
}

/**
 * The value of an integer flag: `text` must be a whole number (digits, optional minus sign) of at least `min`;
 * anything else (`abc`, `1.5`, `1e3`, an empty string) throws a ConfigError naming the flag and the text.
 */
export function intFlag(flag: string, text: string, min: number): number {
  const v = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(v) || v < min) throw new ConfigError(flag, `must be an integer ≥ ${min}, got '${text}'`);
  return v;
}

/** The value of a numeric flag: a finite number in `range` (above 0, or 0 and above), else a ConfigError naming the flag. */
export function numberFlag(flag: string, text: string, range: '> 0' | '≥ 0'): number {
  const v = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(v) || (range === '> 0' ? v <= 0 : v < 0)) throw new ConfigError(flag, `must be a number ${range}, got '${text}'`);
  return v;
}

/** Formats a number of parameters as e.g. "26.70 M (26,703,342)". */
export function formatCount(n: number): string {
  return `${(n / 1e6).toFixed(2)} M (${n.toLocaleString('en-US')})`;
}

/** The running backend in words (e.g. "backend wasm (…)"), or "backend unknown" before one started. */
export function backendLine(): string {
  const report = currentBackendReport();
  return report ? describeBackend(report) : 'backend unknown';
}

/** The machine and engine a result was measured on, for results pages: CPU (with its SIMD), cores, Node, backend. */
export function machineLine(): string {
  return `${cpuInfo().summary}, ${os.cpus().length} cores, Node ${process.version} · ${backendLine()}`;
}

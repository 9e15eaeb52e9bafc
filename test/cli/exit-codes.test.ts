// The exit codes `nac --help` promises hold for commander's own parse errors too: 2 for bad input (a
// value outside an option's choices, an unknown command or option, a missing argument), 0 for help; and a
// bad value caught in a command's action gives 2 and one error line, before anything is deleted or started.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EXIT_BAD_INPUT, nacProgram } from '../../src/cli/program.js';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** The exit code `nac <args>` ends with while parsing (null: parsing finished and an action would run). */
async function exitCodeOf(args: string[]): Promise<number | null> {
  const program = nacProgram((code) => {
    throw new Exit(code);
  });
  const silent = { writeOut: () => undefined, writeErr: () => undefined };
  program.configureOutput(silent);
  for (const sub of program.commands) sub.configureOutput(silent);
  try {
    await program.parseAsync(['node', 'nac', ...args]);
    return null;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  }
}

describe('nac exit codes', () => {
  it('gives 2 for bad input caught while parsing', async () => {
    expect(EXIT_BAD_INPUT).toBe(2);
    expect(await exitCodeOf(['train', '--backend', 'foo'])).toBe(2);
    expect(await exitCodeOf(['train', '--no-such-option'])).toBe(2);
    expect(await exitCodeOf(['no-such-command'])).toBe(2);
    expect(await exitCodeOf(['info'])).toBe(2); // missing <model>
  });

  it('gives 0 for help', async () => {
    expect(await exitCodeOf(['--help'])).toBe(0);
    expect(await exitCodeOf(['train', '--help'])).toBe(0);
  });
});

describe('nac demo on bad input', () => {
  it('names the flag or field and leaves --out as it was', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-demo-'));
    fs.writeFileSync(path.join(out, 'keep.txt'), 'earlier results');
    const cases: [string[], RegExp][] = [
      [['--seed', 'abc'], /^error: --seed must be an integer ≥ 0, got 'abc'/],
      [['--jobs', '0'], /^error: --jobs must be an integer ≥ 1, got '0'/],
      [['--set', 'train.lr=-1'], /^error: train\.lr must be a number in/],
      [['--set', 'model.numLayerz=2'], /^error: --set model\.numLayerz=2 unknown field/],
    ];
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      for (const [args, message] of cases) {
        errors.length = 0;
        process.exitCode = undefined;
        expect(await exitCodeOf(['demo', '--quick', '--no-progress', '--out', out, ...args])).toBeNull();
        expect(process.exitCode, args.join(' ')).toBe(EXIT_BAD_INPUT);
        expect(errors.join(''), args.join(' ')).toMatch(message);
        expect(fs.readFileSync(path.join(out, 'keep.txt'), 'utf8')).toBe('earlier results');
      }
    } finally {
      spy.mockRestore();
      process.exitCode = undefined;
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

// The exit codes `nac --help` promises hold for commander's own parse errors too: 2 for bad input (a
// value outside an option's choices, an unknown command or option, a missing argument), 0 for help.
import { describe, expect, it } from 'vitest';
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

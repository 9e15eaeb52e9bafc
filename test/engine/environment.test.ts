// The NAC_* environment variables (src/engine/environment.ts): a value a variable does not take fails loudly,
// naming the variable and its values, instead of silently doing nothing (NAC_NATIVE=false used to leave the
// add-on on); a misspelt name is reported; and the table, docs/environment.md and the sources agree.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { checkEnvironment, envChoice, envSwitch, ENVIRONMENT } from '../../src/engine/environment.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const SCRATCH = 'NAC_TEST_ENV_CHOICE';
/** A misspelt NAC_WEBGPU_MATMUL (kept out of the sources' literal reads, which the last test collects). */
const TYPO = 'NAC_WEBGPU_MATMAL';
/** Variables the tests below set; each is restored (or deleted) after each test. */
const touched = [SCRATCH, 'NAC_NATIVE', 'NAC_EVAL_CACHE', 'NAC_WEBGPU_MATMUL', TYPO, 'NAC_THREADS'];
const saved = Object.fromEntries(touched.map((n) => [n, process.env[n]]));

afterEach(() => {
  for (const name of touched) {
    if (saved[name] == null) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('envChoice', () => {
  it('gives the fallback when unset or empty, and a listed value as set', () => {
    expect(envChoice(SCRATCH, ['tfjs', 'tiled'], 'tfjs')).toBe('tfjs');
    process.env[SCRATCH] = '';
    expect(envChoice(SCRATCH, ['tfjs', 'tiled'], 'tfjs')).toBe('tfjs');
    process.env[SCRATCH] = 'tiled';
    expect(envChoice(SCRATCH, ['tfjs', 'tiled'], 'tfjs')).toBe('tiled');
  });

  it('rejects any other value, naming the variable and the allowed values', () => {
    process.env[SCRATCH] = 'on';
    expect(() => envChoice(SCRATCH, ['tfjs', 'tiled'], 'tfjs')).toThrow(/NAC_TEST_ENV_CHOICE=on .*tfjs, tiled/);
  });
});

describe('envSwitch and checkEnvironment', () => {
  it('reads a 0/1 switch: unset is its default, 0 off, 1 on, anything else an error', () => {
    delete process.env.NAC_EVAL_CACHE;
    expect(envSwitch('NAC_EVAL_CACHE')).toBe(true);
    process.env.NAC_EVAL_CACHE = '0';
    expect(envSwitch('NAC_EVAL_CACHE')).toBe(false);
    process.env.NAC_EVAL_CACHE = '1';
    expect(envSwitch('NAC_EVAL_CACHE')).toBe(true);
    process.env.NAC_EVAL_CACHE = 'off';
    expect(() => envSwitch('NAC_EVAL_CACHE')).toThrow(/NAC_EVAL_CACHE=off .*expected one of 0, 1/);
  });

  it('rejects a bad value of any run-time variable, and initBackend does so before it starts', async () => {
    process.env.NAC_WEBGPU_MATMUL = 'fast';
    expect(() => checkEnvironment()).toThrow(/NAC_WEBGPU_MATMUL=fast .*tfjs, tiled, tiled-transposed, auto/);
    delete process.env.NAC_WEBGPU_MATMUL;
    process.env.NAC_THREADS = 'two';
    expect(() => checkEnvironment()).toThrow(/NAC_THREADS must be a positive integer, got 'two'/);
    delete process.env.NAC_THREADS;
    process.env.NAC_NATIVE = 'false';
    await expect(initBackend({ backend: 'wasm', quiet: true })).rejects.toThrow(/NAC_NATIVE=false .*0, 1/);
  });

  it('warns about a set NAC_* name that nothing reads, and not about the known ones', () => {
    process.env[TYPO] = 'tiled';
    process.env.NAC_WEBGPU_MATMUL = 'tiled';
    const warnings = checkEnvironment();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/NAC_WEBGPU_MATMAL is set but is not a variable this package reads/);
  });
});

/** NAC_* names that a source text reads or sets as environment variables. */
function namesUsed(text: string, shell: boolean): string[] {
  const patterns = shell
    ? [/\$\{?(NAC_\w+)/g, /(?:^|[\s;(])(NAC_\w+)=/gm]
    : [
        /process\.env\.(NAC_\w+)/g,
        /process\.env\[['"](NAC_\w+)['"]\]/g,
        /(?:processEnv|envChoice|envOption|envSwitch)\(\s*['"](NAC_\w+)['"]/g,
      ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
}

/** The scripts and sources git tracks or would track, or null outside a git checkout. */
function gitSources(): string[] | null {
  try {
    const listed = execFileSync(
      'git',
      ['ls-files', '--cached', '--others', '--exclude-standard', 'src', 'bench', 'scripts', 'test', 'native/build.mjs', '.ci'],
      { cwd: root, encoding: 'utf8' },
    );
    return listed.split('\n').filter((f) => /\.(ts|mjs|js|sh)$|^\.ci\/run$/.test(f));
  } catch {
    return null;
  }
}
const sources = gitSources();

describe('the table of variables', () => {
  const names = ENVIRONMENT.map((v) => v.name);

  it('lists each variable once, with a description', () => {
    expect(new Set(names).size).toBe(names.length);
    for (const v of ENVIRONMENT) expect(v.what.length, v.name).toBeGreaterThan(10);
  });

  it('matches docs/environment.md: one row per variable, with each of its values', () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'environment.md'), 'utf8');
    const rows = new Map([...doc.matchAll(/^\| `(NAC_\w+)` \|(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect([...rows.keys()].sort()).toEqual([...names].sort());
    for (const v of ENVIRONMENT) {
      const row = rows.get(v.name)!;
      const values = typeof v.values === 'string' ? [v.values] : v.values.map((x) => `\`${x}\``);
      for (const value of values) expect(row, `${v.name}: ${value}`).toContain(value);
    }
  });

  it.skipIf(sources == null)(
    `holds every NAC_* variable that the sources, scripts, tests and CI read or set${sources == null ? ' (skipped: not a git checkout)' : ''}`,
    () => {
      const files = sources!;
      const used = new Set<string>();
      for (const file of files) {
        const full = path.join(root, file);
        if (!fs.existsSync(full)) continue;
        for (const name of namesUsed(fs.readFileSync(full, 'utf8'), !/\.(ts|mjs|js)$/.test(file))) used.add(name);
      }
      expect(used.size).toBeGreaterThan(20);
      expect([...used].filter((n) => !names.includes(n)).sort()).toEqual([]);
    },
  );
});

/**
 * The environment variables this package reads (Node only; a browser has none): one table of every NAC_*
 * variable with its values, default and meaning (docs/environment.md shows it, and a test keeps the two and the
 * sources in step), typed readers that check a value against the table, and checkEnvironment(), which
 * initBackend runs so that a mistyped value fails at start, naming the variable and its values, and an
 * unknown NAC_* name (a misspelt variable does nothing) is reported.
 */

/** The package's switches and choices: each value it takes, and the one it uses when unset or empty. */
const CHOICES = {
  NAC_NATIVE: { values: ['0', '1'], fallback: '1', what: 'the native OpenBLAS add-on (0: plain wasm; at install, 0 skips building it)' },
  NAC_FUSED_EVAL: {
    values: ['0', '1'],
    fallback: '1',
    what: "the wasm SIMD module's fused eval kernels (linear maps, attention, layer norms)",
  },
  NAC_FUSED_LAYER_NORM: { values: ['0', '1'], fallback: '1', what: 'every fused layer norm kernel (wasm, native add-on, webgpu)' },
  NAC_EVAL_CACHE: {
    values: ['0', '1'],
    fallback: '1',
    what: 'reusing the circuit (modulations, kernels, seeded states) across eval forwards',
  },
  NAC_FUSED_ADAMW: { values: ['0', '1'], fallback: '1', what: 'the fused AdamW update kernels on webgpu' },
  NAC_WEBGPU_SUM: { values: ['0', '1'], fallback: '1', what: 'the block Sum kernel on webgpu' },
  NAC_WEBGPU_MATMUL: {
    values: ['tfjs', 'tiled', 'tiled-transposed', 'auto'],
    fallback: 'auto',
    what: "webgpu matrix products: tfjs' kernel, the 128 × 128 tiled one (for every product, or only those with a transposed operand), or chosen per product",
  },
  NAC_WEBGPU_MATMUL_LOADS: { values: ['scalar', 'vec4'], fallback: 'scalar', what: "the fixed tiled modes' operand loads" },
  NAC_WEBGPU_MATMUL_STEP: { values: ['8', '16'], fallback: '8', what: "the fixed tiled modes' contraction step" },
  NAC_WEBGPU_FILTER_GRAD: {
    values: ['tfjs', 'split'],
    fallback: 'split',
    what: 'convolution filter gradients on webgpu (split: over the batch)',
  },
  NAC_WEBGPU_ATTENTION: {
    values: ['tfjs', 'fused', 'unstaged', 'blocked'],
    fallback: 'fused',
    what: "eval attention on webgpu: tfjs' ops, one shader (bias staged in workgroup memory), the same reading the bias per pair, or keys a block at a time",
  },
  NAC_WEBGPU_GELU: { values: ['tfjs', 'fused'], fallback: 'fused', what: 'GELU and its gradient on webgpu' },
  NAC_WEBGPU_LINEAR: {
    values: ['tfjs', 'fused'],
    fallback: 'fused',
    what: 'eval ModFC maps in the tiled product on webgpu (follows NAC_WEBGPU_MATMUL)',
  },
  NAC_DEBUG: {
    values: ['0', '1'],
    fallback: '0',
    what: 'the `nac` CLI and bench scripts print the stack of an error, not just its message',
  },
} as const;

/** A variable of {@link CHOICES}. */
export type ChoiceVariable = keyof typeof CHOICES;

/** Who reads a variable: the package at run time, its install script, its tests, or the benchmarks and CI. */
export type EnvScope = 'run time' | 'install' | 'tests' | 'benchmarks and CI';

/** One row of {@link ENVIRONMENT}. */
export interface EnvVariable {
  name: string;
  scope: EnvScope;
  /** The values it takes: a list, or a description such as 'a positive integer'. */
  values: readonly string[] | string;
  /** What it is when unset. */
  fallback: string;
  what: string;
}

/** Every NAC_* variable that this package, its install, tests, benchmarks or CI read. */
export const ENVIRONMENT: readonly EnvVariable[] = [
  ...Object.entries(CHOICES).map(([name, c]) => ({
    name,
    scope: 'run time' as const,
    values: c.values,
    fallback: c.fallback,
    what: c.what,
  })),
  {
    name: 'NAC_THREADS',
    scope: 'run time',
    values: 'a positive integer',
    fallback: '1',
    what: "threads for the SIMD module's kernels when initBackend gets no `threads`",
  },
  {
    name: 'NAC_DATA_DIR',
    scope: 'run time',
    values: 'a folder',
    fallback: '.data/ in the package',
    what: 'where datasets are installed and read',
  },
  {
    name: 'NAC_DAWN_FLAGS',
    scope: 'run time',
    values: 'Dawn toggles, space-separated',
    fallback: 'none',
    what: "passed to the `webgpu` package's create() in Node",
  },
  { name: 'NAC_NATIVE_VERBOSE', scope: 'install', values: ['1'], fallback: 'off', what: "native/build.mjs prints node-gyp's whole output" },
  { name: 'NAC_TEST_BACKEND', scope: 'tests', values: ['wasm', 'cpu'], fallback: 'wasm', what: 'the backend `npm test` runs on' },
  {
    name: 'NAC_REQUIRE_DATA',
    scope: 'tests',
    values: ['1'],
    fallback: 'off',
    what: 'real-data tests fail, instead of skipping, without their data',
  },
  {
    name: 'NAC_REQUIRE_NATIVE',
    scope: 'tests',
    values: ['1'],
    fallback: 'off',
    what: 'native add-on tests fail, instead of skipping, without the add-on',
  },
  {
    name: 'NAC_REQUIRE_WEBGPU',
    scope: 'tests',
    values: ['1'],
    fallback: 'off',
    what: 'webgpu tests fail, instead of skipping, when WebGPU does not start',
  },
  {
    name: 'NAC_REQUIRE_BROWSER',
    scope: 'tests',
    values: ['1'],
    fallback: 'off',
    what: 'browser tests fail, instead of skipping, without Chromium',
  },
  {
    name: 'NAC_CHROMIUM',
    scope: 'tests',
    values: 'a path',
    fallback: 'the first of chromium-headless-shell, chromium, google-chrome on PATH',
    what: 'the headless Chromium of test/browser/ and bench/browser.mjs',
  },
  {
    name: 'NAC_TORCH_PYTHON',
    scope: 'benchmarks and CI',
    values: 'a path',
    fallback: '/usr/bin/python3',
    what: "the Python with torch for bench/'s PyTorch twin",
  },
  {
    name: 'NAC_PARITY_FIXTURE',
    scope: 'benchmarks and CI',
    values: 'a folder',
    fallback: '../shared/fixtures/official-nac/small-scale-free',
    what: "the authors' checkpoint `.ci/run` checks parity against",
  },
  {
    name: 'NAC_MAIN',
    scope: 'benchmarks and CI',
    values: 'a path',
    fallback: 'dist/cli/main.js',
    what: 'the CLI entry point of scripts/claims-train.sh',
  },
];

/** The Node process's environment (empty in a browser). */
function environment(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}

/** An environment variable of the Node process (undefined in a browser or when unset). */
export function processEnv(name: string): string | undefined {
  return environment()[name];
}

/**
 * An environment variable that selects one of `allowed` (unset or empty: `fallback`); any other value throws,
 * naming the variable and the values it takes.
 */
export function envChoice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = processEnv(name);
  if (value == null || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${name}=${value} is not a known value: expected one of ${allowed.join(', ')} (unset: ${fallback}).`);
  }
  return value as T;
}

/** The value of one of the package's choice variables, checked against {@link CHOICES} (see envChoice). */
export function envOption<N extends ChoiceVariable>(name: N): (typeof CHOICES)[N]['values'][number] {
  const { values, fallback } = CHOICES[name];
  return envChoice<string>(name, values, fallback) as (typeof CHOICES)[N]['values'][number];
}

/** Whether one of the package's 0/1 switches is on (its default when unset). */
export function envSwitch(
  name: { [N in ChoiceVariable]: (typeof CHOICES)[N]['values'] extends readonly ['0', '1'] ? N : never }[ChoiceVariable],
): boolean {
  return envOption(name) === '1';
}

/** NAC_THREADS as a number, or undefined when unset or empty; throws unless it is a positive integer. */
export function envThreads(): number | undefined {
  const v = processEnv('NAC_THREADS');
  if (v == null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`NAC_THREADS must be a positive integer, got '${v}'`);
  return n;
}

/**
 * Checks every run-time variable that is set (throws the first bad value's error) and returns a warning for each
 * set NAC_* name that nothing reads, e.g. a misspelt one. Outside Node there is nothing to check.
 */
export function checkEnvironment(): string[] {
  for (const name of Object.keys(CHOICES) as ChoiceVariable[]) envOption(name);
  envThreads();
  const known = new Set(ENVIRONMENT.map((v) => v.name));
  return Object.keys(environment())
    .filter((name) => name.startsWith('NAC_') && !known.has(name))
    .sort()
    .map((name) => `warning: ${name} is set but is not a variable this package reads (docs/environment.md lists them)`);
}

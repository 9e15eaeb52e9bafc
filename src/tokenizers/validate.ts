/**
 * Small field checkers for tokenizer (and baseline) configs read from JSON/YAML. Every failure throws
 * an Error that names the offending field by its dotted path, e.g.
 * `tokenizer.preset must be one of tiny, mini; got 'huge'`.
 */

/** Renders a config value for an error message: strings quoted, everything else as JSON. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Throws `${field} ${message}`. */
export function fail(field: string, message: string): never {
  throw new Error(`${field} ${message}`);
}

/** Checks that `v` is a plain object and returns it. */
export function requireObject(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, `must be an object; got ${describeValue(v)}`);
  return v as Record<string, unknown>;
}

/** Throws if `obj` has a key outside `known`. */
export function rejectUnknownKeys(obj: Record<string, unknown>, field: string, known: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) fail(`${field}.${k}`, `is not a known field (known: ${known.join(', ')})`);
  }
}

/** `obj[key]` as an integer ≥ `min` (default 1); `fallback` is used when the key is absent. */
export function intField(
  obj: Record<string, unknown>,
  key: string,
  field: string,
  opts: { min?: number; max?: number; fallback?: number } = {},
): number {
  const v = obj[key] === undefined ? opts.fallback : obj[key];
  const min = opts.min ?? 1;
  const range = opts.max !== undefined ? `an integer in [${min}, ${opts.max}]` : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || (opts.max !== undefined && v > opts.max)) {
    fail(`${field}.${key}`, `must be ${range}; got ${describeValue(v)}`);
  }
  return v;
}

/** `obj[key]` as one of `allowed`; `fallback` is used when the key is absent. */
export function oneOfField<T extends string>(
  obj: Record<string, unknown>,
  key: string,
  field: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const v = obj[key] === undefined ? fallback : obj[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(`${field}.${key}`, `must be one of ${allowed.join(', ')}; got ${describeValue(v)}`);
  }
  return v as T;
}

/** `obj[key]` as a pair of positive integers, e.g. an image size [H, W]. */
export function intPairField(obj: Record<string, unknown>, key: string, field: string): [number, number] {
  const v = obj[key];
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1)) {
    fail(`${field}.${key}`, `must be a pair of positive integers [H, W]; got ${describeValue(v)}`);
  }
  return [v[0] as number, v[1] as number];
}

/** `obj[key]` as a finite number > `above` (default 0); `fallback` is used when the key is absent. */
export function numberField(
  obj: Record<string, unknown>,
  key: string,
  field: string,
  opts: { above?: number; fallback?: number } = {},
): number {
  const v = obj[key] === undefined ? opts.fallback : obj[key];
  const above = opts.above ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= above)
    fail(`${field}.${key}`, `must be a finite number > ${above}; got ${describeValue(v)}`);
  return v;
}

/** `obj[key]` as null or an integer in [min, max]; an absent key gives `fallback`. */
export function nullableIntField(
  obj: Record<string, unknown>,
  key: string,
  field: string,
  opts: { min: number; max: number; fallback: number | null },
): number | null {
  const v = obj[key] === undefined ? opts.fallback : obj[key];
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < opts.min || v > opts.max) {
    fail(`${field}.${key}`, `must be null or an integer in [${opts.min}, ${opts.max}]; got ${describeValue(v)}`);
  }
  return v;
}

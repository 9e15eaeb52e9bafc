/**
 * Small validation helpers shared by every config: each failure throws a ConfigError that names the
 * offending field (dotted path) and the allowed values or range.
 */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
    this.name = 'ConfigError';
  }
}

/** Integer in [min, max]. */
export function checkInt(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new ConfigError(field, `must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
}

/** Finite number in [min, max] (bounds inclusive unless `exclusiveMin`). */
export function checkNumber(value: unknown, field: string, min: number, max: number, exclusiveMin = false): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusiveMin ? value > min : value >= min) && value <= max;
  if (!ok) {
    throw new ConfigError(field, `must be a number in ${exclusiveMin ? '(' : '['}${min}, ${max}], got ${JSON.stringify(value)}`);
  }
}

/** Number in range, or null. */
export function checkNullableNumber(value: unknown, field: string, min: number, max: number, exclusiveMin = false): void {
  if (value === null) return;
  checkNumber(value, field, min, max, exclusiveMin);
}

/** Boolean. */
export function checkBool(value: unknown, field: string): void {
  if (typeof value !== 'boolean') throw new ConfigError(field, `must be true or false, got ${JSON.stringify(value)}`);
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(value)}`);
  }
}

/** Rejects keys not in `allowed` (catches typos in JSON configs). */
export function checkKeys(obj: unknown, field: string, allowed: readonly string[]): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new ConfigError(field, `must be an object, got ${JSON.stringify(obj)}`);
  }
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new ConfigError(`${field ? `${field}.` : ''}${k}`, `is not a known field; allowed: ${allowed.join(', ')}`);
    }
  }
}

/**
 * Whether a checkpoint may be resumed by this run: the saved model and train configs must equal the
 * current ones, except for the fields that may change on resume (DEFAULT_CHECKPOINT_IGNORE). The
 * error names the first differing field and both values.
 */
import { CheckpointError, DEFAULT_CHECKPOINT_IGNORE } from './checkpoint.js';

/**
 * Throws a CheckpointError naming the first field (a dotted path such as `modelConfig.stateDim`) in
 * which `saved` and `current` differ, e.g. "checkpoint was trained with modelConfig.stateDim = 64, this
 * run asks for 128". Paths in `ignore` (added to {@link DEFAULT_CHECKPOINT_IGNORE}) are skipped, with
 * or without their `modelConfig.`/`trainConfig.` root; ignoring a path ignores everything below it.
 */
export function checkCompatible(
  saved: { modelConfig: object; trainConfig: object },
  current: { modelConfig: object; trainConfig: object },
  ignore: readonly string[] = [],
): void {
  const ignored = new Set([...DEFAULT_CHECKPOINT_IGNORE.map((k) => `trainConfig.${k}`), ...ignore]);
  for (const root of ['modelConfig', 'trainConfig'] as const) {
    const diff = firstDifference(saved[root], current[root], root, (p) => {
      const parts = p.split('.');
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('.');
        if (ignored.has(prefix) || (i > 1 && ignored.has(parts.slice(1, i).join('.')))) return true;
      }
      return false;
    });
    if (diff) {
      throw new CheckpointError(
        `checkpoint was trained with ${diff.path} = ${show(diff.a)}, this run asks for ${show(diff.b)}; ` +
          'resume with the same settings or start a new run in another folder',
        diff.path,
      );
    }
  }
}

function firstDifference(
  a: unknown,
  b: unknown,
  at: string,
  skip: (path: string) => boolean,
): { path: string; a: unknown; b: unknown } | null {
  if (skip(at)) return null;
  if (Object.is(a, b) || (a === undefined && b === undefined)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { path: at, a, b };
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`, skip);
      if (d) return d;
    }
    return null;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], `${at}.${k}`, skip);
      if (d) return d;
    }
    return null;
  }
  return { path: at, a, b };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function show(x: unknown): string {
  if (x === undefined) return '(not set)';
  if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
  return JSON.stringify(x);
}

/**
 * The corruption suite for grey images (Fashion-MNIST, MNIST; in the style of MNIST-C / ImageNet-C):
 * 19 corruption types × 5 severities, generated on the fly on float32 pixels in [0, 1] and clipped to
 * that range. `corruptImage` is a pure function of (image, corruption, severity, rng); `exampleRng`
 * gives the rng of one example so a whole evaluation is reproducible from one seed.
 */
import { ConfigError } from '../config/validate.js';
import { mixSeed } from '../data/splits.js';
import { Rng } from '../util/rng.js';
import { BLUR_CORRUPTIONS } from './blur.js';
import { GEOMETRIC_CORRUPTIONS } from './geometric.js';
import { clip01, type ImageSize } from './image-ops.js';
import { NOISE_CORRUPTIONS } from './noise.js';
import { OVERLAY_CORRUPTIONS } from './overlay.js';
import { PHOTOMETRIC_CORRUPTIONS } from './photometric.js';
import type { CorruptionSpec } from './spec.js';

export type { CorruptionFamily, CorruptionSpec } from './spec.js';
export type { ImageSize } from './image-ops.js';

/** Every corruption, in suite order (by family). */
export const CORRUPTIONS: readonly CorruptionSpec[] = [
  ...NOISE_CORRUPTIONS,
  ...BLUR_CORRUPTIONS,
  ...GEOMETRIC_CORRUPTIONS,
  ...PHOTOMETRIC_CORRUPTIONS,
  ...OVERLAY_CORRUPTIONS,
];

/** Every corruption name, in suite order. */
export const CORRUPTION_NAMES: readonly string[] = CORRUPTIONS.map((c) => c.name);

/** The severities 1…5. */
export const SEVERITIES: readonly number[] = [1, 2, 3, 4, 5];

/** The corruption called `name`; throws a ConfigError naming the allowed values otherwise. */
export function corruptionSpec(name: string, field = 'corruption'): CorruptionSpec {
  const spec = CORRUPTIONS.find((c) => c.name === name);
  if (!spec) throw new ConfigError(field, `'${name}' is unknown; allowed: ${CORRUPTION_NAMES.join(', ')}`);
  return spec;
}

/** Throws a ConfigError unless `severity` is an integer in 1…5. */
export function checkSeverity(severity: number, field = 'severity'): void {
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) {
    throw new ConfigError(field, `must be an integer in 1…5 (allowed: ${SEVERITIES.join(', ')}), got ${severity}`);
  }
}

/**
 * `image` (row-major, `size.height × size.width` values in [0, 1]) with corruption `name` at
 * `severity` (1…5), as a new array clipped to [0, 1]. Every random draw comes from `rng`; the same
 * rng state gives the same image. The input is not modified.
 */
export function corruptImage(name: string, image: Float32Array, size: ImageSize, severity: number, rng: Rng): Float32Array {
  const spec = corruptionSpec(name);
  checkSeverity(severity);
  if (image.length !== size.height * size.width) {
    throw new Error(`corruptImage: image has ${image.length} values, expected ${size.height}×${size.width}`);
  }
  return clip01(spec.apply(image, size, spec.levels[severity - 1] as number, rng));
}

/**
 * The rng for example `id` under corruption `name` and evaluation seed `seed`. It does not depend on
 * the severity, so an example gets the same noise, direction or strokes at every severity.
 */
export function exampleRng(seed: number, name: string, id: number): Rng {
  return new Rng(mixSeed(seed, 'ood-corruption', name, id));
}

/** Parses a comma-separated list of corruption names ('all' or empty: every corruption); errors name the allowed values. */
export function parseCorruptionList(text: string | undefined, field = '--corruptions'): string[] {
  if (text === undefined || text.trim() === '' || text.trim() === 'all') return [...CORRUPTION_NAMES];
  const names = text.split(',').map((s) => s.trim());
  for (const n of names) corruptionSpec(n, field);
  if (new Set(names).size !== names.length) throw new ConfigError(field, `lists a corruption twice: ${text}`);
  return names;
}

/** Parses a comma-separated list of severities (empty: 1…5); each must be an integer in 1…5. */
export function parseSeverityList(text: string | undefined, field = '--severities'): number[] {
  if (text === undefined || text.trim() === '') return [...SEVERITIES];
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map((p) => (/^-?\d+$/.test(p) ? Number(p) : Number.NaN));
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 1 || v > 5)
      throw new ConfigError(field, `must list integers in 1…5 (allowed: ${SEVERITIES.join(', ')}), got '${parts[i]}'`);
  });
  if (new Set(values).size !== values.length) throw new ConfigError(field, `lists a severity twice: ${text}`);
  return values;
}

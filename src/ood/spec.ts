/**
 * The shape of one corruption in the suite: a name, a family, one parameter value per severity 1…5
 * and a pure function of (image, parameter, rng) that returns a new image (the input is not changed).
 */
import type { Rng } from '../util/rng.js';
import type { ImageSize } from './image-ops.js';

/** The corruption families, as in ImageNet-C / MNIST-C. */
export type CorruptionFamily = 'noise' | 'blur' | 'geometric' | 'photometric' | 'digital' | 'overlay';

/** One corruption type. */
export interface CorruptionSpec {
  /** Kebab-case name used on the command line, e.g. 'gaussian-noise'. */
  name: string;
  family: CorruptionFamily;
  /** What the parameter means, e.g. 'noise standard deviation'. */
  parameter: string;
  /** The parameter at severities 1…5 (five values, increasing in strength). */
  levels: readonly [number, number, number, number, number];
  /** Whether the result depends on the rng (false: a function of the image and severity alone). */
  random: boolean;
  /**
   * Returns the corrupted image (a new array, values possibly outside [0, 1]: the caller clips).
   * It must draw every random number from `rng`, and draw them in the same order at every level, so
   * that one rng state gives the same noise, direction or strokes at every severity, only stronger.
   */
  apply(img: Float32Array, size: ImageSize, level: number, rng: Rng): Float32Array;
}

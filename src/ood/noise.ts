/**
 * Noise corruptions: additive Gaussian noise, Poisson (shot) noise, salt-and-pepper (impulse) noise and
 * multiplicative (speckle) noise. Each draws one random number stream per image, in the same order at
 * every severity, so a higher severity is the same noise, scaled up.
 */
import type { Rng } from '../util/rng.js';
import type { CorruptionSpec } from './spec.js';

/** A Poisson sample with mean `lambda` from a uniform `u` by inversion (exact for the means used here, ≤ 100). */
export function poissonFromUniform(lambda: number, u: number): number {
  if (lambda <= 0) return 0;
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  while (u > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

function mapPixels(img: Float32Array, f: (v: number, i: number) => number): Float32Array {
  const out = new Float32Array(img.length);
  for (let i = 0; i < img.length; i++) out[i] = f(img[i] as number, i);
  return out;
}

/** x + σ·N(0, 1). */
export const gaussianNoise: CorruptionSpec = {
  name: 'gaussian-noise',
  family: 'noise',
  parameter: 'noise standard deviation',
  levels: [0.08, 0.12, 0.18, 0.26, 0.38],
  random: true,
  apply: (img, _size, sigma, rng: Rng) => mapPixels(img, (v) => v + sigma * rng.normal()),
};

/** Poisson(λ·x)/λ: photon noise with λ photons at full brightness (the same uniforms at every severity). */
export const shotNoise: CorruptionSpec = {
  name: 'shot-noise',
  family: 'noise',
  parameter: 'photons at full brightness λ',
  levels: [60, 25, 12, 5, 3],
  random: true,
  apply: (img, _size, lambda, rng) => mapPixels(img, (v) => poissonFromUniform(lambda * v, rng.uniform()) / lambda),
};

/** A fraction p of the pixels set to 0 or 1 (pixel i is hit when its uniform is below p, at every severity). */
export const impulseNoise: CorruptionSpec = {
  name: 'impulse-noise',
  family: 'noise',
  parameter: 'fraction of pixels replaced',
  levels: [0.03, 0.06, 0.09, 0.17, 0.27],
  random: true,
  apply: (img, _size, p, rng) =>
    mapPixels(img, (v) => {
      const hit = rng.uniform();
      const salt = rng.uniform() < 0.5;
      return hit < p ? (salt ? 1 : 0) : v;
    }),
};

/** x + x·σ·N(0, 1). */
export const speckleNoise: CorruptionSpec = {
  name: 'speckle-noise',
  family: 'noise',
  parameter: 'relative noise standard deviation',
  levels: [0.2, 0.35, 0.5, 0.7, 0.9],
  random: true,
  apply: (img, _size, sigma, rng) => mapPixels(img, (v) => v + v * sigma * rng.normal()),
};

/** The noise family. */
export const NOISE_CORRUPTIONS: readonly CorruptionSpec[] = [gaussianNoise, shotNoise, impulseNoise, speckleNoise];

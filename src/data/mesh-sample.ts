/**
 * Point clouds from triangle meshes: points drawn uniformly on the surface (a triangle chosen with
 * probability ∝ its area, then a uniform point inside it), then centred on their mean and scaled so the
 * farthest point lies on the unit sphere.
 */
import type { Rng } from '../util/rng.js';

/**
 * Samples `numPoints` 3-D points on the surface of `triangles` (9 floats per triangle) into a
 * [numPoints, 3] array. A mesh of zero total area falls back to its vertices, drawn uniformly.
 * Throws on an empty mesh.
 */
export function sampleMeshSurface(triangles: Float32Array, numPoints: number, rng: Rng): Float32Array {
  const nt = Math.floor(triangles.length / 9);
  if (nt === 0) throw new Error('sampleMeshSurface: the mesh has no triangles');
  const cum = new Float64Array(nt);
  let total = 0;
  for (let t = 0; t < nt; t++) {
    const o = 9 * t;
    const ux = (triangles[o + 3] as number) - (triangles[o] as number);
    const uy = (triangles[o + 4] as number) - (triangles[o + 1] as number);
    const uz = (triangles[o + 5] as number) - (triangles[o + 2] as number);
    const vx = (triangles[o + 6] as number) - (triangles[o] as number);
    const vy = (triangles[o + 7] as number) - (triangles[o + 1] as number);
    const vz = (triangles[o + 8] as number) - (triangles[o + 2] as number);
    const cx = uy * vz - uz * vy;
    const cy = uz * vx - ux * vz;
    const cz = ux * vy - uy * vx;
    total += 0.5 * Math.sqrt(cx * cx + cy * cy + cz * cz);
    cum[t] = total;
  }
  const out = new Float32Array(numPoints * 3);
  for (let k = 0; k < numPoints; k++) {
    if (!(total > 0)) {
      const v = rng.int(nt * 3);
      for (let d = 0; d < 3; d++) out[3 * k + d] = triangles[3 * v + d] as number;
      continue;
    }
    const u = rng.uniform() * total;
    let lo = 0;
    let hi = nt - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    const r1 = Math.sqrt(rng.uniform());
    const r2 = rng.uniform();
    const [a, b, c] = [1 - r1, r1 * (1 - r2), r1 * r2];
    const o = 9 * lo;
    for (let d = 0; d < 3; d++) {
      out[3 * k + d] = a * (triangles[o + d] as number) + b * (triangles[o + 3 + d] as number) + c * (triangles[o + 6 + d] as number);
    }
  }
  return normalizeToUnitSphere(out);
}

/** Centres [N, 3] points on their mean and scales them so the largest norm is 1 (in place). */
export function normalizeToUnitSphere(points: Float32Array): Float32Array {
  const n = Math.floor(points.length / 3);
  if (n === 0) return points;
  const mean = [0, 0, 0];
  for (let k = 0; k < n; k++) for (let d = 0; d < 3; d++) mean[d] = (mean[d] as number) + (points[3 * k + d] as number) / n;
  let maxNorm = 0;
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let d = 0; d < 3; d++) {
      const v = (points[3 * k + d] as number) - (mean[d] as number);
      points[3 * k + d] = v;
      s += v * v;
    }
    maxNorm = Math.max(maxNorm, Math.sqrt(s));
  }
  if (maxNorm > 0) for (let k = 0; k < points.length; k++) points[k] = (points[k] as number) / maxNorm;
  return points;
}

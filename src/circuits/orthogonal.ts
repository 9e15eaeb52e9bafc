/**
 * Orthogonal initialisation with the semantics of PyTorch's `nn.init.orthogonal_`: draw a Gaussian
 * matrix from the seeded Rng, take its (reduced) QR decomposition by Householder reflections in
 * float64, and flip the sign of each column of Q by the sign of R's diagonal so that the result is
 * the unique Q with a positive-diagonal R. A rows×cols matrix gets orthonormal columns when
 * rows ≥ cols, and orthonormal rows (QR of the transpose) when rows < cols.
 */
import type { Rng } from '../util/rng.js';

/**
 * Reduced QR of a row-major r×c matrix (overwritten in place) with r ≥ c. Returns Q (r×c, row-major,
 * orthonormal columns, already sign-corrected so that diag(R) > 0).
 */
function qrPositive(a: Float64Array, r: number, c: number): Float64Array {
  const vs: Float64Array[] = []; // Householder vectors, v_k has length r - k
  const diag = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    const len = r - k;
    const v = new Float64Array(len);
    let norm2 = 0;
    for (let i = 0; i < len; i++) {
      v[i] = a[(k + i) * c + k]!;
      norm2 += v[i]! * v[i]!;
    }
    const norm = Math.sqrt(norm2);
    const alpha = v[0]! >= 0 ? -norm : norm; // reflect x onto alpha·e1, avoiding cancellation
    v[0] = v[0]! - alpha;
    let vnorm2 = 0;
    for (let i = 0; i < len; i++) vnorm2 += v[i]! * v[i]!;
    if (vnorm2 > 0) {
      const s = 1 / Math.sqrt(vnorm2);
      for (let i = 0; i < len; i++) v[i] = v[i]! * s;
      // A[k:, k:] -= 2 v (vᵀ A[k:, k:])
      for (let j = k; j < c; j++) {
        let dot = 0;
        for (let i = 0; i < len; i++) dot += v[i]! * a[(k + i) * c + j]!;
        dot *= 2;
        for (let i = 0; i < len; i++) a[(k + i) * c + j] = a[(k + i) * c + j]! - dot * v[i]!;
      }
      diag[k] = alpha;
    } else {
      diag[k] = a[k * c + k]!; // the column below the diagonal is already zero
    }
    vs.push(v);
  }
  // Q = H_0 H_1 … H_{c-1} I[:, :c], applied right to left.
  const q = new Float64Array(r * c);
  for (let j = 0; j < c; j++) q[j * c + j] = 1;
  for (let k = c - 1; k >= 0; k--) {
    const v = vs[k]!;
    const len = r - k;
    for (let j = 0; j < c; j++) {
      let dot = 0;
      for (let i = 0; i < len; i++) dot += v[i]! * q[(k + i) * c + j]!;
      if (dot === 0) continue;
      dot *= 2;
      for (let i = 0; i < len; i++) q[(k + i) * c + j] = q[(k + i) * c + j]! - dot * v[i]!;
    }
  }
  for (let j = 0; j < c; j++) {
    if (diag[j]! < 0) for (let i = 0; i < r; i++) q[i * c + j] = -q[i * c + j]!;
  }
  return q;
}

/**
 * A rows×cols row-major Float32Array drawn like `torch.nn.init.orthogonal_(gain)`: orthonormal
 * columns when rows ≥ cols, orthonormal rows otherwise, scaled by `gain`. Consumes rows·cols
 * normals from `rng` (row-major order of the rows×cols Gaussian matrix).
 */
export function orthogonalInit(rows: number, cols: number, rng: Rng, gain = 1): Float32Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new Error(`orthogonalInit: rows and cols must be positive integers, got ${rows}×${cols}`);
  }
  const g = new Float64Array(rows * cols);
  for (let i = 0; i < g.length; i++) g[i] = rng.normal();
  const out = new Float32Array(rows * cols);
  if (rows >= cols) {
    const q = qrPositive(g, rows, cols);
    for (let i = 0; i < q.length; i++) out[i] = gain * q[i]!;
  } else {
    const t = new Float64Array(cols * rows); // transpose to cols×rows
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = g[i * cols + j]!;
    const q = qrPositive(t, cols, rows); // cols×rows with orthonormal columns
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[j * rows + i]!;
  }
  return out;
}

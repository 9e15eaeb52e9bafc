/**
 * Attention with the key and value projections folded into the queries and the output, for layers
 * with few receivers and many senders (the read-out: 16 receivers, 80 senders), in eval.
 *
 * KMDPA's keys and values are ModFCs of the senders, k_v = W_Kᵀ(x_v ⊙ m^K_v) + b_K (likewise v_v with
 * W_V, m^V, b_V), so by exact algebra
 *   q^h_u·k^h_v = (W_K^h q^h_u)·(x_v ⊙ m^K_v) + q^h_u·b^h_K      (the last term is constant over v: it
 *                                                               cancels in the softmax)
 *   Σ_v a^h_uv v^h_v = W_V^hᵀ(Σ_v a^h_uv (x_v ⊙ m^V_v)) + b^h_V  (Σ_v a^h_uv = 1)
 * which costs 2·H·U_r·U_s·d + U_r·H·d·d_h multiply-adds per example instead of 2·U_s·d·H·d_h +
 * 2·U_r·U_s·H·d_h: less when H·U_r is small against d + U_r (`foldingPays`). The read-in layer uses the
 * same algebra (src/circuits/read-in.ts), there for keys conditioned on the receivers' codes.
 */
import * as tf from '@tensorflow/tfjs';

/** Whether folding costs at most 3/4 of the projected attention's multiply-adds (d: the senders' width). */
export function foldingPays(receivers: number, senders: number, d: number, heads: number, headDim: number): boolean {
  const projected = 2 * senders * d * heads * headDim + 2 * receivers * senders * heads * headDim;
  const folded = 2 * heads * receivers * senders * d + receivers * heads * d * headDim;
  return folded <= 0.75 * projected;
}

/**
 * The queries with W_K folded in: q [B, U_r, H·d_h] (or [U_r, H·d_h]) and W_K [d, H·d_h] →
 * q' [B, H·U_r, d] (or [H·U_r, d]), q'[h·U_r + u] = W_K^h q^h_u.
 */
export function foldQueries(q: tf.Tensor, keyWeight: tf.Tensor, heads: number): tf.Tensor {
  return tf.tidy(() => {
    const shared = q.rank === 2;
    const q3 = shared ? q.expandDims(0) : q;
    const [B, U, inner] = q3.shape as [number, number, number];
    const dh = inner / heads;
    const d = keyWeight.shape[0] as number;
    const qh = q3.reshape([B * U, heads, dh]).transpose([1, 0, 2]); // [H, B·U, dh]
    const wk = keyWeight.reshape([d, heads, dh]).transpose([1, 2, 0]); // [H, dh, d]
    const folded = tf
      .matMul(qh, wk)
      .reshape([heads, B, U, d])
      .transpose([1, 0, 2, 3])
      .reshape([B, heads * U, d]);
    return shared ? folded.squeeze([0]) : folded;
  });
}

/** What foldedAttention needs of the key and value ModFCs. */
export interface FoldedProjections {
  /** m^K [U_s, d] and m^V [U_s, d]: the ModFC modulations of the senders' codes. */
  keyModulation: tf.Tensor;
  valueModulation: tf.Tensor;
  /** W_V [d, H·d_h] and b_V [H·d_h] (null: none). */
  valueWeight: tf.Tensor;
  valueBias: tf.Tensor | null;
}

/**
 * softmax(q·kᵀ·scale + bias)·v per head, merged to [B, U_r, H·d_h], from the folded queries `qf`
 * ([H·U_r, d] shared by the batch, or [B, H·U_r, d]; see foldQueries) and the normalised senders
 * x [B, U_s, d], without computing the keys or values. bias: [U_r, U_s] or [B, U_r, U_s], or null.
 */
export function foldedAttention(
  qf: tf.Tensor,
  senders: tf.Tensor,
  projections: FoldedProjections,
  bias: tf.Tensor | null,
  heads: number,
  scale: number,
): tf.Tensor {
  return tf.tidy(() => {
    const [B, Us, d] = senders.shape as [number, number, number];
    const rows = qf.shape[qf.rank - 2] as number; // H·U_r
    const Ur = rows / heads;
    const { keyModulation, valueModulation, valueWeight, valueBias } = projections;
    const inner = valueWeight.shape[1] as number;
    const dh = inner / heads;
    const xk = senders.mul(keyModulation);
    // Shared queries: one [B·U_s, d]·[d, H·U_r] product, then the scores' two last axes swapped.
    let scores =
      qf.rank === 2
        ? tf
            .matMul(xk.reshape([B * Us, d]), qf, false, true)
            .reshape([B, Us, rows])
            .transpose([0, 2, 1])
        : tf.matMul(qf, xk, false, true);
    scores = scores.mul(scale).reshape([B, heads, Ur, Us]);
    if (bias != null) scores = scores.add(bias.rank === 3 ? bias.expandDims(1) : bias);
    const attn = tf.softmax(scores, -1).reshape([B, rows, Us]);
    const pooled = tf.matMul(attn, senders.mul(valueModulation)); // [B, H·U_r, d]
    const ph = pooled
      .reshape([B, heads, Ur, d])
      .transpose([1, 0, 2, 3])
      .reshape([heads, B * Ur, d]);
    const wv = valueWeight.reshape([d, heads, dh]).transpose([1, 0, 2]); // [H, d, dh]
    let mixed = tf.matMul(ph, wv).reshape([heads, B, Ur, dh]).transpose([1, 2, 0, 3]).reshape([B, Ur, inner]);
    if (valueBias != null) mixed = mixed.add(valueBias);
    return mixed;
  });
}

/**
 * Linear sum assignment (the Hungarian method with potentials, in the shortest-augmenting-path
 * form of Jonker–Volgenant): O(n²·m) for an n×m cost matrix with n ≤ m. Used by the graphon
 * regulariser to match the rows of the link-probability matrix to the target graphon's rows, as
 * `scipy.optimize.linear_sum_assignment` does in the reference.
 */

/**
 * Minimum-cost assignment of every row of `cost` (row-major, `rows`×`cols`, rows ≤ cols) to a
 * distinct column: returns `assignment` with row i → column assignment[i], and its total cost.
 * Costs must be finite.
 */
export function linearSumAssignment(cost: ArrayLike<number>, rows: number, cols: number): { assignment: Int32Array; total: number } {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < rows) {
    throw new Error(`linearSumAssignment: need integers 0 ≤ rows ≤ cols, got ${rows}×${cols}`);
  }
  if (cost.length !== rows * cols) throw new Error(`linearSumAssignment: cost has ${cost.length} entries, expected ${rows * cols}`);
  // A private float64 copy keeps the hot loop monomorphic whatever array type the caller passes.
  const c = Float64Array.from(cost);
  for (let i = 0; i < c.length; i++) {
    if (!Number.isFinite(c[i])) throw new Error(`linearSumAssignment: cost[${i}] = ${c[i]} is not finite`);
  }
  // 1-based arrays: u row potentials, v column potentials, p[j] = row matched to column j (0: none).
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const p = new Int32Array(cols + 1);
  const way = new Int32Array(cols + 1);
  const minv = new Float64Array(cols + 1);
  const used = new Uint8Array(cols + 1);
  for (let i = 1; i <= rows; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      // Grow the alternating tree from the free row i by the cheapest reduced-cost column.
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      const base = (i0 - 1) * cols - 1;
      const ui0 = u[i0]!;
      for (let j = 1; j <= cols; j++) {
        if (used[j]) continue;
        const reduced = c[base + j]! - ui0 - v[j]!;
        if (reduced < minv[j]!) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minv[j] = minv[j]! - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    // Augment along the path back to the root.
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const assignment = new Int32Array(rows);
  for (let j = 1; j <= cols; j++) if (p[j]! > 0) assignment[p[j]! - 1] = j - 1;
  let total = 0;
  for (let i = 0; i < rows; i++) total += c[i * cols + assignment[i]!]!;
  return { assignment, total };
}

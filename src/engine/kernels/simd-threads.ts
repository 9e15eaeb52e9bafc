/**
 * The SIMD module's heavy kernels split between threads (./simd-pool.ts): matrix products (the plain-wasm
 * BatchMatMul, so training too) by batch entries or, for one product, by rows of C; the fused eval linear
 * maps by rows (whole periods of the modulation) or batch entries; fused eval attention by groups of 4 batch entries.
 * Every entry of the result is computed by the same code in the same order as on one thread, so the
 * results are bit-identical to the single-threaded kernels (test/engine/simd-threads.test.ts). Calls
 * too small to repay the hand-off run on the calling thread alone.
 */
import type { SimdKernels, SimdStatus } from './simd-module.js';
import { PoolJob, SimdPool } from './simd-pool.js';

/** Least multiply-adds per part worth handing to another thread (a few hundred microseconds of work). */
export const MIN_PART_MACS = 1 << 21;

/**
 * `total` split into at most `parts` contiguous ranges of whole `unit`s, each with at least `minUnits`
 * units, as equal as whole units allow; the first range is the calling thread's.
 */
export function splitRanges(total: number, parts: number, unit: number, minUnits = 1): [number, number][] {
  const units = Math.ceil(total / unit);
  const n = Math.max(1, Math.min(parts, Math.floor(units / Math.max(1, minUnits))));
  const ranges: [number, number][] = [];
  for (let i = 0, start = 0; i < n; i++) {
    const end = i === n - 1 ? total : Math.min(total, Math.round((units * (i + 1)) / n) * unit);
    if (end > start) ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

/** Runs the first range on this thread (`own`) and the others as `job(range)` on the pool's workers. */
function runParts(
  pool: SimdPool,
  heap: WebAssembly.Memory,
  ranges: [number, number][],
  own: (start: number, end: number) => void,
  job: (start: number, end: number) => PoolJob,
): void {
  const [first, ...rest] = ranges;
  if (first == null) return;
  pool.run(
    heap,
    rest.map(([s, e]) => job(s, e)),
    () => own(first[0], first[1]),
  );
}

/**
 * `kernels` with gemmBatched, gemmLinear, gemmLinearParts, gemmLinearGeglu and attention split over the
 * calling thread and the pool's workers, each part at least `minPartMacs` multiply-adds. Everything else
 * is `kernels`' own.
 */
export function threadedSimdKernels(kernels: SimdKernels, pool: SimdPool, minPartMacs = MIN_PART_MACS): SimdKernels {
  const parts = pool.workers + 1;
  /** Units of work per part, given the multiply-adds of one unit. */
  const minUnits = (macsPerUnit: number): number => Math.max(1, Math.ceil(minPartMacs / Math.max(1, macsPerUnit)));
  const heap = kernels.memory;
  const opt = (job: PoolJob, ptr: number, floats: number): number => (ptr === 0 ? 0 : job.input(ptr, floats));

  const gemmBatched: SimdKernels['gemmBatched'] = (a, b, c, scratch, batch, m, n, k, ta, tb, sa, sb) => {
    const oneProduct = batch === 1;
    const ranges = oneProduct ? splitRanges(m, parts, 4, minUnits(4 * n * k)) : splitRanges(batch, parts, 1, minUnits(m * n * k));
    if (ranges.length < 2) return kernels.gemmBatched(a, b, c, scratch, batch, m, n, k, ta, tb, sa, sb);
    const ldb = tb ? k : n;
    if (oneProduct) {
      // Rows [r0, r1) of C = op(A)·op(B): A's rows r0.. (columns, when stored transposed), all of B.
      const own = (r0: number, r1: number): void =>
        kernels.gemmStrided(a + 4 * r0 * (ta ? 1 : k), ta ? 1 : k, ta ? m : 1, b, ldb, tb, c + 4 * r0 * n, n, r1 - r0, n, k, scratch);
      return runParts(pool, heap, ranges, own, (r0, r1) => {
        const job = new PoolJob();
        const rows = r1 - r0;
        // Stored transposed, A's columns r0.. are strided: all of A is copied (one block copy beats k short
        // ones) and the product reads its columns in place.
        const a2 = ta ? job.input(a, k * m) + 4 * r0 : job.input(a + 4 * r0 * k, rows * k);
        const b2 = job.input(b, k * n);
        const c2 = job.output(c + 4 * r0 * n, rows * n);
        const s2 = job.scratch(kernels.gemmScratchFloats(n, k));
        return job.call('gemm_strided', [a2, ta ? 1 : k, ta ? m : 1, b2, ldb, tb, c2, n, rows, n, k, s2]);
      });
    }
    const own = (i0: number, i1: number): void => kernels.gemmBatched(a, b, c, scratch, i1 - i0, m, n, k, ta, tb, sa, sb);
    return runParts(pool, heap, ranges, own, (i0, i1) => {
      const job = new PoolJob();
      const count = i1 - i0;
      const a2 = job.input(a + 4 * i0 * sa, sa === 0 ? m * k : (count - 1) * sa + m * k);
      const b2 = job.input(b + 4 * i0 * sb, sb === 0 ? k * n : (count - 1) * sb + k * n);
      const c2 = job.output(c + 4 * i0 * m * n, count * m * n);
      const s2 = job.scratch(kernels.gemmScratchFloats(n, k));
      return job.call('gemm_batched', [a2, b2, c2, s2, count, m, n, k, ta, tb, sa, sb]);
    });
  };

  const gemmLinear: SimdKernels['gemmLinear'] = (x, scale, period, w, bias, gain, residual, out, scratch, m, n, k) => {
    const unit = period > 0 ? period : 1;
    const ranges = splitRanges(m, parts, unit, minUnits(unit * n * k));
    if (ranges.length < 2) return kernels.gemmLinear(x, scale, period, w, bias, gain, residual, out, scratch, m, n, k);
    const own = (r0: number, r1: number): void =>
      kernels.gemmLinear(x, scale, period, w, bias, gain, residual, out, scratch, r1 - r0, n, k);
    return runParts(pool, heap, ranges, own, (r0, r1) => {
      const job = new PoolJob();
      const rows = r1 - r0;
      const x2 = job.input(x + 4 * r0 * k, rows * k);
      const scale2 = opt(job, scale, period * k);
      const w2 = job.input(w, k * n);
      const bias2 = opt(job, bias, n);
      const gain2 = opt(job, gain, n);
      const res2 = residual === 0 ? 0 : job.input(residual + 4 * r0 * n, rows * n);
      const out2 = job.output(out + 4 * r0 * n, rows * n);
      const s2 = job.scratch(kernels.gemmScratchFloats(n, k));
      return job.call('gemm_linear', [x2, scale2, period, w2, bias2, gain2, res2, out2, s2, rows, n, k]);
    });
  };

  const gemmLinearGeglu: SimdKernels['gemmLinearGeglu'] = (x, scale, period, w, bias, out, scratch, m, n2, k, block) => {
    const ranges = splitRanges(m, parts, block, minUnits(block * n2 * k));
    if (ranges.length < 2) return kernels.gemmLinearGeglu(x, scale, period, w, bias, out, scratch, m, n2, k, block);
    const h = n2 / 2;
    const own = (r0: number, r1: number): void => kernels.gemmLinearGeglu(x, scale, period, w, bias, out, scratch, r1 - r0, n2, k, block);
    return runParts(pool, heap, ranges, own, (r0, r1) => {
      const job = new PoolJob();
      const rows = r1 - r0;
      const x2 = job.input(x + 4 * r0 * k, rows * k);
      const scale2 = opt(job, scale, period * k);
      const w2 = job.input(w, k * n2);
      const bias2 = opt(job, bias, n2);
      const out2 = job.output(out + 4 * r0 * h, rows * h);
      const s2 = job.scratch(kernels.gemmScratchFloats(n2, k) + block * n2);
      return job.call('gemm_linear_geglu', [x2, scale2, period, w2, bias2, out2, s2, rows, n2, k, block]);
    });
  };

  const gemmLinearParts: SimdKernels['gemmLinearParts'] = (
    x,
    x2,
    rows,
    rows2,
    batch,
    scale,
    w,
    bias,
    gain,
    residual,
    out,
    scratch,
    n,
    k,
  ) => {
    const u = rows + rows2;
    const ranges = splitRanges(batch, parts, 1, minUnits(u * n * k));
    if (ranges.length < 2) return kernels.gemmLinearParts(x, x2, rows, rows2, batch, scale, w, bias, gain, residual, out, scratch, n, k);
    const own = (b0: number, b1: number): void =>
      kernels.gemmLinearParts(x, x2, rows, rows2, b1 - b0, scale, w, bias, gain, residual, out, scratch, n, k);
    return runParts(pool, heap, ranges, own, (b0, b1) => {
      const job = new PoolJob();
      const count = b1 - b0;
      const xa = job.input(x + 4 * b0 * rows * k, count * rows * k);
      const xb = job.input(x2 + 4 * b0 * rows2 * k, count * rows2 * k);
      const scale2 = opt(job, scale, u * k);
      const w2 = job.input(w, k * n);
      const bias2 = opt(job, bias, n);
      const gain2 = opt(job, gain, n);
      const res2 = residual === 0 ? 0 : job.input(residual + 4 * b0 * u * n, count * u * n);
      const out2 = job.output(out + 4 * b0 * u * n, count * u * n);
      const s2 = job.scratch(kernels.gemmScratchFloats(n, k));
      return job.call('gemm_linear_parts', [xa, xb, rows, rows2, count, scale2, w2, bias2, gain2, res2, out2, s2, n, k]);
    });
  };

  const attention: SimdKernels['attention'] = (q, kk, v, bias, biasStride, out, scratch, batch, nq, nk, heads, dh, scale) => {
    const d = heads * dh;
    // Whole groups of 4 entries: the sparse lane path takes four at a time (wasm/src/attention-lanes.h).
    const ranges = splitRanges(batch, parts, 4, minUnits(8 * nq * nk * d));
    if (ranges.length < 2) return kernels.attention(q, kk, v, bias, biasStride, out, scratch, batch, nq, nk, heads, dh, scale);
    const own = (b0: number, b1: number): void =>
      kernels.attention(q, kk, v, bias, biasStride, out, scratch, b1 - b0, nq, nk, heads, dh, scale);
    return runParts(pool, heap, ranges, own, (b0, b1) => {
      const job = new PoolJob();
      const count = b1 - b0;
      const q2 = job.input(q + 4 * b0 * nq * d, count * nq * d);
      const k2 = job.input(kk + 4 * b0 * nk * d, count * nk * d);
      const v2 = job.input(v + 4 * b0 * nk * d, count * nk * d);
      const bias2 = bias === 0 ? 0 : job.input(bias + 4 * b0 * biasStride, (count - 1) * biasStride + nq * nk);
      const out2 = job.output(out + 4 * b0 * nq * d, count * nq * d);
      const s2 = job.scratch(kernels.attentionScratchFloats(nq, nk, heads, dh));
      return job.call('attention', [q2, k2, v2, bias2, biasStride, out2, s2, count, nq, nk, heads, dh, scale]);
    });
  };

  return { ...kernels, gemmBatched, gemmLinear, gemmLinearParts, gemmLinearGeglu, attention };
}

const pools = new WeakMap<Uint8Array, Map<number, Promise<SimdPool | string>>>();

/**
 * The SIMD kernels of `status` on `threads` threads (the calling one and threads - 1 workers, started
 * once per module and count), with the thread count in its detail; `status` itself for one thread, or
 * with the reason in its detail when workers cannot start here.
 */
export async function threadedSimdStatus(status: SimdStatus, threads: number): Promise<SimdStatus> {
  if (status.kernels == null || threads <= 1) return status;
  let byCount = pools.get(status.kernels.bytes);
  if (byCount == null) pools.set(status.kernels.bytes, (byCount = new Map()));
  let pool = byCount.get(threads);
  if (pool == null) byCount.set(threads, (pool = SimdPool.create(status.kernels.bytes, threads - 1)));
  const ready = await pool;
  if (typeof ready === 'string') return { ...status, detail: `${status.detail}, 1 thread (threads=${threads} unavailable: ${ready})` };
  return { kernels: threadedSimdKernels(status.kernels, ready), detail: `${status.detail}, ${threads} threads` };
}

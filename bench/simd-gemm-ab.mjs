#!/usr/bin/env node
/**
 * Two builds of the SIMD module's GEMM (wasm/src/gemm.c) on the same products, round by round in one
 * process: GFLOP/s of gemm_batched per shape for each build, and whether their results agree bit for
 * bit; then the same for the fused eval attention (wasm/src/attention.c) on the reference NAC's
 * propagator shape, with a bias that masks about 69 % of the pairs at random (as the truncated kernel does in
 * eval), reporting the largest difference instead. A build is a committed src/engine/kernels/simd-wasm-binary.ts, e.g. an older one from git:
 *
 *   git show <commit>:src/engine/kernels/simd-wasm-binary.ts > /tmp/old.ts
 *   node bench/simd-gemm-ab.mjs /tmp/old.ts src/engine/kernels/simd-wasm-binary.ts [reps]
 */
import * as fs from 'node:fs';

const [fileA, fileB, repsArg] = process.argv.slice(2);
if (fileA == null || fileB == null) throw new Error('usage: node bench/simd-gemm-ab.mjs A.ts B.ts [reps]');
const reps = Number(repsArg ?? 30);
const memory = new WebAssembly.Memory({ initial: 1024 }); // 64 MiB
const builds = [];
for (const file of [fileA, fileB]) {
  const b64 = fs.readFileSync(file, 'utf8').match(/SIMD_WASM_BASE64 =\s*'([^']+)'/)?.[1];
  if (b64 == null) throw new Error(`${file}: no SIMD_WASM_BASE64`);
  const { instance } = await WebAssembly.instantiate(Buffer.from(b64, 'base64'), { env: { memory } });
  builds.push(instance.exports);
}
const heap = new Float32Array(memory.buffer);
/** [m, k, n, transA, transB]: the reference NAC's products (forward, and the gradients' transposes). */
const SHAPES = [
  [2048, 128, 256, 0, 0],
  [2560, 128, 128, 0, 0],
  [2048, 256, 128, 0, 0],
  [128, 2048, 128, 1, 0],
  [2048, 128, 128, 0, 1],
  [64, 32, 80, 0, 1],
  [64, 80, 32, 0, 0],
];
const A = 1 << 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`gemm_batched, median of ${reps}: A = ${fileA}, B = ${fileB}`);
for (const [m, k, n, ta, tb] of SHAPES) {
  const B = A + 4 * m * k + 64;
  const C = B + 4 * k * n + 64;
  const S = C + 4 * m * n + 64;
  for (let i = 0; i < m * k + k * n; i++) heap[A / 4 + i + (i >= m * k ? 16 : 0)] = Math.sin(i * 0.37);
  const times = [[], []];
  const results = [];
  for (let r = 0; r < reps + 3; r++) {
    builds.forEach((e, j) => {
      const t0 = performance.now();
      e.gemm_batched(A, B, C, S, 1, m, n, k, ta, tb, 0, 0);
      if (r >= 3) times[j].push(performance.now() - t0);
      if (r === 0) results[j] = heap.slice(C / 4, C / 4 + m * n);
    });
  }
  const same = results[0].every((v, i) => Object.is(v, results[1][i]));
  const gf = times.map((t) => (2 * m * n * k) / median(t) / 1e6);
  const label = `[${m},${k}]${ta ? 'ᵀ' : ''}·[${k},${n}]${tb ? 'ᵀ' : ''}`;
  console.log(
    `${label.padEnd(22)} A ${gf[0].toFixed(1).padStart(5)}  B ${gf[1].toFixed(1).padStart(5)} GFLOP/s  B/A ${(gf[1] / gf[0]).toFixed(3)}  ${same ? 'bit-identical' : 'DIFFERENT results'}`,
  );
}

// The fused attention: batch 32, 4 heads × 32, 64 receivers, 80 senders, one [64, 80] bias for all.
const [AB, AQ, AK, AH, ADH] = [32, 64, 80, 4, 32];
const ALD = AH * ADH;
const at = { q: A };
at.k = at.q + 4 * AB * AQ * ALD;
at.v = at.k + 4 * AB * AK * ALD;
at.bias = at.v + 4 * AB * AK * ALD;
at.out = at.bias + 4 * AQ * AK;
at.scratch = at.out + 4 * AB * AQ * ALD;
// Builds before the sparse paths took (nq, nk, dh); since, (nq, nk, heads, dh).
const scratchFloats = Math.max(
  ...builds.map((e) =>
    e.attention_scratch_floats.length === 4 ? e.attention_scratch_floats(AQ, AK, AH, ADH) : e.attention_scratch_floats(AQ, AK, ADH),
  ),
);
if (at.scratch + 4 * scratchFloats > memory.buffer.byteLength) throw new Error('attention: the heap is too small');
for (let i = 0; i < (at.bias - at.q) / 4; i++) heap[at.q / 4 + i] = Math.sin(i * 0.37);
// About 69 % of pairs masked at random, as the reference NAC's truncated kernel does in its eval forward.
const hash = (i) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;
for (let i = 0; i < AQ * AK; i++) heap[at.bias / 4 + i] = hash(i) < 0.31 ? 0.1 * Math.cos(i) : -Infinity;
const masked = Array.from(heap.subarray(at.bias / 4, at.bias / 4 + AQ * AK)).filter((v) => v === -Infinity).length / (AQ * AK);
const attTimes = [[], []];
const attOut = [];
for (let r = 0; r < reps + 3; r++) {
  builds.forEach((e, j) => {
    const t0 = performance.now();
    e.attention(at.q, at.k, at.v, at.bias, 0, at.out, at.scratch, AB, AQ, AK, AH, ADH, 1 / Math.sqrt(ADH));
    if (r >= 3) attTimes[j].push(performance.now() - t0);
    if (r === 0) attOut[j] = heap.slice(at.out / 4, at.out / 4 + AB * AQ * ALD);
  });
}
const diff = attOut[0].reduce((mx, v, i) => Math.max(mx, Math.abs(v - attOut[1][i])), 0);
const [ta, tb] = attTimes.map(median);
console.log(
  `attention [${AB}·${AH}, ${AQ} × ${AK}] (${(100 * masked).toFixed(0)} % masked)  A ${ta.toFixed(2)} ms  B ${tb.toFixed(2)} ms  B/A time ${(tb / ta).toFixed(3)}  largest difference ${diff.toExponential(1)}`,
);

/**
 * The bridge to the PyTorch twin (bench/torch/twin.py): writes a model's named weights, its config,
 * the batch and our eval-mode logits and loss to a folder, runs /usr/bin/python3 on it (Debian's
 * python3-torch) and returns the twin's JSON result (parity and timings).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serializeSafetensors } from '../dist/io/safetensors.js';
import { writeFileAtomic } from '../dist/io/atomic.js';
import { noDecayDefault } from '../dist/train/param-filter.js';
import { smoothedTargetsArray } from '../dist/train/loss.js';

const TWIN = fileURLToPath(new URL('./torch/twin.py', import.meta.url));

/** Python interpreter with torch: $NAC_TORCH_PYTHON or Debian's /usr/bin/python3. */
export const TORCH_PYTHON = process.env.NAC_TORCH_PYTHON ?? '/usr/bin/python3';

/**
 * Writes everything the twin needs into `dir`: weights.safetensors (our parameter names and [in, out]
 * layouts), batch.safetensors (x, targets, our eval logits), job.json (config, decay/trainable names,
 * our eval loss, timing options).
 */
export async function exportForTorch(dir, { modelConfig, model, batch, numClasses, smoothing, evalOut, job }) {
  fs.mkdirSync(dir, { recursive: true });
  const tensors = new Map();
  const decay = [];
  const trainable = [];
  for (const [name, v] of model.namedParameters()) {
    tensors.set(name, { shape: [...v.shape], data: await v.data() }); // async: WebGPU in Node cannot read synchronously
    if (v.trainable) trainable.push(name);
    if (v.trainable && noDecayDefault(name, v.shape)) decay.push(name);
  }
  writeFileAtomic(path.join(dir, 'weights.safetensors'), serializeSafetensors(tensors));
  const b = new Map([
    ['x', { shape: batch.shape, data: batch.x }],
    ['targets', { shape: [batch.shape[0], numClasses], data: smoothedTargetsArray(batch.y, numClasses, smoothing) }],
    ['logits', { shape: [batch.shape[0], numClasses], data: evalOut.logits }],
  ]);
  writeFileAtomic(path.join(dir, 'batch.safetensors'), serializeSafetensors(b));
  writeFileAtomic(
    path.join(dir, 'job.json'),
    `${JSON.stringify({ config: modelConfig, decay, trainable, evalLoss: evalOut.loss, ...job }, null, 2)}\n`,
  );
}

/**
 * glibc malloc settings for the twin (unless the environment sets them): keep freed memory in the heap
 * instead of returning it to the OS. PyTorch's CPU allocator frees every activation; with glibc's
 * defaults each large one is mmap'd and unmapped again, and every reuse page-faults. On the 2-core VM of
 * docs/performance.md (with memory reclaim) that made PyTorch's reference train step 2.5-3.5x slower
 * and erratic (400-560 ms; 159-165 ms with these settings, as the 151 ms). Our side keeps its
 * memory anyway (the wasm heap never shrinks), so this makes the comparison fair, not kinder to us.
 */
export const TWIN_MALLOC_ENV = {
  MALLOC_MMAP_THRESHOLD_: String(32 << 20),
  MALLOC_TRIM_THRESHOLD_: String(2 ** 32),
  MALLOC_TOP_PAD_: String(256 << 20),
};

/** Runs the twin on a prepared folder; returns its parsed JSON (throws with its stderr on failure). */
export function runTorchTwin(dir, { env = process.env, timeoutMs = 3_600_000 } = {}) {
  const twinEnv = { ...TWIN_MALLOC_ENV, ...env };
  const res = spawnSync(TORCH_PYTHON, [TWIN, dir], { env: twinEnv, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (res.error) throw new Error(`PyTorch twin: could not run ${TORCH_PYTHON} (${res.error.message}); install python3-torch`);
  if (res.status !== 0)
    throw new Error(`PyTorch twin failed (exit ${res.status}):\n${res.stderr.trim().split('\n').slice(-15).join('\n')}`);
  const line = res.stdout.trim().split('\n').at(-1);
  return JSON.parse(line);
}

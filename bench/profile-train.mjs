// Kernel counts and times of one training step of the fashion-mnist task model (NAC or Perceiver IO) on wasm,
// top kernels by time and by shape. Usage: npm run build && node bench/profile-train.mjs [nac|perceiver-io] [batch]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/index.js';
import { buildModel } from '../dist/model/factory.js';
import { defaultRun } from '../dist/train/tasks.js';
import { AdamW } from '../dist/train/adamw.js';
import { trainableNamedParameters } from '../dist/train/param-filter.js';
import { trainStep } from '../dist/train/train-step.js';
await initBackend({ backend: 'wasm', quiet: true });
const kind = process.argv[2] ?? 'nac';
const B = Number(process.argv[3] ?? 64);
const run = defaultRun('fashion-mnist', kind);
run.train.batchSize = B;
const model = buildModel(run.model, { seed: 1 });
const opt = new AdamW(trainableNamedParameters(model), { lr: 1e-3 });
const batch = {
  x: Float32Array.from({ length: B * 784 }, () => Math.random()),
  shape: [B, 28, 28, 1],
  y: Int32Array.from({ length: B }, (_, i) => i % 10),
};
const step = (s) => trainStep(model, opt, batch, 10, run.train, s, 1e-3);
for (let i = 0; i < 3; i++) step(i);
let t = performance.now();
for (let i = 0; i < 5; i++) step(i);
console.log(`${kind} B ${B}: ${((performance.now() - t) / 5).toFixed(1)} ms/step`);
const p = await tf.profile(() => step(9));
const cnt = {},
  tm = {};
for (const k of p.kernels) {
  cnt[k.name] = (cnt[k.name] ?? 0) + 1;
  tm[k.name] = (tm[k.name] ?? 0) + (await k.kernelTimeMs);
}
console.log(
  'kernels',
  p.kernels.length,
  'kernel ms',
  Object.values(tm)
    .reduce((a, b) => a + b, 0)
    .toFixed(1),
);
console.log(
  Object.entries(cnt)
    .sort((a, b) => tm[b[0]] - tm[a[0]])
    .slice(0, 20)
    .map(([k, v]) => `${k}:${v}:${tm[k].toFixed(1)}ms`)
    .join(' '),
);
const bys = {};
for (const k of p.kernels) {
  if (!['Sub', 'Add', 'BatchMatMul', 'Sum', 'Multiply'].includes(k.name)) continue;
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  bys[key] = bys[key] ?? [0, 0];
  bys[key][0]++;
  bys[key][1] += await k.kernelTimeMs;
}
console.log(
  Object.entries(bys)
    .sort((a, b) => b[1][1] - a[1][1])
    .slice(0, 25)
    .map(([k, v]) => `${v[1].toFixed(1)}ms x${v[0]} ${k}`)
    .join('\n'),
);

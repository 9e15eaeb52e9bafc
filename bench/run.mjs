#!/usr/bin/env node
/**
 * Benchmark suite: train-step and forward timings of the NAC and the Perceiver IO on one backend, with
 * analytical FLOPs, achieved GFLOP/s and memory, optionally against the PyTorch twin (bench/torch/).
 * Needs `npm run build` (imports dist/). See bench/README.md.
 *
 *   node bench/run.mjs [--config small|reference|paper-tiny] [--backend wasm|cpu|webgpu]
 *     [--what train|infer|both] [--vs-torch] [--repeats N] [--warmup N] [--batch N] [--models nac,pio]
 *     [--out dir] [--seed N] [--threads N] [--torch-threads N] [--torch-device cpu|cuda] [--openblas-coretype keep|unset|NAME]
 *
 * Prints a table and writes <out>/bench.json and <out>/bench.md. With --vs-torch the last line is
 * `train step: <ratio>x PyTorch` (our NAC train-step time over PyTorch's).
 */
import './errors.mjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend } from '../dist/engine/index.js';
import { loadNativeBlas } from '../dist/engine/native-blas.js';
import { writeFileAtomic } from '../dist/io/atomic.js';
import { modelNumClasses } from '../dist/model/factory.js';
import { benchConfig, BENCH_CONFIG_NAMES } from './configs.mjs';
import { modelForwardFlops } from '../dist/model/flops.js';
import { cpuInfo } from './cpu-info.mjs';
import { applyTfFlags, buildBenchModel, collectFlag, evalOutputs, measureModel, memorySnapshot, syntheticBatch } from './measure.mjs';
import { exportForTorch, runTorchTwin } from './torch-bridge.mjs';
import { addOnNote, renderMarkdown } from './report.mjs';
import { integer } from './options.mjs';

const program = new Command('bench')
  .addOption(new Option('--config <name>', 'benchmark configuration').choices(BENCH_CONFIG_NAMES).default('reference'))
  .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'webgpu']).default('wasm'))
  .addOption(new Option('--what <phase>', 'what to time').choices(['train', 'infer', 'both']).default('both'))
  .option('--vs-torch', 'also run the PyTorch twin (bench/torch/) and print our time over its time', false)
  .option('--repeats <n>', 'timed runs (median)', integer(1), 10)
  .option('--warmup <n>', 'untimed runs first', integer(0), 2)
  .option('--batch <n>', "batch size (default: the configuration's)", integer(1))
  .option('--models <list>', 'comma-separated: nac, pio', 'nac,pio')
  .option('--out <dir>', 'output folder (default bench/results/<config>-<backend>)')
  .option('--seed <n>', 'seed of weights, batch and noise', integer(0), 0)
  .option('--threads <n>', "threads of this package's SIMD kernels on plain wasm (initBackend's threads)", integer(1), 1)
  .option('--torch-threads <n>', 'PyTorch threads (default: our OpenBLAS thread count with the add-on, else --threads)', integer(1))
  .addOption(new Option('--torch-device <d>', 'device of the PyTorch twin').choices(['cpu', 'cuda']).default('cpu'))
  .option(
    '--openblas-coretype <name>',
    "OPENBLAS_CORETYPE for both sides: 'keep' (the environment's), 'unset', or a core name (e.g. SkylakeX)",
    'keep',
  )
  .option('--tf-flag <name=value>', 'set a tfjs environment flag (repeatable), e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64', collectFlag, [])
  .parse(process.argv);
const opts = program.opts();

const models = opts.models.split(',').map((s) => s.trim());
for (const m of models) if (!['nac', 'pio'].includes(m)) throw new Error(`--models: unknown model '${m}'; allowed: nac, pio`);
// OpenBLAS reads OPENBLAS_CORETYPE when it loads (the native add-on loads in initBackend), so set it first.
if (opts.openblasCoretype === 'unset') delete process.env.OPENBLAS_CORETYPE;
else if (opts.openblasCoretype !== 'keep') process.env.OPENBLAS_CORETYPE = opts.openblasCoretype;

const cfg = benchConfig(opts.config);
const B = opts.batch ?? cfg.batch;
const outDir = opts.out ?? path.join('bench', 'results', `${cfg.name}-${opts.backend}`);
const report = await initBackend({ backend: opts.backend, threads: opts.threads, quiet: true });
applyTfFlags(opts.tfFlag);
const nativeStatus = opts.backend === 'wasm' ? await loadNativeBlas() : null;
const native = nativeStatus?.blas ?? null;
const ourThreads = native?.info().threads ?? opts.threads;
const torchThreads = opts.torchThreads ?? ourThreads;
const cpu = cpuInfo();
const machine = {
  cpu: cpu.model,
  cpuDetail: cpu.summary,
  simd: cpu.simd,
  cores: os.cpus().length,
  node: process.version,
  backend: describeBackend(report),
  nativeBlas: nativeStatus?.detail ?? null,
  wasmMatMul: report.matMul?.detail ?? null,
  wasmMatMulImpl: report.matMul?.impl ?? null,
  openblasCoretype: process.env.OPENBLAS_CORETYPE ?? '(unset)',
  loadAvg: os.loadavg(),
  tfFlags: Object.fromEntries(opts.tfFlag),
};
console.log(`bench --config ${cfg.name} --backend ${opts.backend}: batch ${B}, warm-up ${opts.warmup}, median of ${opts.repeats}`);
console.log(
  `${machine.cpuDetail}, ${machine.cores} cores, Node ${machine.node}; ${machine.backend}${addOnNote(machine, '; ')}; OPENBLAS_CORETYPE ${machine.openblasCoretype}`,
);

/** Training-step FLOPs: forward + backward ≈ 3× forward. */
const TRAIN_FLOPS_FACTOR = 3;
const results = [];
for (const kind of models) {
  const modelConfig = kind === 'nac' ? cfg.nac : cfg.pio;
  const numClasses = modelNumClasses(modelConfig);
  const batch = syntheticBatch(cfg.inputShape, B, numClasses, opts.seed + 1);
  const t0 = performance.now();
  const built = buildBenchModel(modelConfig, opts.seed);
  const buildMs = performance.now() - t0;
  const params = [...built.model.namedParameters().values()].reduce((s, v) => s + v.size, 0);
  const jobDir = path.join(outDir, 'torch-job', kind);
  if (opts.vsTorch) {
    const evalOut = await evalOutputs(built.model, batch, numClasses, 0.1);
    await exportForTorch(jobDir, {
      modelConfig,
      model: built.model,
      batch,
      numClasses,
      smoothing: 0.1,
      evalOut,
      job: { warmup: opts.warmup, repeats: opts.repeats, what: opts.what, threads: torchThreads, device: opts.torchDevice },
    });
  }
  const measured = await measureModel(built, modelConfig, batch, opts);
  built.model.dispose?.();
  const fwd = modelForwardFlops(modelConfig, B);
  const row = {
    model: kind === 'nac' ? 'NAC' : 'Perceiver IO',
    kind,
    params,
    buildMs,
    flops: { forward: fwd, train: TRAIN_FLOPS_FACTOR * fwd.total },
    ours: measured,
  };
  if (opts.vsTorch) {
    const env = { ...process.env };
    row.torch = runTorchTwin(jobDir, { env });
    fs.rmSync(jobDir, { recursive: true, force: true });
  }
  results.push(row);
  for (const phase of ['infer', 'train']) {
    const m = measured[phase];
    if (!m) continue;
    const fl = phase === 'train' ? row.flops.train : fwd.total;
    const t = row.torch?.[phase];
    console.log(
      `${row.model.padEnd(12)} ${phase.padEnd(5)} ${m.ms.toFixed(1).padStart(9)} ms  ${(m.samplesPerSec < 10 ? m.samplesPerSec.toFixed(2) : m.samplesPerSec.toFixed(0)).padStart(6)} samples/s  ` +
        `${(fl / 1e9).toFixed(2)} GFLOP  ${(fl / m.ms / 1e6).toFixed(1)} GFLOP/s  peak RSS ${m.memory.peakRssMB.toFixed(0)} MB  ` +
        `tensors ${m.memory.tfNumTensors}` +
        (t
          ? `  | PyTorch ${t.ms.toFixed(1)} ms (${(fl / t.ms / 1e6).toFixed(1)} GFLOP/s) → ours/PyTorch ${(m.ms / t.ms).toFixed(2)}x`
          : ''),
    );
  }
  if (row.torch) {
    const p = row.torch.parity;
    console.log(
      `${row.model.padEnd(12)} parity: eval loss ours ${p.lossOurs.toFixed(6)} PyTorch ${p.lossTorch.toFixed(6)} (|Δ| ${p.lossAbsDiff.toExponential(1)}), ` +
        `logits max rel. diff ${p.logitsMaxRelDiff.toExponential(1)} ${p.ok ? 'OK' : 'MISMATCH'}`,
    );
  }
}

const doc = {
  date: new Date().toISOString(),
  config: cfg.name,
  batch: B,
  options: opts,
  machine,
  torchThreads,
  results,
  final: memorySnapshot(),
};
if (opts.vsTorch) doc.torchEnv = results.find((r) => r.torch)?.torch.env;
fs.mkdirSync(outDir, { recursive: true });
writeFileAtomic(path.join(outDir, 'bench.json'), `${JSON.stringify(doc, null, 2)}\n`);
writeFileAtomic(path.join(outDir, 'bench.md'), renderMarkdown(doc));
console.log(`wrote ${path.join(outDir, 'bench.json')} and bench.md`);
if (opts.vsTorch) {
  const pairs = [];
  for (const r of results)
    for (const ph of ['train', 'infer'])
      if (r.ours[ph] && r.torch?.[ph])
        pairs.push(`${r.model} ${ph === 'train' ? 'train' : 'forward'} ${(r.ours[ph].ms / r.torch[ph].ms).toFixed(2)}x`);
  console.log(`ours / PyTorch: ${pairs.join(', ')}`);
  if (opts.backend !== 'webgpu' && opts.torchDevice === 'cpu' && machine.simd !== 'AVX-512' && machine.simd !== '')
    console.log(
      `note: no AVX-512 on this CPU (${machine.simd}): PyTorch's OpenBLAS runs narrower kernels than on issue 4's reference machine`,
    );
  if (results.some((r) => r.torch && !r.torch.parity.ok)) process.exitCode = 1;
  const nac = results.find((r) => r.kind === 'nac');
  if (nac?.ours.train && nac.torch?.train) console.log(`train step: ${(nac.ours.train.ms / nac.torch.train.ms).toFixed(2)}x PyTorch`);
}
tf.disposeVariables();

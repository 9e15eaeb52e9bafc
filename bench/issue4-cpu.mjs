#!/usr/bin/env node
/**
 * Issue 4's CPU acceptance run in one command: on the `reference` configuration, one thread each side,
 * `OPENBLAS_CORETYPE` unset on both sides, five runs of the NAC on plain wasm (`NAC_NATIVE=0`, the SIMD
 * module) and then three with the native OpenBLAS add-on, each `bench/run.mjs --vs-torch` with the GEMM
 * canary (`bench/canary.mjs`) read before and after. Writes every run's console output and bench.json/.md
 * under --out, and a summary.md with the ratios per run and their medians against the targets. With
 * --plain-threads2 N, then N plain-wasm runs on two threads each side (our SIMD kernels' `--threads 2`,
 * PyTorch's two threads), measured against the plain-wasm targets too.
 *
 * The targets are set on a 2-core machine with AVX-512 (PyTorch's OpenBLAS runs AVX-512 kernels there);
 * on a CPU without it this refuses to run unless --force, as its ratios flatter us (docs/performance.md).
 *
 *   npm run build && node bench/issue4-cpu.mjs --out docs/results/cpu-reference/<name> [--plain 5] [--native 3] [--plain-threads2 0] [--force]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { cpuInfo } from './cpu-info.mjs';
import { median } from './measure.mjs';
import { integer } from './options.mjs';

const opts = new Command('issue4-cpu')
  .requiredOption('--out <dir>', 'folder for the raw outputs and summary.md')
  .option('--plain <n>', 'plain-wasm runs (5 repeats each)', integer(0), 5)
  .option('--native <n>', 'native add-on runs (7 repeats each)', integer(0), 3)
  .option('--plain-threads2 <n>', 'plain-wasm runs on two threads each side (--threads 2; 5 repeats each)', integer(0), 0)
  .option('--force', 'run on a CPU without AVX-512 too', false)
  .parse(process.argv)
  .opts();

/** The targets of issue 4 (our time over PyTorch's). */
const TARGETS = {
  plain: { train: 3, infer: 2 },
  native: { train: 1.5, infer: 1 },
};
const cpu = cpuInfo();
console.log(`issue-4 CPU run on ${cpu.summary}`);
if (cpu.simd !== 'AVX-512' && !opts.force) {
  console.error(`no AVX-512 on this CPU (${cpu.simd}): the targets are set on an AVX-512 machine; --force runs anyway`);
  process.exit(2);
}
fs.mkdirSync(opts.out, { recursive: true });
const here = path.dirname(new URL(import.meta.url).pathname);
const env = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
delete env.OPENBLAS_CORETYPE;

function canary() {
  const r = spawnSync(process.execPath, [path.join(here, 'canary.mjs')], { env, encoding: 'utf8' });
  return r.stdout.match(/([\d.]+) GFLOP\/s/)?.[1] ?? '?';
}

/** One bench/run.mjs --vs-torch run; returns {train, infer} ratios of the NAC, or null when it failed. */
function benchRun(kind, i) {
  const dir = path.join(opts.out, `${kind}${i}`);
  const threads = kind === 'plain-threads2' ? '2' : '1';
  const args = [
    '--config',
    'reference',
    '--vs-torch',
    '--threads',
    threads,
    '--torch-threads',
    threads,
    '--openblas-coretype',
    'unset',
    '--out',
    dir,
  ];
  const runEnv = kind === 'native' ? env : { ...env, NAC_NATIVE: '0', OPENBLAS_NUM_THREADS: threads };
  const extra = kind === 'native' ? ['--repeats', '7'] : ['--models', 'nac', '--repeats', '5'];
  const before = canary();
  const started = new Date().toISOString();
  const r = spawnSync(process.execPath, [path.join(here, 'run.mjs'), ...args, ...extra], { env: runEnv, encoding: 'utf8' });
  const after = canary();
  const log = `# ${started}; ${kind} run ${i}; canary before ${before}, after ${after} GFLOP/s\n${r.stdout}${r.stderr}`;
  fs.writeFileSync(path.join(opts.out, `${kind}-run${i}.txt`), log);
  const line = r.stdout.split('\n').find((l) => l.startsWith('ours / PyTorch:')) ?? '(no ratios: see the log)';
  console.log(`${kind} ${i}: canary ${before} → ${after}; ${line}`);
  if (r.status !== 0) return null;
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'bench.json'), 'utf8'));
  const nac = doc.results.find((x) => x.kind === 'nac');
  const ratio = (ph) => nac.ours[ph].ms / nac.torch[ph].ms;
  return { train: ratio('train'), infer: ratio('infer'), canary: [before, after] };
}

const rows = [];
for (const [kind, n] of [
  ['plain', opts.plain],
  ['native', opts.native],
  ['plain-threads2', opts.plainThreads2],
]) {
  const runs = [];
  for (let i = 1; i <= n; i++) {
    const r = benchRun(kind, i);
    if (r != null) runs.push(r);
  }
  if (runs.length === 0) continue;
  const cell = (ph) => {
    const xs = runs.map((r) => r[ph]);
    const target = TARGETS[kind === 'native' ? 'native' : 'plain'][ph];
    const met = xs.filter((x) => x <= target).length;
    return `**${median(xs).toFixed(2)}x** median of ${xs.length} (${xs.map((x) => x.toFixed(2)).join(', ')}); ≤ ${target}x in ${met}`;
  };
  const canaries = runs.map((r) => r.canary.join('→')).join(', ');
  const label = { plain: 'plain wasm', native: 'native add-on', 'plain-threads2': 'plain wasm, 2 threads each side' }[kind];
  rows.push(`| ${label} | ${cell('train')} | ${cell('infer')} | ${canaries} |`);
}
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout?.trim() || '(not a git checkout)';
const summary = [
  `# Issue 4 CPU run, ${new Date().toISOString()}, commit ${commit}`,
  '',
  `\`node bench/issue4-cpu.mjs ${process.argv.slice(2).join(' ')}\` on ${cpu.summary}; NAC, reference config, one thread each side`,
  'unless the row says two, OPENBLAS_CORETYPE unset on both sides. Ratio = our time over PyTorch’s.',
  cpu.simd === 'AVX-512'
    ? ''
    : `\n**No AVX-512 on this CPU (${cpu.simd}): not the machine the targets are set on; these ratios flatter us.**`,
  '',
  '| engine | train step | forward | canary before→after (GFLOP/s) |',
  '|---|---|---|---|',
  ...rows,
  '',
].join('\n');
fs.writeFileSync(path.join(opts.out, 'summary.md'), summary);
console.log(`\n${summary}`);

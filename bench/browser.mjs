#!/usr/bin/env node
/**
 * The package's speed in a browser: the NAC of a benchmark configuration on the wasm backend in headless
 * Chromium (Debian's chromium-headless-shell, or NAC_CHROMIUM) against the same measurement in Node on
 * plain wasm (this package's SIMD kernels, native add-on off), one thread each; with --threads2 also the
 * page with `threads: 2` (tfjs' threaded build, cross-origin isolated). Medians of eval forward calls and
 * the time per fine-tuning step (./browser/measure.mjs). Prints a markdown table and, with --out, writes
 * it with the raw JSON.
 *
 *   npm run build && node bench/browser.mjs [--config reference|small] [--rounds 9] [--train-steps 4] [--threads2] [--out DIR]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { BENCH_CONFIGS } from './configs.mjs';
import { cpuInfo } from './cpu-info.mjs';
import { bundleForBrowser, findChromium, runInChromium, servePage } from './browser/harness.mjs';
import { measureWasm } from './browser/measure.mjs';
import { integer } from './options.mjs';

const opts = new Command('browser')
  .addOption(new Option('--config <name>', 'benchmark configuration').choices(['reference', 'small']).default('reference'))
  .option('--rounds <n>', 'timed forward calls per run', integer(1), 9)
  .option('--train-steps <n>', 'fine-tuning steps timed per run (≥ 2)', integer(2), 4)
  .option('--threads2', "also time the page with threads: 2 (tfjs' threaded build)", false)
  .option('--out <dir>', 'write browser.md and browser.json here')
  .parse(process.argv)
  .opts();

const here = path.dirname(fileURLToPath(import.meta.url));
const chromium = findChromium();
if (chromium == null) {
  console.error('bench/browser.mjs: no Chromium found (apt-get install chromium-headless-shell, or set NAC_CHROMIUM)');
  process.exit(2);
}
const run = BENCH_CONFIGS[opts.config]();
const c = {
  config: run.nac,
  batch: run.batch,
  inputShape: run.inputShape,
  numClasses: run.numClasses,
  rounds: opts.rounds,
  trainSteps: opts.trainSteps,
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-bench-browser-'));
await bundleForBrowser(path.join(here, 'browser/page.mjs'), path.join(dir, 'page.js'));
const wasmDir = path.join(here, '../node_modules/@tensorflow/tfjs-backend-wasm/dist');

async function inChromium(threads) {
  const routes = new Map([
    ['/', { body: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>' }],
    ['/page.js', { file: path.join(dir, 'page.js') }],
    ['/case.json', { body: JSON.stringify({ ...c, threads }) }],
  ]);
  for (const f of fs.readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) routes.set(`/wasm/${f}`, { file: path.join(wasmDir, f) });
  const server = await servePage(routes);
  try {
    const r = await runInChromium(chromium, server.url, server.result, 600_000);
    if (!r.ok) throw new Error(`the page failed: ${r.error}`);
    return { ...r.result, where: `Chromium (${/Chrome\/[\d.]+/.exec(r.userAgent)?.[0] ?? r.userAgent}), threads ${threads}` };
  } finally {
    server.close();
  }
}

const rows = [];
rows.push({ ...(await measureWasm(c, { native: false })), where: `Node ${process.version}, threads 1` });
rows.push(await inChromium(1));
if (opts.threads2) rows.push(await inChromium(2));
fs.rmSync(dir, { recursive: true, force: true });

const node = rows[0];
const lines = [
  `bench/browser.mjs --config ${opts.config}: NAC, batch ${c.batch}, wasm; ${cpuInfo().summary}`,
  '',
  '| where | forward ms (median) | × Node | train step ms | × Node | backend | matmul |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.where} | ${r.forwardMs.toFixed(1)} | ${(r.forwardMs / node.forwardMs).toFixed(2)} | ${r.trainStepMs.toFixed(1)} | ${(r.trainStepMs / node.trainStepMs).toFixed(2)} | ${r.backend} | ${r.matMul} |`,
  ),
];
console.log(lines.join('\n'));
if (opts.out) {
  fs.mkdirSync(opts.out, { recursive: true });
  fs.writeFileSync(path.join(opts.out, 'browser.md'), `${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(opts.out, 'browser.json'), `${JSON.stringify({ options: opts, rows }, null, 2)}\n`);
}

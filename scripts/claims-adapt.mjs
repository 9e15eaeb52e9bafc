#!/usr/bin/env node
// Low-shot adaptation experiment (issue 5 §1): NAC and Perceiver IO pretrained on Fashion-MNIST
// (runs/claims/fashion-mnist-<model>-s<seed>/model) adapted to 8-way k-shot MNIST episodes with every
// policy (linear-probe, codes, full), k ∈ {1, 5, 10, 25}, 10 episodes per seed. Writes
// docs/results/adaptation.md, docs/results/adaptation.svg and docs/results/data/adaptation.json.
// Needs `npm run build`. Usage:
//   OPENBLAS_NUM_THREADS=1 node scripts/claims-adapt.mjs [--seeds 0,1,2] [--shots 1,5,10,25] [--episodes 10]
//     [--eval-per-class 50] [--models nac,perceiver-io] [--policies linear-probe,codes,full] [--scratch]
//   add --reuse to keep the (model, seed) results of the last run with the same settings
//   node scripts/claims-adapt.mjs --render   # rewrite the page and plot from the saved JSON (e.g. after
//                                            # docs/results/adaptation.notes.md changed), running nothing
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../dist/engine/backend.js';
import {
  AdaptationSource,
  checkSourceFitsData,
  loadEpisodeData,
  resolveHyper,
  runEpisodes,
  DEFAULT_BACKBONE_MODE,
} from '../dist/adapt/index.js';
import { meanCI, formatMeanCI } from '../dist/util/stats.js';
import { lineChartSVG } from '../dist/train/plot.js';
import { machineLine } from '../dist/cli/common.js';
import { writeFileAtomic } from '../dist/io/atomic.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
function flag(name, fallback) {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}
const list = (s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const ints = (name, s) =>
  list(s).map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: '${x}' is not an integer ≥ 0`);
    return n;
  });
const seeds = ints('seeds', flag('seeds', '0,1,2'));
const shots = ints('shots', flag('shots', '1,5,10,25'));
const episodes = ints('episodes', flag('episodes', '10'))[0];
const evalPerClass = ints('eval-per-class', flag('eval-per-class', '50'))[0];
const models = list(flag('models', 'nac,perceiver-io'));
const policies = list(flag('policies', 'linear-probe,codes,full'));
const scratch = argv.includes('--scratch');
const ways = 8;
const DISPLAY = { nac: 'NAC', 'perceiver-io': 'Perceiver IO' };
for (const m of models) if (!DISPLAY[m]) throw new Error(`--models: '${m}' is not one of nac, perceiver-io`);

const jsonFile = path.join(root, 'docs/results/data/adaptation.json');
if (argv.includes('--render')) {
  if (!fs.existsSync(jsonFile)) throw new Error(`--render needs ${jsonFile}; run the experiment first`);
  render(JSON.parse(fs.readFileSync(jsonFile, 'utf8')));
} else {
  render(await runExperiment());
}

/** Runs every (model, seed, condition, k) cell; saves the JSON after each model and seed; returns it. */
async function runExperiment() {
  const modelDir = (m, s) => path.join(root, 'runs/claims', `fashion-mnist-${m}-s${s}`, 'model');
  const missing = models.flatMap((m) => seeds.map((s) => modelDir(m, s))).filter((d) => !fs.existsSync(path.join(d, 'config.json')));
  if (missing.length)
    throw new Error(`missing pretrained model folders (train them first, scripts/claims-train.sh):\n  ${missing.join('\n  ')}`);

  await initBackend({ quiet: true });
  const t0 = performance.now();
  const data = loadEpisodeData('mnist', evalPerClass);
  const command = `OPENBLAS_NUM_THREADS=1 node scripts/claims-adapt.mjs ${argv.join(' ')}`.trim();
  const machine = machineLine();
  const date = new Date().toISOString().slice(0, 10);

  /** One row of results: a (model, policy, seed, k) cell with its episodes. */
  const runs = [];
  const conditions = [...policies.map((p) => ({ policy: p, scratch: false })), ...(scratch ? [{ policy: 'full', scratch: true }] : [])];

  function save(done) {
    const json = {
      command,
      machine,
      date,
      done,
      wallSeconds: (performance.now() - t0) / 1000,
      cpuSeconds: cpuSeconds(),
      settings: settings(),
      runs,
    };
    fs.mkdirSync(path.join(root, 'docs/results/data'), { recursive: true });
    writeFileAtomic(path.join(root, 'docs/results/data/adaptation.json'), `${JSON.stringify(json, null, 1)}\n`);
  }
  /** CPU time of this process: close to the wall time on an idle core (one wasm thread, OPENBLAS_NUM_THREADS=1). */
  function cpuSeconds() {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  function settings() {
    return {
      pretrained: 'fashion-mnist (runs/claims/fashion-mnist-<model>-s<seed>/model)',
      data: 'mnist',
      ways,
      shots,
      episodes,
      evalPerClass,
      seeds,
      mode: DEFAULT_BACKBONE_MODE,
      warmStart: true,
      hyper: Object.fromEntries(policies.map((p) => [p, resolveHyper(p)])),
    };
  }

  // --reuse: keep the (model, seed) cells of an earlier run with the same settings (seeds aside).
  const reused = new Set();
  if (argv.includes('--reuse') && fs.existsSync(jsonFile)) {
    const old = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    const same = (a, b) => JSON.stringify({ ...a, seeds: null }) === JSON.stringify({ ...b, seeds: null });
    if (same(old.settings, settings())) {
      for (const r of old.runs) {
        if (
          models.includes(r.model) &&
          seeds.includes(r.seed) &&
          conditions.some((c) => c.policy === r.policy && c.scratch === r.scratch)
        ) {
          runs.push(r);
          reused.add(`${r.model}/${r.seed}`);
        }
      }
      process.stderr.write(`--reuse: kept ${runs.length} cells of ${jsonFile} (${[...reused].join(', ')})\n`);
    } else process.stderr.write(`--reuse: ${jsonFile} has other settings; nothing reused\n`);
  }

  for (const m of models) {
    for (const seed of seeds) {
      if (reused.has(`${m}/${seed}`)) continue;
      const pretrained = AdaptationSource.fromDir(modelDir(m, seed));
      checkSourceFitsData(pretrained, data);
      for (const c of conditions) {
        const source = c.scratch ? AdaptationSource.fromScratch(pretrained.config, seed) : pretrained;
        for (const k of shots) {
          const r = await runEpisodes(source, data, { policy: c.policy, seed, ways, shots: k, episodes });
          const label = `${c.scratch ? 'scratch' : 'pretrained'} ${m} s${seed} ${c.policy} k=${k}`;
          process.stderr.write(`${label}: ${formatMeanCI(meanCI(r.accuracies), 1, 100)} % (${r.seconds.toFixed(1)} s)\n`);
          runs.push({ model: m, scratch: c.scratch, policy: c.policy, seed, shots: k, accuracies: r.accuracies, seconds: r.seconds });
        }
        if (c.scratch) source.dispose();
      }
      pretrained.dispose();
      save(false);
    }
  }
  save(true);
  return JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
}

/** The table, plot and page of a results JSON: per (model, condition, k) the mean ± 95 % CI over seeds of the per-seed episode means. */
function render(json) {
  const { command, machine, date, wallSeconds, cpuSeconds: cpu, runs } = json;
  const { seeds, shots, episodes, evalPerClass, ways, mode, hyper: h } = json.settings;
  const policies = Object.keys(h);
  const scratch = runs.some((r) => r.scratch);
  const rowKey = (r) => `${r.model}|${r.scratch ? 'scratch' : r.policy}`;
  const rowName = (r) => `${DISPLAY[r.model]}, ${r.scratch ? 'from scratch (full)' : r.policy}`;
  const rowKeys = [...new Set(runs.map(rowKey))];
  const cell = (key, k) => {
    const rs = runs.filter((r) => rowKey(r) === key && r.shots === k);
    if (seeds.length > 1) return meanCI(rs.map((r) => meanCI(r.accuracies).mean));
    return meanCI(rs[0].accuracies); // one seed: the CI is over its episodes
  };
  const table = [
    `| model, policy | ${shots.map((k) => `k = ${k}`).join(' | ')} | time (s) |`,
    `|---|${shots.map(() => '---:').join('|')}|---:|`,
    ...rowKeys.map((key) => {
      const any = runs.find((r) => rowKey(r) === key);
      const secs = runs.filter((r) => rowKey(r) === key).reduce((a, r) => a + r.seconds, 0);
      return `| ${rowName(any)} | ${shots.map((k) => formatMeanCI(cell(key, k), 1, 100)).join(' | ')} | ${secs.toFixed(0)} |`;
    }),
  ];
  // NAC − Perceiver IO, paired by seed: for one seed both models see the very same episodes.
  const perSeed = (model, policy, k, seed) => {
    const r = runs.find((x) => x.model === model && !x.scratch && x.policy === policy && x.shots === k && x.seed === seed);
    return r ? meanCI(r.accuracies).mean : undefined;
  };
  const diffTable = [
    `| policy | ${shots.map((k) => `k = ${k}`).join(' | ')} |`,
    `|---|${shots.map(() => '---:').join('|')}|`,
    ...policies.map((p) => {
      const cells = shots.map((k) => {
        const d = seeds
          .map((s) => [perSeed('nac', p, k, s), perSeed('perceiver-io', p, k, s)])
          .filter(([a, b]) => a !== undefined && b !== undefined);
        return d.length ? formatMeanCI(meanCI(d.map(([a, b]) => a - b)), 1, 100) : 'n/a';
      });
      return `| ${p} | ${cells.join(' | ')} |`;
    }),
  ];
  const svg = lineChartSVG({
    title: `8-way k-shot MNIST from Fashion-MNIST models (${seeds.length} seed${seeds.length > 1 ? 's' : ''})`,
    xLabel: 'k (training images per class)',
    yLabel: 'top-1 accuracy (%)',
    width: 720,
    height: 440,
    series: rowKeys.map((key) => ({
      name: rowName(runs.find((r) => rowKey(r) === key)),
      points: shots.map((k) => [k, 100 * cell(key, k).mean]),
    })),
  });
  writeFileAtomic(path.join(root, 'docs/results/adaptation.svg'), svg);

  const notesFile = path.join(root, 'docs/results/adaptation.notes.md');
  const reading = fs.existsSync(notesFile) ? fs.readFileSync(notesFile, 'utf8').trim() : '(analysis to come)';
  const hyperLine = policies.map((p) => `${p}: ${h[p].steps} steps, lr ${h[p].lr}, classifier lr ${h[p].headLr}`).join('; ');
  const page = `# Low-shot adaptation: Fashion-MNIST → MNIST

Models pretrained on Fashion-MNIST (the claims runs, \`runs/claims/fashion-mnist-<model>-s<seed>/model\`) are
adapted to **${ways}-way k-shot MNIST** episodes. Each episode draws ${ways} of the 10 digit classes and k training
images per class from the MNIST train split (seeded per episode; for one seed and episode the 1-shot set is
inside the 5-shot set, and so on), re-initialises the classifier for the ${ways} new classes (seeded) and adapts
with AdamW for a fixed number of steps on batches of min(64, n·k). Accuracy is measured on a fixed seeded
evaluation pool of **${evalPerClass} MNIST test images per class** (${ways * evalPerClass} per episode), chosen (with the
step counts) to keep the whole 3-seed experiment near 25 minutes of one core. Chance is ${(100 / ways).toFixed(1)} %.

Policies (\`src/adapt/policy.ts\`):
- **linear-probe**: only the new classifier trains, on features cached once per model (NAC: the pooled
  output states; Perceiver IO: the decoder output before its logits head);
- **codes**: the classifier plus every module group's codes and signatures
  (\`circuit.latents.*.{codes,signatures}\`); for the Perceiver IO, which has no codes, the classifier plus its
  learned latent array and classification query;
- **full**: every parameter.
codes and full first fit the classifier with the linear probe (warm start), then train their parameters.
The backbone runs in **${mode} mode** while adapting (no NAC training noise; \`nac adapt --mode train\`
turns it on; on two episodes it changed nothing beyond noise, NAC k = 25: codes 58.5 vs 57.9 %, full 67.9 vs
68.6 % in train vs eval mode, and eval mode costs less). Hyperparameters: ${hyperLine}; AdamW weight decay 0.05, gradient clip 1.
${scratch ? 'The "from scratch" rows adapt a randomly initialised model of the same architecture with the full policy.\n' : ''}
Cells: top-1 accuracy (%) as ${seeds.length > 1 ? `mean ± 95 % CI over ${seeds.length} seeds of each seed's mean over ${episodes} episodes` : `mean ± 95 % CI over the ${episodes} episodes of seed ${seeds[0]} (one seed: no CI over seeds yet)`};
time is the wall time of the row (all k, all seeds).

\`\`\`sh
npm run build
${command}
\`\`\`

Machine: ${machine}. Measured ${date}; wall time ${(wallSeconds / 60).toFixed(1)} min${
    cpu === undefined ? '' : `, CPU time ${(cpu / 60).toFixed(1)} min (more wall than CPU time means other jobs shared the core)`
  }.

${table.join('\n')}

NAC − Perceiver IO (points), paired by seed (both models see the same episodes), mean ± 95 % CI over seeds:

${diffTable.join('\n')}

![accuracy vs k](adaptation.svg)

Per-episode accuracies: [data/adaptation.json](data/adaptation.json).

## Reading

${reading}
`;
  writeFileAtomic(path.join(root, 'docs/results/adaptation.md'), page);
  console.log([...table, '', ...diffTable].join('\n'));
  console.log(
    `wall time ${(wallSeconds / 60).toFixed(1)} min${cpu === undefined ? '' : `, CPU ${(cpu / 60).toFixed(1)} min`} → docs/results/adaptation.md`,
  );
}

#!/usr/bin/env node
// Learned circuits of the Fashion-MNIST NACs (issue 5 §4): for runs/claims/fashion-mnist-nac-s<seed>/model,
// graph statistics (density, degrees, Louvain modularity), drift from the prior (initial circuit rebuilt
// from run.json's seed), class routing and its class specificity against label permutations, and whether
// circuits differ between seeds (Mantel tests on the classes' routing-distance matrices). Writes
// docs/results/circuits.md, docs/results/circuits-graph.svg, docs/results/circuits-routing.svg (seed 0,
// or the first seed) and docs/results/data/circuits.json. Needs `npm run build`.
// Usage: node scripts/claims-circuits.mjs [--seeds 0,1,2] [--limit 1000] [--permutations 200] [--seed 0]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../dist/engine/index.js';
import { machineLine } from '../dist/cli/common.js';
import { writeFileAtomic } from '../dist/io/atomic.js';
import { loadNACModelDir } from '../dist/io/model-dir.js';
import { meanCI, formatMeanCI } from '../dist/util/stats.js';
import { inspectCircuit } from '../dist/inspect/report.js';
import { circuitTestData } from '../dist/inspect/routing-data.js';
import { runSeedNextTo } from '../dist/inspect/run-seed.js';
import { circuitFigureSVG, routingFigureSVG } from '../dist/inspect/figures.js';
import { classDistanceMatrix, classSpecificity, mantelTest } from '../dist/inspect/routing-stats.js';
import { classRouting, groupShares } from '../dist/inspect/class-routing.js';
import { extractCircuitGraph } from '../dist/inspect/circuit-graph.js';
import { NAC } from '../dist/model/nac.js';

const t0 = performance.now();
const args = process.argv.slice(2);
function flag(name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined) throw new Error(`--${name} needs a value`);
  return v;
}
function intList(v, name) {
  const out = v.split(',').map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 0))
    throw new Error(`--${name} must be comma-separated integers ≥ 0, got '${v}'`);
  return out;
}
function int(v, name) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be an integer ≥ 0, got '${v}'`);
  return n;
}
const known = new Set(['--seeds', '--limit', '--permutations', '--seed']);
for (let i = 0; i < args.length; i += 2)
  if (!known.has(args[i])) throw new Error(`unknown argument '${args[i]}'; allowed: ${[...known].join(', ')}`);
const seeds = intList(flag('seeds', '0,1,2'), 'seeds');
const limit = int(flag('limit', '1000'), 'limit');
const permutations = int(flag('permutations', '200'), 'permutations');
const dataSeed = int(flag('seed', '0'), 'seed');
const command = `node scripts/claims-circuits.mjs ${args.join(' ')}`.trim();

await initBackend({ backend: 'auto', quiet: true });

// ---- Inspect every seed's model on the same test subset.
const runs = [];
for (const seed of seeds) {
  const runDir = `runs/claims/fashion-mnist-nac-s${seed}`;
  const modelDir = path.join(runDir, 'model');
  if (!fs.existsSync(path.join(runDir, 'metrics.json')) || !fs.existsSync(path.join(modelDir, 'config.json')))
    throw new Error(
      `${runDir} is not a finished run (no metrics.json or model/); train it with scripts/claims-train.sh fashion-mnist or pass --seeds`,
    );
  const model = loadNACModelDir(modelDir);
  try {
    const data = circuitTestData(modelDir, { limit, seed: dataSeed, numClasses: model.config.numClasses });
    const initSeed = runSeedNextTo(modelDir);
    const { report } = inspectCircuit(model, modelDir, { data, initSeed, permutations, seed: dataSeed });
    // Control: the same routing measure on the untrained model (same config and seed) and the same images.
    let initSpecificity = null;
    if (initSeed !== null) {
      const init = new NAC(model.config, { seed: initSeed }).eval();
      try {
        const g = extractCircuitGraph(init);
        const { routing, samples } = classRouting(init, data, g);
        const initShares = groupShares(routing, g.nodes);
        initSpecificity = g.layers.map((l, li) => ({
          layer: l.name,
          top1: routing.top1,
          readInShare: initShares[li].shares.readIn,
          ...classSpecificity(samples.perExample[li], l.senders.length, samples.labels, routing.classNames.length, {
            permutations,
            seed: dataSeed + li,
          }),
        }));
      } finally {
        init.dispose();
      }
    }
    runs.push({ seed, report, initSpecificity, config: model.config });
    process.stderr.write(`seed ${seed}: inspected (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  } finally {
    model.dispose();
  }
}

// ---- Tables.
const ci = (values, digits = 3, scale = 1) => formatMeanCI(meanCI(values), digits, scale);
const first = runs[0].report;
const cfg0 = runs[0].config;
const prior = cfg0.priors.propagator;
const priorText = `${prior.preset} prior${Object.entries(prior)
  .filter(([k]) => k !== 'preset')
  .map(([k, v]) => `, ${k} = ${v}`)
  .join('')}`;
const graphNames = first.statistics.map((s) => s.name);
const layerNames = first.graph.layers.map((l) => l.name);
const stat = (r, name) => r.report.statistics.find((s) => s.name === name);
const graphRows = graphNames.map((name) => {
  const col = (key, digits) =>
    ci(
      runs.map((r) => stat(r, name)[key]),
      digits,
    );
  const eps = layerNames.includes(name) ? ci(runs.map((r) => r.report.graph.layers.find((l) => l.name === name).bandwidth)) : '–';
  return `| ${name} | ${eps} | ${stat(runs[0], name).nodes} | ${col('edges', 1)} / ${stat(runs[0], name).possiblePairs} | ${col('density')} | ${col('weightedDensity')} | ${col('meanDegree', 1)} | ${col('maxDegree', 1)} | ${col('communities', 1)} | ${col('modularity')} |`;
});
const degreeLines = runs.map(
  (r) => `- seed ${r.seed}: ${graphNames.map((n) => `${n} [${stat(r, n).degreeHistogram.join(' ')}]`).join('; ')}`,
);

const priorRuns = runs.filter((r) => r.report.prior);
const priorRows = priorRuns.length
  ? layerNames.map((name) => {
      const vals = (key) => priorRuns.map((r) => r.report.prior.layers.find((l) => l.name === name)[key]);
      return `| ${name} | ${ci(vals('edgesInit'), 1)} → ${ci(vals('edgesLearned'), 1)} | ${ci(vals('edgeJaccard'))} | ${ci(vals('meanAbsDeltaK'))} | ${ci(vals('bandwidthInit'))} → ${ci(vals('bandwidthLearned'))} |`;
    })
  : [];
const sigRows = priorRuns.length
  ? first.prior.signatures.map((s) => {
      const vals = (key) => priorRuns.map((r) => r.report.prior.signatures.find((x) => x.group === s.group)[key]);
      return `| ${s.group} | ${ci(vals('mean'))} | ${ci(vals('max'))} |`;
    })
  : [];

const specRows = layerNames.map((name) => {
  const sp = runs.map((r) => r.report.specificity.find((s) => s.layer === name));
  const ratio = sp.map((s) => s.observed / s.controlMean);
  const readIn = ci(
    runs.map((r) => groupShares(r.report.routing, r.report.graph.nodes).find((g) => g.layer === name).shares.readIn),
    1,
    100,
  );
  const readIn0 = runs.every((r) => r.initSpecificity)
    ? ci(
        runs.map((r) => r.initSpecificity.find((s) => s.layer === name).readInShare),
        1,
        100,
      )
    : 'n/a';
  const init = runs.every((r) => r.initSpecificity) ? ci(runs.map((r) => r.initSpecificity.find((s) => s.layer === name).observed)) : 'n/a';
  return `| ${name} | ${ci(sp.map((s) => s.observed))} | ${ci(sp.map((s) => s.controlMean))} | ${ci(ratio, 1)} | ${sp.map((s) => s.pValue.toPrecision(2)).join(', ')} | ${init} | ${readIn} | ${readIn0} |`;
});
const top1 = ci(
  runs.map((r) => r.report.routing.top1),
  2,
  100,
);

// Class × class routing distances, and which class pairs route most alike / apart (first seed, read-out).
const distances = runs.map((r) => r.report.routing.layers.map((l) => classDistanceMatrix(l.perClass, r.report.routing.counts)));
const names = first.routing.classNames;
const lastLayer = layerNames.length - 1;
const pairs = [];
distances[0][lastLayer].forEach((row, a) => row.forEach((d, b) => b > a && pairs.push({ a: names[a], b: names[b], d })));
pairs.sort((x, y) => x.d - y.d);
const pairText = (p) => `${p.a} / ${p.b} (${p.d.toFixed(3)})`;

// Between seeds: Mantel tests on the routing-distance matrices, per layer and pair of seeds.
const mantel = [];
for (let i = 0; i < runs.length; i++)
  for (let j = i + 1; j < runs.length; j++)
    layerNames.forEach((name, li) =>
      mantel.push({
        seeds: [runs[i].seed, runs[j].seed],
        layer: name,
        ...mantelTest(distances[i][li], distances[j][li], { permutations: 999, seed: dataSeed + li }),
      }),
    );
const mantelRows = mantel.map((m) => `| ${m.seeds.join(' vs ')} | ${m.layer} | ${m.r.toFixed(3)} | ${m.pValue.toPrecision(2)} |`);

// ---- Figures (first seed).
const figSeed = runs[0].seed;
writeFileAtomic(
  'docs/results/circuits-graph.svg',
  circuitFigureSVG(first, 'union', `Fashion-MNIST NAC, seed ${figSeed}: learned circuit (union of layers)`),
);
writeFileAtomic(
  'docs/results/circuits-routing.svg',
  routingFigureSVG(first, `Fashion-MNIST NAC, seed ${figSeed}: class routing (${first.routing.examples} test images)`),
);

// ---- Page and data.
const wall = (performance.now() - t0) / 1000;
const notesFile = 'docs/results/circuits.notes.md';
const notes = fs.existsSync(notesFile) ? fs.readFileSync(notesFile, 'utf8').trim() : '(analysis to come)';
const n = runs.length;
const page = `# Learned circuits of the Fashion-MNIST NAC

What graph do the modules of a trained NAC form, how far did it move from its prior, and do classes route
through different modules? Models: \`runs/claims/fashion-mnist-nac-s{${seeds.join(',')}}/model\` (the demo recipe,
3 epochs; ${cfg0.numReadIn} read-in, ${cfg0.numPropagators} propagator and ${cfg0.numReadOut} read-out modules, ${cfg0.numLayers} propagator layers, ${priorText}).
The kernel graph is the expected signature kernel K_uv in eval mode, per layer with its own learned ε;
edges are pairs with K > 0 (τ = ${cfg0.kernel.truncation ?? 'none'} in the propagator layers; ${cfg0.readOutKernel.truncation === null ? 'the read-out kernel is untruncated' : `τ = ${cfg0.readOutKernel.truncation} in the read-out`}). Routing:
${first.routing.examples} test images (a seeded subset, seed ${dataSeed}, the same for every model).
Values are mean ± 95 % CI over ${n} seed${n > 1 ? 's' : ''}${n === 1 ? ' (one seed: no interval)' : ''}.

- Command: \`${command}\`
- Machine: ${machineLine()}
- Wall time: ${wall.toFixed(1)} s
- Data: [data/circuits.json](data/circuits.json); one model in full: \`nac circuit <model-dir>\`

## Graph statistics

Graphs are undirected: a layer connects its receivers with its senders (propagator layers: propagators ←
read-in ∪ propagators; read-out: read-out ← read-in ∪ propagators); "union" joins all layers, a pair weighted by
its mean K. Density = edges / possible pairs; weighted = mean K over possible pairs. Communities: Louvain on K.

| graph | ε | nodes | edges / pairs | density | weighted density | mean degree | max degree | communities | modularity |
|---|---|---|---|---|---|---|---|---|---|
${graphRows.join('\n')}

Degree histograms (count of nodes with degree 0, 1, 2, …):

${degreeLines.join('\n')}

## Drift from the prior

The initial circuit is rebuilt from the config and the training seed (run.json), which reproduces the prior
fit exactly; we compare it with the learned one.

| layer | edges init → learned | edge Jaccard | mean \\|ΔK\\| | ε init → learned |
|---|---|---|---|---|
${priorRows.join('\n')}

| signatures | mean cosine drift 1 − cos | max |
|---|---|---|
${sigRows.join('\n')}

## Class routing

Per image, each layer's attention (mean over heads and receivers) is a distribution over sender modules;
class routing averages it per class (heat map below). Class specificity = mean pairwise Jensen–Shannon
distance (base 2) between the classes' routing distributions, against the same measure after randomly
permuting the labels (${permutations} permutations; the control shows what sampling noise alone gives).
"Untrained model" is the same distance for the initial model (same config and seed, same images): how much
class dependence the input alone induces before any learning. "Mass on read-in" is the share of the layer's
attention (all images) that goes to read-in modules rather than propagators.
Top-1 on these images: ${top1} %.

| layer | JS distance between classes | permuted-label control | ratio | p (per seed) | untrained model | mass on read-in (%) | untrained: mass on read-in (%) |
|---|---|---|---|---|---|---|---|
${specRows.join('\n')}

Seed ${figSeed}, ${layerNames[lastLayer]}: classes routed most alike: ${pairs.slice(0, 3).map(pairText).join('; ')}; most apart: ${pairs
  .slice(-3)
  .reverse()
  .map(pairText)
  .join('; ')}.

![class routing](circuits-routing.svg)

## Between seeds

Modules of different seeds do not correspond (each seed samples its own prior graph), so we compare what is
invariant to module identity: the class × class routing-distance matrices. A Mantel test (999 class
relabellings) asks whether the same pairs of classes route apart in both models.

${mantelRows.length ? `| seeds | layer | Mantel r | p |\n|---|---|---|---|\n${mantelRows.join('\n')}` : '(needs at least two seeds)'}

## The graph (seed ${figSeed})

![circuit graph](circuits-graph.svg)

## Reading

${notes}
`;
writeFileAtomic('docs/results/circuits.md', page);
const data = {
  command,
  machine: machineLine(),
  wallSeconds: wall,
  limit,
  permutations,
  dataSeed,
  seeds: runs.map((r) => ({
    seed: r.seed,
    model: r.report.model,
    statistics: r.report.statistics,
    bandwidths: Object.fromEntries(r.report.graph.layers.map((l) => [l.name, l.bandwidth])),
    prior: r.report.prior,
    routing: r.report.routing,
    specificity: r.report.specificity,
    untrainedSpecificity: r.initSpecificity,
    groupShares: groupShares(r.report.routing, r.report.graph.nodes),
  })),
  classDistances: runs.map((r, i) => ({
    seed: r.seed,
    layers: Object.fromEntries(layerNames.map((name, li) => [name, distances[i][li]])),
  })),
  mantel,
};
writeFileAtomic('docs/results/data/circuits.json', `${JSON.stringify(data, null, 1)}\n`);
console.log(page);
process.stderr.write(`wrote docs/results/circuits.md in ${wall.toFixed(1)} s\n`);

/**
 * `nac circuit <model-dir>`: inspects a trained NAC's learned circuit. Writes circuit.json (graph,
 * statistics, class routing, drift from the prior), circuit.svg (the module graph) and routing.svg
 * (class × module attention heat map) and prints the statistics.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadNACModelDir, readModelConfig } from '../io/model-dir.js';
import { writeFileAtomic } from '../io/atomic.js';
import { inspectCircuit } from '../inspect/report.js';
import { writeCircuitReport } from '../inspect/report-file.js';
import { circuitFigureSVG, routingFigureSVG } from '../inspect/figures.js';
import { formatCircuitReport } from '../inspect/summary-text.js';
import { circuitTestData } from '../inspect/routing-data.js';
import { runSeedNextTo } from '../inspect/run-seed.js';
import { backendOption, intFlag, runCommand, startBackend } from './common.js';

interface CircuitFlags {
  out?: string;
  limit: string;
  seed: string;
  data?: string;
  initSeed?: string;
  prior: boolean;
  routing: boolean;
  permutations: string;
  backend: string;
}

export function registerCircuit(program: Command): void {
  program
    .command('circuit')
    .description("inspect a NAC's learned circuit: graph statistics, communities, class routing, drift from the prior")
    .argument('<model-dir>', 'a NAC model folder (e.g. runs/claims/fashion-mnist-nac-s0/model)')
    .option('--out <dir>', 'output folder (default: <model-dir>/../circuit)')
    .option('--limit <n>', 'test examples for class routing, a seeded random subset (0 = all)', '1000')
    .option('--seed <n>', 'seed of the example subset and of the label permutations', '0')
    .option('--data <name>', "task or dataset whose test split to route (default: the model's task)")
    .option('--init-seed <n>', 'seed the model was built with, for the drift from the prior (default: ../run.json when present)')
    .option('--no-prior', 'skip the comparison with the prior')
    .option('--no-routing', 'skip class routing (no data needed)')
    .option('--permutations <n>', 'label permutations of the class-specificity control', '200')
    .addOption(backendOption())
    .action((dir: string, flags: CircuitFlags) =>
      runCommand(async () => {
        const limit = intFlag('--limit', flags.limit, 0);
        const seed = intFlag('--seed', flags.seed, 0);
        const permutations = intFlag('--permutations', flags.permutations, 0);
        const config = readModelConfig(dir);
        if (config.model !== 'nac') throw new Error(`${dir} holds a Perceiver IO model; nac circuit needs a NAC model folder`);
        let initSeed: number | null = null;
        if (flags.prior) initSeed = flags.initSeed !== undefined ? intFlag('--init-seed', flags.initSeed, 0) : runSeedNextTo(dir);
        const out = flags.out ?? path.join(path.dirname(path.resolve(dir)), 'circuit');
        await startBackend(flags.backend);
        const data = flags.routing ? circuitTestData(dir, { data: flags.data, limit, seed, numClasses: config.numClasses }) : undefined;
        const model = loadNACModelDir(dir);
        try {
          const t0 = performance.now();
          const { report } = inspectCircuit(model, dir, { data, initSeed, permutations, seed });
          writeCircuitReport(path.join(out, 'circuit.json'), report);
          writeFileAtomic(path.join(out, 'circuit.svg'), circuitFigureSVG(report));
          if (report.routing) writeFileAtomic(path.join(out, 'routing.svg'), routingFigureSVG(report));
          console.log(formatCircuitReport(report));
          if (initSeed === null && flags.prior)
            console.log('\n(no drift from the prior: pass --init-seed, or keep run.json next to the model folder)');
          console.log(
            `\nwrote ${out}/circuit.json, circuit.svg${report.routing ? ', routing.svg' : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
          );
        } finally {
          model.dispose();
        }
      }),
    );
}

#!/usr/bin/env node
// Prints a markdown table of finished runs from their metrics.json files, so that the numbers in
// docs/results/ come from a command: node scripts/results-table.mjs runs/<run> [runs/<run> …]
// Needs `npm run build` (it reads the majority-class rate of each test split through dist/).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classBalance } from '../dist/data/index.js';
import { loadTaskData } from '../dist/train/task-data.js';

const rows = [
  '| run | task | model | parameters | steps × batch | train time | test top-1 | majority class |',
  '|---|---|---|---|---|---|---|---|',
];
for (const dir of process.argv.slice(2)) {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
  const run = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
  const majority = classBalance(loadTaskData(run.train).test).majorityFraction;
  const pct = (x) => `${(100 * x).toFixed(2)} %`;
  rows.push(
    `| ${path.basename(dir)} | ${m.task} | ${m.model} | ${m.parameters.toLocaleString('en-US')} | ${m.steps} × ${run.train.batchSize} | ${(m.trainSeconds / 60).toFixed(1)} min | ${pct(m.test.top1)} (${m.test.count}) | ${pct(majority)} |`,
  );
}
console.log(rows.join('\n'));

// A learning test per modality on a small slice of real data, through the same trainer and task
// defaults as `nac train` (with a smaller NAC): images (Fashion-MNIST), 2-D point sets (MNIST),
// raw bytes (SpamAssassin) and symbol sequences (ListOps, generated). Each must beat the majority
// class clearly. Real-data suites skip when the data are missing, unless NAC_REQUIRE_DATA is set.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classBalance } from '../../src/data/balance.js';
import { loadTaskData } from '../../src/train/task-data.js';
import { defaultRun } from '../../src/train/tasks.js';
import { applyOverrides } from '../../src/train/train-config.js';
import { train } from '../../src/train/trainer.js';
import { realData } from '../data/gate.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-modalities-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A smaller NAC than the task default, so that each test runs in seconds. */
const SMALL = ['model.stateDim=32', 'model.numPropagators=8', 'model.numReadIn=4', 'model.numReadOut=2', 'model.priors.fitSteps=50'];

/** margin: test top-1 must exceed the majority class by this much; lossDrop: or, where accuracy needs long training (ListOps), the train loss must fall by this much. */
const CASES: Array<{ task: string; dataset: string; steps: number; margin?: number; lossDrop?: number; extra?: string[] }> = [
  { task: 'fashion-mnist', dataset: 'fashion-mnist', steps: 80, margin: 0.15 },
  {
    task: 'mnist-points',
    dataset: 'mnist-points',
    steps: 60,
    margin: 0.3,
    extra: ['train.data.numPoints=64', 'model.tokenizer.numPoints=64'],
  },
  {
    task: 'spam-assassin',
    dataset: 'spam-assassin',
    steps: 120,
    margin: 0.1,
    extra: ['train.data.maxLength=256', 'model.tokenizer.maxLength=256'],
  },
  { task: 'listops-short', dataset: 'listops-short', steps: 150, lossDrop: 0.1 },
];

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

for (const c of CASES) {
  const gate = realData(c.dataset);
  describe.skipIf(gate.skip)(`learning on ${gate.title}`, () => {
    it(
      c.margin !== undefined ? `beats the majority class after ${c.steps} steps` : `lowers its training loss within ${c.steps} steps`,
      async () => {
        const run = applyOverrides(defaultRun(c.task, 'nac'), [
          ...SMALL,
          ...(c.extra ?? []),
          `train.steps=${c.steps}`,
          'train.batchSize=32',
          'train.lr=0.003',
          'train.trainLimit=2000',
          'train.testLimit=400',
          'train.evalEvery=1000',
          'train.valSize=400',
        ]);
        const data = loadTaskData(run.train);
        const majority = classBalance(data.test).majorityFraction;
        const losses: number[] = [];
        const s = await train(run, data, {
          out: path.join(tmp, c.task),
          progress: false,
          log: () => {},
          onStep: (_, r) => losses.push(r.loss),
        });
        expect(s.status).toBe('done');
        if (c.margin !== undefined)
          expect(s.test!.top1, `majority class ${(100 * majority).toFixed(1)} %`).toBeGreaterThan(majority + c.margin);
        if (c.lossDrop !== undefined) expect(mean(losses.slice(-15))).toBeLessThan(mean(losses.slice(0, 15)) - c.lossDrop);
      },
      120_000,
    );
  });
}

// `nac eval --ood`: the command's JSON equals a direct evaluateCorruptionSuite call on the same seeded
// subset (a small random-weight Perceiver IO on real Fashion-MNIST), and bad suites, names and
// combinations give errors naming the flag and the allowed values.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerEval } from '../../src/cli/eval.js';
import { FASHION_MNIST_CLASSES } from '../../src/data/mnist.js';
import { loadModelDir, saveModelDir } from '../../src/io/model-dir.js';
import { buildModel } from '../../src/model/factory.js';
import { evaluateCorruptionSuite } from '../../src/ood/evaluate.js';
import { loadSuiteData } from '../../src/ood/suite-data.js';
import { defaultRun } from '../../src/train/tasks.js';
import { realData } from '../data/gate.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-ood-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = 0;
  vi.restoreAllMocks();
});

async function nac(args: string[]): Promise<{ stderr: string; stdout: string; code: number }> {
  const err: string[] = [];
  const out: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const program = new Command().exitOverride();
  registerEval(program);
  await program.parseAsync(['eval', ...args], { from: 'user' });
  const code = Number(process.exitCode ?? 0);
  vi.restoreAllMocks();
  return { stderr: err.join(''), stdout: out.join('\n'), code };
}

const gate = realData('fashion-mnist');
describe.skipIf(gate.skip)(`nac eval --ood (${gate.title})`, () => {
  const dir = path.join(tmp, 'model');
  beforeAll(async () => {
    const run = defaultRun('fashion-mnist', 'perceiver-io');
    const model = buildModel(run.model, { seed: 1 });
    await saveModelDir(dir, run.model, model, { task: 'fashion-mnist', classNames: FASHION_MNIST_CLASSES });
    model.dispose();
  });

  it('writes the same numbers as evaluateCorruptionSuite on the seeded subset', async () => {
    const file = path.join(tmp, 'ood.json');
    const args = [dir, '--ood', 'corruptions', '--limit', '24', '--corruptions', 'fog,rotate', '--severities', '1,5', '--seed', '3'];
    const r = await nac([...args, '--json', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fog\s+[\d.]+\s+[\d.]+/);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const m = loadModelDir(dir);
    const data = loadSuiteData('corruptions', { task: 'fashion-mnist', limit: 24, seed: 3 }).clean;
    const want = await evaluateCorruptionSuite(m, data, { corruptions: ['fog', 'rotate'], severities: [1, 5], seed: 3 });
    m.dispose();
    expect(json).toMatchObject({ suite: 'corruptions', count: 24, seed: 3, corruptions: ['fog', 'rotate'], severities: [1, 5] });
    expect(json.clean.top1).toBe(want.clean.top1);
    expect(json.cells).toEqual(want.cells);
    expect(json.mean).toEqual(want.mean);
  });

  it('names the flag and the allowed values on bad input', async () => {
    const bad = async (args: string[], pattern: RegExp) => {
      const r = await nac([dir, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
    };
    await bad(['--ood', 'imagenet-c'], /--ood 'imagenet-c' is unknown; allowed: corruptions, optdigits/);
    await bad(['--ood', 'corruptions', '--corruptions', 'snow'], /--corruptions 'snow' is unknown; allowed: gaussian-noise/);
    await bad(['--ood', 'corruptions', '--severities', '0'], /--severities must list integers in 1…5 \(allowed: 1, 2, 3, 4, 5\)/);
    await bad(['--ood', 'optdigits', '--severities', '2'], /--severities applies only to --ood corruptions/);
    await bad(['--ood', 'optdigits'], /--ood optdigits needs a model trained on MNIST \(task mnist\); this model's task is fashion-mnist/);
    await bad(['--corruptions', 'fog'], /--corruptions applies only with --ood <suite>/);
  });
});

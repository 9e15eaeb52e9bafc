// Checkpoints: round trip, atomic replacement (simulated crashes leave the previous one loadable),
// named errors for damaged files, and the compatibility check between a checkpoint and a run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Module } from '../../src/nn/module.js';
import { AdamW } from '../../src/train/adamw.js';
import { checkCompatible } from '../../src/train/checkpoint-compat.js';
import { CheckpointError, loadCheckpoint, saveCheckpoint, type CheckpointStage, type TrainerState } from '../../src/train/checkpoint.js';
import { trainableNamedParameters } from '../../src/train/param-filter.js';
import { Rng } from '../../src/util/rng.js';

class Toy extends Module {
  constructor(seed: number) {
    super();
    const rng = new Rng(seed);
    this.addParam('layer.weight', tf.tensor(rng.normalArray(6), [3, 2]));
    this.addParam('layer.bias', tf.zeros([2]));
    this.addParam('codes', tf.tensor(rng.normalArray(4), [2, 2]));
    this.addParam('frozen', tf.ones([1]), false);
  }
}

const modelConfig = { stateDim: 64, tokenizer: { type: 'patch', imageSize: [8, 8] } };
const trainConfig = { lr: 1e-3, seed: 0, batchSize: 16, steps: 100, out: 'runs/a', data: { root: '/x' } };

let root: string;
let dir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-ckpt-'));
  dir = path.join(root, 'checkpoint');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A model and optimizer after `steps` updates, and a checkpoint payload for them. */
function trained(steps: number) {
  const model = new Toy(1);
  const opt = new AdamW(trainableNamedParameters(model), { lr: 0.1 });
  for (let s = 0; s < steps; s++) {
    const grads = new Map(
      [...trainableNamedParameters(model)].map(([k, v]) => [k, tf.fill(v.shape, 0.1 * (s + 1))] as [string, tf.Tensor]),
    );
    if (s === 1) grads.delete('codes');
    opt.step(grads, 0.1);
    grads.forEach((g) => g.dispose());
  }
  const rng = new Rng(7);
  rng.normal(); // leaves a spare normal: a finite fifth state entry
  const trainer: TrainerState = {
    step: steps,
    epoch: 1,
    batchInEpoch: 3,
    rng: { order: new Rng(9).getState(), noise: rng.getState() },
    bestValAccuracy: 0.5,
  };
  return { model, opt, payload: { modelConfig, trainConfig, model, optimizer: opt, trainer } };
}

const siblings = (): string[] => fs.readdirSync(root).sort();

describe('checkpoints', () => {
  it('round-trip parameters, optimizer state, trainer state (RNGs with NaN included) and configs', () => {
    const { model, opt, payload } = trained(3);
    saveCheckpoint(dir, payload);
    expect(siblings()).toEqual(['checkpoint']);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.safetensors', 'optimizer.safetensors', 'state.json']);
    const ck = loadCheckpoint(dir);
    expect(ck.modelConfig).toEqual(modelConfig);
    expect(ck.trainConfig).toEqual(trainConfig);
    expect(ck.trainer).toEqual(payload.trainer);
    expect(Number.isNaN((ck.trainer.rng.order as number[])[4])).toBe(true);
    for (const [name, v] of model.namedParameters()) {
      expect(ck.params.get(name)?.shape).toEqual(v.shape);
      expect(Array.from(ck.params.get(name)?.data ?? [])).toEqual(Array.from(v.dataSync()));
    }
    const state = opt.getState();
    expect(ck.optimizer.step).toBe(3);
    expect(ck.optimizer.paramSteps).toEqual({ 'layer.weight': 3, 'layer.bias': 3, codes: 2 });
    for (const [k, t] of state.tensors) expect(Array.from(ck.optimizer.tensors.get(k)?.data ?? [])).toEqual(Array.from(t.data));
    // A fresh optimizer restored from the checkpoint takes the same next step.
    const twin = new Toy(2);
    twin.loadParameters(new Map([...ck.params].map(([k, p]) => [k, tf.tensor(p.data, p.shape)])));
    const opt2 = new AdamW(trainableNamedParameters(twin), { lr: 0.1 });
    opt2.setState(ck.optimizer);
    for (const [m, o] of [
      [model, opt],
      [twin, opt2],
    ] as const) {
      const g = new Map([...trainableNamedParameters(m)].map(([k, v]) => [k, tf.fill(v.shape, -0.2)] as [string, tf.Tensor]));
      o.step(g, 0.05);
      g.forEach((t) => t.dispose());
    }
    for (const [name, v] of model.namedParameters())
      expect(Array.from(twin.namedParameters().get(name)?.dataSync() ?? [])).toEqual(Array.from(v.dataSync()));
    [opt, opt2, model, twin].forEach((x) => x.dispose());
  });

  it('replaces an existing checkpoint and leaves no temp or .old folders', () => {
    const a = trained(1);
    saveCheckpoint(dir, a.payload);
    const b = trained(2);
    saveCheckpoint(dir, b.payload);
    expect(loadCheckpoint(dir).trainer.step).toBe(2);
    expect(siblings()).toEqual(['checkpoint']);
    [a, b].forEach((x) => [x.opt, x.model].forEach((y) => y.dispose()));
  });

  it.each(['model', 'optimizer', 'state', 'swap'] as CheckpointStage[])(
    'a crash while writing (%s) leaves the previous checkpoint loadable',
    (stage) => {
      const a = trained(1);
      saveCheckpoint(dir, a.payload);
      const b = trained(2);
      const faultHook = (s: CheckpointStage): void => {
        if (s === stage) throw new Error(`simulated crash at ${s}`);
      };
      expect(() => saveCheckpoint(dir, b.payload, { faultHook })).toThrow(`simulated crash at ${stage}`);
      expect(loadCheckpoint(dir).trainer.step).toBe(1);
      expect(siblings()).toEqual(['checkpoint']);
      [a, b].forEach((x) => [x.opt, x.model].forEach((y) => y.dispose()));
    },
  );

  it('a killed writer (partial temp folder) or a crash between the renames still loads the previous one', () => {
    const a = trained(1);
    saveCheckpoint(dir, a.payload);
    // A writer killed mid-write: a partial temp folder of a dead process next to the checkpoint.
    const partial = `${dir}.tmp-999999999-dead`;
    fs.mkdirSync(partial);
    fs.writeFileSync(path.join(partial, 'model.safetensors'), fs.readFileSync(path.join(dir, 'model.safetensors')).subarray(0, 20));
    expect(loadCheckpoint(dir).trainer.step).toBe(1);
    // Killed between "rename dir → dir.old" and "rename temp → dir".
    fs.renameSync(dir, `${dir}.old`);
    const recovered = loadCheckpoint(dir);
    expect(recovered.trainer.step).toBe(1);
    expect(recovered.source).toBe(`${dir}.old`);
    // The next save cleans up both leftovers.
    const b = trained(2);
    saveCheckpoint(dir, b.payload);
    expect(loadCheckpoint(dir).trainer.step).toBe(2);
    expect(siblings()).toEqual(['checkpoint']);
    [a, b].forEach((x) => [x.opt, x.model].forEach((y) => y.dispose()));
  });

  it('names the damaged or missing file', () => {
    const a = trained(1);
    saveCheckpoint(dir, a.payload);
    const modelFile = path.join(dir, 'model.safetensors');
    const bytes = fs.readFileSync(modelFile);
    fs.writeFileSync(modelFile, bytes.subarray(0, bytes.length - 10));
    expect(() => loadCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(dir)).toThrow(/model\.safetensors.*truncated/);
    fs.rmSync(path.join(dir, 'optimizer.safetensors'));
    expect(() => loadCheckpoint(dir)).toThrow(/incomplete: optimizer\.safetensors is missing/);
    fs.writeFileSync(path.join(dir, 'optimizer.safetensors'), '');
    fs.writeFileSync(path.join(dir, 'state.json'), '{"format": ');
    expect(() => loadCheckpoint(dir)).toThrow(/state\.json is not valid JSON/);
    expect(() => loadCheckpoint(path.join(root, 'nothing'))).toThrow(/no checkpoint at/);
    [a.opt, a.model].forEach((y) => y.dispose());
  });
});

describe('checkCompatible', () => {
  const saved = { modelConfig, trainConfig };
  const expectMismatch = (
    current: { modelConfig: object; trainConfig: object },
    field: string,
    message?: RegExp,
    ignore?: string[],
  ): void => {
    let err: unknown;
    try {
      checkCompatible(saved, current, ignore);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).field).toBe(field);
    if (message) expect((err as Error).message).toMatch(message);
  };

  it('names the first differing field with both values', () => {
    expectMismatch(
      { modelConfig: { ...modelConfig, stateDim: 128 }, trainConfig },
      'modelConfig.stateDim',
      /^checkpoint was trained with modelConfig\.stateDim = 64, this run asks for 128/,
    );
    expectMismatch(
      { modelConfig: { ...modelConfig, tokenizer: { type: 'patch', imageSize: [8, 16] } }, trainConfig },
      'modelConfig.tokenizer.imageSize[1]',
      /imageSize\[1\] = 8, this run asks for 16/,
    );
    expectMismatch(
      { modelConfig, trainConfig: { ...trainConfig, lr: 2e-3 } },
      'trainConfig.lr',
      /trainConfig\.lr = 0\.001, this run asks for 0\.002/,
    );
    expectMismatch({ modelConfig, trainConfig: { ...trainConfig, steps: 200 } }, 'trainConfig.steps');
    expectMismatch({ modelConfig, trainConfig: { ...trainConfig, seed: 1 } }, 'trainConfig.seed');
    expectMismatch({ modelConfig, trainConfig: { ...trainConfig, batchSize: 8 } }, 'trainConfig.batchSize');
    expectMismatch(
      { modelConfig, trainConfig: { ...trainConfig, mix: { prob: 1 } } },
      'trainConfig.mix',
      /= \(not set\), this run asks for \{"prob":1\}/,
    );
  });

  it('ignores run plumbing (out, resume, progress) and the paths it is told to', () => {
    expect(() =>
      checkCompatible(saved, { modelConfig, trainConfig: { ...trainConfig, out: 'runs/b', progress: true, resume: true } }),
    ).not.toThrow();
    const moved = { modelConfig, trainConfig: { ...trainConfig, data: { root: '/elsewhere' } } };
    expectMismatch(moved, 'trainConfig.data.root');
    expect(() => checkCompatible(saved, moved, ['data'])).not.toThrow();
    expect(() => checkCompatible(saved, moved, ['trainConfig.data.root'])).not.toThrow();
  });
});

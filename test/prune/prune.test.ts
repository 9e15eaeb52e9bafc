// Pruning NAC modules: exactness when the removed modules are cut off by the kernel, shrinking tensors
// and FLOPs, prior replacement for small counts, the model-folder round trip, and --keep validation.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { pruneNAC, pruneNACTo } from '../../src/prune/prune.js';
import { parseGroups, parseKeep, resolveKeep } from '../../src/prune/keep.js';
import { parseScoreRule } from '../../src/prune/scores.js';
import { forwardStages } from '../../src/prune/stages.js';
import { nacForwardFlops } from '../../src/model/flops.js';
import { loadModelDir, readModelMeta, saveModelDir } from '../../src/io/model-dir.js';
import { ConfigError } from '../../src/config/validate.js';
import { images, maxAbsDiff, splitNAC } from './helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-prune-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('pruneNAC', () => {
  const farProp = [1, 3, 4, 6];
  const keptProp = [0, 2, 5, 7];

  it('keeps the logits when the removed modules have zero kernel weight to every kept module', () => {
    const model = splitNAC([3], farProp);
    const x = images(5, 11);
    const before = model.forward(x);
    const { model: pruned, config } = pruneNACTo(model, { propagator: keptProp, readIn: [0, 1, 2] });
    expect(config.numPropagators).toBe(4);
    expect(config.numReadIn).toBe(3);
    const after = pruned.forward(x);
    expect(maxAbsDiff(before, after)).toBeLessThan(1e-5);
    // Control: removing a connected propagator changes the output.
    const { model: cut } = pruneNACTo(model, { propagator: [0, 1, 2, 3, 4, 6, 7] });
    const changed = cut.forward(x);
    expect(maxAbsDiff(before, changed)).toBeGreaterThan(1e-3);
    tf.dispose([x, before, after, changed]);
    [model, pruned, cut].forEach((m) => m.dispose());
  });

  it('the degree rule removes exactly the cut-off modules, and tensors and FLOPs shrink', () => {
    const model = splitNAC([], farProp);
    const res = pruneNAC(model, { keep: { fraction: 0.5 }, score: 'degree' });
    expect(res.kept.propagator).toEqual(keptProp);
    const p0 = model.namedParameters();
    const p1 = res.model.namedParameters();
    expect(p1.get('circuit.latents.propagator.codes')?.shape).toEqual([4, 16]);
    expect(p1.get('circuit.latents.propagator.signatures')?.shape).toEqual([4, 8]);
    // Kept rows are copied in order; every shared weight is unchanged.
    const rows = tf.gather(p0.get('circuit.latents.propagator.codes') as tf.Tensor, keptProp);
    expect(maxAbsDiff(rows, p1.get('circuit.latents.propagator.codes') as tf.Tensor)).toBe(0);
    rows.dispose();
    for (const [name, v] of p0) {
      if (name.startsWith('circuit.latents.propagator.')) continue;
      expect(maxAbsDiff(v, p1.get(name) as tf.Tensor), name).toBe(0);
    }
    const size = (m: Map<string, tf.Variable>) => [...m.values()].reduce((a, v) => a + v.size, 0);
    expect(size(p0) - size(p1)).toBe(4 * (16 + 8));
    const f0 = nacForwardFlops(model.config);
    const f1 = nacForwardFlops(res.config);
    expect(f1.parts.propagators).toBeLessThan(f0.parts.propagators);
    expect(f1.parts.readOut).toBeLessThan(f0.parts.readOut);
    expect(f1.parts.tokenizer).toBe(f0.parts.tokenizer);
    expect(f1.total).toBeLessThan(f0.total);
    model.dispose();
    res.model.dispose();
  });

  it('prunes read-in and read-out modules (pooling renormalises) and replaces a prior that no longer fits', () => {
    const model = splitNAC([], []);
    const x = images(3, 5);
    const res = pruneNAC(model, { keep: { count: 1 }, score: 'code-norm', groups: ['readIn', 'propagator', 'readOut'] });
    expect([res.config.numReadIn, res.config.numPropagators, res.config.numReadOut]).toEqual([1, 1, 1]);
    // ring-of-cliques with 2 cliques needs a multiple of 2 modules: invalid for 1 propagator → 'none'.
    expect(res.priorReplaced).toEqual(['propagator']);
    expect(res.config.priors.propagator).toEqual({ preset: 'none' });
    const y = res.model.forward(x);
    expect(y.shape).toEqual([3, 4]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
    res.model.dispose();
  });

  it('a pruned model folder saves and loads with the same logits', async () => {
    const model = splitNAC([], farProp);
    const res = pruneNAC(model, { keep: { count: 1 }, score: 'degree' });
    const dir = path.join(tmp, 'pruned');
    await saveModelDir(dir, res.config, res.model, { task: 'x', pruned: { source: 'src', rule: 'degree', kept: res.kept } });
    const loaded = loadModelDir(dir).eval();
    const x = images(4, 9);
    const a = res.model.forward(x);
    const b = loaded.forward(x);
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(keptProp).toContain(res.kept.propagator?.[0]);
    expect(readModelMeta(dir).pruned).toEqual({ source: 'src', rule: 'degree', kept: res.kept });
    tf.dispose([x, a, b]);
    [model, res.model, loaded].forEach((m) => m.dispose());
  });

  it('the staged forward gives the logits of NAC.forward', () => {
    const model = splitNAC([2], [1, 3]);
    const x = images(3, 2);
    const ref = model.forward(x);
    const { logits, ms } = forwardStages(model, x);
    expect(maxAbsDiff(ref, logits)).toBeLessThan(1e-6);
    expect(Object.keys(ms)).toEqual(['tokenizer', 'readIn', 'propagators', 'readOut', 'pooling']);
    tf.dispose([x, ref, logits]);
    model.dispose();
  });
});

describe('--keep, --groups and --score validation', () => {
  it('parses fractions, percentages and counts', () => {
    expect(parseKeep('0.5')).toEqual({ fraction: 0.5 });
    expect(parseKeep('1.0')).toEqual({ fraction: 1 });
    expect(parseKeep('12.5%')).toEqual({ fraction: 0.125 });
    expect(parseKeep('3')).toEqual({ count: 3 });
    expect(resolveKeep({ fraction: 0.125 }, 16)).toBe(2);
    expect(resolveKeep({ fraction: 0.75 }, 16)).toBe(12);
    expect(resolveKeep({ fraction: 0.01 }, 16)).toBe(1);
    expect(resolveKeep({ count: 16 }, 16)).toBe(16);
  });

  it.each(['0', '0.0', '0%', '150%', '1.5', 'abc', '-2', ''])("rejects --keep '%s', naming the allowed forms", (v) => {
    expect(() => parseKeep(v)).toThrow(ConfigError);
    expect(() => parseKeep(v)).toThrow(/--keep must be a fraction in \(0, 1\].*percentage.*count/);
  });

  it('rejects keeping more modules than the group has', () => {
    expect(() => resolveKeep({ count: 9 }, 8, '--keep', 'group propagator')).toThrow(
      /--keep asks to keep 9 modules but group propagator has only 8; allowed counts: 1…8/,
    );
    const model = splitNAC([], []);
    expect(() => pruneNAC(model, { keep: { count: 5 }, score: 'random', groups: ['readIn'] })).toThrow(/has only 4/);
    model.dispose();
  });

  it('rejects unknown groups and rules, and centrality on read-out modules', () => {
    expect(parseGroups('propagator, readIn')).toEqual(['propagator', 'readIn']);
    expect(() => parseGroups('mediator')).toThrow(/--groups must be a comma-separated list of readIn, propagator, readOut; got 'mediator'/);
    expect(() => parseScoreRule('l1')).toThrow(/--score must be one of degree, centrality, attention, code-norm, random; got 'l1'/);
    const model = splitNAC([], []);
    expect(() => pruneNAC(model, { keep: { count: 1 }, score: 'centrality', groups: ['readOut'] })).toThrow(
      /not defined for group readOut/,
    );
    expect(() => pruneNAC(model, { keep: { count: 1 }, score: 'attention' })).toThrow(/--calibration/);
    model.dispose();
  });
});

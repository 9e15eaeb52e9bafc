// ConvNeXtImageTokenizer: token shapes across presets and image sizes, parameter layout, the reference
// name mapper, gradients (cpu) and tensor hygiene.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import {
  CONVNEXT_PRESET_DEPTHS,
  ConvNeXtImageTokenizer,
  convnextReferenceMapper,
  type ConvNeXtTokenizerConfig,
} from '../../src/tokenizers/convnext.js';
import { Rng } from '../../src/util/rng.js';
import { FIXTURE_DIR, useBackend } from './helpers.js';

const base: ConvNeXtTokenizerConfig = { imageSize: [64, 64], inChannels: 3, stateDim: 384, preset: 'tiny', numStages: 2 };

describe('ConvNeXtImageTokenizer shapes', () => {
  beforeAll(() => useBackend('wasm'));

  const cases: [string, Partial<ConvNeXtTokenizerConfig>, number[]][] = [
    ['64×64 tiny 2 stages d=384 (NAC Tiny-ImageNet)', {}, [2, 64, 256]],
    ['64×64 femto 3 stages d=384 (PIO Tiny macro)', { preset: 'femto', numStages: 3 }, [2, 16, 448]],
    [
      '32×32 atto 1 stage d=64 grid 16',
      { imageSize: [32, 32], stateDim: 64, preset: 'atto', numStages: 1, positionalGridDim: 16 },
      [2, 64, 32],
    ],
    [
      '48×40 nano 3 stages (3×2 grid) d=32 grid 8, 1 channel',
      { imageSize: [48, 40], inChannels: 1, stateDim: 32, preset: 'nano', numStages: 3, positionalGridDim: 8 },
      [2, 6, 40],
    ],
    ['30×30 pico 2 stages (floors like PyTorch)', { imageSize: [30, 30], stateDim: 32, preset: 'pico', numStages: 2 }, [2, 9, 80]],
    [
      '28×28 femto 2 stages no grid',
      { imageSize: [28, 28], inChannels: 1, stateDim: 64, preset: 'femto', numStages: 2, positionalGridDim: 0 },
      [2, 9, 32],
    ],
  ];
  for (const [name, over, shape] of cases) {
    it(name, () => {
      const cfg = { ...base, ...over };
      const tok = new ConvNeXtImageTokenizer(cfg, new Rng(1));
      const x = tf.randomNormal([2, cfg.imageSize[0], cfg.imageSize[1], cfg.inChannels], 0, 1, 'float32', 3);
      const y = tok.forward(x);
      expect(y.shape).toEqual(shape);
      expect([2, tok.numTokens, tok.tokenDim]).toEqual(shape);
      expect(tok.inputShape).toEqual([cfg.imageSize[0], cfg.imageSize[1], cfg.inChannels]);
      expect(tf.all(tf.isFinite(y)).dataSync()[0]).toBe(1);
      tf.dispose([x, y]);
      tok.dispose();
    });
  }

  it('224×224 tiny 2 stages d=512 gives 784 tokens × 320 (NAC ImageNet)', () => {
    const tok = new ConvNeXtImageTokenizer({ ...base, imageSize: [224, 224], stateDim: 512 }, new Rng(2));
    const x = tf.zeros([1, 224, 224, 3]);
    const y = tok.forward(x);
    expect(y.shape).toEqual([1, 784, 320]);
    tf.dispose([x, y]);
    tok.dispose();
  });

  it('rejects images of the wrong shape', () => {
    const tok = new ConvNeXtImageTokenizer(base, new Rng(1));
    const x = tf.zeros([1, 3, 64, 64]);
    expect(() => tok.forward(x)).toThrow(/expected images \[B, 64, 64, 3\], got \[1, 3, 64, 64\]/);
    x.dispose();
    tok.dispose();
  });

  it('rejects invalid configs, naming the field', () => {
    expect(() => new ConvNeXtImageTokenizer({ ...base, stateDim: 30 }, new Rng(0))).toThrow(/stateDim must be divisible by 4/);
    expect(() => new ConvNeXtImageTokenizer({ ...base, numStages: 4 }, new Rng(0))).toThrow(
      /numStages must be an integer in \[1, 3\]; got 4/,
    );
    expect(() => new ConvNeXtImageTokenizer({ ...base, imageSize: [6, 64] }, new Rng(0))).toThrow(/imageSize \[6,64\] is too small/);
  });
});

describe('ConvNeXtImageTokenizer parameters', () => {
  it('has the preset depths, ConvNeXt init and the documented layouts', () => {
    const tok = new ConvNeXtImageTokenizer({ ...base, preset: 'mini', numStages: 3 }, new Rng(5));
    const p = tok.namedParameters();
    const blocks = new Set([...p.keys()].filter((k) => k.startsWith('stages.')).map((k) => k.split('.').slice(0, 3).join('.')));
    expect(blocks.size).toBe(CONVNEXT_PRESET_DEPTHS.mini.reduce((a, b) => a + b, 0));
    expect(p.get('downsamples.0.conv.filter')?.shape).toEqual([4, 4, 3, 96]);
    expect(p.get('downsamples.2.conv.filter')?.shape).toEqual([2, 2, 192, 384]);
    expect(p.get('downsamples.2.norm.weight')?.shape).toEqual([192]);
    expect(p.get('stages.1.2.dwconv.filter')?.shape).toEqual([7, 7, 192, 1]);
    expect(p.get('stages.2.5.pwconv1.weight')?.shape).toEqual([384, 1536]);
    expect(p.get('positionalGrid')?.shape).toEqual([4, 4, 64]);
    expect(Array.from(p.get('stages.0.0.gamma')!.dataSync()).every((g) => g === 1e-6 || Math.abs(g - 1e-6) < 1e-12)).toBe(true);
    const w = p.get('stages.0.0.pwconv1.weight')!;
    const std = tf.tidy(() => tf.moments(w).variance.sqrt().dataSync()[0] as number);
    // timm's trunc_normal_(std=0.02) cuts at ±2 absolute, i.e. effectively N(0, 0.02²)
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    expect(tf.tidy(() => p.get('stages.0.0.pwconv1.bias')!.abs().max().dataSync()[0] as number)).toBe(0);
    tok.dispose();
  });

  it('femto, 3 stages, d=384, grid 64 has 455,008 parameters', () => {
    const tok = new ConvNeXtImageTokenizer({ ...base, preset: 'femto', numStages: 3 }, new Rng(0));
    expect(tok.parameterCount()).toBe(455_008);
    tok.dispose();
  });
});

describe('convnextReferenceMapper', () => {
  it('maps every reference tokenizer parameter of the fixture onto ours with the right shape', () => {
    const cfg = JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/config.json`, 'utf8')) as { parameters: Record<string, number[]> };
    const tok = new ConvNeXtImageTokenizer(
      { imageSize: [32, 32], inChannels: 3, stateDim: 64, preset: 'femto', numStages: 2, positionalGridDim: 16 },
      new Rng(0),
    );
    const ours = tok.namedParameters();
    const seen = new Set<string>();
    for (const [name, shape] of Object.entries(cfg.parameters)) {
      if (!name.startsWith('input_tokenizer.')) continue;
      const m = convnextReferenceMapper(name.slice('input_tokenizer.'.length));
      expect(m, name).not.toBeNull();
      const target = ours.get(m!.name);
      expect(target, `${name} → ${m!.name}`).toBeDefined();
      const t = tf.zeros(shape);
      const converted = m!.convert ? m!.convert(t) : t;
      expect(converted.shape, name).toEqual(target!.shape);
      tf.dispose([t, converted]);
      seen.add(m!.name);
    }
    expect([...seen].sort()).toEqual([...ours.keys()].sort());
    tok.dispose();
  });

  it('converts layouts correctly and returns null for unknown names', () => {
    const conv = tf.tensor4d([...Array(2 * 3 * 2 * 2).keys()], [2, 3, 2, 2]); // [out, in, kh, kw]
    const m = convnextReferenceMapper('backbone.downsample_layers.1.1.weight')!;
    expect(m.name).toBe('downsamples.1.conv.filter');
    const f = m.convert!(conv); // [kh, kw, in, out]
    expect(f.shape).toEqual([2, 2, 3, 2]);
    // element [out=1, in=2, kh=0, kw=1] lands at [0, 1, 2, 1]
    expect(f.arraySync()).toHaveProperty([0, 1, 2, 1], (conv.arraySync() as number[][][][])[1]![2]![0]![1]);
    expect(convnextReferenceMapper('backbone.downsample_layers.0.1.bias')?.name).toBe('downsamples.0.norm.bias');
    expect(convnextReferenceMapper('backbone.downsample_layers.2.0.weight')?.name).toBe('downsamples.2.norm.weight');
    expect(convnextReferenceMapper('backbone.stages.0.0.pwconv2.bias')?.name).toBe('stages.0.0.pwconv2.bias');
    expect(convnextReferenceMapper('backbone.norm.weight')).toBeNull();
    expect(convnextReferenceMapper('backbone.stages.0.0.drop_path.weight')).toBeNull();
    expect(convnextReferenceMapper('head.weight')).toBeNull();
    tf.dispose([conv, f]);
  });
});

describe('ConvNeXtImageTokenizer training (cpu: conv gradients)', () => {
  beforeAll(() => useBackend('cpu'));

  it('every parameter receives a finite, non-zero gradient and nothing leaks', () => {
    const tok = new ConvNeXtImageTokenizer(
      { imageSize: [16, 16], inChannels: 2, stateDim: 16, preset: 'pico', numStages: 2, positionalGridDim: 4 },
      new Rng(9),
    );
    const x = tf.randomNormal([2, 16, 16, 2], 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tok.forward(x).square().mean() as tf.Scalar, tok.trainableParameters());
    for (const [name, v] of tok.namedParameters()) {
      const g = grads[v.name];
      expect(g, name).toBeDefined();
      expect(g!.shape).toEqual(v.shape);
      const norm = tf.tidy(() => g!.abs().sum().dataSync()[0] as number);
      expect(Number.isFinite(norm) && norm > 0, `${name} grad norm ${norm}`).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    tok.dispose();
  });
});

describe('ConvNeXtImageTokenizer gradients on wasm (engine patch kernels)', () => {
  it('match the cpu gradients', async () => {
    const cfg: ConvNeXtTokenizerConfig = {
      imageSize: [16, 16],
      inChannels: 2,
      stateDim: 16,
      preset: 'pico',
      numStages: 2,
      positionalGridDim: 4,
    };
    const grads: Record<string, Map<string, Float32Array>> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const tok = new ConvNeXtImageTokenizer(cfg, new Rng(9));
      for (const v of tok.namedParameters().values()) {
        const t = tf.tidy(() => v.add(tf.randomNormal(v.shape, 0, 0.1, 'float32', 3))); // make γ matter
        v.assign(t);
        t.dispose();
      }
      const x = tf.randomNormal([2, 16, 16, 2], 0, 1, 'float32', 4);
      const { value, grads: g } = tf.variableGrads(() => tok.forward(x).square().mean() as tf.Scalar, tok.trainableParameters());
      grads[backend] = new Map([...tok.namedParameters()].map(([n, v]) => [n, g[v.name]!.dataSync() as Float32Array]));
      tf.dispose([value, x, ...Object.values(g)]);
      tok.dispose();
    }
    for (const [name, c] of grads.cpu!) {
      const w = grads.wasm!.get(name)!;
      const scale = Math.max(...c.map(Math.abs));
      const err = Math.max(...c.map((v, i) => Math.abs(v - w[i]!)));
      expect(err / scale, name).toBeLessThan(1e-4);
    }
  });
});

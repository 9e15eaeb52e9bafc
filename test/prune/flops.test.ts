// The analytical forward FLOP counter against hand-computed cases: the cpu-tiny NAC term by term,
// a ConvNeXt femto tokenizer, and a tiny Perceiver IO. 2 FLOPs per multiply-add.
import { describe, expect, it } from 'vitest';
import { nacForwardFlops, perceiverIOForwardFlops, tokenizerFlops } from '../../src/model/flops.js';
import { nacPreset } from '../../src/config/presets.js';

describe('nacForwardFlops', () => {
  // cpu-tiny: 8×8×1 images, 2×2 patches → V 16 tokens of 16; d 32, d_code 16, d_sig 8; U 4 / 8 / 2;
  // L 2 (persistent read-in: 12 senders); 2 heads × 16 (inner 32); GEGLU FFN h 64 (fc1 32 → 128); 4 classes.
  const cfg = nacPreset('cpu-tiny');

  it('matches a hand count for batch 1', () => {
    const f = nacForwardFlops(cfg, 1);
    expect(f.parts.tokenizer).toBe(2 * 16 * 4 * 16); // 2048
    expect(f.parts.seeder).toBe(2 * 14 * 16 * 32); // 14336: W_μ for all 14 modules
    const readIn =
      2 * 4 * 16 * 32 +
      2 * 4 * 32 * 32 + // Q: modulation + matmul
      2 * 4 * 32 * 16 + // W_K folded into the queries
      2 * (2 * 4 * 16 * 16) + // K and V modulations (d_in 16)
      2 * 2 * (2 * 4 * 16 * 16) + // scores and A·x, 2 heads
      2 * 4 * 16 * 32 + // W_V
      (2 * 4 * 16 * 32 + 2 * 4 * 32 * 32) + // O
      (2 * 4 * 16 * 32 + 2 * 4 * 32 * 128) + // FFN fc1
      (2 * 4 * 16 * 64 + 2 * 4 * 64 * 32); // FFN fc2
    expect(readIn).toBe(106496);
    expect(f.parts.readIn).toBe(readIn);
    const layer =
      2 * 8 * 8 * 12 + // cosine distances 8 × 12
      (2 * 8 * 16 * 32 + 2 * 8 * 32 * 32) + // Q
      2 * (2 * 12 * 16 * 32 + 2 * 12 * 32 * 32) + // K, V over 12 senders
      2 * 2 * (2 * 8 * 16 * 12) + // scores and A·V, 2 heads
      (2 * 8 * 16 * 32 + 2 * 8 * 32 * 32) + // O
      (2 * 8 * 16 * 32 + 2 * 8 * 32 * 128 + 2 * 8 * 16 * 64 + 2 * 8 * 64 * 32); // FFN
    expect(layer).toBe(259584);
    expect(f.propagatorLayers).toEqual([layer, layer]);
    expect(f.parts.propagators).toBe(2 * layer);
    const readOut =
      2 * 2 * 8 * 12 +
      (2 * 2 * 16 * 32 + 2 * 2 * 32 * 32) +
      2 * (2 * 12 * 16 * 32 + 2 * 12 * 32 * 32) +
      2 * 2 * (2 * 2 * 16 * 12) +
      (2 * 2 * 16 * 32 + 2 * 2 * 32 * 32) +
      (2 * 2 * 16 * 32 + 2 * 2 * 32 * 128 + 2 * 2 * 16 * 64 + 2 * 2 * 64 * 32);
    expect(f.parts.readOut).toBe(readOut);
    expect(f.parts.pooling).toBe(2 * 2 * 32 + 2 * 2 * 32 + 2 * 32 * 4); // scorer, weighted sum, classifier
    expect(f.total).toBe(2048 + 14336 + 106496 + 2 * 259584 + 120192 + 512);
  });

  it('counts code-only work once per call and the rest per example', () => {
    // Per propagator layer: kernel 1536 + modulations (Q 8192, K/V 2 × 12288, O 8192, FFN 8192 + 16384) = 67072.
    const perExample = 259584 - 67072;
    expect(nacForwardFlops(cfg, 2).propagatorLayers[0]).toBe(67072 + 2 * perExample);
    // Without persistent read-in, layer 1 has 8 senders.
    const f = nacForwardFlops({ ...cfg, persistentReadIn: false }, 1);
    expect(f.propagatorLayers[1]).toBeLessThan(f.propagatorLayers[0] as number);
  });

  it('fewer propagators cost fewer FLOPs in the propagators and the read-out only', () => {
    const a = nacForwardFlops(cfg);
    const b = nacForwardFlops({ ...cfg, numPropagators: 4, priors: { ...cfg.priors, propagator: { preset: 'none' } } });
    expect(b.parts.propagators).toBeLessThan(a.parts.propagators);
    expect(b.parts.readOut).toBeLessThan(a.parts.readOut);
    expect([b.parts.tokenizer, b.parts.readIn, b.parts.pooling]).toEqual([a.parts.tokenizer, a.parts.readIn, a.parts.pooling]);
  });
});

describe('tokenizer and Perceiver IO FLOPs', () => {
  it('ConvNeXt femto on 28×28×1, one stage of 64', () => {
    const t = tokenizerFlops(
      { type: 'convnext', imageSize: [28, 28], inChannels: 1, stateDim: 256, preset: 'femto', numStages: 1, positionalGridDim: 16 },
      1,
    );
    // stem 4×4/4 → 7×7×64: 2·49·16·64; one block: depthwise 7×7 2·49·49·64, pw 64→256 and back 2 × 2·49·64·256.
    expect(t.flops).toBe(2 * 49 * 16 * 64 + 2 * 49 * 49 * 64 + 2 * (2 * 49 * 64 * 256));
    expect([t.numTokens, t.tokenDim]).toEqual([49, 80]);
  });

  it('a tiny Perceiver IO', () => {
    const p = {
      numLatents: 4,
      latentDim: 8,
      depth: 1,
      crossHeads: 1,
      crossDimHead: 4,
      latentHeads: 2,
      latentDimHead: 4,
      ffnMult: 2,
      queriesDim: 8,
      numClasses: 3,
    };
    const f = perceiverIOForwardFlops(p, { type: 'patch', imageSize: [4, 4], inChannels: 1, patchSize: 2, tokenDim: 6 }, 1);
    expect(f.parts.tokenizer).toBe(2 * 4 * 4 * 6);
    // encoder: q 2·4·8·4, kv 2·4·6·8, scores + A·V 2·(2·4·4·4), out 2·4·4·8; GEGLU FF 2·4·8·32 + 2·4·16·8.
    expect(f.parts.encoder).toBe(256 + 384 + 256 + 256 + 2048 + 1024);
    // latent layer: q 2·4·8·8, kv 2·4·8·16, 2 heads × 2·(2·4·4·4), out 2·4·8·8; FF as above.
    expect(f.parts.latentLayers).toBe(512 + 1024 + 512 + 512 + 3072);
    // decoder: 1 query: q 64, kv 2·4·8·8, scores + A·V 2·(2·1·4·4), out 64; FF 512 + 256; logits 2·8·3.
    expect(f.parts.decoder).toBe(64 + 512 + 64 + 64 + 768 + 48);
    expect(f.total).toBe(11568);
  });
});

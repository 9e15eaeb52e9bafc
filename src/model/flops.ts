/**
 * Analytical forward FLOP counts, by part, of the eval-mode forward pass of a NAC (and of the
 * Perceiver IO baseline) for a batch of B inputs. Only matrix products and convolutions are counted,
 * at 2 FLOPs per multiply-add; element-wise work (LayerNorm, softmax, GELU, residual adds) is not.
 * Work that does not depend on the input (the ModFC code modulations 1 + α·LN(W_c c), the seeder's
 * states, the signature kernel) runs once per forward call, whatever B, and is counted once.
 * The formulas follow the code paths exactly (e.g. the read-in's folded keys, src/circuits/read-in.ts).
 */
import { ffnHidden, type NACConfig } from '../config/nac-config.js';
import { CONVNEXT_PRESET_DEPTHS, DEFAULT_POSITIONAL_GRID_DIM, convnextFeatureSize, convnextStageWidths } from '../tokenizers/convnext.js';
import { validateTokenizerConfig, type TokenizerConfig } from '../tokenizers/index.js';
import type { PerceiverIOConfig } from '../baselines/perceiver-io-config.js';
import type { ModelConfig } from './factory.js';

/** FLOPs of one forward call, by part, and their total. */
export interface FlopCount {
  /** Part name → FLOPs (insertion order = forward order). */
  parts: Record<string, number>;
  total: number;
}

/** FLOPs of a NAC forward call by part; `propagatorLayers` splits `propagators` by layer. */
export interface NACFlopCount extends FlopCount {
  parts: { tokenizer: number; seeder: number; readIn: number; propagators: number; readOut: number; pooling: number };
  propagatorLayers: number[];
}

/** 2·m·k·n: a [m, k] × [k, n] product. */
const mm = (m: number, k: number, n: number): number => 2 * m * k * n;

/** Tokens V and token width d_in of a tokenizer config, and its FLOPs for a batch of B. */
export function tokenizerFlops(raw: TokenizerConfig, batch: number): { flops: number; numTokens: number; tokenDim: number } {
  const t = validateTokenizerConfig(raw);
  switch (t.type) {
    case 'convnext': {
      const widths = convnextStageWidths(t.stateDim, t.numStages);
      const depths = CONVNEXT_PRESET_DEPTHS[t.preset];
      let [h, w] = [t.imageSize[0], t.imageSize[1]];
      let prev = t.inChannels;
      let flops = 0;
      widths.forEach((c, i) => {
        const k = i === 0 ? 4 : 2;
        [h, w] = [Math.floor((h - k) / k) + 1, Math.floor((w - k) / k) + 1];
        flops += mm(batch * h * w, k * k * prev, c); // stem / downsampling conv
        const block = mm(batch * h * w, 49, 1) * c + mm(batch * h * w, c, 4 * c) + mm(batch * h * w, 4 * c, c); // dw 7×7, pw1, pw2
        flops += (depths[i] as number) * block;
        prev = c;
      });
      const [fh, fw] = convnextFeatureSize(t.imageSize, t.numStages);
      return { flops, numTokens: fh * fw, tokenDim: prev + (t.positionalGridDim ?? DEFAULT_POSITIONAL_GRID_DIM) };
    }
    case 'patch': {
      const p = t.patchSize;
      const V = Math.floor(t.imageSize[0] / p) * Math.floor(t.imageSize[1] / p);
      return { flops: mm(batch * V, p * p * t.inChannels, t.tokenDim), numTokens: V, tokenDim: t.tokenDim };
    }
    case 'points': {
      const rows = batch * t.numPoints;
      const flops =
        t.encoding === 'mlp'
          ? mm(rows, t.pointDim, t.hidden as number) + mm(rows, t.hidden as number, t.tokenDim)
          : mm(rows, t.pointDim, t.fourierBands as number) + mm(rows, t.pointDim + 2 * (t.fourierBands as number), t.tokenDim);
      return { flops, numTokens: t.numPoints, tokenDim: t.tokenDim };
    }
    case 'bytes': {
      const V = t.maxLength / (t.groupSize as number);
      return { flops: mm(batch * V, (t.groupSize as number) * (t.embedDim as number), t.tokenDim), numTokens: V, tokenDim: t.tokenDim };
    }
    case 'symbols':
      return { flops: 0, numTokens: t.maxLength, tokenDim: t.tokenDim };
  }
}

/** A ModFC d_in → d_out applied to `rows` rows, with `modules` distinct codes of width d_code. */
const modfc = (rows: number, modules: number, dIn: number, dOut: number, dCode: number): number =>
  mm(modules, dCode, dIn) + mm(rows, dIn, dOut);

/** A ModFFN on U modules × B: fc1 d → 2h (GEGLU) or h, fc2 h → d. */
function ffnFlops(cfg: NACConfig, U: number, B: number): number {
  const h = ffnHidden(cfg);
  return modfc(B * U, U, cfg.stateDim, cfg.geglu ? 2 * h : h, cfg.codeDim) + modfc(B * U, U, h, cfg.stateDim, cfg.codeDim);
}

/** A propagator or read-out layer: Ur receivers attending Us senders (kernel, Q/K/V/O ModFCs, scores, A·V, ModFFN). */
function kernelLayerFlops(cfg: NACConfig, Ur: number, Us: number, B: number): number {
  const { stateDim: d, codeDim: dc, numHeads: H, headDim: dh } = cfg;
  const inner = H * dh;
  return (
    mm(Ur, cfg.signatureDim, Us) + // cosine distances of the signatures
    modfc(B * Ur, Ur, d, inner, dc) + // Q
    2 * modfc(B * Us, Us, d, inner, dc) + // K, V
    2 * B * H * mm(Ur, dh, Us) + // scores, A·V
    modfc(B * Ur, Ur, inner, d, dc) + // O
    ffnFlops(cfg, Ur, B)
  );
}

/** Forward FLOPs of a NAC for a batch of `batch` inputs, by part (see the file header for what counts). */
export function nacForwardFlops(cfg: NACConfig, batch = 1): NACFlopCount {
  const B = batch;
  const tok = tokenizerFlops(cfg.tokenizer, B);
  const { stateDim: d, codeDim: dc, readInHeads: Hi, headDim: dh } = cfg;
  const [Uin, Up, Uout] = [cfg.numReadIn, cfg.numPropagators, cfg.numReadOut];
  const [V, din, inner] = [tok.numTokens, tok.tokenDim, Hi * dh];
  // Read-in (folded): Q; W_K folded into q; K and V modulations; scores; A·x; W_V; O; FFN.
  const readIn =
    modfc(B * Uin, Uin, d, inner, dc) +
    mm(B * Uin, inner, din) +
    2 * mm(Uin, dc, din) +
    2 * B * Hi * mm(Uin, din, V) +
    mm(B * Uin, din, inner) +
    modfc(B * Uin, Uin, inner, d, dc) +
    ffnFlops(cfg, Uin, B);
  const propagatorLayers = Array.from({ length: cfg.numLayers }, (_, l) =>
    kernelLayerFlops(cfg, Up, l === 0 || cfg.persistentReadIn ? Uin + Up : Up, B),
  );
  const parts = {
    tokenizer: tok.flops,
    seeder: mm(Uin + Up + Uout, dc, d),
    readIn,
    propagators: propagatorLayers.reduce((a, b) => a + b, 0),
    readOut: kernelLayerFlops(cfg, Uout, Uin + Up, B),
    pooling: mm(B * Uout, d, 1) + mm(B, Uout, d) + mm(B, d, cfg.numClasses),
  };
  return { parts, propagatorLayers, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/** Multi-head attention of Nq queries (width dq) over Nk context rows (width dk), as in src/baselines/attention.ts. */
function mhaFlops(Nq: number, dq: number, Nk: number, dk: number, heads: number, dh: number): number {
  const inner = heads * dh;
  return mm(Nq, dq, inner) + mm(Nk, dk, 2 * inner) + 2 * heads * mm(Nq, dh, Nk) + mm(Nq, inner, dq);
}

/** Forward FLOPs of the Perceiver IO baseline for a batch of `batch` inputs, by part. */
export function perceiverIOForwardFlops(p: PerceiverIOConfig, tokenizer: TokenizerConfig, batch = 1): FlopCount {
  const B = batch;
  const tok = tokenizerFlops(tokenizer, B);
  const [N, d, qd] = [p.numLatents, p.latentDim, p.queriesDim];
  const ff = (rows: number, dim: number) => mm(rows, dim, 2 * p.ffnMult * dim) + mm(rows, p.ffnMult * dim, dim);
  const parts = {
    tokenizer: tok.flops,
    encoder: B * mhaFlops(N, d, tok.numTokens, tok.tokenDim, p.crossHeads, p.crossDimHead) + ff(B * N, d),
    latentLayers: p.depth * (B * mhaFlops(N, d, N, d, p.latentHeads, p.latentDimHead) + ff(B * N, d)),
    decoder: B * mhaFlops(1, qd, N, d, p.crossHeads, p.crossDimHead) + ff(B, qd) + mm(B, qd, p.numClasses),
  };
  return { parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/** Forward FLOPs of any model config this package builds. */
export function modelForwardFlops(cfg: ModelConfig, batch = 1): FlopCount {
  return cfg.model === 'nac' ? nacForwardFlops(cfg, batch) : perceiverIOForwardFlops(cfg.perceiver, cfg.tokenizer, batch);
}

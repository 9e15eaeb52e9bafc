/**
 * The Perceiver IO baseline of spec §1.12 (the reference's `external/perceiver_io.py` as a classifier),
 * sharing the tokenizers with NAC:
 *
 *   x  = latents (N(0,1) init) repeated over the batch
 *   x += CrossAttn(LN(x), LN_ctx(tokens));  x += FF(LN(x))
 *   depth × (untied):  x += SelfAttn(LN(x));  x += FF(LN(x))
 *   z  = CrossAttn(LN(query), LN(x))   (learned classification query [1, queriesDim]; no residual)
 *   z += FF(LN(z));  logits = Linear(z)[:, 0]
 *
 * FF is the GEGLU feed-forward Linear(d, 2·mult·d) → GEGLU → Linear(mult·d, d).
 */
import * as tf from '@tensorflow/tfjs';
import { repeatBatch } from '../nn/repeat-batch.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { normal } from '../nn/init.js';
import type { Rng } from '../util/rng.js';
import { createTokenizer, type Tokenizer } from '../tokenizers/index.js';
import { PreNormCrossAttention, PreNormFeedForward, PreNormSelfAttention } from './blocks.js';
import { validatePerceiverIOConfig, type PerceiverIOConfig, type PerceiverIOPreset } from './perceiver-io-config.js';

export {
  PERCEIVER_IO_DEFAULTS,
  PERCEIVER_IO_SMALL_CPU,
  PERCEIVER_IO_TINY_IMAGENET,
  validatePerceiverIOConfig,
  validatePerceiverIOPreset,
  type PerceiverIOConfig,
  type PerceiverIOPreset,
} from './perceiver-io-config.js';

/** One untied latent layer: self-attention and feed-forward branches. */
interface LatentLayer {
  selfAttention: PreNormSelfAttention;
  feedForward: PreNormFeedForward;
}

/**
 * Perceiver IO classifier. Parameter names: `tokenizer.*`, `latents` [N, d],
 * `encoder.{crossAttention,feedForward}.*`, `layers.{i}.{selfAttention,feedForward}.*`,
 * `decoder.{crossAttention,feedForward}.*`, `classificationQuery` [1, queriesDim], `toLogits.*`.
 */
export class PerceiverIO extends Module {
  readonly config: PerceiverIOConfig;
  readonly tokenizer: Tokenizer;
  readonly latents: tf.Variable;
  readonly encoderCrossAttention: PreNormCrossAttention;
  readonly encoderFeedForward: PreNormFeedForward;
  readonly layers: readonly LatentLayer[];
  readonly decoderCrossAttention: PreNormCrossAttention;
  readonly decoderFeedForward: PreNormFeedForward;
  readonly classificationQuery: tf.Variable;
  readonly toLogits: Linear;

  constructor(config: PerceiverIOConfig, tokenizer: Tokenizer, rng: Rng) {
    super();
    const c = validatePerceiverIOConfig(config, 'PerceiverIO config');
    this.config = c;
    const d = c.latentDim;
    this.tokenizer = this.addChild('tokenizer', tokenizer);
    this.latents = this.addParam('latents', normal(rng, [c.numLatents, d]));
    this.encoderCrossAttention = this.addChild(
      'encoder.crossAttention',
      new PreNormCrossAttention(d, tokenizer.tokenDim, c.crossHeads, c.crossDimHead, rng),
    );
    this.encoderFeedForward = this.addChild('encoder.feedForward', new PreNormFeedForward(d, c.ffnMult, rng));
    const layers: LatentLayer[] = [];
    for (let i = 0; i < c.depth; i++) {
      layers.push({
        selfAttention: this.addChild(`layers.${i}.selfAttention`, new PreNormSelfAttention(d, c.latentHeads, c.latentDimHead, rng)),
        feedForward: this.addChild(`layers.${i}.feedForward`, new PreNormFeedForward(d, c.ffnMult, rng)),
      });
    }
    this.layers = layers;
    this.decoderCrossAttention = this.addChild(
      'decoder.crossAttention',
      new PreNormCrossAttention(c.queriesDim, d, c.crossHeads, c.crossDimHead, rng),
    );
    this.decoderFeedForward = this.addChild('decoder.feedForward', new PreNormFeedForward(c.queriesDim, c.ffnMult, rng));
    this.classificationQuery = this.addParam('classificationQuery', normal(rng, [1, c.queriesDim]));
    this.toLogits = this.addChild('toLogits', new Linear(c.queriesDim, c.numClasses, rng));
  }

  /** Latent states after the encoder and the latent layers: tokens [B, V, d_in] → [B, N, d]. */
  encode(tokens: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const b = tokens.shape[0] as number;
      let x: tf.Tensor = repeatBatch(this.latents, b);
      x = x.add(this.encoderCrossAttention.forward(x, tokens));
      x = x.add(this.encoderFeedForward.forward(x));
      for (const layer of this.layers) {
        x = x.add(layer.selfAttention.forward(x));
        x = x.add(layer.feedForward.forward(x));
      }
      return x;
    });
  }

  /** Latent states [B, N, d] → logits [B, numClasses]. */
  decode(latents: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const b = latents.shape[0] as number;
      const query = repeatBatch(this.classificationQuery, b); // [B, 1, queriesDim]
      let z = this.decoderCrossAttention.forward(query, latents);
      z = z.add(this.decoderFeedForward.forward(z));
      return this.toLogits.forward(z).squeeze([1]);
    });
  }

  /** Raw inputs (e.g. NHWC images) → logits [B, numClasses]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.decode(this.encode(this.tokenizer.forward(x))));
  }
}

/** Builds the tokenizer and the model of a preset. */
export function createPerceiverIO(preset: PerceiverIOPreset, rng: Rng): PerceiverIO {
  const tokenizer = createTokenizer(preset.tokenizer, rng);
  return new PerceiverIO(preset.model, tokenizer, rng);
}

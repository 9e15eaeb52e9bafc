/**
 * One propagator layer (spec §1.7) and the read-out layer (§1.8), both an SKMDPA followed by a
 * ModFFN, each layer with its own weights and its own kernel bandwidth ε:
 *   θ_r ← [θ_r +] DropPath(γ ⊙ SKMDPA(receivers θ_r, senders θ_s; signatures, codes))
 *   θ_r ← θ_r + DropPath(γ ⊙ ModFFN(LN(θ_r); c_r))
 * Propagators share one LayerNorm between receivers and senders and keep the residual; the read-out
 * uses separate LayerNorms and, in every config, no residual around its attention.
 */
import type * as tf from '@tensorflow/tfjs';
import { tidy } from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { ModAttention, type ModAttentionOptions } from '../nn/mod-attention.js';
import { ModFFN, type ModFFNOptions } from '../nn/mod-ffn.js';
import { dropPath } from '../nn/drop-path.js';
import type { KernelConfig } from '../config/nac-config.js';
import type { Rng } from '../util/rng.js';
import { SignatureKernel } from './kernel.js';

export interface KernelAttentionLayerOptions {
  attention: ModAttentionOptions;
  ffn: ModFFNOptions;
  kernel: KernelConfig;
  residual: boolean;
  dropPath: number;
}

/** What one layer needs of its receivers. */
export interface LayerParticipants {
  states: tf.Tensor;
  codes: tf.Tensor;
  signatures: tf.Tensor;
  /**
   * Eval only, [Ut, d]: the last Ut rows of the states are these rows in every example (seeded states),
   * so the attention computes their queries, keys and values once (for receivers, Ut is all of U_r; for
   * senders in parts, the last part).
   */
  template?: tf.Tensor;
}

/** What one layer needs of its senders: states whole [B, Us, d] or in parts [B, U_i, d] along axis 1 (see ModAttention.branch). */
export interface SenderParticipants extends Omit<LayerParticipants, 'states'> {
  states: tf.Tensor | readonly tf.Tensor[];
}

export class KernelAttentionLayer extends Module {
  readonly kernel: SignatureKernel;
  readonly attention: ModAttention;
  readonly ffn: ModFFN;

  constructor(
    private readonly opts: KernelAttentionLayerOptions,
    rng: Rng,
  ) {
    super();
    this.kernel = this.addChild('kernel', new SignatureKernel(opts.kernel));
    this.attention = this.addChild('attention', new ModAttention(opts.attention, rng));
    this.ffn = this.addChild('ffn', new ModFFN(opts.ffn, rng));
  }

  /** Updates the receivers' states [B, Ur, d] from the senders' states [B, Us, d]. */
  forward(receivers: LayerParticipants, senders: SenderParticipants, rng: Rng): tf.Tensor {
    return tidy(() => {
      const B = receivers.states.shape[0] as number;
      const logK = this.kernel.logKernel(receivers.signatures, senders.signatures, B, this.training, rng.seed());
      const dropping = this.training && this.opts.dropPath > 0;
      // Without drop path the residual add rides on the attention's output projection (fused in eval on wasm).
      const residual = this.opts.residual && !dropping ? receivers.states : null;
      const m = this.attention.branch(receivers.states, senders.states, receivers.codes, senders.codes, logK, {
        residual,
        receiverTemplate: receivers.template,
        senderTemplate: senders.template,
      });
      let x = residual != null ? m : dropPath(m, this.opts.dropPath, this.training, rng);
      if (this.opts.residual && residual == null) x = receivers.states.add(x);
      return this.ffn.forward(x, receivers.codes, rng);
    });
  }
}

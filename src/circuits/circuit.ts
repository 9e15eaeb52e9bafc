/**
 * The circuit: the unconditional circuit generator (codes, signatures, seeder) together with the
 * executor's layers (read-in → L propagators → read-out), the reference's LatentGraph (spec §1.1).
 * Input: tokens [B, V, d_in]. Output: the states of every module group.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import type { Rng } from '../util/rng.js';
import { ffnHidden, type NACConfig } from '../config/nac-config.js';
import type { ModAttentionOptions } from '../nn/mod-attention.js';
import type { ModFFNOptions } from '../nn/mod-ffn.js';
import { ModuleLatents } from './latents.js';
import { LatentSeeder } from './seeder.js';
import { ReadIn } from './read-in.js';
import { KernelAttentionLayer, type LayerParticipants, type SenderParticipants } from './propagator.js';
import { codeNoise } from './code-noise.js';

/** The module states a forward pass produces. */
export interface CircuitStates {
  inputStates: tf.Tensor;
  mediatorStates: tf.Tensor;
  outputStates: tf.Tensor;
}

/** The stages of Circuit.forward, in order. */
export type CircuitStage = 'readIn' | 'propagators' | 'readOut';
/** Runs one stage's computation `run` (and may time it); must return run's result. */
export type CircuitStageRunner = (name: CircuitStage, run: () => tf.Tensor) => tf.Tensor;

export class Circuit extends Module {
  readonly latents: { readIn: ModuleLatents; propagator: ModuleLatents; readOut: ModuleLatents };
  readonly seeder: LatentSeeder;
  readonly readIn: ReadIn;
  readonly propagators: KernelAttentionLayer[];
  readonly readOut: KernelAttentionLayer;

  constructor(
    readonly cfg: NACConfig,
    tokenDim: number,
    rng: Rng,
  ) {
    super();
    const c = cfg;
    const latentsHolder = this.addChild('latents', new LatentGroups());
    const latent = (name: 'readIn' | 'propagator' | 'readOut', count: number) =>
      latentsHolder.add(
        name,
        new ModuleLatents(
          {
            count,
            codeDim: c.codeDim,
            signatureDim: c.signatureDim,
            prior: c.priors[name],
            fitTruncation: c.priors.fitTruncation,
            fitSteps: c.priors.fitSteps,
            learnableCodes: c.learnableCodes,
            learnableSignatures: c.learnableSignatures,
          },
          rng.fork(),
        ),
      );
    this.latents = {
      readIn: latent('readIn', c.numReadIn),
      propagator: latent('propagator', c.numPropagators),
      readOut: latent('readOut', c.numReadOut),
    };
    this.seeder = this.addChild(
      'seeder',
      new LatentSeeder(c.codeDim, c.stateDim, rng, { codeNoise: c.seederCodeNoise ? c.codeNoise : 0, logVarBias: -5 }),
    );
    const modfc = c.modfc;
    const ffn = (dropPath: number): ModFFNOptions => ({
      dim: c.stateDim,
      hidden: ffnHidden(c),
      codeDim: c.codeDim,
      geglu: c.geglu,
      layerScale: c.layerScale,
      dropPath,
      modfc,
    });
    this.readIn = this.addChild(
      'readIn',
      new ReadIn(
        {
          tokenDim,
          dim: c.stateDim,
          codeDim: c.codeDim,
          heads: c.readInHeads,
          headDim: c.headDim,
          qkvBias: c.qkvBias,
          layerScale: c.readInLayerScale,
          residual: c.readInResidual,
          dropPath: c.dropPath.readIn,
          ffnHidden: ffnHidden(c),
          ffnLayerScale: c.layerScale,
          geglu: c.geglu,
          modfc,
        },
        rng,
      ),
    );
    const attention = (sharedNorm: boolean): ModAttentionOptions => ({
      dim: c.stateDim,
      codeDim: c.codeDim,
      heads: c.numHeads,
      headDim: c.headDim,
      qkvBias: c.qkvBias,
      layerScale: c.layerScale,
      sharedNorm,
      modfc,
    });
    const layers = this.addChild('propagators', new LayerList());
    this.propagators = [];
    for (let l = 0; l < c.numLayers; l++) {
      this.propagators.push(
        layers.add(
          new KernelAttentionLayer(
            {
              attention: attention(true),
              ffn: ffn(c.dropPath.propagator),
              kernel: c.kernel,
              residual: true,
              dropPath: c.dropPath.propagator,
            },
            rng,
          ),
        ),
      );
    }
    this.readOut = this.addChild(
      'readOut',
      new KernelAttentionLayer(
        {
          attention: attention(false),
          ffn: ffn(c.dropPath.readOut),
          kernel: c.readOutKernel,
          residual: c.readOutResidual,
          dropPath: c.dropPath.readOut,
        },
        rng,
      ),
    );
  }

  /** Codes of a group, with training-time code noise (a fresh draw per use). */
  private codes(group: ModuleLatents, rng: Rng): tf.Tensor {
    return codeNoise(group.codes, this.cfg.codeNoise, this.training, rng);
  }

  /**
   * The senders [read-in ∪ propagator modules], read-in first (the reference's order), as two parts:
   * in eval the attention reads them without joining them (and, when `med` is also the receivers'
   * states, normalises those rows once for both).
   */
  private readInAndPropagators(inputStates: tf.Tensor, med: tf.Tensor, rng: Rng): SenderParticipants {
    const { readIn: gi, propagator: gm } = this.latents;
    // In eval mode the joined codes and signatures are parameter-only: joined once (../nn/eval-cache.ts).
    const join = (site: string, a: tf.Tensor, b: tf.Tensor): tf.Tensor => this.evalCached(site, [a, b], () => tf.concat([a, b], 0));
    return {
      states: [inputStates, med],
      codes: join('senderCodes', this.codes(gi, rng), this.codes(gm, rng)),
      signatures: join('senderSignatures', gi.signatures, gm.signatures),
    };
  }

  /**
   * Runs the circuit on tokens [B, V, d_in]. `stage` wraps each of its three stages (the default runs
   * them as they are): src/prune/stages.ts times them with it. Each seeder call runs in the stage whose
   * states it seeds.
   */
  forward(tokens: tf.Tensor, rng: Rng, stage: CircuitStageRunner = (_name, run) => run()): CircuitStates {
    return tf.tidy(() => {
      const B = tokens.shape[0] as number;
      const { readIn: gi, propagator: gm, readOut: go } = this.latents;
      // In eval every example starts from the same seeded states (null in training): layers given them as
      // templates compute what depends on them alone once, not per example.
      const template = (group: ModuleLatents): tf.Tensor | undefined => this.seeder.evalState(group.codes) ?? undefined;
      const inputStates = stage('readIn', () =>
        this.readIn.forward(this.seeder.forward(gi.codes, B, rng), tokens, this.codes(gi, rng), rng, template(gi)),
      );
      const mediatorStates = stage('propagators', () => {
        let med = this.seeder.forward(gm.codes, B, rng);
        let medTemplate = template(gm);
        this.propagators.forEach((layer, l) => {
          const receivers: LayerParticipants = {
            states: med,
            codes: this.codes(gm, rng),
            signatures: gm.signatures,
            template: medTemplate,
          };
          const withInputs = l === 0 || this.cfg.persistentReadIn;
          const senders: SenderParticipants = withInputs
            ? { ...this.readInAndPropagators(inputStates, med, rng), template: medTemplate }
            : { states: med, codes: this.codes(gm, rng), signatures: gm.signatures, template: medTemplate };
          med = layer.forward(receivers, senders, rng);
          medTemplate = undefined; // after the first layer the states depend on the input
        });
        return med;
      });
      const outputStates = stage('readOut', () =>
        this.readOut.forward(
          { states: this.seeder.forward(go.codes, B, rng), codes: this.codes(go, rng), signatures: go.signatures, template: template(go) },
          this.readInAndPropagators(inputStates, mediatorStates, rng),
          rng,
        ),
      );
      return { inputStates, mediatorStates, outputStates };
    });
  }
}

/** Holder for the three latent groups, so their parameters are named `latents.<group>.*`. */
class LatentGroups extends Module {
  add(name: string, latents: ModuleLatents): ModuleLatents {
    return this.addChild(name, latents);
  }
}

/** An indexed list of layers, named `0`, `1`, … */
class LayerList extends Module {
  private n = 0;
  add<M extends Module>(layer: M): M {
    return this.addChild(String(this.n++), layer);
  }
}

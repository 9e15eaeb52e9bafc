/**
 * The eval-mode kernel graph of a loaded NAC: for every layer that uses the signature kernel (each
 * propagator layer with its own bandwidth ε, then the read-out), the kernel K [Ur, Us] between its
 * receivers and its senders (SignatureKernel.kernel: exp(−d/ε), 0 beyond the truncation τ), and which
 * module group each sender column belongs to. The senders are laid out as in Circuit.forward.
 */
import * as tf from '@tensorflow/tfjs';
import type { NAC } from '../model/nac.js';
import type { PruneGroup } from './keep.js';

/** A run of sender columns that belong to one module group. */
export interface SenderSegment {
  group: PruneGroup;
  /** First column of the segment in K. */
  offset: number;
  count: number;
}

/** One kernel layer's weights. */
export interface KernelBlock {
  /** 'propagator.<l>' or 'readOut'. */
  layer: string;
  receivers: PruneGroup;
  numReceivers: number;
  senders: SenderSegment[];
  numSenders: number;
  /** Row-major [numReceivers, numSenders]. */
  K: Float32Array;
}

/** The sender layout of propagator layer `l` (read-in first when the read-in states take part). */
export function propagatorSenders(model: NAC, l: number): SenderSegment[] {
  const c = model.config;
  return l === 0 || c.persistentReadIn
    ? [
        { group: 'readIn', offset: 0, count: c.numReadIn },
        { group: 'propagator', offset: c.numReadIn, count: c.numPropagators },
      ]
    : [{ group: 'propagator', offset: 0, count: c.numPropagators }];
}

/** The read-out's sender layout: read-in, then propagators. */
export function readOutSenders(model: NAC): SenderSegment[] {
  const c = model.config;
  return [
    { group: 'readIn', offset: 0, count: c.numReadIn },
    { group: 'propagator', offset: c.numReadIn, count: c.numPropagators },
  ];
}

/** Every kernel layer's eval-mode kernel, in forward order (propagator layers 0…L−1, then the read-out). */
export function kernelBlocks(model: NAC): KernelBlock[] {
  const { latents, propagators, readOut } = model.circuit;
  const sigs = (segs: SenderSegment[]) =>
    tf.concat(
      segs.map((s) => latents[s.group].signatures),
      0,
    );
  const block = (layer: string, receivers: PruneGroup, segs: SenderSegment[], kernel: typeof readOut.kernel): KernelBlock => {
    const k = tf.tidy(() => kernel.kernel(latents[receivers].signatures, sigs(segs)));
    const K = (k.dataSync() as Float32Array).slice();
    const [numReceivers, numSenders] = k.shape as [number, number];
    k.dispose();
    return { layer, receivers, numReceivers, senders: segs, numSenders, K };
  };
  const blocks = propagators.map((p, l) => block(`propagator.${l}`, 'propagator', propagatorSenders(model, l), p.kernel));
  blocks.push(block('readOut', 'readOut', readOutSenders(model), readOut.kernel));
  return blocks;
}

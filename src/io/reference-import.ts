/**
 * Importing the authors' reference checkpoints (PyTorch `NeuralCompiler`): map its `state_dict` names
 * and layouts onto our parameters (its constructor arguments become our config in
 * ./reference-config.ts). Everything that does not map (an unknown name, a shape mismatch, one of our
 * parameters left without a value) is reported by name.
 */
import * as tf from '@tensorflow/tfjs';
import { convnextReferenceMapper } from '../tokenizers/convnext.js';
import type { ParamImport } from '../tokenizers/tokenizer.js';
import type { RawTensor } from './safetensors.js';
import { ReferenceImportError } from './reference-config.js';

export { ReferenceImportError, translateReferenceConfig } from './reference-config.js';

const MODFC_PARTS: Record<string, ParamImport> = {
  native_weight: { name: 'weight', convert: (t) => t.transpose() },
  native_bias: { name: 'bias' },
  scale_gain: { name: 'gain' },
  'scale.weight': { name: 'codeProj', convert: (t) => t.transpose() },
};
const COMPILERS: Record<string, string> = { query_compiler: 'query', key_compiler: 'key', value_compiler: 'value', exit_layer: 'output' };
const LINEAR = (name: string, part: string): ParamImport =>
  part === 'weight' ? { name: `${name}.weight`, convert: (t) => t.transpose() } : { name: `${name}.${part}` };
const GROUPS: Record<string, string> = { input_latents: 'readIn', mediator_latents: 'propagator', output_latents: 'readOut' };

/** Maps an attention or FFN sub-name (after `latent_attention.` / `read_in_attention.` / `ffn.`). */
function mapAttention(rest: string): ParamImport | null {
  let m = /^(receiver|sender)_layernorm\.(weight|bias)$/.exec(rest);
  if (m) return { name: `${m[1]}Norm.${m[2]}` };
  m = /^(query_compiler|key_compiler|value_compiler|exit_layer)\.(.+)$/.exec(rest);
  if (m && MODFC_PARTS[m[2] as string]) {
    const p = MODFC_PARTS[m[2] as string] as ParamImport;
    return { ...p, name: `${COMPILERS[m[1] as string]}.${p.name}` };
  }
  if (rest === 'layer_scale.gamma') return { name: 'layerScale.gamma' };
  return null;
}

function mapFFN(rest: string): ParamImport | null {
  let m = /^layernorm\.(weight|bias)$/.exec(rest);
  if (m) return { name: `norm.${m[1]}` };
  m = /^ffn\.(0|2)\.(.+)$/.exec(rest);
  if (m && MODFC_PARTS[m[2] as string]) {
    const p = MODFC_PARTS[m[2] as string] as ParamImport;
    return { ...p, name: `${m[1] === '0' ? 'fc1' : 'fc2'}.${p.name}` };
  }
  if (rest === 'layer_scale.gamma') return { name: 'layerScale.gamma' };
  return null;
}

const prefixed = (prefix: string, p: ParamImport | null): ParamImport | null => (p ? { ...p, name: prefix + p.name } : null);

/** Maps one reference state_dict name onto our parameter name and layout, or null if unknown. */
export function mapReferenceName(ref: string): ParamImport | null {
  let m = /^input_tokenizer\.(.+)$/.exec(ref);
  if (m) return prefixed('tokenizer.', convnextReferenceMapper(m[1] as string));
  m = /^output_tokenizer\.(confidence_scorer|to_logits)\.(weight|bias)$/.exec(ref);
  if (m) return LINEAR(`pooling.${m[1] === 'confidence_scorer' ? 'scorer' : 'classifier'}`, m[2] as string);
  m = /^latent_graphs\.0\.(.+)$/.exec(ref);
  if (!m) return null;
  const r = m[1] as string;
  if ((m = /^(input_latents|mediator_latents|output_latents)\.(codes_|signatures_)$/.exec(r))) {
    return { name: `circuit.latents.${GROUPS[m[1] as string]}.${m[2] === 'codes_' ? 'codes' : 'signatures'}` };
  }
  if ((m = /^latent_seeder\.layernorm\.(weight|bias)$/.exec(r))) return { name: `circuit.seeder.norm.${m[1]}` };
  if ((m = /^latent_seeder\.code_to_state_(mu|logvar)\.(weight|bias)$/.exec(r))) {
    return LINEAR(`circuit.seeder.${m[1] === 'mu' ? 'mean' : 'logVar'}`, m[2] as string);
  }
  if ((m = /^read_in\.read_in_attention\.(.+)$/.exec(r))) return prefixed('circuit.readIn.attention.', mapAttention(m[1] as string));
  if ((m = /^read_in\.ffn\.(.+)$/.exec(r))) return prefixed('circuit.readIn.ffn.', mapFFN(m[1] as string));
  if ((m = /^(propagators\.\d+|read_out)\.latent_attention\.kernel\.bandwidth$/.exec(r))) {
    return { name: `circuit.${(m[1] as string).replace('read_out', 'readOut')}.kernel.bandwidth` };
  }
  if ((m = /^(propagators\.\d+|read_out)\.latent_attention\.(.+)$/.exec(r))) {
    return prefixed(`circuit.${(m[1] as string).replace('read_out', 'readOut')}.attention.`, mapAttention(m[2] as string));
  }
  if ((m = /^(propagators\.\d+|read_out)\.ffn\.(.+)$/.exec(r))) {
    return prefixed(`circuit.${(m[1] as string).replace('read_out', 'readOut')}.ffn.`, mapFFN(m[2] as string));
  }
  return null;
}

/**
 * Converts a reference state_dict into our named tensors, checking names and shapes against
 * `ours` (our parameter shapes). Throws ReferenceImportError listing every unmapped reference name,
 * every shape mismatch and every trainable parameter of ours that received no value.
 */
export function importReferenceWeights(
  stateDict: ReadonlyMap<string, RawTensor>,
  ours: ReadonlyMap<string, { shape: readonly number[]; trainable: boolean }>,
): Map<string, tf.Tensor> {
  const problems: string[] = [];
  const out = new Map<string, tf.Tensor>();
  for (const [ref, raw] of stateDict) {
    const target = mapReferenceName(ref);
    if (!target) {
      problems.push(`reference parameter '${ref}' [${raw.shape}] has no counterpart in our model`);
      continue;
    }
    const shape = ours.get(target.name)?.shape;
    if (!shape) {
      problems.push(`reference parameter '${ref}' maps to '${target.name}', which our model does not have`);
      continue;
    }
    const t = tf.tidy(() => {
      // Some writers store scalars as [1]; ours are rank 0.
      const srcShape = shape.length === 0 && raw.shape.length === 1 && raw.shape[0] === 1 ? [] : raw.shape;
      const src = tf.tensor(raw.data as Float32Array, srcShape, 'float32');
      return target.convert ? target.convert(src) : src;
    });
    if (!tf.util.arraysEqual(t.shape, [...shape])) {
      problems.push(`reference parameter '${ref}' → '${target.name}': shape [${t.shape}] but ours is [${shape}]`);
      t.dispose();
      continue;
    }
    out.set(target.name, t);
  }
  for (const [name, { trainable }] of ours) {
    // A frozen parameter (fixed ε or α) may be a constant in the reference: it keeps its config value.
    if (!out.has(name) && trainable) problems.push(`our parameter '${name}' received no value from the reference`);
  }
  if (problems.length) {
    for (const t of out.values()) t.dispose();
    throw new ReferenceImportError(problems);
  }
  return out;
}

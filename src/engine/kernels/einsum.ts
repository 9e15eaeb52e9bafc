/**
 * Einsum for the wasm backend (absent from tfjs-backend-wasm 4.22, so tf.einsum threw there).
 *
 * A direct summation: every output element is the sum, over all values of the summed labels, of the
 * product of the inputs. Correct for any number of inputs, repeated labels (diagonals) and implicit
 * output (no '->': labels used exactly once, sorted), but it does not reorder work into matmuls, so
 * it is meant for small contractions; use tf.matMul for large ones. Ellipsis ('...') is unsupported.
 */
import * as tf from '@tensorflow/tfjs';
import { numericData, sizeOf, wasmBackend, type KernelArgs } from './wasm-io.js';

const NAME = 'Einsum';

/** Parsed equation: the labels of each input term and of the output. */
export interface EinsumSpec {
  inputs: string[];
  output: string;
}

/** Parses an einsum equation for `numInputs` operands, with clear errors for malformed input. */
export function parseEinsum(equation: string, numInputs: number): EinsumSpec {
  const eq = equation.replace(/\s/g, '');
  if (eq.includes('...')) throw new Error(`${NAME} (wasm patch kernel): ellipsis ('...') is not supported`);
  const parts = eq.split('->');
  if (parts.length > 2) throw new Error(`${NAME} (wasm patch kernel): equation has more than one '->'`);
  const inputs = parts[0]!.split(',');
  if (inputs.length !== numInputs) {
    throw new Error(`${NAME} (wasm patch kernel): equation has ${inputs.length} input terms but got ${numInputs} tensors`);
  }
  for (const term of [...inputs, parts[1] ?? '']) {
    if (!/^[a-zA-Z]*$/.test(term)) throw new Error(`${NAME} (wasm patch kernel): invalid term '${term}' in '${equation}'`);
  }
  let output: string;
  if (parts.length === 2) {
    output = parts[1]!;
    const seen = new Set<string>();
    for (const l of output) {
      if (seen.has(l)) throw new Error(`${NAME} (wasm patch kernel): output label '${l}' repeated`);
      if (!inputs.some((t) => t.includes(l))) throw new Error(`${NAME} (wasm patch kernel): output label '${l}' not in inputs`);
      seen.add(l);
    }
  } else {
    const counts = new Map<string, number>();
    for (const l of inputs.join('')) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...counts]
      .filter(([, c]) => c === 1)
      .map(([l]) => l)
      .sort()
      .join('');
  }
  return { inputs, output };
}

/** Kernel function: inputs = array of tensors, attrs {equation}. */
export function einsum(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args.backend, NAME);
  const tensors = Object.values(args.inputs) as tf.TensorInfo[];
  const equation = (args.attrs as { equation?: unknown } | undefined)?.equation;
  if (typeof equation !== 'string') throw new Error(`${NAME} (wasm patch kernel): missing attr equation`);
  const spec = parseEinsum(equation, tensors.length);

  const dims = new Map<string, number>();
  tensors.forEach((t, i) => {
    const term = spec.inputs[i]!;
    if (term.length !== t.shape.length) {
      throw new Error(`${NAME} (wasm patch kernel): term '${term}' has ${term.length} labels but tensor ${i} has rank ${t.shape.length}`);
    }
    [...term].forEach((l, k) => {
      const d = t.shape[k]!;
      const prev = dims.get(l);
      if (prev != null && prev !== d) {
        throw new Error(`${NAME} (wasm patch kernel): label '${l}' has inconsistent sizes ${prev} and ${d}`);
      }
      dims.set(l, d);
    });
  });
  const outLabels = [...spec.output];
  const sumLabels = [...dims.keys()].filter((l) => !spec.output.includes(l));
  const labels = [...outLabels, ...sumLabels];
  const sizes = labels.map((l) => dims.get(l)!);
  const outShape = outLabels.map((l) => dims.get(l)!);
  const dtype = tensors.reduce<tf.DataType>((acc, t) => tf.upcastType(acc, t.dtype), 'int32');
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${NAME} (wasm patch kernel): dtype ${dtype} is not supported`);

  // strides[i][d]: step in tensor i's flat data when label d advances (summed for repeated labels).
  const strides = tensors.map((t, i) => {
    const term = spec.inputs[i]!;
    const own: number[] = new Array<number>(term.length);
    let s = 1;
    for (let k = term.length - 1; k >= 0; k--) {
      own[k] = s;
      s *= t.shape[k]!;
    }
    return labels.map((l) => [...term].reduce((acc, tl, k) => (tl === l ? acc + own[k]! : acc), 0));
  });

  const out = backend.makeOutput(outShape, dtype);
  const data = tensors.map((t) => numericData(backend, t, NAME));
  const res = backend.typedArrayFromHeap(out);
  res.fill(0);
  if (sizes.some((d) => d === 0)) return out;
  const outSize = sizeOf(outShape);
  const sumSize = sizeOf(sumLabels.map((l) => dims.get(l)!));
  const nIn = tensors.length;
  const nL = labels.length;
  const idx = new Int32Array(nL);
  const off = new Float64Array(nIn);
  for (let o = 0; o < outSize; o++) {
    let acc = 0;
    for (let s = 0; s < sumSize; s++) {
      let p = 1;
      for (let i = 0; i < nIn; i++) p *= data[i]![off[i]!]!;
      acc += p;
      for (let d = nL - 1; d >= 0; d--) {
        idx[d]++;
        for (let i = 0; i < nIn; i++) off[i] += strides[i]![d]!;
        if (idx[d]! < sizes[d]!) break;
        for (let i = 0; i < nIn; i++) off[i] -= strides[i]![d]! * sizes[d]!;
        idx[d] = 0;
      }
    }
    res[o] = acc;
  }
  return out;
}

/** Registration record for the wasm backend. */
export const einsumConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: einsum as unknown as tf.KernelFunc,
};

/**
 * Gradients of a scalar function with respect to variables, like `tf.variableGrads`, but with the
 * backward pass freeing memory as it goes.
 *
 * tfjs' own backward (`Engine.gradients` → `backpropagateGradients`) keeps every intermediate gradient,
 * and every temporary a gradient function creates, until the whole backward pass ends: its peak is the
 * forward's saved tensors plus the sum of all gradient tensors ever made. For the paper-size NAC that is
 * ~3 GB at batch 2 on wasm (and more than the wasm heap's 4 GiB at batch 8). Here, with the same tape
 * and the same gradient functions in the same order (so the same numbers), each tape node runs in its
 * own tidy (its temporaries freed), a node's output gradients and its saved tensors are freed once the
 * node is processed (no later node can add to or use them: the tape is walked backward), and an input
 * gradient that was summed into an accumulator is freed. The peak becomes the forward's saved tensors
 * plus the gradients live at one time (for the paper NAC at batch 2 on wasm: 1.4 GB instead of 2.9 GB).
 *
 * Uses the engine's tape (`tf.engine()`: startTape/endTape/scopedRun/state.activeTape, tfjs 4.x); when
 * those are missing, or inside another gradient computation, it falls back to `tf.variableGrads`.
 */
import * as tf from '@tensorflow/tfjs';
import './gradients.js'; // device-side Mean gradient (see there)

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
}

function engineInternals(): EngineInternals | null {
  const e = tf.engine() as unknown as Partial<EngineInternals>;
  const ok =
    typeof e.scopedRun === 'function' && typeof e.startTape === 'function' && typeof e.endTape === 'function' && e.state !== undefined;
  return ok ? (e as EngineInternals) : null;
}

/** The tape nodes on a path from one of `xs` to `y`, inputs pruned to those that depend on `xs`. */
function pathNodes(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      node.outputs.forEach((o) => fromX.add(o.id));
      nodeFromX.add(node.id);
    }
  }
  const toY = new Set([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((o) => toY.has(o.id))) {
      Object.values(node.inputs).forEach((t) => toY.add(t.id));
      nodeToY.add(node.id);
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodeFromX.has(node.id) || !nodeToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[k] = t;
    out.push({ ...node, inputs });
  }
  return out;
}

/**
 * `tf.variableGrads(f, vars)` with a memory-lean backward pass (see the file header): returns the value
 * of `f` (a scalar) and the gradient of every variable of `vars` that `f` depends on, keyed by the
 * tfjs variable name. Non-trainable variables are skipped.
 */
export function leanVariableGrads(f: () => tf.Scalar, vars: readonly tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const engine = engineInternals();
  const xs = vars.filter((v) => v.trainable);
  if (xs.length === 0) throw new Error('leanVariableGrads: none of the variables is trainable');
  if (engine === null || engine.state.gradientDepth > 0) return tf.variableGrads(f, xs);
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => tf.tidy('forward', f),
  );
  const tape = engine.state.activeTape ?? [];
  const endTape = (): void => {
    tape.forEach((n) => n.saved?.forEach((t) => t.dispose()));
    engine.state.activeTape = null;
  };
  if (!(y instanceof tf.Tensor) || y.rank !== 0) {
    endTape();
    if (y instanceof tf.Tensor) y.dispose();
    throw new Error(`leanVariableGrads: f must return a scalar tensor, got rank ${(y as tf.Tensor)?.rank}`);
  }
  const nodes = pathNodes(tape, xs, y);
  // Tensors the forward made or holds (inputs, outputs, saved): never freed here.
  const foreign = new Set<number>();
  for (const n of tape) {
    Object.values(n.inputs).forEach((t) => foreign.add(t.id));
    n.outputs.forEach((t) => foreign.add(t.id));
    n.saved?.forEach((t) => foreign.add(t.id));
  }
  let grads: tf.NamedTensorMap;
  try {
    grads = backward(nodes, xs, y, foreign);
  } catch (err) {
    y.dispose();
    throw err;
  } finally {
    endTape();
  }
  if (Object.keys(grads).length === 0) {
    y.dispose();
    throw new Error('leanVariableGrads: no variable is connected to the value of f');
  }
  return { value: y, grads };
}

/** Walks the path nodes backward from `y` (see the file header); returns the gradients of `xs` by name. */
function backward(nodes: readonly TapeNode[], xs: readonly tf.Variable[], y: tf.Tensor, foreign: ReadonlySet<number>): tf.NamedTensorMap {
  return tf.tidy('backward', () => {
    const acc = new Map<number, tf.Tensor>(); // tensor id → its gradient so far
    const refs = new Map<tf.Tensor, number>(); // gradient tensor → number of acc entries holding it
    const hold = (id: number, t: tf.Tensor): void => {
      acc.set(id, t);
      refs.set(t, (refs.get(t) ?? 0) + 1);
    };
    const free = (t: tf.Tensor): void => {
      if (!refs.has(t) && !foreign.has(t.id)) t.dispose();
    };
    const drop = (id: number): void => {
      const t = acc.get(id);
      if (t === undefined) return;
      acc.delete(id);
      const r = (refs.get(t) as number) - 1;
      if (r > 0) refs.set(t, r);
      else {
        refs.delete(t);
        free(t);
      }
    };
    hold(y.id, tf.onesLike(y));
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i] as TapeNode;
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const gradient = node.gradient;
      const names = Object.keys(node.inputs);
      const dxs = tf.tidy(() => {
        // Fill (a kernel) rather than zeros (a host-filled array, uploaded on a GPU); o may be disposed already.
        const dys = node.outputs.map((o) => acc.get(o.id) ?? tf.fill(o.shape, 0, o.dtype));
        const fns = gradient(dys);
        return names.map((name) => {
          const fn = fns[name];
          if (fn === undefined) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(fns)}.`);
          return fn();
        });
      });
      names.forEach((name, k) => {
        const dx = dxs[k] as tf.Tensor;
        const x = node.inputs[name] as tf.Tensor;
        if (dx.dtype !== 'float32')
          throw new Error(`Error in gradient for op ${node.kernelName}: the gradient of input '${name}' is ${dx.dtype}`);
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(
            `Error in gradient for op ${node.kernelName}: the gradient of input '${name}' has shape [${dx.shape}], the input [${x.shape}]`,
          );
        }
        const cur = acc.get(x.id);
        if (cur === undefined) return hold(x.id, dx);
        const sum = tf.add(cur, dx);
        drop(x.id);
        free(dx);
        hold(x.id, sum);
      });
      // Every consumer of this node's outputs came later on the tape and is done: their gradients are complete and used.
      node.outputs.forEach((o) => drop(o.id));
      // The node's saved tensors are its own clones (engine.saveTensorsForBackwardMode), needed by no other node.
      node.saved?.forEach((t) => refs.has(t) || t.dispose());
    }
    const out: tf.NamedTensorMap = {};
    for (const x of xs) {
      const g = acc.get(x.id);
      if (g !== undefined) out[x.name] = g;
    }
    return out;
  });
}

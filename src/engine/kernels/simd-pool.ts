/**
 * Worker threads for the 128-bit SIMD module (./simd-module.ts) in Node: each worker runs its own
 * instance of the module on a shared memory of its own, and a kernel call hands it one part of the work
 * synchronously. The calling thread copies the part's inputs from the tfjs heap (not shared) into the
 * worker's memory, wakes it, computes its own part in place meanwhile, then copies the worker's outputs
 * to the tfjs heap. It blocks on the control block (Atomics) while waiting, so the tfjs kernels stay
 * synchronous. Which kernels split how: ./simd-threads.ts.
 */
import { withSharedMemoryImport } from './wasm-shared-memory.js';

/** Bytes of a worker's memory before the first staged value: staged pointers are never 0 (absent). */
const BASE = 64;
/** The control block: Int32 header [state, function, argument count] and the arguments as Float64s. */
const HEADER_INTS = 4;
const ARGS_BYTE = 64;
const MAX_ARGS = 16;
const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const FAILED = 3;
/** Milliseconds a thread spins on the control block before sleeping on it (Atomics.wait). */
const SPIN_MS = 1;

// A specifier in a variable keeps bundlers from resolving a Node built-in for browser builds.
const NODE_WORKER_THREADS = 'node:worker_threads';

/** Exported functions of the SIMD module a job may call. */
const FUNCTIONS = ['gemm_batched', 'gemm_strided', 'gemm_linear', 'gemm_linear_parts', 'gemm_linear_geglu', 'attention'] as const;
/** A function of the SIMD module that worker jobs may run. */
export type PoolFunction = (typeof FUNCTIONS)[number];

/** `floats` floats at byte offset `ptr` on the tfjs heap and at byte offset `at` in a worker's memory. */
interface HeapBlock {
  ptr: number;
  floats: number;
  at: number;
}

/**
 * One worker's part of a kernel call: the inputs it needs copied from the tfjs heap, the outputs it
 * writes back, its scratch, and the call. Each placement returns the pointer the worker's kernel sees.
 */
export class PoolJob {
  readonly inputs: HeapBlock[] = [];
  readonly outputs: HeapBlock[] = [];
  /** Bytes of the worker's memory the job uses (its placements, 16-byte aligned, from BASE). */
  memoryNeeded = BASE;
  fn: PoolFunction = 'gemm_batched';
  args: number[] = [];

  private place(floats: number): number {
    const at = this.memoryNeeded;
    this.memoryNeeded = at + Math.ceil(floats / 4) * 16;
    return at;
  }

  /** An input: `floats` floats at heap byte offset `ptr`, copied to the worker. */
  input(ptr: number, floats: number): number {
    const at = this.place(floats);
    this.inputs.push({ ptr, floats, at });
    return at;
  }

  /** An output of `floats` floats, copied back to heap byte offset `ptr`. */
  output(ptr: number, floats: number): number {
    const at = this.place(floats);
    this.outputs.push({ ptr, floats, at });
    return at;
  }

  /** Scratch memory of the worker (never copied). */
  scratch(floats: number): number {
    return this.place(floats);
  }

  /** Sets the function and its arguments. */
  call(fn: PoolFunction, args: number[]): this {
    if (args.length > MAX_ARGS) throw new Error(`PoolJob: at most ${MAX_ARGS} arguments`);
    this.fn = fn;
    this.args = args;
    return this;
  }
}

/** The worker's code (CommonJS, run with `eval: true`, so it needs no file of its own in any build). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, names, errors } = workerData;
const head = new Int32Array(control, 0, ${HEADER_INTS});
const args = new Float64Array(control, ${ARGS_BYTE}, ${MAX_ARGS});
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
for (;;) {
  // Spin a little before sleeping: a futex wake-up costs about 0.1 ms on a VM, and jobs come in runs.
  const spinUntil = performance.now() + ${SPIN_MS};
  let s;
  while ((s = Atomics.load(head, 0)) !== ${POSTED}) if (performance.now() > spinUntil) Atomics.wait(head, 0, s);
  try {
    exports[names[head[1]]](...Array.from(args.subarray(0, head[2])));
    Atomics.store(head, 0, ${DONE});
  } catch (err) {
    errors.postMessage(String((err && err.stack) || err));
    Atomics.store(head, 0, ${FAILED});
  }
  Atomics.notify(head, 0);
}
`;

interface PoolWorker {
  head: Int32Array;
  args: Float64Array;
  memory: WebAssembly.Memory;
  /** The next error message the worker posted, read synchronously. */
  error: () => string | undefined;
}

/** Worker threads running the SIMD module, each taking one part of a kernel call at a time. */
export class SimdPool {
  /** Jobs handed to workers so far, by every pool (for tests and benchmarks: did work split?). */
  static jobsPosted = 0;

  private constructor(private readonly workerList: PoolWorker[]) {}

  /** Number of worker threads (the calling thread computes one more part). */
  get workers(): number {
    return this.workerList.length;
  }

  /**
   * Starts `workers` worker threads, each with an instance of the SIMD module `bytes` on a shared memory
   * of its own (Node only). Returns the reason instead when they cannot run here (no worker_threads, no
   * shared WebAssembly memory).
   */
  static async create(bytes: Uint8Array, workers: number): Promise<SimdPool | string> {
    if (typeof SharedArrayBuffer === 'undefined') return 'no SharedArrayBuffer';
    let wt: typeof import('node:worker_threads');
    let module: WebAssembly.Module;
    try {
      wt = (await import(NODE_WORKER_THREADS)) as typeof import('node:worker_threads');
    } catch {
      return 'no worker_threads (threads for the SIMD kernels need Node)';
    }
    try {
      module = await WebAssembly.compile(withSharedMemoryImport(bytes));
    } catch (err) {
      return `the SIMD module does not compile for a shared memory: ${(err as Error).message}`;
    }
    const list: PoolWorker[] = [];
    for (let i = 0; i < workers; i++) {
      const control = new SharedArrayBuffer(ARGS_BYTE + 8 * MAX_ARGS);
      const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
      const { port1, port2 } = new wt.MessageChannel();
      const worker = new wt.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control, names: FUNCTIONS, errors: port2 },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      const error = (): string | undefined => {
        const m = wt.receiveMessageOnPort(port1);
        return m == null ? undefined : String(m.message);
      };
      list.push({ head: new Int32Array(control, 0, HEADER_INTS), args: new Float64Array(control, ARGS_BYTE, MAX_ARGS), memory, error });
    }
    return new SimdPool(list);
  }

  /**
   * Runs `jobs` (at most one per worker) on the workers and `own` on this thread, in parallel; returns
   * when all are done and the jobs' outputs are on the heap. `heap` is the tfjs memory the jobs' heap
   * pointers address. A worker's failure is rethrown here.
   */
  run(heap: WebAssembly.Memory, jobs: PoolJob[], own: () => void): void {
    if (jobs.length > this.workerList.length) throw new Error(`SimdPool: ${jobs.length} jobs for ${this.workerList.length} workers`);
    let posted = 0;
    let failure: string | null = null;
    try {
      for (const job of jobs) this.post(this.workerList[posted++]!, job, new Float32Array(heap.buffer));
      own();
    } finally {
      // Every posted job is waited for, even when posting another or this thread's part threw.
      jobs.slice(0, posted).forEach((job, i) => {
        const w = this.workerList[i]!;
        const spinUntil = performance.now() + SPIN_MS;
        let s: number;
        while ((s = Atomics.load(w.head, 0)) === POSTED) if (performance.now() > spinUntil) Atomics.wait(w.head, 0, POSTED);
        Atomics.store(w.head, 0, IDLE);
        if (s === FAILED) failure ??= w.error() ?? 'no message';
        else if (failure == null) copyBlocks(job.outputs, new Float32Array(w.memory.buffer), new Float32Array(heap.buffer), false);
      });
    }
    if (failure != null) throw new Error(`a SIMD worker thread failed: ${failure}`);
  }

  private post(w: PoolWorker, job: PoolJob, heap: Float32Array): void {
    const end = job.memoryNeeded;
    const have = w.memory.buffer.byteLength;
    if (have < end) w.memory.grow(Math.ceil((end - have) / 65536));
    copyBlocks(job.inputs, heap, new Float32Array(w.memory.buffer), true);
    w.head[1] = FUNCTIONS.indexOf(job.fn);
    w.head[2] = job.args.length;
    w.args.set(job.args);
    Atomics.store(w.head, 0, POSTED);
    Atomics.notify(w.head, 0);
    SimdPool.jobsPosted++;
  }
}

/** Copies blocks between the tfjs heap and a worker's memory: heap → worker (`toWorker`) or back. */
function copyBlocks(blocks: readonly HeapBlock[], from: Float32Array, to: Float32Array, toWorker: boolean): void {
  for (const b of blocks) {
    const [src, dst] = toWorker ? [b.ptr / 4, b.at / 4] : [b.at / 4, b.ptr / 4];
    to.set(from.subarray(src, src + b.floats), dst);
  }
}

/**
 * Training checkpoints. A checkpoint is a folder holding
 *   model.safetensors      every model parameter by dotted name (float32)
 *   optimizer.safetensors  the AdamW state (`m.<name>`, `v.<name>`; step counts in the metadata)
 *   state.json             format tag, model config, train config and the trainer's state (step, RNGs, …)
 *
 * Saving is atomic at the folder level: everything is written and fsynced into a sibling temp folder
 * `<dir>.tmp-<pid>-<rand>`, then the old folder is renamed to `<dir>.old`, the temp folder to `<dir>`,
 * and `<dir>.old` is removed. A crash at any point leaves either the previous or the new checkpoint
 * loadable: if it happens between the two renames, `<dir>` is missing and loading falls back to
 * `<dir>.old`. Non-finite numbers in state.json (e.g. an Rng's NaN "no spare normal") round-trip.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeSafetensors, type RawTensor } from '../io/safetensors.js';
import { readSafetensors } from '../io/safetensors-file.js';
import type { Module } from '../nn/module.js';
import type { AdamW, AdamWState } from './adamw.js';

export const CHECKPOINT_FORMAT = 'neural-attentive-circuits/checkpoint@1';

/** The trainer's own state, stored in state.json. */
export interface TrainerState {
  /** Optimizer steps done. */
  step: number;
  epoch: number;
  batchInEpoch: number;
  /** Rng.getState() of every RNG, by the trainer's name for it. */
  rng: Record<string, unknown>;
  bestValAccuracy?: number;
  history?: unknown[];
  [k: string]: unknown;
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint {
  modelConfig: object;
  trainConfig: object;
  params: Map<string, { shape: number[]; data: Float32Array }>;
  optimizer: AdamWState;
  trainer: TrainerState;
  /** The folder actually read: `dir`, or `<dir>.old` after a crash between the renames. */
  source: string;
}

/** A checkpoint that cannot be read (missing file, corrupt content) or does not fit this run. */
export class CheckpointError extends Error {
  constructor(
    message: string,
    /** For a mismatch: the dotted path of the first differing field. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** The points of saveCheckpoint at which {@link SaveCheckpointOptions.faultHook} is called. */
export type CheckpointStage = 'model' | 'optimizer' | 'state' | 'swap';

/** Options of saveCheckpoint. */
export interface SaveCheckpointOptions {
  /** Called before each stage; a throwing hook simulates a crash there (tests only). */
  faultHook?: (stage: CheckpointStage) => void;
}

/** trainConfig fields that never make a checkpoint incompatible (run plumbing, not the trajectory). */
export const DEFAULT_CHECKPOINT_IGNORE: readonly string[] = [
  'out',
  'outDir',
  'resume',
  'progress',
  'quiet',
  'verbose',
  'backend',
  'threads',
  'logEvery',
  'evalEvery',
  'evalBatchSize',
  'checkpointEvery',
];

const MODEL_FILE = 'model.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'state.json';
const NONFINITE = '$nonfinite';

/** Writes `<dir>` atomically (see the file header). Parameters are read with dataSync. */
export function saveCheckpoint(
  dir: string,
  payload: { modelConfig: object; model: Module; optimizer: AdamW; trainer: TrainerState; trainConfig: object },
  options: SaveCheckpointOptions = {},
): void {
  const hook = options.faultHook ?? (() => undefined);
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  removeStaleTemps(target);
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  fs.mkdirSync(tmp);
  try {
    hook('model');
    const params = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, v] of payload.model.namedParameters()) params.set(name, { shape: [...v.shape], data: v.dataSync() as Float32Array });
    writeSynced(path.join(tmp, MODEL_FILE), serializeSafetensors(params, { format: CHECKPOINT_FORMAT }));
    hook('optimizer');
    const opt = payload.optimizer.getState();
    const meta = { format: CHECKPOINT_FORMAT, step: String(opt.step), paramSteps: JSON.stringify(opt.paramSteps ?? {}) };
    writeSynced(path.join(tmp, OPTIMIZER_FILE), serializeSafetensors(opt.tensors, meta));
    hook('state');
    const state = {
      format: CHECKPOINT_FORMAT,
      savedAt: new Date().toISOString(),
      ...pick(payload, ['modelConfig', 'trainConfig', 'trainer']),
    };
    writeSynced(path.join(tmp, STATE_FILE), `${JSON.stringify(state, encodeNonFinite, 2)}\n`);
    fsyncDir(tmp);
    hook('swap');
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = `${target}.old`;
  if (fs.existsSync(target)) {
    fs.rmSync(old, { recursive: true, force: true });
    fs.renameSync(target, old);
  }
  fs.renameSync(tmp, target);
  fsyncDir(path.dirname(target));
  fs.rmSync(old, { recursive: true, force: true });
}

/** Reads a checkpoint folder (or `<dir>.old` if `dir` is missing). Throws CheckpointError naming the problem. */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const target = path.resolve(dir);
  let source = target;
  if (!fs.existsSync(target)) {
    if (fs.existsSync(`${target}.old`)) source = `${target}.old`;
    else throw new CheckpointError(`no checkpoint at ${dir}`);
  }
  for (const f of [MODEL_FILE, OPTIMIZER_FILE, STATE_FILE]) {
    if (!fs.existsSync(path.join(source, f))) throw new CheckpointError(`checkpoint ${source} is incomplete: ${f} is missing`);
  }
  const stateFile = path.join(source, STATE_FILE);
  let state: { format?: unknown; modelConfig?: object; trainConfig?: object; trainer?: TrainerState };
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8'), decodeNonFinite) as typeof state;
  } catch (e) {
    throw new CheckpointError(`checkpoint ${stateFile} is not valid JSON (${(e as Error).message})`);
  }
  if (state.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${stateFile}: unknown format ${JSON.stringify(state.format)}; expected '${CHECKPOINT_FORMAT}'`);
  }
  for (const k of ['modelConfig', 'trainConfig', 'trainer'] as const) {
    if (typeof state[k] !== 'object' || state[k] === null) throw new CheckpointError(`${stateFile}: '${k}' is missing`);
  }
  const model = readTensors(path.join(source, MODEL_FILE));
  const opt = readTensors(path.join(source, OPTIMIZER_FILE));
  const optFile = path.join(source, OPTIMIZER_FILE);
  const step = Number(opt.metadata.step);
  let paramSteps: Record<string, number>;
  try {
    paramSteps = JSON.parse(opt.metadata.paramSteps ?? '{}') as Record<string, number>;
  } catch (e) {
    throw new CheckpointError(`${optFile}: metadata 'paramSteps' is not valid JSON (${(e as Error).message})`);
  }
  if (!Number.isInteger(step) || step < 0)
    throw new CheckpointError(`${optFile}: metadata 'step' = ${JSON.stringify(opt.metadata.step)} is invalid`);
  return {
    modelConfig: state.modelConfig as object,
    trainConfig: state.trainConfig as object,
    params: model.tensors,
    optimizer: { step, paramSteps, tensors: opt.tensors },
    trainer: state.trainer as TrainerState,
    source,
  };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = o[k];
  return out;
}

/** JSON replacer: NaN and ±Infinity become {"$nonfinite": "NaN" | "Infinity" | "-Infinity"}. */
function encodeNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { [NONFINITE]: String(value) } : value;
}

function decodeNonFinite(_key: string, value: unknown): unknown {
  if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value[NONFINITE] === 'string') return Number(value[NONFINITE]);
  return value;
}

function readTensors(file: string): { tensors: Map<string, { shape: number[]; data: Float32Array }>; metadata: Record<string, string> } {
  let parsed: { tensors: Map<string, RawTensor>; metadata: Record<string, string> };
  try {
    parsed = readSafetensors(file);
  } catch (e) {
    throw new CheckpointError(`checkpoint is unreadable: ${(e as Error).message}`);
  }
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of parsed.tensors) {
    if (!(t.data instanceof Float32Array)) throw new CheckpointError(`${file}: tensor '${name}' is ${t.dtype}, expected a float type`);
    tensors.set(name, { shape: t.shape, data: t.data });
  }
  return { tensors, metadata: parsed.metadata };
}

function writeSynced(file: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = fs.openSync(file, 'w');
  try {
    let off = 0;
    while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsyncs a directory so that renames and new entries in it are durable (a no-op where unsupported). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (_e) {
    // Windows cannot open directories; the renames are still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Removes `<dir>.tmp-<pid>-*` folders left by crashed writers (not those of live processes). */
function removeStaleTemps(target: string): void {
  const parent = path.dirname(target);
  const prefix = `${path.basename(target)}.tmp-`;
  for (const entry of fs.readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (pid !== process.pid && isAlive(pid)) continue;
    fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

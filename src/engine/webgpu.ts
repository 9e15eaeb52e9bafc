/**
 * Makes WebGPU reachable for tfjs: in a browser it relies on navigator.gpu; in Node it loads the
 * optional `webgpu` npm package (Dawn bindings, not a dependency of this package), installs its
 * globals and a minimal `navigator`, checks for an adapter, and only then imports
 * @tensorflow/tfjs-backend-webgpu (which registers itself only if navigator.gpu exists at import).
 */
import * as tf from '@tensorflow/tfjs';
import { processEnv } from './environment.js';

/** Outcome of preparing WebGPU; `detail` names what is missing and how to get it when !ok. */
export interface WebGpuProbe {
  ok: boolean;
  detail: string;
}

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string };
}
interface GpuLike {
  requestAdapter(options?: unknown): Promise<GpuAdapterLike | null>;
}
interface NodeWebGpuModule {
  create?: (flags: string[]) => GpuLike;
  globals?: Record<string, unknown>;
  default?: NodeWebGpuModule;
}

/** True when running under Node.js (as opposed to a browser or worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** The WebGPU entry point (`navigator.gpu`) if the environment exposes one. */
export function navigatorGpu(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? undefined;
}

/** How to get WebGPU in Node when the optional package is missing. */
export const NODE_WEBGPU_HINT =
  "WebGPU in Node needs the optional npm package 'webgpu' (Dawn bindings): run `npm install webgpu` " +
  "(and have a GPU driver: Vulkan on Linux, Metal on macOS, D3D12 on Windows), or choose backend 'wasm'";

/** What to check when WebGPU is reachable but no adapter comes back. */
const DRIVER_HINT =
  "no usable GPU or driver (Dawn needs Vulkan on Linux (libvulkan.so.1 + the GPU's ICD), Metal on macOS, D3D12 on Windows); or choose backend 'wasm'";

async function installNodeWebGpu(): Promise<WebGpuProbe> {
  // A string-typed specifier keeps the optional, uninstalled package out of type-checking and bundling.
  const specifier: string = 'webgpu';
  let mod: NodeWebGpuModule;
  try {
    mod = (await import(specifier)) as NodeWebGpuModule;
  } catch (err) {
    return { ok: false, detail: `the 'webgpu' npm package is not installed or failed to load (${firstLine(err)}); ${NODE_WEBGPU_HINT}` };
  }
  const create = mod.create ?? mod.default?.create;
  const globals = mod.globals ?? mod.default?.globals;
  if (typeof create !== 'function') {
    return { ok: false, detail: `the 'webgpu' npm package does not export create(); ${NODE_WEBGPU_HINT}` };
  }
  let gpu: GpuLike;
  try {
    if (globals) Object.assign(globalThis, globals);
    // Dawn flags from the environment, e.g. NAC_DAWN_FLAGS='enable-dawn-features=allow_unsafe_apis'.
    gpu = create((processEnv('NAC_DAWN_FLAGS') ?? '').split(/\s+/).filter((f) => f !== ''));
  } catch (err) {
    return { ok: false, detail: `the 'webgpu' npm package could not create a GPU instance (${firstLine(err)})` };
  }
  const g = globalThis as unknown as { navigator?: object };
  if (g.navigator != null) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu, userAgent: 'Node.js' },
      configurable: true,
      writable: true,
    });
  }
  return { ok: true, detail: "the 'webgpu' npm package" };
}

/**
 * Ensures navigator.gpu exists (loading the Node bindings if needed), that an adapter is available,
 * and that tfjs' webgpu backend is registered. Never throws: failures come back as `{ok: false}`.
 */
export async function prepareWebGpu(): Promise<WebGpuProbe> {
  let source = 'navigator.gpu';
  if (navigatorGpu() == null) {
    if (!isNode()) {
      return { ok: false, detail: 'this browser does not expose navigator.gpu (WebGPU is disabled or unsupported)' };
    }
    const installed = await installNodeWebGpu();
    if (!installed.ok) return installed;
    source = installed.detail;
  }
  const gpu = navigatorGpu()!;
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    adapter = null;
    source += ` (requestAdapter threw: ${firstLine(err)})`;
  }
  if (adapter == null) {
    return { ok: false, detail: `no WebGPU adapter found via ${source}: ${DRIVER_HINT}` };
  }
  if (tf.findBackendFactory('webgpu') == null) {
    try {
      await import('@tensorflow/tfjs-backend-webgpu');
    } catch (err) {
      return { ok: false, detail: `@tensorflow/tfjs-backend-webgpu failed to load (${firstLine(err)})` };
    }
  }
  if (tf.findBackendFactory('webgpu') == null) {
    return {
      ok: false,
      detail: '@tensorflow/tfjs-backend-webgpu did not register (it was imported before navigator.gpu existed)',
    };
  }
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.description].filter((s) => s != null && s !== '').join(' ');
  return { ok: true, detail: `adapter: ${name || 'unknown'}` };
}

/** Whether tfjs' webgpu backend can read synchronously here (its readSync needs an OffscreenCanvas). */
export function webgpuReadsSync(): boolean {
  return typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined';
}

/**
 * WebGPU in Node (Dawn) has no synchronous read-back: tfjs' readSync there needs an OffscreenCanvas
 * and dies with a bare ReferenceError. This wraps the backend's readSync (once) so that such a read
 * fails with an error that says what to do instead.
 */
export function explainSyncReads(): void {
  if (webgpuReadsSync()) return;
  const backend = tf.engine().registry['webgpu'] as unknown as { readSync: (id: object) => unknown; nacExplained?: boolean } | undefined;
  if (backend == null || backend.nacExplained === true) return;
  const original = backend.readSync.bind(backend);
  backend.readSync = (dataId: object): unknown => {
    try {
      return original(dataId);
    } catch (err) {
      if (!(err instanceof ReferenceError) || !/OffscreenCanvas/.test(err.message)) throw err;
      throw new Error(
        'a synchronous read (dataSync/arraySync) of a GPU tensor is impossible with WebGPU in Node (Dawn has no ' +
          'synchronous read-back); this code path must use `await tensor.data()` (please report it), or choose backend wasm',
      );
    }
  };
  backend.nacExplained = true;
}

/** First line of an error's message, for one-line diagnostics. */
export function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

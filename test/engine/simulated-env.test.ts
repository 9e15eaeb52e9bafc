/**
 * initBackend under simulated environments: a wasm backend that fails to initialise (auto must fall
 * back to cpu and say why; an explicit wasm request must throw) and a navigator.gpu without any
 * adapter (an explicit webgpu request must throw naming the missing adapter).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, initBackend } from '../../src/engine/backend.js';
import { quietTfjs } from './helpers.js';

quietTfjs();

describe('wasm initialisation failure', () => {
  const realFactory = tf.findBackendFactory('wasm');

  afterAll(async () => {
    tf.removeBackend('wasm');
    if (realFactory != null) tf.registerBackend('wasm', realFactory, 2);
    expect((await initBackend({ backend: 'wasm', quiet: true })).backend).toBe('wasm');
  });

  it('auto falls back to cpu and explains why; explicit wasm throws', async () => {
    expect(realFactory).not.toBeNull();
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => Promise.reject(new Error('simulated wasm failure')), 2);

    const r = await initBackend({ quiet: true });
    expect(r.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(r.reason).toMatch(/^wasm failed to initialise: simulated wasm failure .*; fell back to cpu$/);
    expect(r.available.wasm.ok).toBe(false);
    expect(r.available.cpu.ok).toBe(true);

    const err = await initBackend({ backend: 'wasm', quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/Backend 'wasm' is unavailable: failed to initialise: simulated wasm failure/);
    // The previous (cpu) backend stays usable.
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.tidy(() => tf.add(1, 2).dataSync()[0])).toBe(3);
  });
});

describe('navigator.gpu without an adapter', () => {
  afterAll(() => {
    delete (globalThis as { navigator?: unknown }).navigator;
  });

  it('explicit webgpu throws naming the missing adapter; auto in Node still uses wasm', async () => {
    const hadNavigator = 'navigator' in globalThis;
    const gpu = { requestAdapter: () => Promise.resolve(null) };
    if (hadNavigator) {
      Object.defineProperty((globalThis as unknown as { navigator: object }).navigator, 'gpu', { value: gpu, configurable: true });
    } else {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    }
    const err = await initBackend({ backend: 'webgpu', quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/no WebGPU adapter found via navigator\.gpu: no usable GPU or driver/);
    expect((err as Error).message).toMatch(/choose backend 'wasm'/);

    const r = await initBackend({ quiet: true });
    expect(r.backend).toBe('wasm');
    expect(r.reason).toBe('default in Node');
  });
});

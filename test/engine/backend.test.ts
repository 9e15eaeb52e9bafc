/**
 * initBackend / currentBackendReport / describeBackend: default selection in Node, explicit
 * requests (cpu works, webgpu without the optional package fails loudly), idempotency, options.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, currentBackendReport, describeBackend, initBackend, type BackendReport } from '../../src/engine/index.js';
import { quietTfjs } from './helpers.js';

const PATCHED = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Einsum',
  'MaxPoolGrad',
  'Identity',
  'Cast',
  'Slice',
  'SplitV',
];

quietTfjs();

// The `webgpu` package is an optional extra: absent by default, present with or without an adapter elsewhere
// (bench/gpu/; CI installs it and lavapipe, bench/gpu/lavapipe.sh).
const specifier: string = 'webgpu';
const webgpuInstalled = await import(specifier).then(
  () => true,
  () => false,
);
const usableAdapter = webgpuInstalled && process.env['VK_ICD_FILENAMES'] != null;

afterAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('initBackend in Node', () => {
  it('defaults to wasm with SIMD, single thread, and lists the patched kernels', async () => {
    const r = await initBackend({ quiet: true });
    expect(r.backend).toBe('wasm');
    expect(r.requested).toBe('auto');
    expect(r.reason).toBe('default in Node');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.available.wasm).toEqual({ ok: true, detail: expect.stringMatching(/^SIMD (on|off), 1 thread$/) });
    expect(r.available.cpu.ok).toBe(true);
    expect(r.available.webgpu.ok).toBe(false);
    expect(r.available.webgpu.detail).toMatch(/npm install webgpu/);
    expect(r.patchedKernels).toEqual(PATCHED);
    for (const k of PATCHED) expect(tf.getKernel(k, 'wasm')).toBeDefined();
    expect(currentBackendReport()).toBe(r);
    expect(describeBackend(r)).toMatch(
      /^backend: wasm \(requested auto: default in Node; SIMD (on|off), 1 thread; matrix products: (native OpenBLAS .+|wasm SIMD kernels)\)$/,
    );
  });

  it('is idempotent and cheap for the same request', async () => {
    const a = await initBackend({ quiet: true });
    const t0 = performance.now();
    const b = await initBackend({ quiet: true });
    expect(performance.now() - t0).toBeLessThan(20);
    expect(b).toBe(a);
  });

  it('serialises concurrent calls', async () => {
    const [a, b] = await Promise.all([initBackend({ backend: 'wasm', quiet: true }), initBackend({ backend: 'wasm', quiet: true })]);
    expect(a).toBe(b);
    expect(a.reason).toBe('explicitly requested');
  });

  // Skipped only where WebGPU can actually start (the package and a Vulkan driver, e.g. bench/gpu/lavapipe.sh):
  // there the request succeeds, so there is no failure to check.
  it.skipIf(usableAdapter)(
    'an explicit webgpu request that cannot be met throws, says what is missing and leaves wasm active',
    async () => {
      await initBackend({ quiet: true });
      const err = await initBackend({ backend: 'webgpu', quiet: true }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect(err).toBeInstanceOf(Error);
      const e = err as BackendUnavailableError;
      expect(e.name).toBe('BackendUnavailableError');
      expect(e.backend).toBe('webgpu');
      expect(e.message).toMatch(/webgpu/);
      // Without the package: how to install it; with it but no adapter: what the driver needs.
      expect(e.message).toMatch(webgpuInstalled ? /no WebGPU adapter found.*Vulkan/ : /npm install webgpu/);
      expect(tf.getBackend()).toBe('wasm');
      expect(currentBackendReport()?.backend).toBe('wasm');
    },
  );

  it('honours an explicit cpu request and can switch back to wasm', async () => {
    const r = await initBackend({ backend: 'cpu', quiet: true });
    expect(r.backend).toBe('cpu');
    expect(r.reason).toBe('explicitly requested');
    expect(tf.getBackend()).toBe('cpu');
    expect(describeBackend(r)).toBe('backend: cpu (requested cpu: explicitly requested; pure-JS reference backend (slow))');
    const w = await initBackend({ backend: 'wasm', quiet: true });
    expect(w.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('reports threads > 1 in Node: used by the SIMD kernels, not by tfjs or the add-on', async () => {
    const r = await initBackend({ backend: 'wasm', threads: 4, quiet: true });
    expect(r.backend).toBe('wasm');
    expect(r.available.wasm.detail).toMatch(
      /1 thread \(threads=4: this package's SIMD kernels; tfjs runs its single-threaded wasm build in Node\)/,
    );
    expect(r.matMul?.detail).toMatch(r.matMul?.impl === 'native' ? /threads=4 not used: OpenBLAS has its own/ : /4 threads/);
    await initBackend({ backend: 'wasm', threads: 1, quiet: true });
  });

  it('rejects bad options clearly', async () => {
    await expect(initBackend({ threads: 0 })).rejects.toThrow(RangeError);
    await expect(initBackend({ backend: 'tpu' as never })).rejects.toThrow(/Unknown backend 'tpu'/);
    await expect(initBackend({ wasmPaths: '' })).rejects.toThrow(/wasmPaths must be a non-empty URL prefix/);
    await expect(initBackend({ wasmPaths: 3 as never })).rejects.toThrow(/wasmPaths must be a URL prefix \(string\) or a map/);
    await expect(initBackend({ wasmPaths: { 'tfjs.wasm': '/x' } as never })).rejects.toThrow(
      /wasmPaths: unknown binary 'tfjs\.wasm'; allowed: tfjs-backend-wasm\.wasm, tfjs-backend-wasm-simd\.wasm, tfjs-backend-wasm-threaded-simd\.wasm/,
    );
    await expect(initBackend({ wasmPaths: { 'tfjs-backend-wasm-simd.wasm': '' } })).rejects.toThrow(
      /wasmPaths\['tfjs-backend-wasm-simd\.wasm'\] must be a non-empty URL/,
    );
    // A rejected call does not break later ones.
    expect((await initBackend({ backend: 'wasm', quiet: true })).backend).toBe('wasm');
  });

  it('says that wasmPaths given after wasm initialised has no effect', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const r = await initBackend({ backend: 'wasm', wasmPaths: '/elsewhere/', quiet: true });
    expect(r.available.wasm.detail).toMatch(/wasmPaths ignored: must be set before wasm first initialises/);
  });

  it('prints one line to stderr unless quiet', async () => {
    const write = process.stderr.write.bind(process.stderr);
    const lines: string[] = [];
    process.stderr.write = ((s: string) => (lines.push(s), true)) as typeof process.stderr.write;
    try {
      await initBackend({ backend: 'cpu' });
      await initBackend({ backend: 'wasm' });
      await initBackend({ backend: 'wasm' }); // cached: prints nothing
    } finally {
      process.stderr.write = write;
    }
    expect(lines).toEqual([
      'backend: cpu (requested cpu: explicitly requested; pure-JS reference backend (slow))\n',
      expect.stringMatching(
        /^backend: wasm \(requested wasm: explicitly requested; SIMD (on|off), 1 thread; matrix products: (native OpenBLAS .+|wasm SIMD kernels)\)\n$/,
      ),
    ]);
  });
});

describe('describeBackend', () => {
  /** A report made by hand: cpu usable, webgpu not tried, wasm as given. */
  const report = (
    fields: Pick<BackendReport, 'backend' | 'requested' | 'reason' | 'matMul'>,
    wasm: BackendReport['available']['wasm'],
  ): BackendReport => ({
    ...fields,
    available: { wasm, cpu: { ok: true, detail: 'pure-JS reference backend (slow)' }, webgpu: { ok: false, detail: 'not tried' } },
    patchedKernels: [],
  });

  it('formats a fallback report on one line', () => {
    const r = report(
      { backend: 'cpu', requested: 'auto', reason: 'wasm failed to initialise: boom; fell back to cpu' },
      { ok: false, detail: 'failed to initialise: boom' },
    );
    const line = describeBackend(r);
    expect(line).toBe('backend: cpu (requested auto: wasm failed to initialise: boom; fell back to cpu; pure-JS reference backend (slow))');
    expect(line).not.toContain('\n');
  });

  it('names the matrix products of the wasm backend: the add-on with its OpenBLAS line, else the kernel in words', () => {
    const wasm = (impl: 'native' | 'simd' | 'transpose', detail: string) =>
      report(
        { backend: 'wasm', requested: 'wasm', reason: 'explicitly requested', matMul: { impl, detail } },
        { ok: true, detail: 'SIMD on, 1 thread' },
      );
    expect(describeBackend(wasm('native', 'native OpenBLAS 0.3.21 (Zen, 1 thread)'))).toBe(
      'backend: wasm (requested wasm: explicitly requested; SIMD on, 1 thread; matrix products: native OpenBLAS 0.3.21 (Zen, 1 thread))',
    );
    expect(describeBackend(wasm('simd', 'plain wasm (…); native add-on off (native: false)'))).toMatch(
      /; matrix products: wasm SIMD kernels\)$/,
    );
    expect(describeBackend(wasm('transpose', '…'))).toMatch(/; matrix products: XNNPACK, transposes materialised\)$/);
  });
});

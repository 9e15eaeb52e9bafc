// The package in a real browser: the browser entry point bundles without Node built-ins and is what the
// package resolves to for browsers, and in headless Chromium (Debian's chromium-headless-shell) a model
// saved in Node loads over HTTP, gives the same logits as in Node, fine-tunes to the same losses and
// saves (modelToFiles) to files that build the same model, on the cpu and wasm backends, with tfjs'
// threaded wasm build under cross-origin isolation, and on WebGPU (SwiftShader). Skipped without a
// Chromium (the suite name says so), unless NAC_REQUIRE_BROWSER=1 (CI) makes its absence a failure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, modelFromFiles, modelToFiles, nacPreset, NAC, type ModelFiles } from '../../src/browser.js';
import { quadrantBatch } from '../helpers/synthetic.js';
import { bundleForBrowser, findChromium, runInChromium, servePage } from '../../bench/browser/harness.mjs';
import { runScenario, type BrowserCase, type ScenarioRun } from './scenario.js';

/** What the harness serves for a path. */
type Served = { file: string } | { body: string | Uint8Array };

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const wasmDir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const chromium = findChromium();
const required = process.env.NAC_REQUIRE_BROWSER === '1';

describe('browser entry point', () => {
  it('bundles for browsers with no Node built-ins (esbuild, platform browser)', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nac-bundle-')), 'browser.js');
    await bundleForBrowser(path.join(root, 'src/browser.ts'), out);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toContain('loadModelFromURL');
    expect(text).not.toMatch(/from\s*["']node:/);
  });

  it('fails to bundle a module that imports node:fs (the check can fail)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-bundle-'));
    await expect(bundleForBrowser(path.join(root, 'src/io/model-dir.ts'), path.join(dir, 'x.js'))).rejects.toThrow(/node:fs/);
  });
});

const built = fs.existsSync(path.join(root, 'dist/browser.js'));

describe.skipIf(!built && !required)(`package exports${built ? '' : ' (skipped: dist/ not built; npm run build)'}`, () => {
  it("a bundler targeting browsers resolves 'neural-attentive-circuits' to dist/browser.js", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-consumer-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(root, path.join(dir, 'node_modules/neural-attentive-circuits'), 'dir');
    fs.writeFileSync(
      path.join(dir, 'app.js'),
      "import { loadModelFromURL, initBackend } from 'neural-attentive-circuits';\nconsole.log(loadModelFromURL, initBackend);\n",
    );
    const inputs = await bundleForBrowser(path.join(dir, 'app.js'), path.join(dir, 'out.js'));
    const files = inputs.filter((f) => !f.includes(':')).map((f) => fs.realpathSync(path.resolve(f))); // not '(disabled):fs' etc.
    expect(files).toContain(path.join(root, 'dist/browser.js'));
    expect(files).not.toContain(path.join(root, 'dist/index.js'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(chromium == null && !required)(
  `in headless Chromium${chromium == null ? ' (skipped: no chromium-headless-shell; apt-get install chromium-headless-shell)' : ''}`,
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-browser-'));
    let files: ModelFiles;
    let c: BrowserCase;
    let node: ScenarioRun[];

    beforeAll(async () => {
      if (chromium == null)
        throw new Error('NAC_REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium-headless-shell, or set NAC_CHROMIUM)');
      await initBackend({ backend: 'wasm', quiet: true });
      const model = new NAC(nacPreset('cpu-tiny'), { seed: 7 });
      files = await modelToFiles(model.config, model);
      model.dispose();
      const batch = quadrantBatch(32, 11);
      c = {
        backends: ['cpu', 'wasm'],
        x: Array.from(batch.x.dataSync()),
        shape: [...batch.x.shape],
        labels: batch.labels,
        steps: 20,
        seed: 5,
      };
      batch.x.dispose();
      batch.y.dispose();
      node = await runScenario(c, async () => modelFromFiles(files, 'model'));
      await initBackend({ backend: 'wasm', quiet: true });
      await bundleForBrowser(path.join(here, 'page.ts'), path.join(dir, 'page.js'));
    });

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function inBrowser(
      cs: BrowserCase,
      extraArgs: string[] = [],
    ): Promise<{ runs: ScenarioRun[]; crossOriginIsolated: boolean; userAgent: string; requested: string[] }> {
      const routes = new Map<string, Served>([
        ['/', { body: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>' }],
        ['/page.js', { file: path.join(dir, 'page.js') }],
        ['/case.json', { body: JSON.stringify(cs) }],
        ['/model/config.json', { body: files.config }],
        ['/model/weights.safetensors', { body: files.weights }],
      ]);
      for (const f of fs.readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) routes.set(`/wasm/${f}`, { file: path.join(wasmDir, f) });
      const server = await servePage(routes);
      try {
        const r = (await runInChromium(chromium as string, server.url, server.result, 180_000, extraArgs)) as {
          ok: boolean;
          error?: string;
        };
        if (!r.ok) throw new Error(`the page failed: ${r.error}`);
        return {
          ...(r as unknown as { runs: ScenarioRun[]; crossOriginIsolated: boolean; userAgent: string }),
          requested: server.requested,
        };
      } finally {
        server.close();
      }
    }

    /** Same logits and losses as Node's run on `reference` (default: the same backend), to the tolerances; learns; leaks nothing. */
    function expectSameAsNode(run: ScenarioRun, logitsTol: number, lossTol: number, reference = run.backend): void {
      const ref = node.find((r) => r.backend === reference) as ScenarioRun;
      expect(run.logits.length).toBe(ref.logits.length);
      run.logits.forEach((v, i) => expect(Math.abs(v - (ref.logits[i] as number))).toBeLessThan(logitsTol));
      expect(run.losses.length).toBeGreaterThan(0);
      run.losses.forEach((v, i) => expect(Math.abs(v - (ref.losses[i] as number))).toBeLessThan(lossTol));
      if (run.losses.length === c.steps) {
        // The full run learns (loss falls, above chance on 4 classes).
        expect(run.losses.at(-1) as number).toBeLessThan((run.losses[0] as number) * 0.8);
        expect(run.accuracy).toBeGreaterThan(0.5);
      }
      // Saved (parameters read asynchronously, also on WebGPU) and built back: the same model.
      expect(run.savedDiff).toBeLessThan(1e-6);
      expect(run.tensors[1]).toBe(run.tensors[0]);
    }

    it('loads a model saved in Node over HTTP: same logits and fine-tuning losses on cpu and wasm', async () => {
      const r = await inBrowser(c);
      expect(r.userAgent).toMatch(/Chrome/);
      expect(r.runs.map((x) => x.backend)).toEqual(['cpu', 'wasm']);
      const [cpu, wasm] = r.runs as [ScenarioRun, ScenarioRun];
      expectSameAsNode(cpu, 1e-6, 1e-5);
      // Node's wasm products run on the native add-on where it is built, so wasm agrees to rounding, not bits.
      // The SIMD module's products run in the page too, with tfjs' single-threaded SIMD build.
      expect(wasm.matMul).toMatch(/SIMD/);
      expect(wasm.detail).toBe('SIMD on, 1 thread');
      expect(r.requested).toContain('/wasm/tfjs-backend-wasm-simd.wasm');
      expectSameAsNode(wasm, 1e-5, 1e-4);
    });

    it("loads tfjs' threaded wasm build under cross-origin isolation (threads: 2): same numbers, thread count reported", async () => {
      const r = await inBrowser({ ...c, backends: ['wasm'], threads: 2 });
      expect(r.crossOriginIsolated).toBe(true);
      expect(r.requested).toContain('/wasm/tfjs-backend-wasm-threaded-simd.wasm');
      const wasm = r.runs[0] as ScenarioRun;
      // tfjs 4.22's XNNPACK pool reports one thread here (tensorflow/tfjs#8513); the report says so rather than claim two.
      expect(wasm.matMul).toMatch(/128-bit SIMD kernels \(wasm\/src; on tfjs' threaded build's shared memory\)/);
      expect(wasm.detail).toMatch(/SIMD on, 2 threads|SIMD on, 1 thread \(threads=2 requested; tfjs' threaded build reports 1/);
      expectSameAsNode(wasm, 1e-5, 1e-4);
    });

    it("runs on WebGPU (Chromium's SwiftShader adapter): this package's WGSL kernels give Node's wasm numbers", async () => {
      // SwiftShader takes seconds per step (about a minute for this test): 4 of the 20 steps, compared with Node's first 4.
      const r = await inBrowser({ ...c, backends: ['webgpu'], steps: 4 }, ['--enable-unsafe-webgpu']);
      const gpu = r.runs[0] as ScenarioRun;
      expect(gpu.backend).toBe('webgpu');
      expect(gpu.detail).toMatch(/swiftshader/);
      expect(gpu.losses.length).toBe(4);
      // The reference is Node's wasm run: float32 on another device, so looser than the wasm-to-wasm check.
      expectSameAsNode(gpu, 1e-4, 1e-3, 'wasm');
    }, 240_000);
  },
);

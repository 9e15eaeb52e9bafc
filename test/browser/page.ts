/**
 * The page script of test/browser/browser.test.ts, bundled for browsers and run in headless Chromium:
 * runs ./scenario.ts on the served case with the package's browser entry point (tfjs' .wasm files from
 * /wasm/, the model folder from /model/ through loadModelFromURL) and posts the outcome to /result.
 */
import { loadModelFromURL } from '../../src/browser.js';
import { runScenario, type BrowserCase } from './scenario.js';

async function post(body: unknown): Promise<void> {
  await fetch('/result', { method: 'POST', body: JSON.stringify(body) });
}

async function main(): Promise<void> {
  const c = (await (await fetch('/case.json')).json()) as BrowserCase;
  const runs = await runScenario(c, () => loadModelFromURL(new URL('/model/', location.href)), { wasmPaths: '/wasm/' });
  await post({ ok: true, userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated, runs });
}

main().catch((e: unknown) => post({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));

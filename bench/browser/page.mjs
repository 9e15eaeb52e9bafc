/**
 * The page script of bench/browser.mjs (bundled by esbuild, run in headless Chromium): runs ./measure.mjs
 * on the case served at /case.json with tfjs' .wasm files from /wasm/ and posts the result to /result.
 */
import { measureWasm } from './measure.mjs';

async function main() {
  const c = await (await fetch('/case.json')).json();
  const result = await measureWasm(c, { wasmPaths: '/wasm/', threads: c.threads });
  await fetch('/result', { method: 'POST', body: JSON.stringify({ ok: true, userAgent: navigator.userAgent, result }) });
}

main().catch((e) => fetch('/result', { method: 'POST', body: JSON.stringify({ ok: false, error: String(e?.stack ?? e) }) }));

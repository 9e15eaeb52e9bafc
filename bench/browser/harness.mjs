/**
 * Running this package in a real browser from a test (test/browser/) or a benchmark (bench/browser.mjs): bundle a page script with esbuild for the browser
 * platform, serve it (with tfjs' .wasm files and any fixtures) from a local HTTP server that sets the
 * cross-origin-isolation headers threaded wasm needs, open it in headless Chromium (Debian's
 * chromium-headless-shell) and wait for the page to POST its result to /result.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

/** The headless Chromium to run: NAC_CHROMIUM, else the first of the usual Debian binaries on PATH, else null. */
/** @returns {string | null} */
export function findChromium() {
  const candidates = [process.env.NAC_CHROMIUM, 'chromium-headless-shell', 'chromium', 'google-chrome'].filter((c) => !!c);
  for (const c of candidates) {
    if (spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0) return c;
  }
  return null;
}

/**
 * Bundles `entry` (TypeScript allowed) for browsers into one ES module; throws with esbuild's messages.
 * Returns the bundled input files, relative to the working directory.
 * @param {string} entry
 * @param {string} outfile
 * @returns {Promise<string[]>}
 */
export async function bundleForBrowser(entry, outfile) {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outfile,
    logLevel: 'silent',
    metafile: true,
  });
  return Object.keys(r.metafile.inputs);
}

/** @typedef {{ file: string } | { body: string | Uint8Array }} Served What the server sends for a path: a file on disk or bytes/text in memory. */

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/**
 * A local server for `routes` (path → content) that resolves `result` with the JSON the page POSTs to
 * /result; `requested` lists the paths the page asked for, in order.
 * @param {Map<string, Served>} routes
 * @returns {Promise<{ url: string; result: Promise<unknown>; requested: string[]; close(): void }>}
 */
export async function servePage(routes) {
  /** @type {string[]} */
  const requested = [];
  /** @type {(v: unknown) => void} */
  let deliver = () => {};
  const result = new Promise((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requested.push(url.pathname);
    if (req.method === 'POST' && url.pathname === '/result') {
      /** @type {Buffer[]} */
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.end('ok');
        deliver(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      return;
    }
    const served = routes.get(url.pathname);
    // Cross-origin isolation: SharedArrayBuffer, hence tfjs' threaded wasm build, needs both headers.
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (served == null) {
      res.writeHead(404, headers).end(`not found: ${url.pathname}`);
      return;
    }
    const body = 'file' in served ? fs.readFileSync(served.file) : served.body;
    res
      .writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(url.pathname) || '.html'] ?? 'application/octet-stream' })
      .end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {{ port: number }} */ (server.address());
  return { url: `http://127.0.0.1:${port}`, result, requested, close: () => server.close() };
}

/**
 * Opens `url` in headless Chromium (with `extraArgs`, e.g. --enable-unsafe-webgpu) and resolves with what
 * the page posts to the server's /result, or rejects after `timeoutMs` with the browser's last output
 * lines (console messages are logged to stderr).
 * @param {string} chromium
 * @param {string} url
 * @param {Promise<unknown>} result
 * @param {number} timeoutMs
 * @param {readonly string[]} [extraArgs]
 * @returns {Promise<unknown>}
 */
export async function runInChromium(chromium, url, result, timeoutMs, extraArgs = []) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--no-first-run',
    '--enable-logging=stderr',
    '--v=0',
    `--user-data-dir=${profile}`,
    ...extraArgs,
    url,
  ];
  const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d.toString('utf8')).slice(-20_000)));
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no result from the page within ${timeoutMs} ms; browser output:\n${log.slice(-4000)}`)),
      timeoutMs,
    );
  });
  const exited = new Promise((_, reject) =>
    child.on('exit', (code) => reject(new Error(`${chromium} exited (${code}) before the page reported; output:\n${log.slice(-4000)}`))),
  );
  try {
    return await Promise.race([result, timeout, exited]);
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

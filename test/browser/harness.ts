/**
 * Running this package in a real browser from a test: bundle a page script with esbuild for the browser
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
export function findChromium(): string | null {
  const candidates = [process.env.NAC_CHROMIUM, 'chromium-headless-shell', 'chromium', 'google-chrome'].filter((c): c is string => !!c);
  for (const c of candidates) {
    if (spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0) return c;
  }
  return null;
}

/**
 * Bundles `entry` (TypeScript allowed) for browsers into one ES module; throws with esbuild's messages.
 * Returns the bundled input files, relative to the working directory.
 */
export async function bundleForBrowser(entry: string, outfile: string): Promise<string[]> {
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

/** What the server sends for a path: a file on disk or bytes/text in memory. */
export type Served = { file: string } | { body: string | Uint8Array };

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/**
 * A local server for `routes` (path → content) that resolves `result` with the JSON the page POSTs to
 * /result; `requested` lists the paths the page asked for, in order.
 */
export async function servePage(
  routes: Map<string, Served>,
): Promise<{ url: string; result: Promise<unknown>; requested: string[]; close(): void }> {
  const requested: string[] = [];
  let deliver!: (v: unknown) => void;
  const result = new Promise<unknown>((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requested.push(url.pathname);
    if (req.method === 'POST' && url.pathname === '/result') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, result, requested, close: () => server.close() };
}

/**
 * Opens `url` in headless Chromium (with `extraArgs`, e.g. --enable-unsafe-webgpu) and resolves with what
 * the page posts to the server's /result, or rejects after `timeoutMs` with the browser's last output
 * lines (console messages are logged to stderr).
 */
export async function runInChromium(
  chromium: string,
  url: string,
  result: Promise<unknown>,
  timeoutMs: number,
  extraArgs: readonly string[] = [],
): Promise<unknown> {
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
  child.stderr.on('data', (d: Buffer) => (log = (log + d.toString('utf8')).slice(-20_000)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no result from the page within ${timeoutMs} ms; browser output:\n${log.slice(-4000)}`)),
      timeoutMs,
    );
  });
  const exited = new Promise<never>((_, reject) =>
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

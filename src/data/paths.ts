/**
 * Where data lives. The data folder is, in order: the `dataDir` option, the env var NAC_DATA_DIR
 * (relative paths are taken from the working directory), else `.data` in this package's root, the
 * nearest folder above this module that holds a package.json (the repository root both from
 * src/ under vitest and from dist/). npm data packages are looked for in `<data>/npm/node_modules`
 * first, then in the package root's own node_modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | null = null;

/** The nearest folder above this module holding a package.json. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (cachedRoot = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The data folder (see the file header for the order). */
export function dataDir(override?: string): string {
  if (override !== undefined) return path.resolve(override);
  const env = process.env.NAC_DATA_DIR;
  if (env) return path.resolve(env);
  return path.join(packageRoot(), '.data');
}

/** `<data>/cache`, for derived files (generated ListOps, KiCad point clouds). */
export function cacheDir(override?: string): string {
  return path.join(dataDir(override), 'cache');
}

/** `<data>/npm`, the npm prefix `fetch-data` installs data packages into. */
export function npmDataPrefix(override?: string): string {
  return path.join(dataDir(override), 'npm');
}

/** Candidate folders of an npm package, in lookup order. */
export function npmPackageCandidates(pkg: string, override?: string): string[] {
  return [path.join(npmDataPrefix(override), 'node_modules', pkg), path.join(packageRoot(), 'node_modules', pkg)];
}

/** The first candidate folder of `pkg` that contains `probe` (a relative path), or null. */
export function findNpmPackage(pkg: string, probe: string, override?: string): string | null {
  for (const dir of npmPackageCandidates(pkg, override)) {
    if (fs.existsSync(path.join(dir, probe))) return dir;
  }
  return null;
}

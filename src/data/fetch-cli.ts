#!/usr/bin/env node
/**
 * Entry point of `npm run fetch-data [-- <names…>]` (runs dist/data/fetch-cli.js): installs the named
 * datasets, or the default set, and exits non-zero if any could not be installed.
 */
import { fetchData } from './fetch.js';

try {
  process.exitCode = fetchData(process.argv.slice(2)) ? 1 : 0;
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 2;
}

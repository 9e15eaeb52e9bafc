/**
 * The CPU, for benchmark output: src/cli/cpu-info.ts (core, family, model and widest SIMD, e.g.
 * "AMD EPYC (Zen 3, family 25 model 1, AVX2)"). Needs `npm run build`.
 */
export { cpuInfo } from '../dist/cli/cpu-info.js';

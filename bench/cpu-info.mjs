/**
 * What CPU this is, beyond `os.cpus()[0].model` (which reads only "AMD EPYC" on the benchmark VMs): vendor,
 * family and model numbers, and the widest x86 SIMD the kernel reports. The issue-4 ratios depend on it:
 * PyTorch's OpenBLAS runs AVX-512 kernels where the CPU has them and AVX2 ones where not, while our wasm
 * kernels are 128-bit either way. Linux only (reads /proc/cpuinfo); elsewhere just the model string.
 */
import fs from 'node:fs';
import os from 'node:os';

/** AMD family 25 (0x19) models: 0x00–0x0f Zen 3 (Milan, no AVX-512), 0x10–0x1f and 0xa0–0xaf Zen 4. */
function amdCore(family, model) {
  if (family === 25) return model < 0x10 ? 'Zen 3' : model < 0x20 || (model >= 0xa0 && model < 0xb0) ? 'Zen 4' : '';
  if (family === 26) return 'Zen 5';
  return '';
}

/**
 * @returns {{ model: string, vendor: string, family: number | null, modelNumber: number | null,
 *   core: string, simd: string, summary: string }}
 */
export function cpuInfo() {
  const model = os.cpus()[0]?.model ?? 'unknown';
  let text = '';
  try {
    text = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0];
  } catch {
    return { model, vendor: '', family: null, modelNumber: null, core: '', simd: '', summary: model };
  }
  const field = (name) => text.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim() ?? '';
  const flags = new Set(field('flags').split(/\s+/));
  const vendor = field('vendor_id');
  const family = Number(field('cpu family')) || null;
  const modelNumber = field('model') === '' ? null : Number(field('model'));
  const simd = flags.has('avx512f') ? 'AVX-512' : flags.has('avx2') ? 'AVX2' : flags.has('avx') ? 'AVX' : 'SSE';
  const core = vendor === 'AuthenticAMD' && family !== null && modelNumber !== null ? amdCore(family, modelNumber) : '';
  const ids = family !== null ? `family ${family} model ${modelNumber}` : '';
  const summary = `${model} (${[core, ids, simd].filter(Boolean).join(', ')})`;
  return { model, vendor, family, modelNumber, core, simd, summary };
}

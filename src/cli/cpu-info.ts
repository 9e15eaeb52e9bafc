/**
 * What CPU this is, beyond `os.cpus()[0].model` (which reads only "AMD EPYC" on the benchmark VMs): vendor,
 * family and model numbers, the core generation where known, and the widest x86 SIMD the kernel reports.
 * Results depend on it: PyTorch's OpenBLAS runs AVX-512 kernels where the CPU has them and AVX2 ones where
 * not, while this package's wasm kernels are 128-bit either way. Linux only (reads /proc/cpuinfo);
 * elsewhere just the model string.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** The CPU as `cpuInfo` describes it. */
export interface CpuInfo {
  /** `os.cpus()[0].model`. */
  model: string;
  vendor: string;
  family: number | null;
  modelNumber: number | null;
  /** 'Zen or Zen+', 'Zen 2', 'Zen 3', 'Zen 4', 'Zen 5' for AMD families 23, 25 and 26, else ''. */
  core: string;
  /** 'AVX-512', 'AVX2', 'AVX', 'SSE', or '' when unknown. */
  simd: string;
  /** e.g. "AMD EPYC (Zen 3, family 25 model 1, AVX2)". */
  summary: string;
}

/**
 * AMD family 23 (0x17): models below 0x30 Zen or Zen+ (128-bit SIMD units: AVX2 at half width), 0x30 and up
 * Zen 2; family 25 (0x19): models 0x00–0x0f Zen 3 (no AVX-512), 0x10–0x1f and 0xa0–0xaf Zen 4; family 26: Zen 5.
 */
function amdCore(family: number, model: number): string {
  if (family === 23) return model < 0x30 ? 'Zen or Zen+' : 'Zen 2';
  if (family === 25) return model < 0x10 ? 'Zen 3' : model < 0x20 || (model >= 0xa0 && model < 0xb0) ? 'Zen 4' : '';
  return family === 26 ? 'Zen 5' : '';
}

/** Parses the first processor's block of /proc/cpuinfo text. */
export function parseCpuInfo(model: string, text: string): CpuInfo {
  const block = text.split('\n\n')[0] ?? '';
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim() ?? '';
  if (field('vendor_id') === '') return { model, vendor: '', family: null, modelNumber: null, core: '', simd: '', summary: model };
  const flags = new Set(field('flags').split(/\s+/));
  const vendor = field('vendor_id');
  const family = field('cpu family') === '' ? null : Number(field('cpu family'));
  const modelNumber = field('model') === '' ? null : Number(field('model'));
  const simd = flags.has('avx512f') ? 'AVX-512' : flags.has('avx2') ? 'AVX2' : flags.has('avx') ? 'AVX' : 'SSE';
  const core = vendor === 'AuthenticAMD' && family != null && modelNumber != null ? amdCore(family, modelNumber) : '';
  const ids = family != null ? `family ${family} model ${modelNumber}` : '';
  return { model, vendor, family, modelNumber, core, simd, summary: `${model} (${[core, ids, simd].filter(Boolean).join(', ')})` };
}

/** This machine's CPU (first processor). */
export function cpuInfo(): CpuInfo {
  const model = os.cpus()[0]?.model ?? 'unknown CPU';
  let text = '';
  try {
    text = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // Not Linux: the model string only.
  }
  return parseCpuInfo(model, text);
}

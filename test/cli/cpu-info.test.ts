// parseCpuInfo (src/cli/cpu-info.ts): the core generation, family, model and widest SIMD from /proc/cpuinfo
// text, which tell the VMs apart that `os.cpus()` names alike ("AMD EPYC"), e.g. a Zen 3 without AVX-512
// from a Zen 4 with it.
import { describe, expect, it } from 'vitest';
import { parseCpuInfo } from '../../src/cli/cpu-info.js';

const block = (vendor: string, family: number, model: number, flags: string) =>
  `processor\t: 0\nvendor_id\t: ${vendor}\ncpu family\t: ${family}\nmodel\t\t: ${model}\nmodel name\t: X\nflags\t\t: ${flags}\n\nprocessor\t: 1\nvendor_id\t: other\n`;

describe('parseCpuInfo', () => {
  it('names AMD cores and the widest SIMD from the first processor', () => {
    expect(parseCpuInfo('AMD EPYC', block('AuthenticAMD', 25, 1, 'fpu sse avx avx2 fma')).summary).toBe(
      'AMD EPYC (Zen 3, family 25 model 1, AVX2)',
    );
    const zen4 = parseCpuInfo('AMD EPYC', block('AuthenticAMD', 25, 17, 'avx avx2 avx512f avx512_bf16'));
    expect(zen4).toMatchObject({ core: 'Zen 4', simd: 'AVX-512', family: 25, modelNumber: 17 });
    expect(parseCpuInfo('AMD EPYC', block('AuthenticAMD', 26, 2, 'avx2 avx512f')).core).toBe('Zen 5');
    expect(parseCpuInfo('AMD EPYC', block('AuthenticAMD', 23, 1, 'avx avx2 fma')).summary).toBe(
      'AMD EPYC (Zen or Zen+, family 23 model 1, AVX2)',
    );
    expect(parseCpuInfo('AMD EPYC', block('AuthenticAMD', 23, 49, 'avx2')).core).toBe('Zen 2');
  });

  it('leaves the core blank for other vendors and falls back to the model string without cpuinfo', () => {
    expect(parseCpuInfo('Intel(R) Xeon(R)', block('GenuineIntel', 6, 143, 'avx2 avx512f')).summary).toBe(
      'Intel(R) Xeon(R) (family 6 model 143, AVX-512)',
    );
    expect(parseCpuInfo('Apple M2', '')).toMatchObject({ summary: 'Apple M2', simd: '', family: null });
  });
});

/*
 * Attributes shared by the compute cores in this folder, which are compiled twice: into the native
 * add-on (x86-64: one clone per AVX-512 / AVX2 / baseline CPU) and into the 128-bit WebAssembly SIMD
 * module (wasm/build.mjs: no clones, no libc).
 */
#ifndef NAC_KERNEL_ATTRS_H
#define NAC_KERNEL_ATTRS_H
#include <stdint.h>

#if defined(__x86_64__) && !defined(__wasm__)
#define NAC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NAC_CLONES
#endif

#endif

#!/usr/bin/env bash
# The next GPU call (bench/gpu/README.md#next-call), as one script so that what runs on the device is what
# bench/gpu/dry-run.sh checks here: two bench/gpu/run.sh passes.
#   a: kernels (the products, attention, GELU, linear maps, LayerNorm against tfjs') and two rounds of ab
#      (the defaults against the fixed choices and the old defaults), on the paper-tiny NAC;
#   b: bench (paper-tiny and reference against the PyTorch twin on CUDA: the issue-4 ratios) and parity.
# On the device (carry ["dist", "bench/gpu/carry"], timeout_s 490):  OUT=$OUT bash bench/gpu/next-call.sh
# DRY=1 shrinks every size and count for a check on software Vulkan (bench/gpu/dry-run.sh does that).
# Exits non-zero if either pass failed; both always run.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/gpu-out}
ONLY=matmul,attention,gelu,linear,layernorm
AB_LIST="all-on vec4-matmul tfjs-gelu tfjs-linear blocked-attention all-tfjs"
if [ "${DRY:-0}" = 1 ]; then
  a=(KERNEL_ARGS="--shrink 32 --reps 1 --rounds 1 --only $ONLY" PROFILE_CONFIG=small BATCH=8 REPEATS=1 WARMUP=1 TOTAL=400)
  b=(CONFIGS=small BATCH=8 REPEATS=1 WARMUP=1 TOTAL=300)
else
  a=(KERNEL_ARGS="--reps 20 --rounds 5 --only $ONLY" REPEATS=5 WARMUP=2 TOTAL=220)
  b=(CONFIGS="paper-tiny reference" REPEATS=7 WARMUP=3 TOTAL=240)
fi
env OUT="$OUT/a" STEPS="kernels ab ab" AB="$AB_LIST" "${a[@]}" bash bench/gpu/run.sh
sa=$?
env OUT="$OUT/b" STEPS="bench parity" "${b[@]}" bash bench/gpu/run.sh
sb=$?
echo "next-call: pass a status $sa, pass b status $sb"
[ "$sa" = 0 ] && [ "$sb" = 0 ]

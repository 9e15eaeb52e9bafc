#!/usr/bin/env bash
# One-call GPU run for an H100/H200 machine that has no Node (see bench/gpu/README.md). Run from the
# repository root with dist/ and bench/gpu/carry/ (made by bench/gpu/prepare.sh) present. Steps, each
# with its own time limit so that one slow step cannot eat the others:
#   1. setup: node, node_modules, the Vulkan loader and the NVIDIA ICD; nvidia-smi; a CUDA torch for the twin;
#   2. profile: per-program GPU times of one paper-tiny train step and forward (bench/profile-train.mjs);
#   3. bench: paper-tiny, then reference, on webgpu against the twin on CUDA (bench/run.mjs --vs-torch);
#   cpu: host (JS thread) time vs device wait of a train step, with a V8 profile (bench/profile-cpu.mjs);
#   kernels: tfjs' kernels against this package's on the paper-tiny shapes (bench/webgpu-kernels.mjs);
#   ab: the paper-tiny NAC with the defaults, with one change off (fused AdamW, fused layer norm, block Sum, eval cache, the tiled
#       matmul, split filter gradients, fused attention, fused GELU, those four), a fixed matmul choice, or Dawn's robustness off;
#   4. parity: 50 training steps on wasm and on webgpu from the same weights (bench/parity-backends.mjs).
# Results: $OUT/run.log (everything printed) and $OUT/gpu-results.tgz (JSON and markdown of each step).
#   bash bench/gpu/run.sh     (env: STEPS="profile-nac bench parity profile-pio" CONFIGS="paper-tiny reference" PROFILE_CONFIG=paper-tiny
#                              REPEATS=5 WARMUP=2 BATCH= (every step's; parity: 32) MODELS= (bench: nac,pio) TOTAL=520 seconds in all; AB="names": only these ab variants;
#                              KERNEL_ARGS: the kernels step's arguments, default "--reps 20 --rounds 5")
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/gpu-out}
CARRY=bench/gpu/carry
WORK=$(mktemp -d)
RES=$WORK/results
REPEATS=${REPEATS:-5}
WARMUP=${WARMUP:-2}
CONFIGS=${CONFIGS:-"paper-tiny reference"}
STEPS=${STEPS:-"profile-nac bench parity profile-pio"}
TOTAL=${TOTAL:-520}
mkdir -p "$OUT" "$RES"
T0=$(date +%s)
log() { echo "[gpu $(date +%H:%M:%S) +$(($(date +%s) - T0))s] $*" | tee -a "$OUT/run.log"; }
finish() { [ -n "${CLOCKS:-}" ] && kill "$CLOCKS" 2>/dev/null; tar -C "$RES" -czf "$OUT/gpu-results.tgz" . 2>/dev/null; log "done (status $status)"; exit $status; }
# run <seconds> <name> <command...>: runs a step under a time limit, logging to the console, run.log and $RES/<name>.log.
# Each limit is capped so the whole script ends within TOTAL seconds (the device tool's call limit).
run() {
  local limit=$1 name=$2 left
  shift 2
  left=$((TOTAL - 15 - $(date +%s) + T0))
  [ "$left" -lt 20 ] && { log "step $name skipped: ${left}s left of TOTAL=${TOTAL}s"; status=1; return; }
  [ "$limit" -gt "$left" ] && limit=$left
  log "step $name: $*"
  timeout "$limit" "$@" 2>&1 | grep --line-buffered -v 'artificially reduced' | tee "$RES/$name.log" | tee -a "$OUT/run.log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || { log "step $name failed (exit $rc$([ "$rc" = 124 ] && echo ": over its ${limit} s limit"))"; status=1; }
}
status=0

# 1. Node and the carried node_modules (xz, or Python's lzma where the image has no xz).
unxz_to_stdout() { xz -dc "$1" 2>/dev/null || python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; }
unxz_to_stdout "$CARRY/node.xz" > "$WORK/node" && chmod +x "$WORK/node" || { log "no $CARRY/node.xz: run prepare.sh"; exit 2; }
[ -d node_modules ] || unxz_to_stdout "$CARRY/node_modules.tar.xz" | tar -xf -
export PATH="$WORK:$PATH"
log "node $(node --version); $(nproc) CPUs"

# The Vulkan loader and glvnd (libGLX_nvidia.so.0, the NVIDIA Vulkan ICD, needs libGLdispatch) from the
# carried .debs, unpacked over / as the device README recommends for these libraries (they only add
# files the image lacks); vulkan-tools (vulkaninfo) is unpacked aside.
for deb in "$CARRY"/debs/*.deb; do
  case $(basename "$deb") in
    vulkan-tools_*) dpkg -x "$deb" "$WORK/vk" ;;
    *) dpkg -x "$deb" / ;;
  esac
done
ldconfig
icd=""
for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json; do
  [ -f "$f" ] && { icd=$f; break; }
done
if [ -z "$icd" ]; then
  glx=$( (ldconfig -p | awk '/libGLX_nvidia.so.0/{print $NF; exit}'; find /usr/local/nvidia /usr/lib /usr/lib64 -name 'libGLX_nvidia.so.0' 2>/dev/null) | head -1)
  if [ -n "$glx" ]; then
    mkdir -p "$WORK/icd" && icd=$WORK/icd/nvidia_icd.json
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$glx" > "$icd"
    log "wrote an NVIDIA ICD manifest for $glx"
  else
    log "no NVIDIA Vulkan ICD (nvidia_icd.json or libGLX_nvidia.so.0) found: webgpu will fail"
  fi
fi
[ -n "$icd" ] && export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd" && log "Vulkan ICD: $icd"
# Libraries the ICD cannot find make the loader report "Found no drivers": list them.
lib=$(ldconfig -p | awk '/libGLX_nvidia.so.0/{print $NF; exit}')
[ -n "$lib" ] && { ldd "$lib" | grep 'not found' | sed 's/^/  ICD dependency missing: /' | tee -a "$OUT/run.log"; log "ICD library: $lib"; }
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
# Dawn: allow_unsafe_apis keeps timestamp queries (the per-program profile) available whatever the Dawn version.
export NAC_DAWN_FLAGS=${NAC_DAWN_FLAGS-enable-dawn-features=allow_unsafe_apis}
nvidia-smi > "$RES/nvidia-smi.txt" 2>&1 || log "nvidia-smi failed"
head -12 "$RES/nvidia-smi.txt" | tee -a "$OUT/run.log"
# GPU clocks, power and temperature every half second while the steps run (do step times follow the clocks?).
command -v nvidia-smi >/dev/null && { nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,utilization.gpu \
  --format=csv -lms 500 > "$RES/gpu-clocks.csv" 2>&1 & CLOCKS=$!; }
[ -x "$WORK/vk/usr/bin/vulkaninfo" ] && timeout 30 "$WORK/vk/usr/bin/vulkaninfo" --summary > "$RES/vulkaninfo.txt" 2>&1

# A Python with a CUDA torch for the twin, if any.
PY=""
for p in python3 /usr/bin/python3 python; do
  if command -v "$p" >/dev/null && "$p" -c 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then PY=$(command -v "$p"); break; fi
done
TORCH_ARGS=()
if [ -n "$PY" ]; then
  log "PyTorch twin: $PY, torch $("$PY" -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0))')"
  TORCH_ARGS=(--vs-torch --torch-device cuda)
  export NAC_TORCH_PYTHON="$PY"
else
  log "no Python with a CUDA torch: timing our side only"
fi

# WebGPU at all? A 1024² matrix product on the GPU, read back.
run 60 sanity node --input-type=module -e "
  import * as tf from '@tensorflow/tfjs'; import { initBackend, describeBackend } from './dist/engine/index.js';
  const r = await initBackend({ backend: 'webgpu', quiet: true }); console.log(describeBackend(r));
  const a = tf.randomNormal([1024, 1024]); const y = tf.matMul(a, a); await y.data();
  const t0 = performance.now(); for (let i = 0; i < 20; i++) tf.matMul(a, a).dispose(); await tf.matMul(a, a).data();
  console.log('matmul 1024: ' + (2 * 1024 ** 3 * 21 / ((performance.now() - t0) / 1000) / 1e9).toFixed(0) + ' GFLOP/s');"
[ $status = 0 ] || { log "webgpu is not usable here; stopping"; finish; }

pc=${PROFILE_CONFIG:-paper-tiny}
for step in $STEPS; do
  case $step in
    profile-nac | profile-pio)
      m=${step#profile-}
      run 150 "profile-$pc-$m" node bench/profile-train.mjs --config "$pc" --backend webgpu --model "$m" --steps 3 --top 40 \
        ${BATCH:+--batch "$BATCH"} --json "$RES/profile-$pc-$m.json" ;;
    bench)
      for cfg in $CONFIGS; do
        run 200 "bench-$cfg" node bench/run.mjs --config "$cfg" --backend webgpu --repeats "$REPEATS" --warmup "$WARMUP" ${BATCH:+--batch "$BATCH"} ${MODELS:+--models "$MODELS"} \
          "${TORCH_ARGS[@]}" --out "$RES/bench-$cfg"
      done ;;
    cpu)
      # Host (JS thread) time vs device wait per step, with the V8 profile; then larger submit batches.
      run 100 "cpu-$pc-nac" node bench/profile-cpu.mjs --config "$pc" --backend webgpu --model nac --steps 2 --cpu-profile --top 30 \
        ${BATCH:+--batch "$BATCH"} --json "$RES/cpu-$pc-nac.json"
      for n in ${SUBMIT_BATCHES-200}; do
        run 80 "cpu-$pc-nac-submit$n" node bench/profile-cpu.mjs --config "$pc" --backend webgpu --model nac --steps 2 \
          --tf-flag WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=$n ${BATCH:+--batch "$BATCH"} --json "$RES/cpu-$pc-nac-submit$n.json"
      done ;;
    kernels)
      # tfjs' kernels against this package's (tiled matmul, split filter gradients, fused attention, GELU, linear maps, LayerNorm) on the paper-tiny shapes.
      run 150 kernels node bench/webgpu-kernels.mjs ${KERNEL_ARGS:---reps 20 --rounds 5} ;;
    ab)
      # What each change buys: the $pc NAC (ours only) with the defaults (all-on), one change off, or another matmul choice.
      # (Measured once and dropped from the list, no gain: skip-validation:NAC_DAWN_FLAGS=enable-dawn-features=
      # allow_unsafe_apis,skip_validation, and --tf-flag WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=200; docs/performance.md.)
      for v in "all-on:" "no-fused-adamw:NAC_FUSED_ADAMW=0" "no-fused-layer-norm:NAC_FUSED_LAYER_NORM=0" "no-block-sum:NAC_WEBGPU_SUM=0" \
        "no-eval-cache:NAC_EVAL_CACHE=0" "tfjs-matmul:NAC_WEBGPU_MATMUL=tfjs" "tiled-matmul:NAC_WEBGPU_MATMUL=tiled" \
        "vec4-matmul:NAC_WEBGPU_MATMUL=tiled NAC_WEBGPU_MATMUL_LOADS=vec4" \
        "vec4-16-matmul:NAC_WEBGPU_MATMUL=tiled NAC_WEBGPU_MATMUL_LOADS=vec4 NAC_WEBGPU_MATMUL_STEP=16" \
        "tfjs-filter-grad:NAC_WEBGPU_FILTER_GRAD=tfjs" "tfjs-attention:NAC_WEBGPU_ATTENTION=tfjs" "tfjs-gelu:NAC_WEBGPU_GELU=tfjs" \
        "tfjs-linear:NAC_WEBGPU_LINEAR=tfjs" "blocked-attention:NAC_WEBGPU_ATTENTION=blocked" \
        "unstaged-attention:NAC_WEBGPU_ATTENTION=unstaged" \
        "all-tfjs:NAC_WEBGPU_MATMUL=tfjs NAC_WEBGPU_FILTER_GRAD=tfjs NAC_WEBGPU_ATTENTION=tfjs NAC_WEBGPU_GELU=tfjs NAC_WEBGPU_LINEAR=tfjs" \
        "no-robustness:NAC_DAWN_FLAGS=enable-dawn-features=allow_unsafe_apis,disable_robustness"; do
        name=${v%%:*}
        # AB="all-on tiled-matmul ..." runs only the named variants.
        [ -n "${AB:-}" ] && [[ " $AB " != *" $name "* ]] && continue
        run 90 "ab-$pc-$name" env ${v#*:} node bench/run.mjs --config "$pc" --backend webgpu --models nac \
          --repeats "$REPEATS" --warmup "$WARMUP" ${BATCH:+--batch "$BATCH"} --out "$RES/ab-$pc-$name"
      done ;;
    parity)
      run 120 parity-small node bench/parity-backends.mjs --config small --batch "${BATCH:-32}" --steps 50 --json "$RES/parity-small.json" ;;
    *) log "unknown step '$step' (allowed: profile-nac profile-pio cpu bench kernels ab parity)"; status=1 ;;
  esac
done
finish

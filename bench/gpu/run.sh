#!/usr/bin/env bash
# One-call GPU benchmark for an H100/H200 machine that has no Node (see bench/gpu/README.md). Run from the
# repository root with dist/ and bench/gpu/carry/ (made by bench/gpu/prepare.sh) present; results go to $OUT.
#   bash bench/gpu/run.sh            (env: REPEATS=5 WARMUP=2 BATCH=128 CONFIGS="paper-tiny reference")
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/gpu-out}
CARRY=bench/gpu/carry
WORK=$(mktemp -d)
REPEATS=${REPEATS:-5}
WARMUP=${WARMUP:-2}
CONFIGS=${CONFIGS:-"paper-tiny reference"}
mkdir -p "$OUT"
log() { echo "[gpu-bench $(date +%H:%M:%S)] $*" | tee -a "$OUT/run.log"; }

# 1. Node and the carried node_modules.
xz -dc "$CARRY/node.xz" > "$WORK/node" && chmod +x "$WORK/node" || { log "no $CARRY/node.xz: run prepare.sh"; exit 2; }
[ -d node_modules ] || tar -xJf "$CARRY/node_modules.tar.xz"
export PATH="$WORK:$PATH"
log "node $(node --version)"

# 2. The Vulkan loader from the carried .debs, and an NVIDIA ICD manifest if the driver ships none.
for deb in "$CARRY"/debs/*.deb; do dpkg -x "$deb" "$WORK/vk"; done
export LD_LIBRARY_PATH="$WORK/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1; then
  glx=$( (ldconfig -p | awk '/libGLX_nvidia.so.0/{print $NF; exit}'); find /usr/lib /usr/lib64 /usr/local -name 'libGLX_nvidia.so.0' 2>/dev/null | head -1)
  glx=$(echo "$glx" | head -1)
  if [ -n "$glx" ]; then
    mkdir -p "$WORK/icd"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$glx" > "$WORK/icd/nvidia_icd.json"
    export VK_ICD_FILENAMES="$WORK/icd/nvidia_icd.json" VK_DRIVER_FILES="$WORK/icd/nvidia_icd.json"
    log "wrote an NVIDIA ICD manifest for $glx"
  else
    log "no NVIDIA Vulkan ICD (libGLX_nvidia.so.0) found: the container may lack the 'graphics' driver capability; webgpu will fail"
  fi
fi
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || log "nvidia-smi failed"
[ -x "$WORK/vk/usr/bin/vulkaninfo" ] && "$WORK/vk/usr/bin/vulkaninfo" --summary > "$OUT/vulkaninfo.txt" 2>&1

# 3. A Python with a CUDA torch for the twin, if any.
PY=""
for p in python3 /usr/bin/python3 python; do
  if command -v "$p" >/dev/null && "$p" -c 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then PY=$(command -v "$p"); break; fi
done
if [ -n "$PY" ]; then
  log "PyTorch twin: $PY, torch $("$PY" -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0))')"
  TORCH_ARGS=(--vs-torch --torch-device cuda)
  export NAC_TORCH_PYTHON="$PY"
else
  log "no Python with a CUDA torch: timing our side only (the twin needs torch.cuda.is_available())"
  TORCH_ARGS=()
fi

# 4. The benchmarks.
status=0
for cfg in $CONFIGS; do
  log "bench --config $cfg --backend webgpu"
  timeout 420 node bench/run.mjs --config "$cfg" --backend webgpu --repeats "$REPEATS" --warmup "$WARMUP" ${BATCH:+--batch "$BATCH"} \
    "${TORCH_ARGS[@]}" --out "$OUT/$cfg-webgpu" 2>&1 | tee "$OUT/$cfg-webgpu.log" || status=1
done
log "done (status $status)"
exit $status

#!/usr/bin/env bash
# Software Vulkan (Mesa's lavapipe, from Debian bookworm-backports) so that tfjs' webgpu backend runs on a
# machine without a GPU, for correctness checks and kernel counts (bench/gpu/README.md). Needs the 'webgpu'
# npm package (npm install --no-save webgpu). Writes bench/gpu/lavapipe/ (git-ignored); prints the exports.
#   eval "$(bash bench/gpu/lavapipe.sh)"; node bench/parity-backends.mjs --batch 16 --steps 20
set -euo pipefail
cd "$(dirname "$0")"
DIR=$PWD/lavapipe
if [ ! -f "$DIR/lvp.json" ]; then
  mkdir -p "$DIR/lists/partial"
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$DIR/sources.list"
  o=(-oDir::Etc::SourceList="$DIR/sources.list" -oDir::Etc::SourceParts=/dev/null -oDir::State::Lists="$DIR/lists")
  apt-get "${o[@]}" update >&2
  (cd "$DIR" && apt-get "${o[@]}" download mesa-vulkan-drivers >&2)
  dpkg -x "$DIR"/mesa-vulkan-drivers_*.deb "$DIR/root"
  lib=$(find "$DIR/root" -name libvulkan_lvp.so | head -1)
  printf '{"ICD":{"api_version":"1.3.0","library_path":"%s"},"file_format_version":"1.0.0"}\n' "$lib" > "$DIR/lvp.json"
  ldconfig -p | grep -q libvulkan.so.1 || echo "lavapipe: also install the loader: apt-get install -y libvulkan1" >&2
fi
echo "export VK_ICD_FILENAMES=$DIR/lvp.json XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/tmp}"

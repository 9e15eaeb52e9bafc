#!/usr/bin/env bash
# Makes the files bench/gpu/run.sh needs on a GPU machine without Node (see bench/gpu/README.md), in
# bench/gpu/carry/: node.xz (this machine's node binary), node_modules.tar.xz (the production dependency
# tree plus the optional 'webgpu' package, Dawn bindings), and debs/ (the Vulkan loader from Debian).
# Run from the repository root after `npm run build`:  bash bench/gpu/prepare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
CARRY=bench/gpu/carry
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
rm -rf "$CARRY" && mkdir -p "$CARRY/debs"
[ -f dist/model/nac.js ] || { echo "prepare: dist/ is missing: run npm run build first" >&2; exit 1; }

echo "prepare: node $(node --version) → $CARRY/node.xz"
xz -T0 -6 -c "$(command -v node)" > "$CARRY/node.xz"

echo "prepare: production dependencies (npm ls --omit=dev) → staging"
mkdir -p "$STAGE/node_modules"
# `npm ls` exits 1 on extraneous packages (a locally installed 'webgpu', say); its list is still complete.
{ npm ls --omit=dev --parseable --all 2>/dev/null || true; } | tail -n +2 | grep -v '/node_modules/webgpu$' | while read -r dir; do
  rel=${dir#"$PWD/"}
  mkdir -p "$STAGE/$(dirname "$rel")"
  cp -r "$rel" "$STAGE/$rel"
done
echo "prepare: the optional 'webgpu' npm package (Dawn bindings for Node)"
WEBGPU_VERSION=${WEBGPU_VERSION:-0.6.2}
( cd "$STAGE" && npm pack --silent "webgpu@$WEBGPU_VERSION" >/dev/null && mkdir -p node_modules/webgpu \
  && tar -xzf webgpu-*.tgz -C node_modules/webgpu --strip-components=1 && rm webgpu-*.tgz )
# Keep only what runs in Node on linux-x64: drop source maps, type declarations, other platforms' binaries.
find "$STAGE/node_modules" \( -name '*.map' -o -name '*.d.ts' -o -name '*.md' \) -type f -delete
find "$STAGE/node_modules/webgpu" -type f \( -path '*darwin*' -o -path '*win32*' -o -path '*arm64*' \) -delete 2>/dev/null || true
tar -C "$STAGE" -cf - node_modules | xz -T0 -6 > "$CARRY/node_modules.tar.xz"

echo "prepare: Vulkan loader and glvnd .debs (apt-get download; the NVIDIA ICD libGLX_nvidia needs glvnd)"
( cd "$CARRY/debs" && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 vulkan-tools 2>&1 | tail -n 2 )
du -sh "$CARRY"/* "$CARRY"
echo "prepare: done. Carry: [\"dist\", \"$CARRY\"] (64 MiB limit in all)"

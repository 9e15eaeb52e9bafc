#!/usr/bin/env bash
# Dry run of the next GPU call on software Vulkan (Mesa's lavapipe), before spending device time on it:
# builds dist/ and bench/gpu/carry/ (prepare.sh), copies what the device tool would send (the files git
# does not ignore, dist/ and the carry; no node_modules, so the carried tree is what runs), and runs
# `DRY=1 bash bench/gpu/next-call.sh` there with every size shrunk. Exits non-zero if a step failed.
# Needs xz, dpkg and apt-get (for the carried .debs and lavapipe). As root, run.sh unpacks the carried Vulkan
# loader and glvnd over / as it does on the device (they only add files).
#   bash bench/gpu/dry-run.sh            (OUT=dir keeps the logs; default: a temporary folder)
set -euo pipefail
cd "$(dirname "$0")/../.."
LAVAPIPE_ENV=$(bash bench/gpu/lavapipe.sh) # an assignment, so that set -e stops here if it fails
eval "$LAVAPIPE_ENV"
npm run build > /dev/null
bash bench/gpu/prepare.sh
COPY=$(mktemp -d)
trap 'rm -rf "$COPY"' EXIT
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$COPY"
cp -r dist "$COPY/dist"
mkdir -p "$COPY/bench/gpu" && cp -r bench/gpu/carry "$COPY/bench/gpu/carry"
OUT=${OUT:-$COPY/out}
echo "dry-run: next-call.sh in $COPY, logs in $OUT"
status=0
(cd "$COPY" && DRY=1 OUT="$OUT" bash bench/gpu/next-call.sh) || status=$?
# The steps that failed or were skipped (not the expected setup lines here, such as "nvidia-smi failed").
grep -h '] step [^ ]* \(failed\|skipped:\)' "$OUT"/*/run.log || true
echo "dry-run: $([ "$status" = 0 ] && echo 'every step ran' || echo "FAILED (status $status)")"
exit "$status"

#!/usr/bin/env bash
# Trains the NAC on every non-image modality with the task defaults, plus the Perceiver IO baseline
# (same tokenizer, recipe and budget) on KiCad point clouds; run folders go to runs/<task>-<model>-s0.
# Results: docs/results/modalities.md. Needs `npm run fetch-data` (and `-- kicad-points` for KiCad).
# Usage: scripts/modalities.sh [task ...]   (default: all four)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tasks=("$@")
[[ ${#tasks[@]} -eq 0 ]] && tasks=(mnist-points spam-assassin listops-short kicad-points)
for task in "${tasks[@]}"; do
  models=(nac)
  [[ $task == kicad-points ]] && models=(nac perceiver-io)
  for model in "${models[@]}"; do
    out="runs/${task}-${model}-s0"
    rm -rf "$out"
    echo "== $task / $model → $out"
    node dist/cli/main.js train --task "$task" --model "$model" --out "$out" --no-progress
  done
done

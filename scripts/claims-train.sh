#!/usr/bin/env bash
# Trains every model the paper-claims experiments (issue 5, docs/results/claims.md) start from:
# NAC and Perceiver IO, same tokenizer, recipe and budget, seeds 0-2, on Fashion-MNIST (the demo's
# recipe: pretraining for adaptation, corruptions, pruning, circuits), MNIST (1 epoch, for MNIST → optdigits)
# and the four other modalities (task defaults). One run at a time, one BLAS thread; a run folder that
# already holds metrics.json is skipped, so the script resumes where it stopped; a run that another
# copy of the script is training (its <run>.lock folder exists) is skipped too, so two queues can share the list.
# Output: runs/claims/<task>-<model>-s<seed>/. Needs `npm run build` and `npm run fetch-data`
# (plus `npm run fetch-data -- kicad-points`).
# Usage: scripts/claims-train.sh [task ...]   (default: all, in the order below)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
main=${NAC_MAIN:-dist/cli/main.js}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
tasks=("$@")
[[ ${#tasks[@]} -eq 0 ]] && tasks=(fashion-mnist mnist kicad-points spam-assassin listops-short mnist-points)
mkdir -p runs/claims
seeds=(${SEEDS:-0 1 2})
for task in "${tasks[@]}"; do
  extra=()
  [[ $task == fashion-mnist ]] && extra=(--set train.epochs=3 --set train.evalEvery=300 --set train.valSize=2000)
  [[ $task == mnist ]] && extra=(--epochs 1)   # only feeds MNIST → optdigits (one epoch: about 91 %)
  for seed in "${seeds[@]}"; do
    for model in nac perceiver-io; do
      out="runs/claims/${task}-${model}-s${seed}"
      [[ -f $out/metrics.json ]] && { echo "== $out: done, skipped"; continue; }
      mkdir "$out.lock" 2>/dev/null || { echo "== $out: running in another queue, skipped"; continue; }
      rm -rf "$out"
      echo "== $task / $model / seed $seed → $out ($(date +%T))"
      node "$main" train --task "$task" --model "$model" --seed "$seed" --out "$out" --no-progress "${extra[@]}" \
        > "$out.log" 2>&1 || echo "   failed, see $out.log"
      rmdir "$out.lock"
      tail -n 2 "$out.log"
    done
  done
done

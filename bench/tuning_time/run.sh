#!/usr/bin/env bash
# Network latency against tuning wall time: each tuner of ARMS tunes every task of MODEL, for
# each seed of SEEDS, the arms interleaved within a seed, each run in its own database. The
# model-based baselines (autotvm, release, bted-bao) get 128 measurements per task, as
# AutoTVM's tutorials give. The tessel arms get a shared budget of TESSEL_PER_TASK
# measurements per task:
#   tessel              --allocation predicted, --prior none;
#   tessel+prior        --allocation predicted, --prior PRIOR (held_out_prior.sh makes one
#                       without the network's shapes);
#   tessel+prior+equal  the same prior, the budget in equal shares.
# Defaults otherwise: both cores, NCHW, back-to-back timing. Run from the repository root on
# an otherwise idle machine:
#
#   MODEL=resnet18 SEEDS="1 2 3" ARMS="autotvm release bted-bao tessel+prior" \
#     PRIOR=prior.jsonl.gz bench/tuning_time/run.sh OUT_DIR
#
# OUT_DIR gets MODEL.ARM.sSEED.{db,jsonl,err}; bench/tuning_time/curves.py reads them.
set -euo pipefail
tessel=${TESSEL:-build/tessel}
out=${1:?give the output directory}
model=${MODEL:-resnet18}
mkdir -p "$out"
tasks=$("$tessel" zoo "$model" | awk 'NR > 1' | wc -l)
for seed in ${SEEDS:-1 2 3}; do
  for arm in ${ARMS:-autotvm release bted-bao tessel+prior}; do
    name="$out/$model.$arm.s$seed"
    rm -f "$name".db*
    case $arm in
      tessel | tessel+prior | tessel+prior+equal)
        options=(--tuner tessel --budget $((tasks * ${TESSEL_PER_TASK:-48})))
        if [[ $arm == *+equal ]]; then
          options+=(--allocation equal)
        else
          options+=(--allocation predicted)
        fi
        if [[ $arm == tessel ]]; then
          options+=(--prior none)
        else
          options+=(--prior "${PRIOR:?give PRIOR for the $arm arm}")
        fi
        ;;
      *) options=(--tuner "$arm" --trials 128) ;;
    esac
    "$tessel" tune --model "$model" "${options[@]}" --seed "$seed" --json \
      --progress none --db "$name.db" >"$name.jsonl" 2>"$name.err"
  done
done

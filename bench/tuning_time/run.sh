#!/usr/bin/env bash
# Network latency against tuning wall time: each tuner of ARMS tunes every task of MODEL, for
# each seed of SEEDS, the arms interleaved within a seed, each run in its own database. The
# model-based baselines get 128 measurements per task, as AutoTVM's tutorials give; `tessel`
# (the default tuner) gets a shared budget of TESSEL_PER_TASK measurements per task with
# --allocation predicted, and `tessel+prior` the same with --prior PRIOR (held_out_prior.sh
# makes one without the network's shapes). Defaults otherwise: both cores, NCHW, back-to-back
# timing. Run from the repository root on an otherwise idle machine:
#
#   MODEL=resnet18 SEEDS="1 2 3" ARMS="autotvm tessel tessel+prior" PRIOR=prior.jsonl.gz \
#     bench/tuning_time/run.sh OUT_DIR
#
# OUT_DIR gets MODEL.ARM.sSEED.{db,jsonl,err}; bench/tuning_time/curves.py reads them.
set -euo pipefail
tessel=${TESSEL:-build/tessel}
out=${1:?give the output directory}
model=${MODEL:-resnet18}
mkdir -p "$out"
tasks=$("$tessel" zoo "$model" | awk 'NR > 1' | wc -l)
for seed in ${SEEDS:-1 2 3}; do
  for arm in ${ARMS:-autotvm tessel}; do
    name="$out/$model.$arm.s$seed"
    rm -f "$name".db*
    case $arm in
      tessel) options=(--budget $((tasks * ${TESSEL_PER_TASK:-48})) --allocation predicted) ;;
      tessel+prior)
        options=(--budget $((tasks * ${TESSEL_PER_TASK:-48})) --allocation predicted
          --prior "${PRIOR:?give PRIOR for the tessel+prior arm}") ;;
      *) options=(--trials 128) ;;
    esac
    "$tessel" tune --model "$model" --tuner "${arm%+prior}" "${options[@]}" --seed "$seed" --json \
      --progress none --db "$name.db" >"$name.jsonl" 2>"$name.err"
  done
done

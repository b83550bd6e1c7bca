#!/usr/bin/env bash
# What a prior's first plan is worth: every task of MODELS gets 8 measurements, the first 8 of
# the first plan a prior held out from that network's shapes makes, planned two ways:
#   search  the prior's maximum as simulated annealing finds it (`bted --plan-size 16`, which
#           plans as `tessel` did before it screened: same search, same plan size);
#   screen  the prior's best 16 of 1,024 uniform draws (`tessel`, the default).
# The arms of a seed back to back, each in its own database; PRIORS_DIR holds
# MODEL.prior.jsonl.gz for each model (held_out_prior.sh makes them). On an idle machine:
#
#   MODELS="vgg16 resnet18 mobilenet_v1" SEEDS="1 2 3" PRIORS_DIR=priors \
#     bench/tuning_time/first_plan.sh OUT_DIR
#   bench/tuning_time/first_plan.py OUT_DIR     # the table in bench/tuning_time/README.md
set -euo pipefail
tessel=${TESSEL:-build/tessel}
out=${1:?give the output directory}
mkdir -p "$out"
for seed in ${SEEDS:-1 2 3}; do
  for model in ${MODELS:-vgg16 resnet18 mobilenet_v1}; do
    for arm in search screen; do
      case $arm in
        search) options=(--tuner bted --plan-size 16) ;;
        screen) options=(--tuner tessel) ;;
      esac
      name="$out/$model.$arm.s$seed"
      rm -f "$name".db*
      "$tessel" tune --model "$model" "${options[@]}" --trials 8 --seed "$seed" \
        --prior "${PRIORS_DIR:?give PRIORS_DIR}/$model.prior.jsonl.gz" --json --progress none \
        --db "$name.db" >"$name.jsonl" 2>"$name.err"
    done
  done
done

#!/usr/bin/env bash
# Every measurement of README.md for one network (lenet5 or convnet6), in order; each step's
# output goes to results/<step>.txt. Models are trained once into the cache and reused.
#
#   bench/quant/training/run.sh lenet5      # about an hour on the shared 2-core machine
#   bench/quant/training/run.sh convnet6
#   bench/quant/training/run.sh timing      # alone on the machine: training and evaluation times
#
# QUANT_TRAINING names the program (default build-bench/quant_training), CACHE the cache
# directory (default bench/out/quant_cache).
set -euo pipefail
net=${1:?usage: run.sh lenet5|convnet6|timing}
root=$(cd "$(dirname "$0")/../../.." && pwd)
bin=${QUANT_TRAINING:-$root/build-bench/quant_training}
cache=${CACHE:-$root/bench/out/quant_cache}
out=$root/bench/quant/training/results
mkdir -p "$out"

run() {
  local name=$1
  shift
  echo "== $name: $*"
  "$bin" --cache "$cache" --net "$net" "$@" > "$out/$name.txt"
  cat "$out/$name.txt"
}

# Timings, on an otherwise idle machine: each network trained from scratch in a fresh cache
# (8 epochs, one thread), an evaluation without and with a fine-tune, and one training epoch
# over 11,000 images on one and on two threads.
if [ "$net" = timing ]; then
  scratch=$(mktemp -d)
  for n in lenet5 convnet6; do
    "$bin" --cache "$scratch" --net $n --seed 1 --bits 4 --scales max --fine-tune-epochs 0,1 \
      --fine-tune-subset 5000 > "$out/timing_$n.txt"
    "$bin" --cache "$scratch" --net $n --seed 1 --bits 4 --scales max --fine-tune-epochs 1 \
      >> "$out/timing_$n.txt"
    for threads in 1 2; do
      "$bin" --cache "$scratch" --net $n --seed 1 --epochs 1 --train-subset 11000 \
        --threads $threads --float-only > "$out/timing_${n}_threads$threads.txt"
    done
  done
  rm -rf "$scratch"
  grep -h -E "trained in|float|max +[01] +4|epoch 1/1" "$out"/timing_*.txt
  exit 0
fi

# 1. The float networks, one per training seed (8 epochs of Adam each; trains and caches them).
for seed in 1 2 3; do run "float_${net}_seed$seed" --seed $seed --float-only; done

# 2. Post-training quantization, every layer at 2..8 bits, three scales (none = ReLeQ's code),
#    each configuration evaluated twice in the process (the two must agree).
for seed in 1 2 3; do run "ptq_${net}_seed$seed" --seed $seed --fine-tune-epochs 0 --repeat 2; done

# 3. The same for seed 1 in a fresh process: bit-identical across processes?
run "ptq_${net}_seed1_again" --seed 1 --fine-tune-epochs 0
if diff <(awk '$1 == "'"$net"'" {print $1, $2, $3, $4, $5, $6}' "$out/ptq_${net}_seed1.txt") \
        <(awk '$1 == "'"$net"'" {print $1, $2, $3, $4, $5, $6}' "$out/ptq_${net}_seed1_again.txt"); then
  echo "ptq ${net} seed 1: identical across processes"
else
  echo "ptq ${net} seed 1: DIFFERENT across processes"
fi

# 4. One epoch of quantization-aware fine-tuning over the whole training split, SGD at
#    ReLeQ's learning rate 0.01 with momentum 0.9.
if [ "$net" = lenet5 ]; then
  run "finetune_${net}_seed1" --seed 1 --fine-tune-epochs 1
else
  run "finetune_${net}_seed1" --seed 1 --fine-tune-epochs 1 --bits 2,3,4,8 --scales none,max
fi

# 5. Cheaper and gentler fine-tunes: 5,000 images (twice, must agree); no momentum.
run "finetune5k_${net}_seed1" --seed 1 --fine-tune-epochs 1 --fine-tune-subset 5000 \
  --scales none,max,mean --repeat 2
run "finetune_momentum0_${net}_seed1" --seed 1 --fine-tune-epochs 1 --momentum 0 \
  --scales none,max --bits 2,3,4

# 6. Activations quantized too (DoReFa's clip to [0, 1]), at 8 and 4 bits.
for abits in 8 4; do
  run "act${abits}_${net}_seed1" --seed 1 --activation-bits $abits --scales max \
    --fine-tune-epochs 0,1 --fine-tune-subset 5000 --bits 2,4,8
done

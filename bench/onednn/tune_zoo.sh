#!/usr/bin/env bash
# Tunes the conv layers of ResNet-18, VGG-16 and AlexNet with the random tuner, as the
# records that onednn_compare (bench/common/) times against oneDNN. Budgets per task:
#   2 threads: ResNet-18 200 trials (the first target's budget), VGG-16 and AlexNet 60 trials;
#   1 thread:  every layer 60 trials.
# Usage: bench/onednn/tune_zoo.sh DB   (run from the repository root after `make build`)
set -euo pipefail
db=${1:-bench/records.db}
tessel=./build/tessel
common=(--op conv2d --tuner random --seed 1 --db "$db")
$tessel tune --model resnet18 --trials 200 --threads 2 "${common[@]}"
for model in vgg16 alexnet; do
  $tessel tune --model $model --trials 60 --threads 2 "${common[@]}"
done
for model in resnet18 vgg16 alexnet; do
  $tessel tune --model $model --trials 60 --threads 1 "${common[@]}"
done

#!/bin/sh
# The pointwise kernel against oneDNN: MobileNet-v1's nine 1x1 layers and ResNet-18's three
# strided 1x1 shortcuts, tuned with autotvm at 1 and 2 threads (64 measurements per layer,
# seed 1; then 32 more, seed 2, on the three layers with 7x7 output planes, where vectors along
# output channels are the kernel's choice), then timed against oneDNN in 7 interleaved rounds.
# Run from the repository root with a build that has TESSEL_BUILD_BENCH=ON (build/tessel,
# build/onednn_compare); about an hour on two cores.
set -e
out=bench/pointwise/results
db=${DB:-pointwise.db}
for threads in 1 2; do
  build/tessel tune --model mobilenet_v1 --layer 11 --layer 12 --layer 13 --layer 14 \
    --layer 15 --layer 16 --layer 17 --layer 18 --layer 19 --tuner autotvm --trials 64 \
    --threads $threads --seed 1 --db "$db" > "$out/tune_mobilenet_t$threads.log" 2>&1
  build/tessel tune --model resnet18 --layer 4 --layer 7 --layer 10 --tuner autotvm \
    --trials 64 --threads $threads --seed 1 --db "$db" > "$out/tune_resnet18_t$threads.log" 2>&1
  build/tessel tune --model mobilenet_v1 --layer 18 --layer 19 --tuner autotvm --trials 32 \
    --threads $threads --seed 2 --db "$db" > "$out/tune_7x7_mobilenet_t$threads.log" 2>&1
  build/tessel tune --model resnet18 --layer 10 --tuner autotvm --trials 32 \
    --threads $threads --seed 2 --db "$db" > "$out/tune_7x7_resnet18_t$threads.log" 2>&1
done
for threads in 1 2; do
  build/onednn_compare --threads $threads --db "$db" --models mobilenet_v1,resnet18 --rounds 7 \
    > "$out/compare_t$threads.md"
done
python3 bench/pointwise/best_by_algorithm.py "$db" > "$out/best_by_algorithm.md"

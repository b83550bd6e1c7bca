#!/usr/bin/env bash
# The latency-load curves of every routing algorithm (the six classic ones and the learned
# Q-routing) under uniform, transpose and hotspot traffic on the default 8x8 mesh; learned
# Q-routing against odd-even and west-first adaptive at three loads per pattern, three seeds;
# and the simulator's speed. Writes bench/noc/sweep/results/ (see bench/noc/README.md).
#
#   bench/noc/sweep/run.sh [BUILD]      # BUILD: a build with TESSEL_BUILD_BENCH=ON (default build)
#
# Run from the repository root; the speed figures want an otherwise idle machine.
set -euo pipefail
build=${1:-build}
out=bench/noc/sweep/results
mkdir -p "$out"

# 1. Latency against offered load, every curve to its first saturated point.
"$build/tessel" noc sweep --traffic uniform,transpose,hotspot --rates 0.01:1:0.01 --seed 1 \
  --csv "$out/latency_load.csv" --svg "$out/latency_load.svg" 2>"$out/latency_load.log"

# Tornado, where adaptive routing is said to lead XY (on a torus; see the README): CSV only.
"$build/tessel" noc sweep --traffic tornado \
  --routing xy,yx,o1turn,west-first-adaptive,odd-even,q-routing --rates 0.01:1:0.01 --seed 1 \
  --csv "$out/tornado.csv" 2>/dev/null
/usr/bin/python3 bench/noc/sweep/saturation_table.py "$out/latency_load.csv" "$out/tornado.csv" \
  >"$out/saturation.md"

# 2. Q-routing against the adaptive turn models where they differ, three seeds: transpose from
#    just past XY's saturation to near odd-even's, hotspot up to just below odd-even's.
for seed in 1 2 3; do
  "$build/tessel" noc sweep --traffic transpose --routing odd-even,west-first-adaptive,q-routing \
    --rates 0.15,0.2,0.25 --seed "$seed" --csv "$out/q_routing_transpose_seed$seed.csv" 2>/dev/null
  "$build/tessel" noc sweep --traffic hotspot --routing odd-even,west-first-adaptive,q-routing \
    --rates 0.1,0.15,0.2 --seed "$seed" --csv "$out/q_routing_hotspot_seed$seed.csv" 2>/dev/null
done
/usr/bin/python3 bench/noc/sweep/q_routing_table.py "$out"/q_routing_*_seed*.csv \
  >"$out/q_routing.md"

# 3. Simulation speed: simulated cycles per wall second, one simulation at a time, 8x8 mesh,
#    uniform traffic with XY at a low load and past saturation (5 runs each).
for rate in 0.1 0.6; do
  for seed in 1 2 3 4 5; do
    "$build/noc_sim" --routing xy --traffic uniform --rate "$rate" --seed "$seed"
  done
done >"$out/speed.jsonl"

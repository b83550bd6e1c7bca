#!/usr/bin/env bash
# Validates Tessel's mesh network-on-chip simulator (src/problems/noc/, run through noc_sim)
# against BookSim 2 ("A Detailed and Flexible Cycle-Accurate Network-on-Chip Simulator", Jiang
# et al., 2013) on the same 8x8 mesh, router and traffic: zero-load latency and the
# latency-load curve up to saturation, for every routing x traffic pair the two share. See
# bench/noc/README.md for the parameter mapping and the results.
#
#   bench/noc/booksim/run.sh [BOOKSIM_SRC [NOC_SIM]]
#
# BOOKSIM_SRC (argument or environment): a BookSim 2 checkout (git clone
# https://github.com/booksim/booksim2). Its src/ is copied to SCRATCH and built there with
# bison and flex; nothing is written into the checkout or this repository except results/.
# NOC_SIM (argument or environment): the noc_sim program; by default BUILD_DIR/noc_sim, with
# BUILD_DIR=/work/build-main (configured with -DTESSEL_BUILD_BENCH=ON).
# SCRATCH (environment, default /tmp/tessel-booksim): the BookSim build and the run logs; a
# BookSim already built there is reused. JOBS (default 1): make's parallel jobs for that build.
# ROUTINGS, TRAFFICS (environment): a subset of the series, for a partial run.
#
# Writes results/points.csv (every simulated point), results/summary.md (the comparison table
# and the exact commands) and results/booksim.cfg (the BookSim configuration used). Runs one
# simulation at a time under nice, about ten to fifteen minutes of one core.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
results="$here/results"
booksim_src="${1:-${BOOKSIM_SRC:-}}"
build_dir="${BUILD_DIR:-/work/build-main}"
noc_sim="${2:-${NOC_SIM:-$build_dir/noc_sim}}"
scratch="${SCRATCH:-/tmp/tessel-booksim}"

if [[ -z "$booksim_src" || ! -f "$booksim_src/src/Makefile" ]]; then
  echo "run.sh: give the path of a BookSim 2 checkout (argument or BOOKSIM_SRC), e.g." >&2
  echo "  git clone https://github.com/booksim/booksim2 /tmp/booksim2" >&2
  echo "  bench/noc/booksim/run.sh /tmp/booksim2" >&2
  exit 2
fi
if [[ ! -x "$noc_sim" ]]; then
  echo "run.sh: no noc_sim at $noc_sim; build it (cmake -DTESSEL_BUILD_BENCH=ON, make" \
    "noc_sim) or give its path as the second argument or NOC_SIM" >&2
  exit 2
fi
for tool in python3 awk make g++; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool is missing" >&2
    exit 2
  fi
done

booksim_commit="$(git -C "$booksim_src" rev-parse HEAD 2>/dev/null || echo unknown)"
booksim="$scratch/src/booksim"
logs="$scratch/logs"
mkdir -p "$scratch" "$logs" "$results"

# --- Build BookSim -------------------------------------------------------------------------
# Its Makefile generates the configuration-file parser with bison (as yacc) and flex.
if [[ ! -x "$booksim" || "$(cat "$scratch/commit" 2>/dev/null)" != "$booksim_commit" ]]; then
  missing=()
  for tool in bison flex; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if ((${#missing[@]})); then
    echo "run.sh: BookSim's build needs ${missing[*]}; install with:" >&2
    echo "  apt-get install bison flex" >&2
    exit 2
  fi
  rm -rf "$scratch/src"
  cp -r "$booksim_src/src" "$scratch/src"
  echo "building BookSim $booksim_commit in $scratch/src (about 2-5 minutes)" >&2
  nice -n 10 make -C "$scratch/src" -j"${JOBS:-1}" >"$scratch/build.log" 2>&1 || {
    tail -20 "$scratch/build.log" >&2
    exit 1
  }
  echo "$booksim_commit" >"$scratch/commit"
fi

# --- The matched parameters ----------------------------------------------------------------
K=8 VCS=4 BUF=8 PKT=4 SEED=0
# BookSim's iq router with lookahead routing (routing_delay = 0) and speculative VC and switch
# allocation in one cycle (vc_alloc_delay = sw_alloc_delay = 1, speculative = 1) grants a flit the
# switch in the cycle it reads it into an input buffer, t; it crosses the crossbar in t + 1
# (st_final_delay = 1: with 0 BookSim fails an assertion, and it refuses zero allocation delays) and
# the mesh channel (latency 1, fixed for a mesh) brings it to the next router, which reads it and
# grants it the switch in t + 3. Tessel's router_latency 2 and link_latency 1 give the same 3 cycles
# from one switch grant to the next, and the same 2 cycles from a packet's creation to its first
# switch grant (BookSim's terminal writes the head into its injection channel in the cycle it is
# created, and the router reads it 2 cycles later). A credit reaches the upstream router 2 cycles
# after its flit left the buffer (one cycle on the credit channel, one to read it): credit_latency
# 2, a 5-cycle credit round trip in both (BookSim's BufferState min latency; router_latency +
# link_latency + credit_latency in Tessel). What Tessel does not model is the far end: BookSim
# delivers a flit to its terminal 3 cycles after the grant at the last router (crossbar, then the
# ejection channel), Tessel counts it delivered at that grant.
TESSEL_ROUTER_LATENCY=2 TESSEL_LINK_LATENCY=1 TESSEL_CREDIT_LATENCY=2
# BookSim warms up for 3 sample periods of 1000 cycles, then samples until the latency and
# throughput change by less than 5% three times (at most 10 periods in all) and drains the
# packets created while sampling. Tessel: the same warm-up, then a fixed window.
TESSEL_WARMUP=3000 TESSEL_MEASURE=10000 TESSEL_DRAIN=10000
ZERO_LOAD_RATE=0.01
# Zero-load runs are long (little traffic, so few packets per cycle) to keep the mean's
# sampling noise well below a cycle.
ZERO_LOAD_BOOKSIM_PERIOD=10000 ZERO_LOAD_TESSEL_MEASURE=100000
COARSE_RATES="0.05 0.10 0.15 0.20 0.25 0.30 0.35 0.40 0.45 0.50 0.55 0.60"
FINE_STEP=0.01
# A point is below saturation when its run finished (BookSim did not abort it, Tessel did not
# report it saturated) and its mean packet latency is under this many times the series' own
# zero-load latency.
LATENCY_FACTOR=3
# The seed check: a few loads of two series rerun with other seeds (BookSim's seed and Tessel's
# are unrelated streams), to show how far a point moves with the random traffic alone.
SEED_CHECK_SERIES="xy:uniform:0.30,0.35,0.38,0.40 xy:tornado:0.15,0.20,0.25"
SEED_CHECK_SEEDS="0 1 2 3"

# Tessel names; BookSim: dor, xy_yx (see booksim_routing). Overridable for a partial run.
ROUTINGS="${ROUTINGS:-xy o1turn}"
TRAFFICS="${TRAFFICS:-uniform transpose bit-complement shuffle tornado}"

booksim_routing() {
  case "$1" in
    xy) echo dor ;;
    o1turn) echo xy_yx ;;
  esac
}
booksim_traffic() {
  case "$1" in
    bit-complement) echo bitcomp ;;
    *) echo "$1" ;;
  esac
}

cfg="$results/booksim.cfg"
cat >"$cfg" <<EOF
// BookSim 2 configuration for bench/noc/booksim/run.sh (written by it). The routing function,
// traffic pattern, injection rate, sample period and seed are given on the command line.
topology = mesh;
k = $K;
n = 2;
num_vcs = $VCS;
vc_buf_size = $BUF;
packet_size = $PKT;
// A VC is free for the next packet as soon as the tail has left, as in Tessel.
wait_for_tail_credit = 0;
// Separable input-first round-robin allocators, one iteration: Tessel's switch allocator.
vc_allocator = separable_input_first;
sw_allocator = separable_input_first;
arb_type = round_robin;
alloc_iters = 1;
// Lookahead routing, speculative VC + switch allocation in one cycle, one-cycle crossbar: a
// flit granted the switch in cycle t is granted it again at the next router in t + 3.
routing_delay = 0;
vc_alloc_delay = 1;
sw_alloc_delay = 1;
speculative = 1;
st_prepare_delay = 0;
st_final_delay = 1;
credit_delay = 0;
input_speedup = 1;
output_speedup = 1;
internal_speedup = 1.0;
hold_switch_for_packet = 0;
priority = none;
injection_process = bernoulli;
injection_rate_uses_flits = 1;
include_queuing = 1;
sim_type = latency;
warmup_periods = 3;
sample_period = 1000;
max_samples = 10;
latency_thres = 500.0;
seed = $SEED;
EOF

csv="$results/points.csv"
verdict=""
echo "simulator,routing,traffic,phase,rate,seed,offered,accepted,latency,network_latency," \
  "hops,saturated,below_threshold,cycles,sim_s,process_s" | tr -d ' ' >"$csv"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Prints "latency offered accepted network_latency hops saturated cycles sim_s" from a BookSim
# log: the overall statistics when the run finished, else the last sample's (flagged saturated).
parse_booksim() {
  awk '
    function value(line) { sub(/^[^=]*= */, "", line); split(line, parts, " "); return parts[1] }
    /Overall Traffic Statistics/ { overall = 1 }
    /^Packet latency average/ { latency = value($0) }
    /^Network latency average/ { network = value($0) }
    /^Injected flit rate average/ { offered = value($0) }
    /^Accepted flit rate average/ { accepted = value($0) }
    overall && /^Hops average/ { hops = value($0) - 1 }  # it counts routers, not links
    /^Time taken is/ { cycles = $4 }
    /^Total run time/ { seconds = $4 }
    /Simulation unstable/ { unstable = 1 }
    END {
      saturated = (unstable || !overall) ? 1 : 0
      if (hops == "") hops = "nan"
      if (cycles == "") cycles = "nan"
      printf "%s %s %s %s %s %d %s %s\n", latency, offered, accepted, network, hops, saturated,
        cycles, seconds
    }' "$1"
}

# run_point SIMULATOR ROUTING TRAFFIC PHASE RATE ZERO_LOAD [SEED]: simulates one point, appends
# it to the CSV and sets verdict to "below" or "above" (the saturation test; ZERO_LOAD empty:
# below unless the run saturated). A global rather than output, so that it runs in this shell
# and set -e sees failures.
run_point() {
  local sim="$1" routing="$2" traffic="$3" phase="$4" rate="$5" zero_load="$6" seed="${7:-$SEED}"
  local start stop fields log
  log="$logs/$sim-$routing-$traffic-$rate-$seed.log"
  start="$(now)"
  if [[ "$sim" == booksim ]]; then
    local period=1000
    [[ "$phase" == zero_load ]] && period="$ZERO_LOAD_BOOKSIM_PERIOD"
    # BookSim exits with status 255 after a finished run (main returns -1): ignore the status
    # and read the log.
    nice -n 10 "$booksim" "$cfg" routing_function="$(booksim_routing "$routing")" \
      traffic="$(booksim_traffic "$traffic")" injection_rate="$rate" \
      sample_period="$period" seed="$seed" >"$log" 2>&1 || true
    stop="$(now)"
    fields="$(parse_booksim "$log")"
  else
    local measure="$TESSEL_MEASURE"
    [[ "$phase" == zero_load ]] && measure="$ZERO_LOAD_TESSEL_MEASURE"
    nice -n 10 "$noc_sim" --mesh "$K" --vcs "$VCS" --buffer "$BUF" --packet "$PKT" \
      --router-latency "$TESSEL_ROUTER_LATENCY" --link-latency "$TESSEL_LINK_LATENCY" \
      --credit-latency "$TESSEL_CREDIT_LATENCY" --routing "$routing" --traffic "$traffic" \
      --rate "$rate" --warmup "$TESSEL_WARMUP" --measure "$measure" \
      --drain-limit "$TESSEL_DRAIN" --seed "$seed" >"$log"
    stop="$(now)"
    fields="$(python3 -c '
import json, sys
p = json.loads(open(sys.argv[1]).readline())
print(p["latency"], p["offered"], p["throughput"], p["network_latency"], p["hops"],
      int(p["saturated"]), p["cycles"], p["wall_s"])' "$log")"
  fi
  local latency offered accepted network hops saturated cycles sim_seconds
  read -r latency offered accepted network hops saturated cycles sim_seconds <<<"$fields"
  verdict="$(awk -v l="$latency" -v z="$zero_load" -v s="$saturated" -v f="$LATENCY_FACTOR" \
    'BEGIN { print (s == 0 && (z == "" || l < f * z)) ? "below" : "above" }')"
  local below=0
  [[ "$verdict" == below ]] && below=1
  echo "$sim,$routing,$traffic,$phase,$rate,$seed,$offered,$accepted,$latency,$network,$hops," \
    "$saturated,$below,$cycles,$sim_seconds,$(elapsed "$start" "$stop")" | tr -d ' ' >>"$csv"
  printf '%-7s %-7s %-14s %-9s rate %-5s seed %s latency %-9s accepted %-9s %s\n' "$sim" \
    "$routing" "$traffic" "$phase" "$rate" "$seed" "$latency" "$accepted" "$verdict" >&2
}

# The latency of a series' zero-load point, from the CSV.
zero_load_of() {
  awk -F, -v s="$1" -v r="$2" -v t="$3" \
    '$1 == s && $2 == r && $3 == t && $4 == "zero_load" { print $9 }' "$csv"
}

# sweep SIMULATOR ROUTING TRAFFIC: the zero-load point, then the coarse rates up to the first
# one above saturation, then FINE_STEP steps between the last one below and that one.
sweep() {
  local sim="$1" routing="$2" traffic="$3"
  run_point "$sim" "$routing" "$traffic" zero_load "$ZERO_LOAD_RATE" ""
  local zero_load last_below="$ZERO_LOAD_RATE" first_above="" rate
  zero_load="$(zero_load_of "$sim" "$routing" "$traffic")"
  for rate in $COARSE_RATES; do
    run_point "$sim" "$routing" "$traffic" sweep "$rate" "$zero_load"
    if [[ "$verdict" == below ]]; then
      last_below="$rate"
    else
      first_above="$rate"
      break
    fi
  done
  [[ -z "$first_above" ]] && return 0  # never saturated within the coarse rates
  local fine_rates
  fine_rates="$(awk -v a="$last_below" -v b="$first_above" -v s="$FINE_STEP" \
    'BEGIN { for (r = a + s; r < b - s / 2; r += s) printf "%.2f\n", r }')"
  for rate in $fine_rates; do
    run_point "$sim" "$routing" "$traffic" refine "$rate" "$zero_load"
    [[ "$verdict" == below ]] || break
  done
}

run_start="$(now)"
for routing in $ROUTINGS; do
  for traffic in $TRAFFICS; do
    for sim in tessel booksim; do
      sweep "$sim" "$routing" "$traffic"
    done
  done
done
for series in $SEED_CHECK_SERIES; do
  IFS=: read -r routing traffic rates <<<"$series"
  for rate in ${rates//,/ }; do
    for seed in $SEED_CHECK_SEEDS; do
      for sim in tessel booksim; do
        run_point "$sim" "$routing" "$traffic" seed "$rate" "" "$seed"
      done
    done
  done
done
run_seconds="$(elapsed "$run_start" "$(now)")"

tessel_command="noc_sim --mesh $K --vcs $VCS --buffer $BUF --packet $PKT"
tessel_command+=" --router-latency $TESSEL_ROUTER_LATENCY --link-latency $TESSEL_LINK_LATENCY"
tessel_command+=" --credit-latency $TESSEL_CREDIT_LATENCY --routing ROUTING --traffic TRAFFIC"
tessel_command+=" --rate RATE --warmup $TESSEL_WARMUP --measure MEASURE"
tessel_command+=" --drain-limit $TESSEL_DRAIN --seed SEED"
booksim_command="booksim bench/noc/booksim/results/booksim.cfg routing_function=ROUTING"
booksim_command+=" traffic=TRAFFIC injection_rate=RATE sample_period=PERIOD seed=SEED"
python3 "$here/summarize.py" --points "$csv" --out "$results/summary.md" \
  --booksim-commit "$booksim_commit" --run-seconds "$run_seconds" \
  --tessel-command "$tessel_command" --booksim-command "$booksim_command" \
  --zero-load-rate "$ZERO_LOAD_RATE" --latency-factor "$LATENCY_FACTOR" \
  --tessel-measure "$TESSEL_MEASURE" --tessel-zero-load-measure "$ZERO_LOAD_TESSEL_MEASURE" \
  --booksim-zero-load-period "$ZERO_LOAD_BOOKSIM_PERIOD" \
  --parameters "${K}x$K mesh, $VCS VCs of $BUF flits per input port, $PKT-flit packets" \
  --router-latency "$TESSEL_ROUTER_LATENCY" --link-latency "$TESSEL_LINK_LATENCY" \
  --packet "$PKT" --seed "$SEED"
echo "wrote $csv and $results/summary.md ($run_seconds s)" >&2

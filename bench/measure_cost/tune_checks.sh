#!/usr/bin/env bash
# Real tuning runs without Halide's runtime checks (the default) and with them
# (TESSEL_KERNEL_CHECKS=1): autotvm, 128 measurements, 2 threads, the default --slow-cutoff,
# two tasks, seeds 1 and 2, alternating. Each run's time accounting is in its database's
# run_times table. Run from the repository root on an otherwise idle machine (BUILD, default
# build):
#
#   bench/measure_cost/tune_checks.sh
set -euo pipefail
build=${BUILD:-build}
out=bench/measure_cost/results/checks
mkdir -p "$out"
summary="$out/tune_checks.jsonl"
: >"$summary"
for seed in 1 2; do
  for task in r18.2 mb1.13; do
    model=$([[ $task == r18.* ]] && echo resnet18 || echo mobilenet_v1)
    for checks in 0 1; do
      db=/tmp/tune_checks_${task}_${seed}_$checks.db
      rm -f "$db" "$db-wal" "$db-shm"
      TESSEL_KERNEL_CHECKS=$checks "$build/tessel" tune --model "$model" --layer "$task" \
        --tuner autotvm --trials 128 --seed "$seed" --db "$db" --progress none >/dev/null
      sqlite3 -json "$db" "SELECT '$task' AS task, $seed AS seed, $checks AS checks,
          (SELECT count(*) FROM measurements) AS measurements,
          (SELECT sum(compile_ms = 0 AND status = 'ok') FROM measurements) AS twins,
          (SELECT min(value) FROM measurements WHERE status = 'ok') AS best_ms,
          wall_s, compile_s, run_s, fit_s, search_s FROM run_times" |
        python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[0]))' >>"$summary"
    done
  done
done
python3 - "$summary" <<'PY' | tee "$out/tune_checks.txt"
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("task    seed checks | wall s  compile s  run s | twins | wall per measurement s | best ms")
for r in rows:
    print(f"{r['task']:7s} {r['seed']:4d} {r['checks']:6d} | {r['wall_s']:6.1f} {r['compile_s']:9.1f} "
          f"{r['run_s']:6.1f} | {r['twins']:5d} | {r['wall_s'] / r['measurements']:.3f} | {r['best_ms']:.4f}")
PY

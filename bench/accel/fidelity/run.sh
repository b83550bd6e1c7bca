#!/usr/bin/env bash
# The whole MAESTRO fidelity benchmark in one command (README.md beside this file):
#
#   bench/accel/fidelity/run.sh MAESTRO_2021_SRC MAESTRO_2020_SRC
#
# MAESTRO_2021_SRC and MAESTRO_2020_SRC are maestro-project/maestro checkouts at 4eb08d1 and
# 7723091 (build_maestro.sh says how to make them). Run from anywhere; it
#   1. builds both MAESTROs (build_maestro.sh),
#   2. writes cases.csv (make_cases.py, fixed seed),
#   3. runs every case through both builds (run_maestro.py -> maestro_2021.csv, maestro_2020.csv),
#   4. checks the published figures on the MAESTRO output (published.py),
#   5. builds accel_fidelity (TESSEL_BUILD_BENCH=ON, in $BUILD, default build-bench at the
#      repository root) and compares Tessel's model with both outputs.
# The CSVs are rewritten in place; they are deterministic, so `git diff` shows any change.
# Exit status: that of accel_fidelity (1 when a runtime differs), or the first failing step's.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 MAESTRO_2021_SRC MAESTRO_2020_SRC" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BUILD:-$root/build-bench}
python=/usr/bin/python3

maestro_2021=$("$here/build_maestro.sh" "$1")
maestro_2020=$("$here/build_maestro.sh" "$2")

cd "$here"
$python make_cases.py cases.csv
$python run_maestro.py --version 2021 "$maestro_2021" cases.csv maestro_2021.csv
$python run_maestro.py --version 2020 "$maestro_2020" cases.csv maestro_2020.csv
$python published.py maestro_2021.csv maestro_2020.csv --binary "$maestro_2021"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTESSEL_BUILD_BENCH=ON \
  "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target accel_fidelity >/dev/null
"$build/accel_fidelity" cases.csv maestro_2021.csv maestro_2020.csv

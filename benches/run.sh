#!/usr/bin/env bash
# Whole-run benchmark: generate N rows (cached outside the repo), audit them with the release build,
# and record wall time, CPU time and peak memory, plus the per-stage seconds of manifest.json.
# Usage: benches/run.sh [ROWS...]      (default: 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/simaudit"
cache="${SIMAUDIT_BENCH_CACHE:-$HOME/.cache/simaudit/bench}"
for rows in "${@:-1000000}"; do
  data="$cache/gen-$rows"
  if [ ! -f "$data/truth.csv" ]; then
    echo "generating $rows rows into $data"
    /usr/bin/time -f "generate: %e s wall, %M KiB peak" "$bin" generate --rows "$rows" --seed 1 --out "$data"
  fi
  out="$cache/out-$rows"
  inputs=$(ls "$data"/*.csv | grep -v -e truth.csv -e points.csv)
  # shellcheck disable=SC2086
  /usr/bin/time -f "audit $rows rows: %e s wall, %U s user, %S s sys, %M KiB peak" \
    "$bin" audit $inputs --points "$data/points.csv" --out "$out" --quiet
  python3 -c "import json,sys; m=json.load(open('$out/manifest.json')); print('stages:', m['stage_seconds'])"
done

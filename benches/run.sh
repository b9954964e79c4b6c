#!/usr/bin/env bash
# Whole-run benchmark: generate N rows (cached outside the repo), audit them with the release build,
# and record wall time, CPU time and peak memory, plus the per-stage seconds of manifest.json.
# Then the same files go through a peer written in DuckDB SQL (benches/duckdb_core.sql), timed
# the same way, with the ratio simaudit/DuckDB and DuckDB's findings per rule against truth.csv.
# Usage: benches/run.sh [ROWS...]      (default: 1000000; SIMAUDIT_BENCH_DUCKDB=0 skips DuckDB;
#        SIMAUDIT_BENCH_SHARDS=N audits with --shards N instead of auto; the manifest's shards and
#        spill lines say how the run was split and how many bytes a row its spill took;
#        SIMAUDIT_BENCH_PROFILES="standard heavy" (the default) names the generator's profiles to run:
#        heavy has over one finding per two rows, so memory that grows with findings shows there)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/simaudit"
cache="${SIMAUDIT_BENCH_CACHE:-$HOME/.cache/simaudit/bench}"

duckdb=""
if [ "${SIMAUDIT_BENCH_DUCKDB:-1}" != 0 ]; then
  # A venv beside the cached data keeps the repo and the system Python clean; installed once.
  duckdb="$cache/venv/bin/python"
  if ! "$duckdb" -c "import duckdb" 2>/dev/null; then
    python3 -m venv "$cache/venv"
    "$cache/venv/bin/pip" install --quiet "duckdb==2.0.1"
  fi
fi

# measure LABEL COMMAND...: run it under /usr/bin/time, print the usual line, keep "wall cpu peak" in $measured.
measure() {
  local label=$1 times
  shift
  times=$(mktemp)
  /usr/bin/time -o "$times" -f "%e %U %S %M" "$@"
  read -r wall user sys peak <"$times"
  rm -f "$times"
  echo "$label: $wall s wall, $user s user, $sys s sys, $peak KiB peak"
  measured="$wall $(awk "BEGIN { print $user + $sys }") $peak"
}

for rows in "${@:-1000000}"; do
for profile in ${SIMAUDIT_BENCH_PROFILES:-standard heavy}; do
  case $profile in standard) name=$rows ;; *) name=$rows-$profile ;; esac
  data="$cache/gen-$name"
  if [ ! -f "$data/truth.csv" ]; then
    echo "generating $rows rows ($profile) into $data"
    /usr/bin/time -f "generate: %e s wall, %M KiB peak" "$bin" generate --rows "$rows" --seed 1 \
      --profile "$profile" --out "$data"
  fi
  out="$cache/out-$name"
  inputs=()
  for f in "$data"/*.csv; do
    case ${f##*/} in truth.csv | points.csv) ;; *) inputs+=("$f") ;; esac
  done
  # Both tools then read the files from the page cache: neither pays for the disk, whichever runs first.
  cat "${inputs[@]}" >/dev/null
  measure "audit $rows rows ($profile)" "$bin" audit "${inputs[@]}" --points "$data/points.csv" --out "$out" --quiet \
    --shards "${SIMAUDIT_BENCH_SHARDS:-auto}"
  python3 - "$out" "$data/truth.csv" <<'PY'
import csv, json, sys
out, truth = sys.argv[1], sys.argv[2]
m = json.load(open(f"{out}/manifest.json"))
for key in ("stage_seconds", "stage_cpu_seconds", "stage_peak_rss_mib", "output_seconds", "shards", "spill"):
    print(f"{key}:", m.get(key))
def triples(path):
    with open(path, newline="") as f:
        return sorted((r["file"], int(r["row"]), r["rule"]) for r in csv.DictReader(f))
found, want = triples(f"{out}/findings.csv"), triples(truth)
print(f"simaudit findings vs truth: {len(found)} vs {len(want)},", "identical" if found == want else "DIFFERENT")
PY
  [ -n "$duckdb" ] || continue
  simaudit=$measured
  measure "duckdb $rows rows ($profile)" "$duckdb" benches/duckdb_core.py "${inputs[@]}" \
    --points "$data/points.csv" --out "$cache/duckdb-out-$name"
  read -r sw sc sp dw dc dp <<<"$simaudit $measured"
  awk "BEGIN { printf \"simaudit/duckdb: wall %.2f, cpu %.2f, peak memory %.2f\n\", $sw / $dw, $sc / $dc, $sp / $dp }"
  "$duckdb" benches/duckdb_core.py --compare "$cache/duckdb-out-$name/findings.csv" "$data/truth.csv"
done
done

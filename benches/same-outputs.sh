#!/usr/bin/env bash
# Do two builds of simaudit write the same outputs? Runs both generators on two seeds (every file and
# truth.csv compared), then both audits on the sample data, on a generated extract (default 1 M rows)
# held in memory, and on the same extract with --shards 4, comparing every CSV and report.html byte for
# byte, both Parquet files by rows and column types (DuckDB).
# Usage: benches/same-outputs.sh OLD_BINARY NEW_BINARY [ROWS]
# Exit status 0 when every output agrees; the differences are printed otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(realpath "$1")
new=$(realpath "$2")
rows=${3:-1000000}
cache="${SIMAUDIT_BENCH_CACHE:-$HOME/.cache/simaudit/bench}"
python="$cache/venv/bin/python"
if ! "$python" -c "import duckdb" 2>/dev/null; then
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install --quiet "duckdb==2.0.1"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

data="$cache/same-$rows"
if [ ! -f "$data/truth.csv" ]; then
  "$old" generate --rows "$rows" --seed 7 --out "$data" >/dev/null
fi
generated=()
for f in "$data"/*.csv; do
  case ${f##*/} in truth.csv | points.csv) ;; *) generated+=("$f") ;; esac
done
sample=(sample-data/extracts/*.csv)

status=0
compare() { # NAME ARGS...: audit with both builds, compare the folders
  local name=$1
  shift
  for side in old new; do
    local bin=$old
    [ "$side" = new ] && bin=$new
    "$bin" audit "$@" --out "$work/$name-$side" --quiet
  done
  for f in "$work/$name-old"/*.csv "$work/$name-old"/report.html; do
    local base=${f##*/}
    if ! cmp -s "$f" "$work/$name-new/$base"; then
      echo "$name: $base differs"
      cmp "$f" "$work/$name-new/$base" | head -2 || true
      status=1
    fi
  done
  for f in "$work/$name-old"/*.csv "$work/$name-new"/*.csv; do
    [ -f "$work/$name-old/${f##*/}" ] && [ -f "$work/$name-new/${f##*/}" ] || { echo "$name: ${f##*/} only on one side"; status=1; }
  done
  if ! "$python" - "$work/$name-old" "$work/$name-new" <<'PY'
import duckdb, sys
old, new = sys.argv[1], sys.argv[2]
ok = True
for name in ("findings.parquet", "subscriptions.parquet"):
    con = duckdb.connect()
    a = con.sql(f"DESCRIBE SELECT * FROM '{old}/{name}'").fetchall()
    b = con.sql(f"DESCRIBE SELECT * FROM '{new}/{name}'").fetchall()
    if a != b:
        print(f"{name}: column types differ\n  {a}\n  {b}"); ok = False; continue
    for x, y in ((old, new), (new, old)):
        n = con.sql(f"SELECT count(*) FROM (SELECT * FROM '{x}/{name}' EXCEPT ALL SELECT * FROM '{y}/{name}')").fetchall()[0][0]
        if n:
            print(f"{name}: {n} rows of {x} not in {y}"); ok = False
sys.exit(0 if ok else 1)
PY
  then status=1; fi
  echo "$name: compared $(ls "$work/$name-old" | wc -l) outputs"
}

# The generator: the same extracts and truth.csv for the same seed.
for args in "--rows 200000 --seed 3" "--rows 50000 --seed 9 --carriers 7"; do
  # shellcheck disable=SC2086
  "$old" generate $args --out "$work/gen-old" >/dev/null
  # shellcheck disable=SC2086
  "$new" generate $args --out "$work/gen-new" >/dev/null
  if diff -r "$work/gen-old" "$work/gen-new" >/dev/null; then
    echo "generate $args: same files"
  else
    echo "generate $args: files differ"
    status=1
  fi
  rm -rf "$work/gen-old" "$work/gen-new"
done

compare sample "${sample[@]}" --points sample-data/points.csv
compare generated "${generated[@]}" --points "$data/points.csv" --shards 1
compare sharded "${generated[@]}" --points "$data/points.csv" --shards 4
[ "$status" = 0 ] && echo "same outputs" || echo "OUTPUTS DIFFER"
exit "$status"

"""Reads an audit's Parquet outputs with the readers analysts use (pandas, polars, DuckDB) and checks
them against findings.csv and manifest.json of the same run. Exits 1 on any difference or error.

Usage: python read_parquet.py OUT_DIR [ROWS_PER_GROUP]   (the row group size the run was told to use)
"""

import csv
import json
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq

out = Path(sys.argv[1])
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


with open(out / "findings.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
accepted = manifest["rows"]["accepted"]
findings_path = str(out / "findings.parquet")
subs_path = str(out / "subscriptions.parquet")

# The types every reader maps: plain strings, lists of strings, dates, timestamps.
schema = pq.read_schema(subs_path)
for name in ("msisdn", "id_number", "full_name", "carrier", "point_id"):
    check(
        str(schema.field(name).type) in ("string", "large_string"),
        f"subscriptions.{name} is {schema.field(name).type}",
    )
check(str(schema.field("date_of_birth").type) == "date32[day]", f"date_of_birth is {schema.field('date_of_birth').type}")
check(str(schema.field("id_issue_date").type) == "date32[day]", f"id_issue_date is {schema.field('id_issue_date').type}")
check(str(schema.field("activation_time").type).startswith("timestamp["), f"activation_time is {schema.field('activation_time').type}")
check(
    str(schema.field("rules").type) in ("list<item: string>", "large_list<item: large_string>", "list<element: string>", "large_list<element: large_string>"),
    f"rules is {schema.field('rules').type}",
)

# pandas
fp = pd.read_parquet(findings_path)
sp = pd.read_parquet(subs_path)
check(len(fp) == len(rows), f"pandas: findings.parquet has {len(fp)} rows, findings.csv {len(rows)}")
check(len(sp) == accepted, f"pandas: subscriptions.parquet has {len(sp)} rows, manifest says {accepted} accepted")
for i in sorted({0, len(rows) // 2, len(rows) - 1}) if rows else []:
    for col in ("file", "carrier", "msisdn", "id_number", "full_name", "rule", "severity", "detail"):
        check(str(fp[col].iloc[i]) == rows[i][col], f"pandas: findings row {i} {col}: {fp[col].iloc[i]!r} != {rows[i][col]!r}")
    check(int(fp["row"].iloc[i]) == int(rows[i]["row"]), f"pandas: findings row {i} row number differs")
by_rule_csv = Counter(r["rule"] for r in rows)
check(Counter(fp["rule"]) == by_rule_csv, "pandas: findings per rule differ from findings.csv")
# Each subscription's rule list holds the rules of its findings (info rules included).
listed = Counter(code for codes in sp["rules"] for code in codes)
for rule, n in by_rule_csv.items():
    if rule != "DQ001":  # rejected records are not subscriptions
        check(listed[rule] >= 1, f"pandas: no subscription lists {rule}")
check(pd.api.types.is_datetime64_any_dtype(sp["activation_time"]), f"pandas: activation_time is {sp['activation_time'].dtype}")

# What each masking level leaves, as a reader sees it.
level = manifest.get("mask_level")
births = sp.dropna(subset=["date_of_birth"])
check(set(sp["date_of_birth_precision"]) <= {"", "day", "year", "datetime"}, "unknown date_of_birth_precision")
year_only = births[births["date_of_birth_precision"] == "year"]["date_of_birth"]
check(all(d.month == 1 and d.day == 1 for d in year_only), "a year-only date of birth is not 1 January")
check(len(births) == (sp["date_of_birth_precision"] != "").sum(), "a date of birth without its precision")
if level is None:
    check(not any("#" in v for v in sp["id_number"]), "clear run with pseudonyms")
else:
    ids = [v for v in sp["id_number"] if v]
    check(all("#" in v for v in ids), f"{level}: an ID number without its pseudonym")
if level == "strict":
    check((sp["full_name"] == "").all() and (sp["full_name_raw"] == "").all(), "strict: a name is shown")
    check((sp["gender"] == "").all(), "strict: sex is shown")
    check(set(sp["date_of_birth_precision"]) <= {"", "year"}, "strict: more than the year of birth")
    check(sp["id_issue_date"].isna().all(), "strict: an ID issue date is shown")
    times = sp["activation_time"].dropna()
    check((times == times.dt.normalize()).all(), "strict: an activation time finer than the day")
    check(all(v.startswith("*") for v in sp["msisdn"] if v), "strict: a phone number is shown")
    check(all(v.startswith("*") for v in fp["msisdn"] if v), "strict: a phone number in findings")

# polars (Python)
fl = pl.read_parquet(findings_path)
sl = pl.read_parquet(subs_path)
check(fl.height == len(rows), f"polars: findings.parquet has {fl.height} rows")
check(sl.height == accepted, f"polars: subscriptions.parquet has {sl.height} rows")
check(sl.schema["date_of_birth"] == pl.Date, f"polars: date_of_birth is {sl.schema['date_of_birth']}")
check(dict(Counter(fl["rule"].to_list())) == dict(by_rule_csv), "polars: findings per rule differ")
check(sl["rules"].list.len().sum() == sum(len(c) for c in sp["rules"]), "polars: rule lists differ from pandas")

# DuckDB
con = duckdb.connect()
n_find = con.execute("SELECT count(*) FROM read_parquet(?)", [findings_path]).fetchone()[0]
n_subs = con.execute("SELECT count(*) FROM read_parquet(?)", [subs_path]).fetchone()[0]
check(n_find == len(rows), f"duckdb: findings.parquet has {n_find} rows")
check(n_subs == accepted, f"duckdb: subscriptions.parquet has {n_subs} rows")
dd_by_rule = dict(con.execute("SELECT rule, count(*) FROM read_parquet(?) GROUP BY rule", [findings_path]).fetchall())
check(dd_by_rule == dict(by_rule_csv), "duckdb: findings per rule differ")
flagged = con.execute(
    "SELECT count(*) FROM read_parquet(?) WHERE flagged AND len(rules) > 0", [subs_path]
).fetchone()[0]
check(flagged == int(sp["flagged"].sum()), "duckdb: flagged rows differ from pandas")

# The phone and ID numbers are written as lengths then values (DELTA_LENGTH_BYTE_ARRAY), the details
# plain: all three readers read every such column whole, the same, and findings.csv's values.
delta_columns = {
    subs_path: ("msisdn", "id_number", "msisdn_raw", "id_number_raw"),
    findings_path: ("msisdn", "id_number"),
}
plain_columns = {subs_path: (), findings_path: ("detail",)}
for path, columns in delta_columns.items():
    meta = pq.ParquetFile(path).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    check(meta.num_row_groups >= 1, f"{Path(path).name} has no row group")
    for g in range(meta.num_row_groups):
        for col in columns:
            encodings = meta.row_group(g).column(names.index(col)).encodings
            check("DELTA_LENGTH_BYTE_ARRAY" in encodings, f"{Path(path).name} {col} is written as {encodings}")
        for col in plain_columns[path]:
            encodings = meta.row_group(g).column(names.index(col)).encodings
            check(
                "PLAIN" in encodings and "DELTA_LENGTH_BYTE_ARRAY" not in encodings,
                f"{Path(path).name} {col} is written as {encodings}",
            )
if len(sys.argv) > 2:
    per_group = int(sys.argv[2])
    groups = pq.ParquetFile(subs_path).metadata.num_row_groups
    check(groups == -(-accepted // per_group), f"subscriptions.parquet has {groups} row groups of at most {per_group} rows")
for path, frame in ((subs_path, sp), (findings_path, fp)):
    for col in delta_columns[path] + plain_columns[path]:
        in_pandas = frame[col].tolist()
        in_polars = pl.read_parquet(path, columns=[col])[col].to_list()
        in_duckdb = [r[0] for r in con.execute(f'SELECT "{col}" FROM read_parquet(?)', [path]).fetchall()]
        check(in_polars == in_pandas, f"polars: {Path(path).name} {col} differs from pandas")
        check(in_duckdb == in_pandas, f"duckdb: {Path(path).name} {col} differs from pandas")
# Every column of findings.parquet, whole, against findings.csv.
for col in rows[0].keys() if rows else []:
    check([str(v) for v in fp[col]] == [r[col] for r in rows], f"pandas: findings' {col} differ from findings.csv")

print(
    f"pandas {pd.__version__}, polars {pl.__version__}, duckdb {duckdb.__version__}: "
    f"{len(rows)} findings, {accepted} subscriptions read; {len(problems)} problem(s)"
)
for p in problems:
    print("  " + p)
sys.exit(1 if problems else 0)

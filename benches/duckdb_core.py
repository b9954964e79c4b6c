#!/usr/bin/env python3
"""A DuckDB peer of simaudit's core audit, for benches/run.sh.

    duckdb_core.py FILE... --out DIR [--points FILE]     audit: writes DIR/findings.csv, DIR/by_point.csv
    duckdb_core.py --compare DIR/findings.csv TRUTH.csv  per-rule counts against the generator's truth

Python only finds each file's layout (encoding, delimiter, which header is which canonical column, from
rules/profiles/*.toml) and hands DuckDB the thresholds of rules/vn-2024.toml; every row is read, normalised
and checked by DuckDB in duckdb_core.sql. Out of scope, unlike simaudit: legacy-encoding repair (DQ003),
Excel/Parquet inputs, Excel-serial dates, and the finding details and report files.
"""
import argparse
import sys
import time
import tomllib
import unicodedata
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
CANONICAL = ["carrier", "msisdn", "subscriber_type", "full_name", "date_of_birth", "gender", "id_type",
             "id_number", "id_issue_date", "id_issue_place", "nationality", "activation_time", "status",
             "point_id", "point_name", "point_type", "district"]
# libphonenumber's national mobile pattern, the 9 digits after the trunk 0.
MOBILE = (r"121[0-3]\d{5}|(?:160|(?:3\d|7[06-9])\d|5(?:[1689]\d|2[238]|59)|8(?:[1-8]\d|9[6-9])"
          r"|9(?:[0-8]\d|9[013-9]))\d{6}")
DATES = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d"]  # never month-first: all layouts here are d/m
DATETIMES = [d + t for d in DATES for t in (" %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M")] + DATES


def fold(s):
    """Header folding: no accents (đ→d), lower case, letters and digits only."""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "d").replace("Ð", "d"))
    return "".join(c for c in s.lower() if c.isalnum() and not unicodedata.combining(c))


def layout(path, profiles):
    """(encoding, delimiter, canonical name or None per column) from the file's first line."""
    head = path.open("rb").read(1 << 16)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding, text = "utf-16", head.decode("utf-16", "ignore")
    else:
        sample = head[: head.rfind(b"\n") + 1] or head  # whole lines: no multibyte character cut in two
        try:
            encoding, text = "utf-8", sample.decode("utf-8-sig")
        except UnicodeDecodeError:  # a legacy 8-bit file: read as is, repair is out of scope here
            encoding, text = "latin-1", sample.decode("latin-1")
    line = text.splitlines()[0]
    delim = max(",;\t|", key=line.count)
    headers = [fold(h.strip().strip('"')) for h in line.split(delim)]
    best = max(profiles, key=lambda p: sum(h in p for h in headers))
    names, taken = [], set()
    for h in headers:
        name = best.get(h)
        names.append(name if name not in taken else None)  # a second alias of one column is left alone
        taken.add(name)
    missing = {"msisdn", "id_number", "activation_time", "point_id"} - taken
    if missing:
        sys.exit(f"{path}: no column for {', '.join(sorted(missing))} (headers: {line})")
    return encoding, delim, names


def lit(v):
    """A Python value as a DuckDB literal (for SET VARIABLE, which takes no parameters)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(lit(x) for x in v) + "]"
    return "'" + str(v).replace("'", "''") + "'"


def formats(con, source, columns):
    """Per date column, the candidate forms ordered by how many of the file's first 2,000 values each reads."""
    wanted = {c: DATETIMES if c == "activation_time" else DATES
              for c in ("date_of_birth", "id_issue_date", "activation_time")}
    present = [c for c in wanted if c in columns]
    if present:
        counts = iter(con.execute(
            "SELECT " + ", ".join(f"count(try_strptime(trim({c}), {lit(f)}))" for c in present for f in wanted[c])
            + f" FROM (SELECT * FROM {source} LIMIT 2000)").fetchone())
        for c in present:
            reads = {f: next(counts) for f in wanted[c]}
            wanted[c] = sorted(wanted[c], key=lambda f: -reads[f])
    return wanted


def read_inputs(con, inputs):
    """`raw` and `rejects` (see duckdb_core.sql): all files in one query, each record numbered as simaudit does."""
    profiles = []
    for p in sorted((REPO / "rules/profiles").glob("*.toml")):
        cols = tomllib.loads(p.read_text())["columns"]
        profiles.append({fold(a): c for c, aliases in cols.items() for a in aliases})
    scans = []
    for k, path in enumerate(inputs):
        encoding, delim, names = layout(path, profiles)
        columns = {n or f"extra_{i}": "VARCHAR" for i, n in enumerate(names)}
        options = (f"header = true, auto_detect = false, delim = {lit(delim)}, quote = '\"', escape = '\"', "
                   f"encoding = {lit(encoding)}")
        # A record with a wrong field count must be rejected with its number, its neighbours keeping theirs.
        # DuckDB's reader silently drops one extra empty trailing field, and the line numbers of its rejects
        # table drift by one in files with quoted newlines (seen at 10M rows). So: one spare column, short
        # records padded with NULL (empty fields read as '' thanks to a never-seen null string), and records
        # numbered in file order, which null padding allows only with the single-threaded reader.
        padded = (f"read_csv({lit(str(path))}, columns = {columns | {'spare_': 'VARCHAR'}}, {options}, "
                  f"null_padding = true, strict_mode = false, parallel = false, nullstr = '\\N\\N')")
        last = list(columns)[-1]
        pick = ", ".join(f"nullif({c}, '') AS {c}" if c in columns else f"NULL::VARCHAR AS {c}" for c in CANONICAL)
        # A failed format costs as much as a parse, so each date column tries its file's usual form first
        # (decided once per file on a sample, as simaudit does); the other forms stay as fallbacks.
        dates = formats(con, f"read_csv({lit(str(path))}, columns = {columns}, {options}, ignore_errors = true)",
                        columns)
        parsed = (f"regexp_full_match(trim(date_of_birth), '\\d{{4}}') AS dob_year_only, "
                  f"CASE WHEN dob_year_only THEN make_date(trim(date_of_birth)::INT, 1, 1) "
                  f"ELSE try_strptime(trim(date_of_birth), {lit(dates['date_of_birth'])})::DATE END AS dob, "
                  f"try_strptime(trim(id_issue_date), {lit(dates['id_issue_date'])})::DATE AS issued, "
                  f"try_strptime(trim(activation_time), {lit(dates['activation_time'])}) AS activated, "
                  f"contains(activation_time, ':') AS timed")
        fields = len(columns)
        scans.append(f"SELECT {k} AS file_id, {lit(path.name)} AS file, row_number() OVER () AS row, "
                     f"CASE WHEN spare_ IS NOT NULL THEN 'more than {fields} fields' "
                     f"WHEN short_ THEN 'fewer than {fields} fields' END AS reject, * EXCLUDE (spare_, short_), "
                     f"{parsed} FROM (SELECT {pick}, spare_, {last} IS NULL AS short_ FROM {padded})")
    con.execute("CREATE TABLE records AS " + " UNION ALL ".join(scans))
    con.execute("""
        CREATE TABLE rejects AS SELECT file_id, file, row, reject AS reason FROM records WHERE reject IS NOT NULL;
        CREATE VIEW raw AS SELECT * EXCLUDE (reject) FROM records WHERE reject IS NULL;
    """)


def set_rules(con, rules_path, points):
    """Thresholds and lists of the rule set, reference tables, and the registry of authorised points."""
    rules = tomllib.loads(Path(rules_path).read_text())
    th, lists = rules["thresholds"], rules["lists"]
    hours = [int(h[:2]) * 60 + int(h[3:]) for h in th["business_hours"]]
    ref = REPO / "rules/reference"
    provinces = [line.split(",")[0] for line in (ref / "provinces-2024.csv").read_text().splitlines()[1:]]
    variables = {
        **{k: th[k] for k in ("max_per_carrier", "high_total", "max_per_point", "burst_max", "min_age", "max_age",
                              "min_birth_year", "cmnd_validity_years", "id_milestones",
                              "id_milestone_grace_years")},
        "burst_window_us": th["burst_window_minutes"] * 60_000_000, "open_minute": hours[0],
        "close_minute": hours[1], "placeholder_names": lists["placeholder_names"],
        "diacritic_surnames": lists["diacritic_surnames"], "province_codes": provinces,
        "mobile_pattern": MOBILE,
        "letter_runs": "|".join(c * 3 for c in "abcdefghijklmnopqrstuvwxyz"), "have_registry": bool(points),
    }
    for name, value in variables.items():
        con.execute(f"SET VARIABLE {name} = {lit(value)}")
    con.execute(f"SET VARIABLE cmnd_last_valid = DATE {lit(th['cmnd_last_valid'])}")
    con.execute(f"""
        CREATE TABLE prefixes AS FROM read_csv({lit(str(ref / 'mobile-prefixes.csv'))}, all_varchar = true);
        CREATE TABLE legacy AS FROM read_csv({lit(str(ref / 'legacy-11-digit-prefixes.csv'))}, all_varchar = true);
        CREATE TABLE registry (carrier VARCHAR, point_id VARCHAR);
    """)
    if points:
        con.execute(f"INSERT INTO registry SELECT DISTINCT upper(trim(carrier)), trim(point_id) "
                    f"FROM read_csv({lit(points)}, all_varchar = true)")


def audit(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # Default threads and memory limit; only the spill folder moves, away from the working directory.
    con = duckdb.connect(config={"temp_directory": str(out / "duckdb.tmp")})
    stages, start = {}, time.perf_counter()

    def stage(name):
        nonlocal start
        now = time.perf_counter()
        stages[name] = round(now - start, 3)
        start = now

    read_inputs(con, [Path(p) for p in args.inputs])
    stage("ingest")
    set_rules(con, args.rules, args.points)
    con.execute((Path(__file__).parent / "duckdb_core.sql").read_text())
    stage("rules")
    con.execute(f"COPY (SELECT * EXCLUDE (file_id) FROM findings ORDER BY file, row, rule) "
                f"TO {lit(str(out / 'findings.csv'))} (HEADER)")
    con.execute(f"COPY by_point TO {lit(str(out / 'by_point.csv'))} (HEADER)")
    stage("write")
    rows, rejected = con.execute("SELECT (SELECT count(*) FROM raw), (SELECT count(*) FROM rejects)").fetchone()
    counts = con.execute("SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY rule").fetchall()
    print(f"duckdb {duckdb.__version__}: {rows} rows accepted, {rejected} rejected, "
          f"{sum(n for _, n in counts)} findings; stages: {stages}")
    print("findings per rule:", ", ".join(f"{r} {n}" for r, n in counts))


def compare(findings, truth):
    """Rows per rule found by DuckDB vs planted by the generator, and how many (file, row) pairs agree."""
    con = duckdb.connect()
    rows = con.execute(f"""
        WITH ours AS (SELECT DISTINCT file, row, rule FROM read_csv({lit(findings)}, all_varchar = true)),
             truth AS (SELECT DISTINCT file, row, rule FROM read_csv({lit(truth)}, all_varchar = true))
        SELECT rule, count(o.rule) AS duckdb, count(t.rule) AS truth, count(o.rule) FILTER (WHERE t.rule IS NOT NULL)
        FROM ours o FULL JOIN truth t USING (file, row, rule) GROUP BY rule ORDER BY rule
    """).fetchall()
    print(f"{'rule':6} {'duckdb':>8} {'truth':>8} {'both':>8}")
    for rule, ours, planted, both in rows:
        mark = "" if ours == planted == both else "  differs"
        print(f"{rule:6} {ours:8} {planted:8} {both:8}{mark}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--out")
    ap.add_argument("--points")
    ap.add_argument("--rules", default=str(REPO / "rules/vn-2024.toml"))
    ap.add_argument("--compare", action="store_true", help="inputs are FINDINGS.csv TRUTH.csv")
    args = ap.parse_args()
    if args.compare:
        compare(*args.inputs)
    elif args.out:
        audit(args)
    else:
        ap.error("--out DIR is needed to audit")


if __name__ == "__main__":
    main()

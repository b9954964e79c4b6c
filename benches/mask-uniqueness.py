"""How identifying a masked run still is. For each subscription, k is the number of distinct holders
(ID pseudonyms) in the extract that share what the masking level leaves visible of it; the pseudonym is
left out, since only the key's holder can link it. Reported: the share of subscriptions with k = 1
(unique: one holder fits), k < 5 and k < 10 — first on the holder's own fields (what is left of the
ID, the name, date of birth and its precision, sex, ID type, ID issue date), then with the carrier and
registration point too (which place the holder), then with the day of activation as well.

Usage: python benches/mask-uniqueness.py OUT_DIR...   (audit outputs made with --mask or --mask strict
and --format parquet; needs duckdb)
"""

import sys

import duckdb

HOLDER = (
    "split_part(id_number, '#', 1), full_name, date_of_birth, date_of_birth_precision, gender, id_type, "
    "id_issue_date"
)
POINT = HOLDER + ", carrier, point_id"
DAY = POINT + ", CAST(activation_time AS DATE)"

for out in sys.argv[1:]:
    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW subs AS SELECT * FROM read_parquet('{out}/subscriptions.parquet') WHERE id_number <> ''"
    )
    level = con.execute(
        "SELECT CASE WHEN bool_and(full_name = '') THEN 'strict' ELSE 'standard' END FROM subs"
    ).fetchone()[0]
    for what, visible in (
        ("holder's fields", HOLDER),
        ("with the point", POINT),
        ("with the point and activation day", DAY),
    ):
        rows, holders, k1, k5, k10 = con.execute(
            f"""
            WITH g AS (
                SELECT count(*) AS n, count(DISTINCT id_number) AS k FROM subs GROUP BY {visible}
            )
            SELECT sum(n), (SELECT count(DISTINCT id_number) FROM subs),
                   sum(n * (k = 1)::INT) / sum(n), sum(n * (k < 5)::INT) / sum(n),
                   sum(n * (k < 10)::INT) / sum(n)
            FROM g
            """
        ).fetchone()
        print(
            f"{out}: {level}, {what}: {rows} subscriptions, {holders} holders; "
            f"unique {k1:.1%}, k < 5 {k5:.1%}, k < 10 {k10:.1%}"
        )

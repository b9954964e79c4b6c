//! `simaudit compare`: a follow-up extract where the carrier fixed some records, cancelled some
//! subscriptions, dropped others and registered some badly gives exactly the expected changes. The
//! expectation comes from the two audits' findings.csv (a path independent of the Parquet file
//! `compare` reads), and the planted changes are checked one by one.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Key = (String, String, String);

/// (carrier, msisdn, rule) of every finding of an audit of `extract` on a row with a number: the
/// normalised number, or the number as written when it could not be read (SB001).
fn findings(out: &Path, extract: &Path) -> BTreeSet<Key> {
    let rows = read_csv(extract);
    read_csv(&out.join("findings.csv"))
        .into_iter()
        .filter_map(|r| {
            let number = match r["msisdn"].as_str() {
                "" => rows.get(r["row"].parse::<usize>().ok()?.checked_sub(1)?)?["msisdn"]
                    .trim()
                    .to_string(),
                n => n.to_string(),
            };
            (!number.is_empty() && !r["carrier"].is_empty())
                .then(|| (r["carrier"].clone(), number, r["rule"].clone()))
        })
        .collect()
}

fn audit(input: &Path, out: &Path, extra: &[&str]) {
    let args = audit_args(&[input.display().to_string()], out, extra);
    run_ok_with(&args, &[("SIMAUDIT_MASK_KEY", "compare-test")]);
}

fn compare(old: &Path, new: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = bin();
    cmd.arg("compare")
        .arg(old)
        .arg(new)
        .arg("--out")
        .arg(out)
        .args(extra);
    cmd.output().unwrap()
}

/// The numbers of `extract` (a CSV in the sample's layout) whose every row is cancelled: normalised
/// by `simaudit normalize --field msisdn`, or as written when they cannot be read.
fn cancelled_numbers(extract: &Path) -> BTreeSet<String> {
    let rows = read_csv(extract);
    let raw: Vec<&str> = rows.iter().map(|r| r["msisdn"].as_str()).collect();
    let mut child = bin()
        .args(["normalize", "--field", "msisdn"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let input = raw.join("\n") + "\n";
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        std::io::Write::write_all(&mut stdin, input.as_bytes()).unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let numbers: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(numbers.len(), rows.len());
    let mut live: BTreeMap<String, bool> = BTreeMap::new();
    for (row, number) in rows.iter().zip(numbers) {
        // A number that cannot be read is followed as written.
        let number = match number.as_str() {
            "" => row["msisdn"].trim().to_string(),
            _ => number,
        };
        *live.entry(number).or_default() |= row["status"] != "cancelled";
    }
    live.into_iter()
        .filter(|(_, l)| !l)
        .map(|(n, _)| n)
        .collect()
}

/// The follow-up extract, and the numbers of what was done to it.
struct FollowUp {
    fixed_names: Vec<String>,
    blanked_names: Vec<String>,
    cancelled: Vec<String>,
    dropped: Vec<String>,
}

fn follow_up(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, FollowUp) {
    let (header, rows) = well_formed_sample();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (msisdn, name, status) = (col("msisdn"), col("full_name"), col("status"));
    let old = dir.join("sept.csv");
    write_csv(&old, &header, &rows);
    let clear = dir.join("sept-out");
    audit(&old, &clear, &["--format", "csv"]);
    // Rows whose only finding is a junk or missing name (PS001/PS002): the carrier fixes the name.
    let by_number: BTreeMap<String, BTreeSet<String>> =
        findings(&clear, &old)
            .into_iter()
            .fold(BTreeMap::new(), |mut m, (_, n, rule)| {
                m.entry(n).or_default().insert(rule);
                m
            });
    let mut plan = FollowUp {
        fixed_names: Vec::new(),
        blanked_names: Vec::new(),
        cancelled: Vec::new(),
        dropped: Vec::new(),
    };
    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    for row in &rows {
        *times.entry(row[msisdn].to_string()).or_default() += 1;
    }
    let mut new_rows = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut row = row.clone();
        let number = row[msisdn].to_string();
        // A number on several rows is left alone: its findings come from all of them.
        let unique = !number.is_empty() && times[&number] == 1;
        let rules = by_number.get(&number).cloned().unwrap_or_default();
        let only = |r: &str| rules.len() == 1 && rules.contains(r);
        let mut fields: Vec<String> = row.iter().map(str::to_string).collect();
        if unique && (only("PS001") || only("PS002")) && plan.fixed_names.len() < 5 {
            fields[name] = "Nguyễn Văn Sửa".into();
            plan.fixed_names.push(number);
        } else if unique && rules.is_empty() && i % 97 == 0 && plan.blanked_names.len() < 5 {
            fields[name] = String::new();
            plan.blanked_names.push(number);
        } else if unique
            && !rules.is_empty()
            && &row[status] != "cancelled"
            && i % 23 == 0
            && plan.cancelled.len() < 5
        {
            fields[status] = "cancelled".into();
            plan.cancelled.push(number);
        } else if unique && !rules.is_empty() && i % 29 == 0 && plan.dropped.len() < 5 {
            plan.dropped.push(number);
            continue;
        }
        row = csv::StringRecord::from(fields);
        new_rows.push(row);
    }
    assert_eq!(
        [
            plan.fixed_names.len(),
            plan.blanked_names.len(),
            plan.cancelled.len(),
            plan.dropped.len()
        ],
        [5, 5, 5, 5],
        "the sample has enough rows of each kind"
    );
    let new = dir.join("dec.csv");
    write_csv(&new, &header, &new_rows);
    (old, new, plan)
}

#[test]
fn compare_finds_exactly_what_was_fixed_added_and_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new, plan) = follow_up(dir.path());
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    audit(&old, &a, &[]);
    audit(&new, &b, &[]);
    let run = compare(&a, &b, &c, &["--quiet"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // A number counts as cancelled when every row of it is. Findings on a subscription cancelled
    // now are resolved by the cancellation (not "now"); one cancelled then and now is left out.
    let (old_cancelled, new_cancelled) = (cancelled_numbers(&old), cancelled_numbers(&new));
    let then: BTreeSet<Key> = findings(&a, &old)
        .into_iter()
        .filter(|(_, n, _)| !(old_cancelled.contains(n) && new_cancelled.contains(n)))
        .collect();
    let now: BTreeSet<Key> = findings(&b, &new)
        .into_iter()
        .filter(|(_, n, _)| !new_cancelled.contains(n))
        .collect();
    let rows = read_csv(&c.join("changes.csv"));
    let got: BTreeMap<Key, BTreeMap<String, String>> = rows
        .iter()
        .map(|r| {
            (
                (r["carrier"].clone(), r["msisdn"].clone(), r["rule"].clone()),
                r.clone(),
            )
        })
        .collect();
    assert_eq!(got.len(), rows.len(), "one row per (subscription, rule)");
    let want: BTreeMap<Key, &str> = then
        .union(&now)
        .map(|k| {
            let status = match (then.contains(k), now.contains(k)) {
                (true, true) => "persisting",
                (false, true) => "new",
                _ => "resolved",
            };
            (k.clone(), status)
        })
        .collect();
    let got_status: BTreeMap<Key, &str> = got
        .iter()
        .map(|(k, r)| (k.clone(), r["status"].as_str()))
        .collect();
    let differ: Vec<_> = got_status
        .keys()
        .chain(want.keys())
        .filter(|k| got_status.get(*k) != want.get(*k))
        .map(|k| (k, got_status.get(k), want.get(k)))
        .collect();
    assert!(
        differ.is_empty(),
        "(key, compare, findings.csv): {differ:?}"
    );

    // The planted changes, one by one.
    let of = |number: &str| -> Vec<&BTreeMap<String, String>> {
        got.iter()
            .filter(|((_, n, _), _)| n == number)
            .map(|(_, r)| r)
            .collect()
    };
    for n in &plan.fixed_names {
        let r = of(n);
        let name = r
            .iter()
            .find(|r| r["rule"] == "PS001" || r["rule"] == "PS002")
            .unwrap_or_else(|| panic!("{n}: {r:?}"));
        assert_eq!(
            (name["status"].as_str(), name["resolved_by"].as_str()),
            ("resolved", "fixed")
        );
        assert_eq!(
            name["new_status"], name["old_status"],
            "still listed as it was"
        );
    }
    for n in &plan.blanked_names {
        assert!(
            of(n)
                .iter()
                .any(|r| r["rule"] == "PS001" && r["status"] == "new"),
            "{n}: a blanked name is a new PS001"
        );
    }
    for n in &plan.dropped {
        for r in of(n) {
            assert_eq!(
                (r["status"].as_str(), r["resolved_by"].as_str()),
                ("resolved", "absent"),
                "{n}"
            );
            assert_eq!(r["new_status"], "absent");
        }
    }
    for n in &plan.cancelled {
        // Cancelled now: every finding it had is resolved by the cancellation, none is new.
        let r = of(n);
        assert!(!r.is_empty(), "{n}");
        for r in r {
            assert_eq!(
                (
                    r["status"].as_str(),
                    r["resolved_by"].as_str(),
                    r["new_status"].as_str()
                ),
                ("resolved", "cancelled", "cancelled"),
                "{n}"
            );
        }
    }

    // Per point and carrier: the counts add up to changes.csv, worst first.
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count() as u64;
    let carriers = read_csv(&c.join("by_carrier_changes.csv"));
    assert_eq!(carriers.len(), 1);
    let v = &carriers[0];
    let int = |r: &BTreeMap<String, String>, k: &str| r[k].parse::<u64>().unwrap();
    assert_eq!(int(v, "resolved"), count("resolved"));
    assert_eq!(int(v, "new"), count("new"));
    assert_eq!(int(v, "persisting"), count("persisting"));
    assert_eq!(int(v, "findings_then"), then.len() as u64);
    assert_eq!(int(v, "findings_now"), now.len() as u64);
    let points = read_csv(&c.join("by_point_changes.csv"));
    assert_eq!(
        points.iter().map(|p| int(p, "resolved")).sum::<u64>(),
        count("resolved")
    );
    let worst: Vec<u64> = points
        .iter()
        .map(|p| int(p, "persisting_violations"))
        .collect();
    assert!(worst.windows(2).all(|w| w[0] >= w[1]), "ranked worst first");
    for name in ["compare.xlsx", "compare.html", "manifest.json"] {
        assert!(c.join(name).exists(), "{name}");
    }
    let book = std::fs::read(c.join("compare.xlsx")).unwrap();
    assert!(!book.is_empty());

    // The same inputs give the same files.
    let again = dir.path().join("c-again");
    assert!(compare(&a, &b, &again, &["--quiet"]).status.success());
    for name in [
        "changes.csv",
        "by_point_changes.csv",
        "by_carrier_changes.csv",
        "compare.html",
    ] {
        assert!(
            std::fs::read(c.join(name)).unwrap() == std::fs::read(again.join(name)).unwrap(),
            "{name} differs between two runs"
        );
    }

    // Masked with the same key, the same changes, matched on the pseudonyms at the strict level.
    let (ma, mb, mc) = (
        dir.path().join("ma"),
        dir.path().join("mb"),
        dir.path().join("mc"),
    );
    audit(&old, &ma, &["--mask", "strict"]);
    audit(&new, &mb, &["--mask", "strict"]);
    let run = compare(&ma, &mb, &mc, &["--quiet"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let masked = read_csv(&mc.join("changes.csv"));
    assert_eq!(masked.len(), rows.len());
    assert!(masked.iter().all(|r| r["msisdn"].starts_with('*')));
    let statuses = |rows: &[BTreeMap<String, String>]| -> BTreeMap<String, usize> {
        rows.iter().fold(BTreeMap::new(), |mut m, r| {
            *m.entry(r["status"].clone()).or_default() += 1;
            m
        })
    };
    assert_eq!(statuses(&masked), statuses(&rows));
}

#[test]
fn compare_refuses_what_it_cannot_match() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new, _) = follow_up(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    audit(&old, &a, &[]);
    audit(&new, &b, &["--mask"]);
    let out = dir.path().join("c");
    let said = |run: std::process::Output| {
        assert_eq!(run.status.code(), Some(2));
        String::from_utf8_lossy(&run.stderr).into_owned()
    };
    // One audit masked, the other not.
    assert!(said(compare(&a, &b, &out, &[])).contains("masked"));
    // Different rule sets, unless allowed.
    let rules = dir.path().join("rules.toml");
    let shipped = std::fs::read_to_string(repo("rules/vn-2024.toml")).unwrap();
    std::fs::write(
        &rules,
        shipped.replace("name = \"vn-2024\"", "name = \"local\""),
    )
    .unwrap();
    let c = dir.path().join("c2");
    audit(&new, &c, &["--rules", rules.to_str().unwrap()]);
    assert!(said(compare(&a, &c, &out, &[])).contains("--allow-rule-change"));
    assert!(compare(&a, &c, &out, &["--allow-rule-change", "--quiet"])
        .status
        .success());
    // Masked at two levels, or with two keys.
    let (s1, s2) = (dir.path().join("strict1"), dir.path().join("strict2"));
    audit(&old, &s1, &["--mask", "strict"]);
    assert!(said(compare(&s1, &b, &out, &[])).contains("masked (strict)"));
    let args = audit_args(&[new.display().to_string()], &s2, &["--mask", "strict"]);
    run_ok_with(&args, &[("SIMAUDIT_MASK_KEY", "another key")]);
    assert!(said(compare(&s1, &s2, &out, &[])).contains("different keys"));
    // An output folder that is one of the audits, or holds an audit's outputs.
    assert!(said(compare(&a, &b, &b, &[])).contains("one of the audits"));
    assert!(said(compare(&a, &s1, &s2, &[])).contains("holds an audit's outputs"));
    assert!(
        s2.join("subscriptions.parquet").exists(),
        "the audit is untouched"
    );
    // A folder without subscriptions.parquet says what is missing and why.
    let csv_only = dir.path().join("csv-only");
    audit(&new, &csv_only, &["--format", "csv"]);
    let why = said(compare(&a, &csv_only, &dir.path().join("c3"), &[]));
    assert!(
        why.contains("subscriptions.parquet") && why.contains("--format"),
        "{why}"
    );
}

//! `[rules.X] enabled = false` removes X from every output and from `check`'s verdict, for each of the
//! catalogue's rules, ingest rules (DQ001, DQ002) included; the other rules' findings are untouched.

mod common;
use common::*;
use simaudit::rules::{RuleCode, DEFAULT_RULE_SET};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The sample extracts plus one file whose names were written in a legacy encoding (DQ003).
fn inputs(dir: &Path) -> Vec<String> {
    let legacy = dir.join("legacy.csv");
    std::fs::write(
        &legacy,
        "carrier,msisdn,full_name,date_of_birth,id_number,activation_time,point_id\n\
         VIETTEL,0961234501,Nguyeãn Vaên Ñöùc,1990-01-02,033090012345,2024-03-04 10:00,VT-HY-001\n",
    )
    .unwrap();
    let mut files = sample_extracts();
    files.push(legacy.display().to_string());
    files
}

fn rules_without(dir: &Path, rule: RuleCode) -> PathBuf {
    let path = dir.join(format!("without-{rule}.toml"));
    std::fs::write(
        &path,
        format!("{DEFAULT_RULE_SET}\n[rules.{rule}]\nenabled = false\n"),
    )
    .unwrap();
    path
}

/// Findings per rule in findings.csv.
fn per_rule(out: &Path) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for f in read_csv(&out.join("findings.csv")) {
        *n.entry(f["rule"].clone()).or_default() += 1;
    }
    n
}

fn check_json(files: &[String], extra: &[&str]) -> serde_json::Value {
    let mut args: Vec<String> = vec!["check".into()];
    args.extend(files.iter().cloned());
    args.extend(
        [
            "--points",
            &repo("sample-data/points.csv").display().to_string(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ]
        .map(String::from),
    );
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = run_ok_with(&args, &[]);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_rule_can_be_switched_off_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let whole = dir.path().join("whole");
    run_ok_with(&audit_args(&files, &whole, &["--format", "csv"]), &[]);
    let all = per_rule(&whole);
    let whole_check = check_json(&files, &[]);
    for rule in RuleCode::ALL {
        assert!(
            all.get(rule.code()).copied().unwrap_or(0) > 0,
            "{rule} never fires: the test cannot see it switched off"
        );
    }
    for &rule in RuleCode::ALL {
        let code = rule.code();
        let set = rules_without(dir.path(), rule);
        let set = set.display().to_string();
        let out = dir.path().join(code);
        run_ok_with(
            &audit_args(&files, &out, &["--format", "csv", "--rules", &set]),
            &[],
        );
        // findings.csv: the rule is gone, every other rule's findings are as before.
        let mut expected = all.clone();
        expected.remove(code);
        assert_eq!(per_rule(&out), expected, "{code} switched off");
        // The summaries count it nowhere.
        for sheet in ["by_carrier.csv", "by_point.csv"] {
            for row in read_csv(&out.join(sheet)) {
                assert!(row.get(code).is_none_or(|n| n == "0"), "{code} in {sheet}");
            }
        }
        for row in read_csv(&out.join("by_rule.csv")) {
            assert!(
                row["rule"] != code || row["rows"] == "0",
                "{code} in by_rule.csv"
            );
        }
        // check: the rule is not listed and its findings no longer count towards the verdict.
        let checked = check_json(&files, &["--rules", &set]);
        assert!(
            !checked["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["rule"] == code),
            "{code} in check's rules"
        );
        let severity = simaudit::rules::RULES[rule as usize].severity.code();
        let before = whole_check["findings"][severity].as_u64().unwrap();
        let after = checked["findings"][severity].as_u64().unwrap();
        assert_eq!(
            before - after,
            all[code] as u64,
            "{code}: check's {severity} count"
        );
    }
}

//! End-to-end runs of the binary: sample data against its truth, reruns, bad input, commands.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

/// `simaudit audit` arguments for the bundled sample, writing into `out`.
/// `audit INPUT --out OUT --quiet`, which must succeed.
fn audit_one(input: &Path, out: &Path) {
    run_ok(&[
        "audit",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
}

fn sample_args(out: &Path, extra: &[&str]) -> Vec<String> {
    audit_args(&sample_extracts(), out, extra)
}

fn audit_sample(out: &Path, extra: &[&str]) {
    run_ok(
        &sample_args(out, extra)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
}

fn truth(path: &Path) -> BTreeSet<(String, u32, String)> {
    keys_of(path)
}

fn diff(want: &BTreeSet<(String, u32, String)>, got: &BTreeSet<(String, u32, String)>) -> String {
    let missing: Vec<_> = want.difference(got).take(20).collect();
    let extra: Vec<_> = got.difference(want).take(20).collect();
    format!(
        "missing {} (first: {missing:?})\nunexpected {} (first: {extra:?})",
        want.difference(got).count(),
        got.difference(want).count()
    )
}

#[test]
fn sample_data_findings_equal_truth() {
    let dir = tempfile::tempdir().unwrap();
    audit_sample(dir.path(), &[]);
    let want = truth(&repo("sample-data/truth.csv"));
    let got = finding_keys(dir.path());
    assert!(!want.is_empty());
    assert!(want == got, "{}", diff(&want, &got));
    // Every rule the generator plants is exercised by the sample.
    let rules: BTreeSet<&str> = want.iter().map(|k| k.2.as_str()).collect();
    for code in [
        "ID001", "ID004", "ID008", "PS002", "SB002", "XR001", "XR002", "XR003", "XR004", "PT001",
        "PT003", "PT004", "DQ001", "DQ002",
    ] {
        assert!(rules.contains(code), "sample-data plants no {code}");
    }
}

fn generate_and_audit(format: &str, rows: &str) {
    let dir = tempfile::tempdir().unwrap();
    let gen = dir.path().join("gen");
    run_ok(&[
        "generate",
        "--rows",
        rows,
        "--seed",
        "42",
        "--format",
        format,
        "--out",
        gen.to_str().unwrap(),
    ]);
    let mut files: Vec<String> = std::fs::read_dir(&gen)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            !matches!(
                p.file_name().unwrap().to_str().unwrap(),
                "truth.csv" | "points.csv"
            )
        })
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert!(
        files.iter().all(|f| f.ends_with(&format!(".{format}"))),
        "{files:?}"
    );
    let out = dir.path().join("out");
    let mut args = vec!["audit".to_string()];
    args.extend(files);
    args.extend([
        "--points".into(),
        gen.join("points.csv").display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--quiet".into(),
        "--format".into(),
        "csv".into(),
    ]);
    run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let want = truth(&gen.join("truth.csv"));
    let got = finding_keys(&out);
    assert!(want == got, "{}", diff(&want, &got));
}

#[test]
fn generated_data_findings_equal_truth() {
    generate_and_audit("csv", "30000");
}

#[test]
fn generated_parquet_findings_equal_truth() {
    generate_and_audit("parquet", "20000");
}

#[test]
fn rerun_gives_byte_identical_csv() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    audit_sample(a.path(), &["--threads", "1"]);
    audit_sample(b.path(), &["--threads", "2"]);
    for name in simaudit::report::CSV_OUTPUTS {
        let (x, y) = (
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between runs");
    }
}

#[test]
fn outputs_have_the_contract_columns() {
    let dir = tempfile::tempdir().unwrap();
    audit_sample(dir.path(), &[]);
    let header = |name: &str| {
        std::fs::read_to_string(dir.path().join(name))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(header("findings.csv"), "file,row,carrier,msisdn,subscriber_type,id_type,id_number,full_name,point_id,rule,severity,detail");
    assert!(header("by_carrier.csv").starts_with("carrier,subscriptions,live,flagged,flagged_pct,with_violation,with_warning,rejected_rows,distinct_ids,ids_over_limit,ID001,ID002,"));
    assert!(header("by_point.csv").starts_with("rank,carrier,point_id,point_name,point_type,district,subscriptions,flagged,flagged_pct,with_violation,with_warning,ID001,"));
    assert!(header("by_carrier.csv").ends_with(",DQ001,DQ002,DQ003,DQ004"));
    assert_eq!(
        header("by_rule.csv"),
        "rule,name,severity,rows,carriers,points"
    );
    assert_eq!(header("ids_over_limit.csv"), "id_number,id_type,live_subscriptions,per_carrier,points,names_seen,first_activation,last_activation");
    assert_eq!(header("rejects.csv"), "file,row,line,reason,raw");
    for f in ["findings.parquet", "subscriptions.parquet", "manifest.json"] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
    // by_point: worst first.
    let points = read_csv(&dir.path().join("by_point.csv"));
    let key = |r: &std::collections::BTreeMap<String, String>| {
        (
            r["with_violation"].parse::<u64>().unwrap(),
            r["flagged"].parse::<u64>().unwrap(),
        )
    };
    assert!(points.windows(2).all(|w| key(&w[0]) >= key(&w[1])));
    assert_eq!(points[0]["rank"], "1");
    // Row accounting: every line read is accepted, rejected or skipped (the sample's workbook has a
    // title block, a column-number row and a footer: 8 lines).
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    let rows = &manifest["rows"];
    assert_eq!(
        rows["read"].as_u64().unwrap(),
        rows["accepted"].as_u64().unwrap()
            + rows["rejected"].as_u64().unwrap()
            + rows["skipped"].as_u64().unwrap()
    );
    assert_eq!(rows["skipped"], 8);
    let carriers = read_csv(&dir.path().join("by_carrier.csv"));
    let subs: u64 = carriers
        .iter()
        .map(|r| r["subscriptions"].parse::<u64>().unwrap())
        .sum();
    let rejected: u64 = carriers
        .iter()
        .map(|r| r["rejected_rows"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(subs, rows["accepted"].as_u64().unwrap());
    assert_eq!(rejected, rows["rejected"].as_u64().unwrap());
}

#[test]
fn subscriptions_parquet_holds_every_accepted_row_across_row_groups() {
    let dir = tempfile::tempdir().unwrap();
    let args = sample_args(dir.path(), &[]);
    run_ok_with(&args, &[("SIMAUDIT_PARQUET_CHUNK_ROWS", "700")]);
    use polars::prelude::*;
    let df =
        ParquetReader::new(std::fs::File::open(dir.path().join("subscriptions.parquet")).unwrap())
            .finish()
            .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        df.height() as u64,
        manifest["rows"]["accepted"].as_u64().unwrap()
    );
    // Rows keep their order across groups, and each row's rule list matches findings.csv.
    let rows: Vec<u32> = df
        .column("row")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    let files: Vec<String> = df
        .column("file")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect();
    let keys: Vec<(String, u32)> = files.into_iter().zip(rows).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    let flagged = df
        .column("flagged")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .filter(|b| *b == Some(true))
        .count();
    let findings = read_csv(&dir.path().join("findings.csv"));
    let flagged_rows: BTreeSet<(String, String)> = findings
        .iter()
        .filter(|f| f["severity"] != "info" && f["rule"] != "DQ001")
        .map(|f| (f["file"].clone(), f["row"].clone()))
        .collect();
    assert_eq!(flagged, flagged_rows.len());
}

#[test]
fn malformed_rows_are_rejected_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.csv");
    std::fs::write(
        &input,
        "carrier;msisdn;full_name;date_of_birth;id_number;activation_time;point_id\n\
         VIETTEL;0962000001;Nguyễn Văn Hùng;05/03/1985;033085000001;10/05/2024 09:00;HY-1\n\
         VIETTEL;0962000002;\"Trần Thị\nHoà\";05/03/1985;033185000002;10/05/2024 09:00;HY-1\n\
         VIETTEL;0962000003;short row\n\
         VIETTEL;0962000004;Lê Văn Nam;05/03/1985;033085000004;10/05/2024 09:00;HY-1;extra\n\
         VIETTEL;0962000005;Lê Văn Bắc;05/03/1985;033085000005;10/05/2024 09:00;HY-1\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    audit_one(&input, &out);
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 2);
    assert_eq!(
        (rejects[0]["row"].as_str(), rejects[0]["line"].as_str()),
        ("3", "5")
    );
    assert_eq!(rejects[0]["reason"], "expected 7 fields, found 3");
    assert_eq!(rejects[0]["raw"], "VIETTEL;0962000003;short row");
    assert_eq!(
        (rejects[1]["row"].as_str(), rejects[1]["reason"].as_str()),
        ("4", "expected 7 fields, found 8")
    );
    let f = finding_keys(&out);
    assert!(f.contains(&("bad.csv".into(), 3, "DQ001".into())));
    assert!(f.contains(&("bad.csv".into(), 4, "DQ001".into())));
    // The quoted newline did not start a new record: row 5 is the last one.
    let subs = read_csv(&out.join("by_carrier.csv"));
    assert_eq!(
        (
            subs[0]["subscriptions"].as_str(),
            subs[0]["rejected_rows"].as_str(),
            subs[0]["DQ001"].as_str()
        ),
        ("3", "2", "2")
    );
}

#[test]
fn missing_required_column_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("nocol.csv");
    std::fs::write(&input, "SO_THUE_BAO,HO_TEN,NGAY_SINH,NGAY_KICH_HOAT,MA_DIEM,NHA_MANG\n0962000001,A B,1985,2024,HY,VIETTEL\n").unwrap();
    let out = run(&[
        "audit",
        input.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for part in ["nocol.csv", "id_number", "vn-upper", "SO_THUE_BAO | HO_TEN"] {
        assert!(err.contains(part), "{part} missing from: {err}");
    }
    assert!(
        !dir.path().join("o").join("findings.csv").exists(),
        "no partial report"
    );
    let missing = run(&[
        "audit",
        "/nonexistent/x.csv",
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/x.csv"));
}

fn normalize(field: &str, input: &str, extra: &[&str]) -> String {
    let mut child = bin()
        .args(["normalize", "--field", field])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn normalize_line_formats() {
    assert_eq!(
        normalize("msisdn", "0912.345.678\n+84 1662345678\n\nabc\n", &[]),
        "0912345678\tVINAPHONE\t\n0362345678\tVIETTEL\tSB003\n\t\t\n\t\tSB001\n"
    );
    assert_eq!(
        normalize("id", "033085012345\n003085012345\n111111111111\n0314409057\n\n", &[]),
        "033085012345\tCCCD\t1985\tmale\t\n003085012345\tCCCD\t1985\tmale\tID003\n111111111111\tCCCD\t1911\tfemale\tID006\n0314409057\tMST\t\t\tID009\n\t\t\t\t\n"
    );
    assert_eq!(
        normalize(
            "date",
            "05/03/1985\n1985\n2024-05-10T09:30:00\n31/02/1990\n",
            &[]
        ),
        "1985-03-05\tday\n1985\tyear\n2024-05-10T09:30:00\tdatetime\n\t\n"
    );
    assert_eq!(
        normalize("name", "  NGUYỄN  văn hoà \n\n", &[]),
        "Nguyễn Văn Hòa\tnguyen van hoa\t\n\t\t\n"
    );
    assert_eq!(
        normalize("name", "Nguyễn Văn Hòa\n", &["--tone-style", "new"]),
        "Nguyễn Văn Hoà\tnguyen van hoa\t\n"
    );
}

#[test]
fn readme_rule_table_matches_registry() {
    let table = String::from_utf8(run_ok(&["rules", "--markdown"]).stdout).unwrap();
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "README's rule table is out of date: paste `simaudit rules --markdown`"
    );
    let one = String::from_utf8(run_ok(&["rules", "XR001"]).stdout).unwrap();
    assert!(one.contains("sims-per-id") && one.contains("vi:") && one.contains("en:"));
}

#[test]
fn check_exit_codes_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.csv");
    std::fs::write(&clean, "carrier,msisdn,full_name,date_of_birth,gender,id_number,activation_time,point_id\nVIETTEL,0962000001,Nguyễn Văn Hùng,1985-03-05,male,033085000001,2024-05-10 09:00,HY-1\n").unwrap();
    let warn = dir.path().join("warn.csv");
    std::fs::write(&warn, "carrier,msisdn,full_name,date_of_birth,gender,id_number,activation_time,point_id\nVIETTEL,0962000001,Nguyễn Văn Hùng,1985-03-05,male,033085000001,2024-05-10 23:00,HY-1\n").unwrap();
    let code = |f: &Path, extra: &[&str]| {
        let mut args = vec!["check", f.to_str().unwrap(), "--quiet"];
        args.extend_from_slice(extra);
        run(&args).status.code()
    };
    assert_eq!(code(&clean, &[]), Some(0));
    assert_eq!(code(&warn, &[]), Some(0));
    assert_eq!(code(&warn, &["--fail-on", "warning"]), Some(1));
    assert_eq!(code(&warn, &["--fail-on", "never"]), Some(0));
    let json = run(&[
        "check",
        warn.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "warning",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["schema"], "simaudit-check/1");
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["findings"]["warning"], 1);
    assert_eq!(doc["rules"][0]["rule"], "PT002");
}

/// Every cell of a workbook as text (its sheets are zipped XML).
fn xlsx_text(path: &Path) -> String {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let mut text = String::new();
    for name in book.sheet_names() {
        for row in book.worksheet_range(&name).unwrap().rows() {
            for cell in row {
                text.push_str(&cell.to_string());
                text.push('\n');
            }
        }
    }
    text
}

/// Every string value of a Parquet file (compressed pages cannot be searched as bytes).
fn parquet_text(path: &Path) -> String {
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap();
    let mut text = String::new();
    for col in df.columns() {
        let Ok(s) = col.cast(&DataType::String) else {
            continue;
        }; // the list of rule codes
        for v in s.str().unwrap().iter().flatten() {
            text.push_str(v);
            text.push('\n');
        }
    }
    text
}

#[test]
fn mask_hides_every_id_number_and_name() {
    // Collect raw ID numbers, names and phone numbers from the inputs' accepted rows (via a clear run).
    let clear = tempfile::tempdir().unwrap();
    audit_sample(clear.path(), &["--format", "csv"]);
    let rows = read_csv(&clear.path().join("findings.csv"));
    let values = |column: &str, keep: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
        rows.iter()
            .map(|r| r[column].clone())
            .filter(|s| keep(s))
            .collect()
    };
    let ids = values("id_number", &|s| s.len() >= 8);
    let names = values("full_name", &|s| {
        s.split_whitespace().count() >= 2 && s.len() >= 8
    });
    let numbers = values("msisdn", &|s| s.len() >= 10);
    assert!(ids.len() > 20 && names.len() > 20 && numbers.len() > 20);
    let initials = regex::Regex::new(r"\p{Lu}\. \p{Lu}\.").unwrap();
    for (level, hidden) in [
        (&["--mask"][..], vec![&ids, &names]),
        (&["--mask", "strict"][..], vec![&ids, &names, &numbers]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        audit_sample(dir.path(), level);
        assert!(dir.path().join("report.xlsx").exists());
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let text = match path.extension().and_then(|e| e.to_str()) {
                Some("parquet") => parquet_text(&path),
                Some("xlsx") => xlsx_text(&path),
                _ => String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned(),
            };
            for value in hidden.iter().flat_map(|set| set.iter()) {
                assert!(
                    !text.contains(value.as_str()),
                    "{level:?}: {} leaks a value of the input",
                    path.display()
                );
            }
            if level.len() == 2 {
                // No initials either (`N. V. Đ.`).
                assert!(
                    !initials.is_match(&text),
                    "{}: initials at the strict level",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn extra_source_columns_are_carried_into_subscriptions_parquet() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = well_formed_sample();
    let with =
        |extra: &[&str], rows: &[csv::StringRecord], value: &dyn Fn(usize, &str) -> String| {
            let mut h = header.clone();
            extra.iter().for_each(|e| h.push_field(e));
            let rows: Vec<csv::StringRecord> = rows
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let mut r = r.clone();
                    extra.iter().for_each(|e| r.push_field(&value(k + 1, e)));
                    r
                })
                .collect();
            (h, rows)
        };
    // a.csv: a note and a column whose header an output column already has; b.csv: a contract number.
    let (ha, ra) = with(&["ghi_chu", "row"], &rows[..300], &|k, e| {
        format!("{e}-{k}")
    });
    let (hb, rb) = with(&[" ma_hop_dong "], &rows[300..400], &|k, _| {
        format!("HD{k:04}")
    });
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    write_csv(&a, &ha, &ra);
    write_csv(&b, &hb, &rb);
    let plain_dir = dir.path().join("plain");
    std::fs::create_dir_all(&plain_dir).unwrap();
    write_csv(&plain_dir.join("a.csv"), &header, &rows[..300]);
    write_csv(&plain_dir.join("b.csv"), &header, &rows[300..400]);
    let inputs = |d: &Path| {
        vec![
            d.join("a.csv").display().to_string(),
            d.join("b.csv").display().to_string(),
        ]
    };
    let run_into = |inputs: &[String], out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        let args = audit_args(inputs, &out, extra);
        run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        out
    };
    let out = run_into(&inputs(dir.path()), "out", &[]);
    let frame = |out: &Path| {
        ParquetReader::new(std::fs::File::open(out.join("subscriptions.parquet")).unwrap())
            .finish()
            .unwrap()
    };
    let df = frame(&out);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        names[names.len() - 3..],
        ["ghi_chu", "extra_row", "ma_hop_dong"]
    );
    let text = |c: &str| -> Vec<String> {
        df.column(c)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect()
    };
    let (files, rows_of) = (
        text("file"),
        df.column("row").unwrap().u32().unwrap().clone(),
    );
    let (note, row_col, contract) = (text("ghi_chu"), text("extra_row"), text("ma_hop_dong"));
    for i in 0..df.height() {
        let k = rows_of.get(i).unwrap();
        if files[i] == "a.csv" {
            assert_eq!(
                (note[i].as_str(), row_col[i].as_str(), contract[i].as_str()),
                (
                    format!("ghi_chu-{k}").as_str(),
                    format!("row-{k}").as_str(),
                    ""
                )
            );
        } else {
            assert_eq!(
                (note[i].as_str(), contract[i].as_str()),
                ("", format!("HD{k:04}").as_str())
            );
        }
    }
    // The extra columns change no finding, and a sharded run carries them the same way.
    let plain = run_into(&inputs(&plain_dir), "plain-out", &[]);
    assert_eq!(finding_keys(&out), finding_keys(&plain));
    let sharded = frame(&run_into(
        &inputs(dir.path()),
        "sharded",
        &["--shards", "2"],
    ));
    assert_eq!(sharded.schema(), df.schema());
    assert_eq!(sharded.height(), df.height());
    // Masked, they are left out: what they hold cannot be known, so it cannot be masked.
    let masked = frame(&run_into(&inputs(dir.path()), "masked", &["--mask"]));
    assert!(masked
        .get_column_names()
        .iter()
        .all(|n| !["ghi_chu", "extra_row", "ma_hop_dong"].contains(&n.as_str())));
}

/// The findings' rows are made once, in blocks, for findings.csv, findings.parquet and the workbook's
/// findings sheet: with blocks of 7 rows and a sheet cut at 25 (inside a block), each file holds what
/// a run with one block holds, and the sheet's rows are the first 25 of findings.csv.
#[test]
fn findings_writers_agree_across_blocks() {
    let (one, many) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_ok_with(
        &sample_args(one.path(), &[]),
        &[("SIMAUDIT_PARQUET_CHUNK_ROWS", "1000000")],
    );
    run_ok_with(
        &sample_args(many.path(), &[]),
        &[
            ("SIMAUDIT_PARQUET_CHUNK_ROWS", "7"),
            ("SIMAUDIT_XLSX_FINDINGS_CAP", "25"),
        ],
    );
    let read = |dir: &Path, name: &str| std::fs::read(dir.join(name)).unwrap();
    assert_eq!(
        read(one.path(), "findings.csv"),
        read(many.path(), "findings.csv")
    );
    use polars::prelude::*;
    let frame = |dir: &Path| {
        ParquetReader::new(std::fs::File::open(dir.join("findings.parquet")).unwrap())
            .finish()
            .unwrap()
    };
    let (whole, blocks) = (frame(one.path()), frame(many.path()));
    assert!(whole.height() > 25);
    assert!(whole.equals_missing(&blocks), "findings.parquet differs");
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(many.path().join("report.xlsx")).unwrap();
    let sheet = book.worksheet_range("Phát hiện").unwrap();
    let shown: Vec<(String, String, String)> = sheet
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].to_string(), r[9].to_string()))
        .collect();
    let all = read_csv(&one.path().join("findings.csv"));
    let first: Vec<(String, String, String)> = all
        .iter()
        .take(25)
        .map(|r| (r["file"].clone(), r["row"].clone(), r["rule"].clone()))
        .collect();
    assert_eq!(shown, first);

    // Blocks that end exactly with the findings: no empty group or row after the last.
    let exact = tempfile::tempdir().unwrap();
    let parts = (2..=20).find(|d| all.len().is_multiple_of(*d)).unwrap_or(1);
    let per_block = (all.len() / parts).to_string();
    run_ok_with(
        &sample_args(exact.path(), &[]),
        &[("SIMAUDIT_PARQUET_CHUNK_ROWS", per_block.as_str())],
    );
    assert_eq!(
        read(one.path(), "findings.csv"),
        read(exact.path(), "findings.csv")
    );
    assert!(whole.equals_missing(&frame(exact.path())));
    let groups = polars::io::parquet::read::ParquetReader::new(
        std::fs::File::open(exact.path().join("findings.parquet")).unwrap(),
    )
    .get_metadata()
    .unwrap()
    .row_groups
    .len();
    assert_eq!(groups, parts);
}

/// No findings at all (an extract of a header only): every findings file is written, with its
/// columns and no rows.
#[test]
fn findings_writers_write_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("empty.csv");
    std::fs::write(
        &input,
        "carrier,msisdn,subscriber_type,full_name,date_of_birth,gender,id_number,id_issue_date,activation_time,point_id,point_type\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    audit_one(&input, &out);
    assert_eq!(
        std::fs::read_to_string(out.join("findings.csv")).unwrap(),
        "file,row,carrier,msisdn,subscriber_type,id_type,id_number,full_name,point_id,rule,severity,detail\n"
    );
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(out.join("findings.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!((df.height(), df.width()), (0, 12));
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(out.join("report.xlsx")).unwrap();
    let sheet = book.worksheet_range("Phát hiện").unwrap();
    assert_eq!(sheet.height(), 1);
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

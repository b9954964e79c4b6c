//! `audit --shards N` (a national extract, one shard of ID keys at a time) gives the same outputs as a
//! run held in memory: CSV files byte for byte, findings.parquet equal, subscriptions.parquet the same
//! rows (listed shard by shard), the same xlsx and HTML report text.

mod common;
use common::*;
use polars::prelude::*;
use simaudit::report::CSV_OUTPUTS;
use std::path::Path;

fn audit(inputs: &[String], points: &Path, out: &Path, extra: &[&str]) {
    // One masking key for both runs, so their pseudonyms agree.
    run_ok_with(
        &audit_args_with(inputs, points, out, extra),
        &[("SIMAUDIT_MASK_KEY", "test-key")],
    );
}

fn frame(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

/// Rows of a frame as text lines, sorted: the same rows in any order compare equal.
fn sorted_rows(df: &DataFrame) -> Vec<String> {
    let texts = |c: &Column| -> Vec<String> {
        let s = c.as_materialized_series();
        match s.dtype() {
            DataType::List(_) => {
                let list = s.list().unwrap();
                (0..s.len())
                    .map(|i| {
                        list.get_as_series(i)
                            .map(|v| format!("{:?}", v.str().unwrap().iter().collect::<Vec<_>>()))
                            .unwrap_or_default()
                    })
                    .collect()
            }
            _ => s
                .cast(&DataType::String)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.unwrap_or("∅").to_string())
                .collect(),
        }
    };
    let columns: Vec<Vec<String>> = df.columns().iter().map(texts).collect();
    let mut rows: Vec<String> = (0..df.height())
        .map(|i| {
            columns
                .iter()
                .map(|c| c[i].as_str())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    rows.sort();
    rows
}

fn assert_same_outputs(whole: &Path, sharded: &Path) {
    for name in CSV_OUTPUTS {
        let (a, b) = (
            std::fs::read_to_string(whole.join(name)).unwrap(),
            std::fs::read_to_string(sharded.join(name)).unwrap(),
        );
        assert!(a == b, "{name} differs between a whole and a sharded run");
    }
    let (a, b) = (
        frame(&whole.join("findings.parquet")),
        frame(&sharded.join("findings.parquet")),
    );
    assert_eq!(a.schema(), b.schema());
    assert!(a.equals_missing(&b), "findings.parquet differs");
    let (a, b) = (
        frame(&whole.join("subscriptions.parquet")),
        frame(&sharded.join("subscriptions.parquet")),
    );
    assert_eq!(a.schema(), b.schema());
    assert_eq!(
        sorted_rows(&a),
        sorted_rows(&b),
        "subscriptions.parquet rows differ"
    );
    let html = |dir: &Path| std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(html(whole), html(sharded), "report.html differs");
    assert!(
        !sharded.join(".simaudit-shards").exists(),
        "work files left behind"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sharded.join("manifest.json")).unwrap())
            .unwrap();
    let whole_manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(whole.join("manifest.json")).unwrap())
            .unwrap();
    for key in ["rows", "findings", "inputs", "outputs"] {
        assert_eq!(manifest[key], whole_manifest[key], "manifest {key}");
    }
}

#[test]
fn sharded_sample_run_equals_the_whole_run() {
    let (whole, sharded) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let points = repo("sample-data/points.csv");
    audit(&sample_extracts(), &points, whole.path(), &[]);
    audit(
        &sample_extracts(),
        &points,
        sharded.path(),
        &["--shards", "3"],
    );
    assert_same_outputs(whole.path(), sharded.path());
}

/// Generated data plants groups of every cross-record rule; with 7 shards most groups of numbers
/// and points straddle shards, so SB002 and PT001 must come from the scan pass to be found at all.
#[test]
fn sharded_generated_run_equals_the_whole_run_masked_too() {
    let dir = tempfile::tempdir().unwrap();
    let (inputs, points) = generated(dir.path(), "20000", "csv", "standard");
    for extra in [&[][..], &["--mask"][..]] {
        let (whole, sharded) = (dir.path().join("whole"), dir.path().join("sharded"));
        let _ = (
            std::fs::remove_dir_all(&whole),
            std::fs::remove_dir_all(&sharded),
        );
        let with = |more: &[&'static str]| [extra, more].concat();
        audit(&inputs, &points, &whole, &with(&[]));
        audit(&inputs, &points, &sharded, &with(&["--shards", "7"]));
        assert_same_outputs(&whole, &sharded);
        let keys = finding_keys(&sharded);
        assert!(keys.iter().any(|k| k.2 == "SB002") && keys.iter().any(|k| k.2 == "PT001"));
    }
}

/// Many findings per row (over a quarter of the rows in cross-record groups): both runs find exactly the
/// planted truth, and the sharded one writes what the whole one does.
#[test]
fn sharded_heavy_run_equals_the_whole_run_and_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (inputs, points) = generated(dir.path(), "20000", "csv", "heavy");
    let (whole, sharded) = (dir.path().join("whole"), dir.path().join("sharded"));
    audit(&inputs, &points, &whole, &[]);
    audit(&inputs, &points, &sharded, &["--shards", "5"]);
    assert_same_outputs(&whole, &sharded);
    let truth = keys_of(&dir.path().join("gen/truth.csv"));
    assert!(truth.len() >= 10_000, "{} planted findings", truth.len());
    assert!(
        finding_keys(&whole) == truth,
        "findings differ from the truth"
    );
}

/// Without findings.csv, a sharded run's findings.parquet and the workbook's findings sheet come from
/// the merge of its shards' files all the same, and no findings.csv is left anywhere.
#[test]
fn sharded_run_without_csv_writes_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (inputs, points) = generated(dir.path(), "8000", "csv", "standard");
    let (whole, sharded) = (dir.path().join("whole"), dir.path().join("sharded"));
    let formats = ["--format", "parquet,xlsx"];
    audit(&inputs, &points, &whole, &formats);
    audit(
        &inputs,
        &points,
        &sharded,
        &[&formats[..], &["--shards", "3"]].concat(),
    );
    assert!(!sharded.join("findings.csv").exists());
    let (a, b) = (
        frame(&whole.join("findings.parquet")),
        frame(&sharded.join("findings.parquet")),
    );
    assert!(
        a.height() > 1000 && a.equals_missing(&b),
        "findings.parquet differs"
    );
    let sheet = |dir: &Path| {
        use calamine::Reader;
        let mut book = calamine::open_workbook_auto(dir.join("report.xlsx")).unwrap();
        let names = book.sheet_names();
        book.worksheet_range(&names[5]).unwrap()
    };
    let (a, b) = (sheet(&whole), sheet(&sharded));
    assert!(a.height() > 1000 && a == b, "the findings sheets differ");
}

/// Parquet inputs are read record batch by record batch in shard passes too.
#[test]
fn sharded_parquet_run_equals_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let (inputs, points) = generated(dir.path(), "8000", "parquet", "standard");
    assert!(inputs.iter().all(|i| i.ends_with(".parquet")));
    let (whole, sharded) = (dir.path().join("whole"), dir.path().join("sharded"));
    audit(&inputs, &points, &whole, &[]);
    audit(&inputs, &points, &sharded, &["--shards", "4"]);
    assert_same_outputs(&whole, &sharded);
}

#[test]
fn shards_out_of_range_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let args = audit_args(&sample_extracts(), dir.path(), &["--shards", "300"]);
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--shards"));
}

/// `check` on an extract too big for memory shards too, and says exactly what it says held in memory.
#[test]
fn sharded_check_equals_the_whole_check() {
    let check = |extra: &[&str]| {
        let mut args = vec!["check".to_string()];
        args.extend(sample_extracts());
        args.extend(
            [
                "--points",
                &repo("sample-data/points.csv").display().to_string(),
            ]
            .map(String::from),
        );
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    for format in ["json", "text"] {
        for fail_on in ["violation", "never"] {
            let base = [
                "--format",
                format,
                "--fail-on",
                fail_on,
                "--quiet",
                "--lang",
                "en",
            ];
            let whole = check(&base);
            let sharded = check(&[&base[..], &["--shards", "3"]].concat());
            assert_eq!(
                whole, sharded,
                "check --format {format} --fail-on {fail_on}"
            );
            assert!(whole.1.contains("violation"));
        }
    }
}

/// What is in `dir` (a spill folder).
fn spills(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Each input is read once: the records go through the spill, whose size the manifest gives and of
/// which nothing is left on disk, even when the run is killed.
#[test]
fn the_spill_is_measured_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let spill = dir.path().join("spill");
    let mine = spill.join("notes");
    std::fs::create_dir_all(&mine).unwrap();
    let out = dir.path().join("out");
    let spill_arg = spill.display().to_string();
    let args = ["--shards", "3", "--spill", &spill_arg];
    audit(
        &sample_extracts(),
        &repo("sample-data/points.csv"),
        &out,
        &args,
    );
    assert_eq!(spills(&spill), ["notes"]);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let bytes = manifest["spill"]["bytes"].as_u64().unwrap();
    let accepted = manifest["rows"]["accepted"].as_u64().unwrap();
    assert!(
        bytes > 20 * accepted && bytes < 200 * accepted,
        "{bytes} bytes"
    );
    assert!(manifest["spill"]["bytes_per_row"].as_f64().unwrap() > 20.0);
    assert_eq!(manifest["shards"]["count"], 3);
    assert_eq!(manifest["shards"]["chosen"], "given");

    // Killed while it reads (after its first batch), as by Ctrl-C or the system.
    let mut all = audit_args(&sample_extracts(), &out, &args);
    all.retain(|a| a != "--quiet");
    let o = bin()
        .args(&all)
        .env("SIMAUDIT_TEST_ABORT", "ingest")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(spills(&spill), ["notes"]);
}

/// A spill folder that runs out of space stops the run with a clear error: no outputs, no spill.
#[test]
fn a_spill_out_of_space_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (inputs, points) = generated(dir.path(), "20000", "csv", "standard");
    let spill = dir.path().join("spill");
    let out = dir.path().join("out");
    let spill_arg = spill.display().to_string();
    let args = audit_args_with(
        &inputs,
        &points,
        &out,
        &["--shards", "3", "--spill", &spill_arg],
    );
    let o = bin()
        .args(&args)
        .env("SIMAUDIT_TEST_SPILL_LIMIT", "100000")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("No space left on device") && err.contains("--spill DIR"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(spills(&spill).is_empty(), "{:?}", spills(&spill));
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|e| e.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(
        left.iter().all(|n| n == ".simaudit.lock"),
        "outputs left: {left:?}"
    );
}

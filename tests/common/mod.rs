//! Helpers shared by the end-to-end tests: run the real binary, read its CSV outputs.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_simaudit"))
}

pub fn run(args: &[&str]) -> Output {
    let out = bin().args(args).output().expect("run simaudit");
    out
}

pub fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "simaudit {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// [`run_ok`] with environment variables set for the run.
pub fn run_ok_with(args: &[impl AsRef<std::ffi::OsStr>], env: &[(&str, &str)]) -> Output {
    let out = bin()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run simaudit");
    assert!(
        out.status.success(),
        "simaudit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The bundled sample's extracts, in name order.
pub fn sample_extracts() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo("sample-data/extracts"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    files
}

/// `simaudit audit` arguments: `inputs` with the sample's points registry, writing quietly into `out`.
pub fn audit_args(inputs: &[String], out: &Path, extra: &[&str]) -> Vec<String> {
    audit_args_with(inputs, &repo("sample-data/points.csv"), out, extra)
}

/// `simaudit audit` arguments: `inputs` with the registry `points`, writing quietly into `out`.
pub fn audit_args_with(
    inputs: &[String],
    points: &Path,
    out: &Path,
    extra: &[&str],
) -> Vec<String> {
    let mut args = vec!["audit".to_string()];
    args.extend(inputs.iter().cloned());
    args.extend([
        "--points".into(),
        points.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--quiet".into(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// An extract generated into `dir/gen` (seed 7) in `format` (csv or parquet) with the generator's
/// `profile`: its carrier files, sorted, and its points.csv.
pub fn generated(dir: &Path, rows: &str, format: &str, profile: &str) -> (Vec<String>, PathBuf) {
    let gen = dir.join("gen");
    let out = gen.display().to_string();
    run_ok(&[
        "generate",
        "--rows",
        rows,
        "--seed",
        "7",
        "--format",
        format,
        "--out",
        &out,
        "--profile",
        profile,
    ]);
    let mut inputs: Vec<String> = std::fs::read_dir(&gen)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            !["points.csv", "truth.csv"].contains(&p.file_name().unwrap().to_str().unwrap())
        })
        .map(|p| p.display().to_string())
        .collect();
    inputs.sort();
    (inputs, gen.join("points.csv"))
}

/// Rows of a CSV file as header-keyed maps.
pub fn read_csv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// (file, row, rule) of a findings.csv or truth.csv.
pub fn keys_of(csv_path: &Path) -> BTreeSet<(String, u32, String)> {
    read_csv(csv_path)
        .into_iter()
        .map(|r| {
            (
                r["file"].clone(),
                r["row"].parse().unwrap(),
                r["rule"].clone(),
            )
        })
        .collect()
}

/// (file, row, rule) of findings.csv in an output folder.
pub fn finding_keys(out: &Path) -> BTreeSet<(String, u32, String)> {
    keys_of(&out.join("findings.csv"))
}

/// Header and well-formed records of the sample's canonical-layout extract. Parquet and Excel cannot
/// hold a record with the wrong field count, so twins in those formats keep only these.
pub fn well_formed_sample() -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let text = std::fs::read_to_string(repo("sample-data/extracts/viettel.csv")).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let header = records[0].clone();
    let rows: Vec<csv::StringRecord> = records[1..]
        .iter()
        .filter(|x| x.len() == header.len())
        .cloned()
        .collect();
    assert!(rows.len() > 1000);
    (header, rows)
}

/// Write a CSV twin holding `header` and `rows`.
pub fn write_csv(path: &Path, header: &csv::StringRecord, rows: &[csv::StringRecord]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

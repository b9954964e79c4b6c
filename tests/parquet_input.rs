//! A Parquet extract audits to the same findings as the same rows in CSV.

mod common;
use common::*;
use polars::prelude::*;
use std::collections::BTreeSet;

#[test]
fn parquet_twin_of_a_csv_gives_the_same_findings() {
    let (header, rows) = well_formed_sample();

    let dir = tempfile::tempdir().unwrap();
    write_csv(&dir.path().join("twin.csv"), &header, &rows);
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(j, name)| {
            StringChunked::from_iter_values(name.into(), rows.iter().map(|row| row.get(j).unwrap()))
                .into_series()
                .into_column()
        })
        .collect();
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    ParquetWriter::new(std::fs::File::create(dir.path().join("twin.parquet")).unwrap())
        .finish(&mut df)
        .unwrap();

    let audit = |input: &str| -> BTreeSet<(u32, String)> {
        let out = dir.path().join(format!("out-{input}"));
        run_ok(&[
            "audit",
            dir.path().join(input).to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--format",
            "csv",
        ]);
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                .unwrap();
        assert_eq!(manifest["inputs"][0]["profile"], "canonical");
        finding_keys(&out)
            .into_iter()
            .map(|(_, row, rule)| (row, rule))
            .collect()
    };
    let from_csv = audit("twin.csv");
    let from_parquet = audit("twin.parquet");
    assert!(from_csv.len() > 100);
    assert_eq!(from_csv, from_parquet);
}

//! An .xlsx and a .csv.gz twin of a sample CSV audit to identical findings.

mod common;
use common::*;
use std::io::Write;

/// Excel serial of `yyyy-mm-dd HH:MM:SS`, as Excel stores a date-time cell.
fn serial(text: &str) -> Option<f64> {
    let at = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()?;
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    Some((at - base).num_seconds() as f64 / 86_400.0)
}

fn audit(dir: &std::path::Path, input: &str) -> std::collections::BTreeSet<(u32, String)> {
    let out = dir.join(format!("out-{input}"));
    run_ok(&[
        "audit",
        dir.join(input).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--format",
        "csv",
    ]);
    finding_keys(&out)
        .into_iter()
        .map(|(_, row, rule)| (row, rule))
        .collect()
}

#[test]
fn xlsx_twin_gives_the_same_findings() {
    let (header, rows) = well_formed_sample();
    let dir = tempfile::tempdir().unwrap();
    write_csv(&dir.path().join("twin.csv"), &header, &rows);

    // As a carrier's Excel export: numbers stored as numbers (the leading 0 of a phone number is lost),
    // activation times as date-time serials, everything else as text.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let datetime = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    for (j, h) in header.iter().enumerate() {
        sheet.write_string(0, j as u16, h).unwrap();
    }
    let (msisdn, activation) = (
        header.iter().position(|h| h == "msisdn").unwrap(),
        header.iter().position(|h| h == "activation_time").unwrap(),
    );
    let mut as_numbers = 0;
    for (i, row) in rows.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let (r, c) = (i as u32 + 1, j as u16);
            match (j, v.parse::<u64>(), serial(v)) {
                (j, Ok(n), _) if j == msisdn => {
                    sheet.write_number(r, c, n as f64).unwrap();
                    as_numbers += 1;
                }
                (j, _, Some(s)) if j == activation => {
                    sheet.write_number_with_format(r, c, s, &datetime).unwrap();
                }
                _ => {
                    sheet.write_string(r, c, v).unwrap();
                }
            }
        }
    }
    assert!(as_numbers > 1000);
    std::fs::write(dir.path().join("twin.xlsx"), book.save_to_buffer().unwrap()).unwrap();

    let from_csv = audit(dir.path(), "twin.csv");
    let from_xlsx = audit(dir.path(), "twin.xlsx");
    assert!(from_csv.len() > 100);
    assert_eq!(from_csv, from_xlsx);
    let manifest = std::fs::read_to_string(dir.path().join("out-twin.xlsx/manifest.json")).unwrap();
    assert!(manifest.contains("\"format\": \"xlsx\""));
    // --sheet names a missing sheet: a clear error listing the sheets.
    let out = run(&[
        "audit",
        dir.path().join("twin.xlsx").to_str().unwrap(),
        "--sheet",
        "Nope",
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sheet1"));
}

#[test]
fn gzip_twin_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(repo("sample-data/extracts/viettel.csv")).unwrap();
    std::fs::write(dir.path().join("viettel.csv"), &bytes).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    std::fs::write(dir.path().join("viettel.csv.gz"), gz.finish().unwrap()).unwrap();
    let plain = audit(dir.path(), "viettel.csv");
    let zipped = audit(dir.path(), "viettel.csv.gz");
    assert!(
        plain.iter().any(|k| k.1 == "DQ001"),
        "rejects count the same way"
    );
    assert_eq!(plain, zipped);
}

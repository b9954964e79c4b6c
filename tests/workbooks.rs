//! A workbook with one sheet per month and a notes sheet: every sheet whose header matches is read,
//! each named `file.xlsx[Sheet]` in the outputs with its own row numbers; the notes sheet is skipped
//! and named in the manifest and on the terminal; `--sheet` restricts.

mod common;
use common::*;

/// `monthly.xlsx`: the sample's well-formed records split over sheets T7, T8, T9 (as text), with a
/// notes sheet "Ghi chú" between T7 and T8; and the same records as one CSV per month.
fn workbook(dir: &std::path::Path) -> Vec<usize> {
    let (header, rows) = well_formed_sample();
    let third = rows.len() / 3;
    let months = [&rows[..third], &rows[third..2 * third], &rows[2 * third..]];
    let mut book = rust_xlsxwriter::Workbook::new();
    for (k, (name, part)) in ["T7", "T8", "T9"].iter().zip(months).enumerate() {
        if k == 1 {
            let notes = book.add_worksheet();
            notes.set_name("Ghi chú").unwrap();
            notes.write_string(0, 0, "Ghi chú").unwrap();
            notes
                .write_string(1, 0, "Số liệu tổng hợp theo tháng, do chi nhánh lập.")
                .unwrap();
        }
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (j, h) in header.iter().enumerate() {
            sheet.write_string(0, j as u16, h).unwrap();
        }
        for (i, row) in part.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                sheet.write_string(i as u32 + 1, j as u16, v).unwrap();
            }
        }
        write_csv(&dir.join(format!("{name}.csv")), &header, part);
    }
    std::fs::write(dir.join("monthly.xlsx"), book.save_to_buffer().unwrap()).unwrap();
    months.iter().map(|m| m.len()).collect()
}

fn audit(dir: &std::path::Path, inputs: &[&str], extra: &[&str]) -> (std::path::PathBuf, String) {
    let out = dir.join(format!("out-{}-{}", inputs.join("+"), extra.join("+")));
    let mut args = vec!["audit".to_string()];
    args.extend(inputs.iter().map(|i| dir.join(i).display().to_string()));
    args.extend([
        "--out".into(),
        out.display().to_string(),
        "--format".into(),
        "csv".into(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let output = run_ok_with(&args, &[]);
    (out, String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn every_matching_sheet_is_read_and_the_others_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let sizes = workbook(dir.path());
    let (out, terminal) = audit(dir.path(), &["monthly.xlsx"], &[]);
    // Each sheet's findings are those of its month's CSV, under the sheet's name.
    let (csvs, _) = audit(dir.path(), &["T7.csv", "T8.csv", "T9.csv"], &[]);
    let renamed: std::collections::BTreeSet<(String, u32, String)> = finding_keys(&csvs)
        .into_iter()
        .map(|(file, row, rule)| {
            (
                format!("monthly.xlsx[{}]", file.trim_end_matches(".csv")),
                row,
                rule,
            )
        })
        .collect();
    assert!(renamed.len() > 100);
    assert_eq!(finding_keys(&out), renamed);
    // Every record is counted, sheet by sheet; the notes sheet is named, not read.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let inputs = manifest["inputs"].as_array().unwrap();
    let read: Vec<(String, u64)> = inputs
        .iter()
        .map(|i| {
            (
                i["file"].as_str().unwrap().to_string(),
                i["rows_read"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("monthly.xlsx[T7]".to_string(), sizes[0] as u64),
            ("monthly.xlsx[T8]".to_string(), sizes[1] as u64),
            ("monthly.xlsx[T9]".to_string(), sizes[2] as u64),
        ]
    );
    assert_eq!(manifest["rows"]["read"], sizes.iter().sum::<usize>() as u64);
    let skipped = manifest["skipped_sheets"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["sheet"], "Ghi chú");
    assert!(terminal.contains("monthly.xlsx[Ghi chú]"), "{terminal}");

    // --sheet restricts (repeatable); a sheet that no workbook has is an error naming the sheets.
    let (only, _) = audit(
        dir.path(),
        &["monthly.xlsx"],
        &["--sheet", "T8", "--sheet", "T9"],
    );
    let files: std::collections::BTreeSet<String> =
        finding_keys(&only).into_iter().map(|k| k.0).collect();
    assert_eq!(
        files,
        ["monthly.xlsx[T8]", "monthly.xlsx[T9]"]
            .map(String::from)
            .into()
    );
    let missing = run(&[
        "audit",
        dir.path().join("monthly.xlsx").to_str().unwrap(),
        "--sheet",
        "T12",
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("T12") && err.contains("T7, Ghi chú, T8, T9"),
        "{err}"
    );
    // --sheet naming the notes sheet: its missing columns are the error.
    let notes = run(&[
        "audit",
        dir.path().join("monthly.xlsx").to_str().unwrap(),
        "--sheet",
        "Ghi chú",
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(notes.status.code(), Some(2));
}

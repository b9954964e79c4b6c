//! report.xlsx read back with a spreadsheet reader: sheets, headers in both languages, row counts equal
//! to the CSV outputs, numbers, percentages and dates as such, and the findings-cap note.

mod common;
use calamine::{open_workbook_auto, Data, Reader};
use common::*;
use std::path::Path;

fn audit_to(out: &Path, extra: &[&str], env: Option<(&str, &str)>) {
    let mut cmd = bin();
    cmd.args(audit_args(&sample_extracts(), out, extra));
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A sheet's first row as text.
fn header_of(sheet: &calamine::Range<Data>) -> Vec<String> {
    let first = sheet.rows().next().unwrap();
    first.iter().map(|c| c.to_string()).collect()
}

fn csv_rows(path: &Path) -> usize {
    read_csv(path).len()
}

#[test]
fn vietnamese_report_matches_the_csv_outputs() {
    let dir = tempfile::tempdir().unwrap();
    audit_to(dir.path(), &[], None);
    let mut book = open_workbook_auto(dir.path().join("report.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Tổng hợp",
            "Theo nhà mạng",
            "Theo điểm",
            "Theo quy tắc",
            "Giấy tờ vượt hạn mức",
            "Phát hiện",
            "Giải thích quy tắc"
        ]
    );
    for (sheet, csv) in [
        ("Theo nhà mạng", "by_carrier.csv"),
        ("Theo điểm", "by_point.csv"),
        ("Theo quy tắc", "by_rule.csv"),
        ("Giấy tờ vượt hạn mức", "ids_over_limit.csv"),
        ("Phát hiện", "findings.csv"),
    ] {
        let range = book.worksheet_range(sheet).unwrap();
        assert_eq!(
            range.height() - 1,
            csv_rows(&dir.path().join(csv)),
            "{sheet}"
        );
    }
    let carriers = book.worksheet_range("Theo nhà mạng").unwrap();
    let header = header_of(&carriers);
    assert_eq!(
        &header[..5],
        [
            "Nhà mạng",
            "Tổng thuê bao",
            "Đang hoạt động",
            "Bị đánh dấu",
            "Tỷ lệ bị đánh dấu"
        ]
    );
    let first = carriers.rows().nth(1).unwrap();
    assert!(matches!(first[1], Data::Float(_)), "counts are numbers");
    match first[4] {
        Data::Float(p) => assert!(
            (0.0..=1.0).contains(&p),
            "percent as a fraction with a % format"
        ),
        ref other => panic!("flagged_pct is {other:?}"),
    }
    let ids = book.worksheet_range("Giấy tờ vượt hạn mức").unwrap();
    assert!(
        matches!(ids.rows().nth(1).unwrap()[6], Data::DateTime(_)),
        "activation dates are dates"
    );
    let rules = book.worksheet_range("Giải thích quy tắc").unwrap();
    assert_eq!(rules.height() - 1, simaudit::rules::RULES.len());
}

#[test]
fn english_report_and_findings_cap_note() {
    let dir = tempfile::tempdir().unwrap();
    audit_to(
        dir.path(),
        &["--lang", "en"],
        Some(("SIMAUDIT_XLSX_FINDINGS_CAP", "10")),
    );
    let mut book = open_workbook_auto(dir.path().join("report.xlsx")).unwrap();
    assert_eq!(book.sheet_names()[0], "Summary");
    let findings = book.worksheet_range("Findings").unwrap();
    assert_eq!(findings.height(), 11);
    let header = header_of(&findings);
    assert_eq!(&header[..3], ["File", "Row", "Carrier"]);
    let summary = book.worksheet_range("Summary").unwrap();
    let note = summary
        .rows()
        .find(|r| matches!(&r[0], Data::String(s) if s == "Note"))
        .expect("a note about the cap");
    assert!(note[1].to_string().contains("first 10 of"));
}

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
    // Values in Vietnamese: the by-rule sheet's names and severities, the findings' severities and
    // subscriber types, the by-point sheet's point types.
    let mut cells = |sheet: &str, column: usize| -> std::collections::BTreeSet<String> {
        let range = book.worksheet_range(sheet).unwrap();
        range
            .rows()
            .skip(1)
            .map(|r| r[column].to_string())
            .collect()
    };
    let by_rule = cells("Theo quy tắc", 1);
    assert!(by_rule.contains("Thiếu số giấy tờ") && !by_rule.contains("id-missing"));
    assert_eq!(
        cells("Theo quy tắc", 2),
        ["cảnh báo", "thông tin", "vi phạm"]
            .map(String::from)
            .into()
    );
    assert!(cells("Phát hiện", 10).is_subset(
        &["cảnh báo", "thông tin", "vi phạm"]
            .map(String::from)
            .into()
    ));
    assert!(cells("Phát hiện", 4).contains("Cá nhân"));
    assert!(cells("Theo điểm", 4).contains("Đại lý"));
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

/// The parts of the workbook's zip as text.
fn parts(path: &Path) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut f, &mut text).unwrap();
            (f.name().unwrap().to_string(), text)
        })
        .collect()
}

#[test]
fn report_xlsx_is_print_ready_with_a_titled_summary() {
    let dir = tempfile::tempdir().unwrap();
    audit_to(dir.path(), &[], None);
    let xlsx = dir.path().join("report.xlsx");
    let parts = parts(&xlsx);
    let sheets: Vec<&String> = parts
        .keys()
        .filter(|k| k.starts_with("xl/worksheets/sheet"))
        .collect();
    assert_eq!(sheets.len(), 7);
    for name in &sheets {
        let xml = &parts[*name];
        // A4 landscape, fitted to one page wide, title in the page header, page numbers in the footer.
        assert!(
            xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
            "{name}: fit to page"
        );
        assert!(
            xml.contains(r#"paperSize="9""#) && xml.contains(r#"orientation="landscape""#),
            "{name}: A4 landscape"
        );
        assert!(
            xml.contains(r#"fitToHeight="0""#),
            "{name}: as many pages tall as needed"
        );
        assert!(
            xml.contains("Báo cáo kiểm tra thông tin thuê bao di động"),
            "{name}: title"
        );
        assert!(
            xml.contains("Trang &amp;P / &amp;N"),
            "{name}: page numbers"
        );
    }
    // The header row repeats on every printed page of each table sheet (all but the summary).
    let workbook = &parts["xl/workbook.xml"];
    assert_eq!(
        workbook.matches("_xlnm.Print_Titles").count(),
        6,
        "{workbook}"
    );
    assert!(workbook.contains("'Theo nhà mạng'!$1:$1"));

    let mut book = open_workbook_auto(&xlsx).unwrap();
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let rows: Vec<Vec<String>> = summary
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "Báo cáo kiểm tra thông tin thuê bao di động");
    let line = |label: &str| {
        rows.iter()
            .find(|r| r[0].starts_with(label))
            .unwrap_or_else(|| panic!("no line {label}: {rows:?}"))[1]
            .clone()
    };
    // The sample's activations run from 2023 to 2024 (day/month/year).
    let period = line("Kỳ kiểm tra");
    assert!(
        regex::Regex::new(r"^\d{2}/\d{2}/20\d{2} – \d{2}/\d{2}/20\d{2}$")
            .unwrap()
            .is_match(&period),
        "{period}"
    );
    assert_eq!(line("Bộ quy tắc"), "vn-2024");
    assert_eq!(line("SHA-256 của bộ quy tắc").len(), 64);
    assert!(rows.iter().any(|r| r[0] == "Tệp viettel.csv"));
}

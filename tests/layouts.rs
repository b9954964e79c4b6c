//! Files as people make them: a point's report with the national motto, a title, a row numbering the
//! columns, totals and a signature block; two exports pasted one under the other. The title block,
//! column numbers, repeated header and footer are skipped, counted by kind and listed; the records
//! audit exactly as their clean twin; read = accepted + rejected + skipped.

mod common;
use common::*;
use std::path::Path;

/// The first `n` well-formed records of the sample's canonical extract, as CSV lines.
fn records(n: usize) -> (String, Vec<String>) {
    let (header, rows) = well_formed_sample();
    let line = |r: &csv::StringRecord| {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(r).unwrap();
        String::from_utf8(w.into_inner().unwrap())
            .unwrap()
            .trim_end()
            .to_string()
    };
    (line(&header), rows.iter().take(n).map(line).collect())
}

fn audit(
    dir: &Path,
    file: &str,
    extra: &[&str],
) -> (std::path::PathBuf, serde_json::Value, String) {
    let out = dir.join(format!("out-{file}"));
    let mut args: Vec<String> = vec!["audit".into(), dir.join(file).display().to_string()];
    args.extend(["--out", &out.display().to_string(), "--format", "csv"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let output = run_ok_with(&args, &[]);
    let manifest =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    (
        out,
        manifest,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// (row, rule) of every finding.
fn findings(out: &Path) -> std::collections::BTreeSet<(u32, String)> {
    finding_keys(out)
        .into_iter()
        .map(|(_, row, rule)| (row, rule))
        .collect()
}

fn skipped(manifest: &serde_json::Value) -> Vec<(u64, String)> {
    manifest["inputs"][0]["skipped_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["line"].as_u64().unwrap(),
                s["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn read_adds_up(manifest: &serde_json::Value) {
    let i = &manifest["inputs"][0];
    let n = |k: &str| i[k].as_u64().unwrap();
    assert_eq!(
        n("rows_read"),
        n("rows_accepted") + n("rows_rejected") + n("rows_skipped")
    );
}

#[test]
fn a_points_report_with_title_block_column_numbers_and_footer() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = records(300);
    let width = header.split(',').count();
    let pad = |text: &str| format!("{text}{}", ",".repeat(width - 1));
    let numbers: Vec<String> = (1..=width).map(|k| k.to_string()).collect();
    let mut messy = vec![
        pad("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        pad("Độc lập - Tự do - Hạnh phúc"),
        pad(""),
        pad("DANH SÁCH THUÊ BAO ĐĂNG KÝ TẠI ĐIỂM VT-HY-001 THÁNG 9/2024"),
        header.clone(),
        numbers.join(","),
    ];
    messy.extend(rows.iter().cloned());
    messy.push(pad("Tổng cộng: 300 thuê bao"));
    messy.push(format!(
        "Người lập biểu,,,,,,,,Giám đốc{}",
        ",".repeat(width - 9)
    ));
    messy.push(pad("\"(Ký, ghi rõ họ tên)\""));
    std::fs::write(dir.path().join("report.csv"), messy.join("\n") + "\n").unwrap();
    // The first record's ID number, which inspect must not show unless asked.
    let raw_id = rows[0].split(',').nth(7).unwrap().to_string();
    let clean = [vec![header], rows].concat();
    std::fs::write(dir.path().join("clean.csv"), clean.join("\n") + "\n").unwrap();

    let (out, manifest, terminal) = audit(dir.path(), "report.csv", &[]);
    let (clean_out, clean_manifest, _) = audit(dir.path(), "clean.csv", &[]);
    assert!(findings(&clean_out).len() > 10);
    assert_eq!(findings(&out), findings(&clean_out));
    assert_eq!(
        skipped(&manifest),
        [
            (1, "title"),
            (2, "title"),
            (3, "title"),
            (4, "title"),
            (6, "column_numbers"),
            (307, "footer"),
            (308, "footer"),
            (309, "footer"),
        ]
        .map(|(l, k)| (l, k.to_string()))
    );
    let input = &manifest["inputs"][0];
    assert_eq!(input["header_line"], 5);
    assert_eq!(input["rows_accepted"], 300);
    assert_eq!(input["rows_skipped"], 8);
    assert_eq!(input["skipped_by_kind"]["title"], 4);
    assert_eq!(input["skipped_by_kind"]["footer"], 3);
    assert_eq!(clean_manifest["inputs"][0]["rows_skipped"], 0);
    read_adds_up(&manifest);
    assert!(
        terminal.contains("8 (title 4, column_numbers 1, footer 3"),
        "{terminal}"
    );

    // inspect tells the same story without auditing: where the header is, what was skipped, the
    // profiles' matches, the first records (masked unless asked).
    let report = dir.path().join("report.csv").display().to_string();
    let inspected = run_ok(&["inspect", &report, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(doc["schema"], "simaudit-inspect/1");
    let src = &doc["sources"][0];
    assert_eq!(src["header_line"], 5);
    assert_eq!(src["title_lines"].as_array().unwrap().len(), 4);
    assert_eq!(src["profile"], "canonical");
    assert_eq!(src["lines"]["skipped_by_kind"]["footer"], 3);
    assert_eq!(src["lines"]["accepted"], 300);
    let first = src["first_records"].as_array().unwrap();
    assert_eq!(first.len(), 5);
    assert_eq!(first[0]["row"], 1);
    assert!(!inspected
        .stdout
        .windows(raw_id.len())
        .any(|w| w == raw_id.as_bytes()));
    let shown = run_ok(&["inspect", &report, "--format", "json", "--show-values"]);
    assert!(shown
        .stdout
        .windows(raw_id.len())
        .any(|w| w == raw_id.as_bytes()));
    let text = String::from_utf8(run_ok(&["inspect", &report]).stdout).unwrap();
    assert!(
        text.contains("header on line 5 (4 title line(s) above it skipped)"),
        "{text}"
    );
    assert!(
        text.contains("column_numbers 1") && text.contains("footer 3"),
        "{text}"
    );

    // The header named by hand gives the same reading; a row that is not among the first ones is an error.
    let (again, _, _) = audit(dir.path(), "report.csv", &["--header-row", "5"]);
    assert_eq!(findings(&again), findings(&clean_out));
    let wrong = run(&[
        "audit",
        dir.path().join("report.csv").to_str().unwrap(),
        "--header-row",
        "200",
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    // Every ingest error points to inspect.
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(stderr.contains("Run `simaudit inspect"), "{stderr}");
    // --mask withholds what skipped lines hold.
    let (_, masked, _) = audit(dir.path(), "report.csv", &["--mask"]);
    assert!(masked["inputs"][0]["skipped_lines"][0]["text"] == "");
    assert!(manifest["inputs"][0]["skipped_lines"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("CỘNG HÒA"));
}

#[test]
fn two_exports_pasted_together() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = records(300);
    let mut pasted = vec![header.clone()];
    pasted.extend(rows[..120].iter().cloned());
    pasted.push(header.clone());
    pasted.extend(rows[120..].iter().cloned());
    std::fs::write(dir.path().join("pasted.csv"), pasted.join("\n") + "\n").unwrap();
    let clean = [vec![header], rows].concat();
    std::fs::write(dir.path().join("clean.csv"), clean.join("\n") + "\n").unwrap();
    let (out, manifest, _) = audit(dir.path(), "pasted.csv", &[]);
    let (clean_out, _, _) = audit(dir.path(), "clean.csv", &[]);
    // No finding on the header's words; every record as in the clean file.
    assert!(findings(&clean_out).len() > 10);
    assert_eq!(findings(&out), findings(&clean_out));
    assert_eq!(skipped(&manifest), [(122, "repeated_header".to_string())]);
    read_adds_up(&manifest);
}

#[test]
fn a_workbook_report_with_title_and_footer() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = well_formed_sample();
    let rows = &rows[..300];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 3, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        .unwrap();
    sheet
        .write_string(1, 3, "Độc lập - Tự do - Hạnh phúc")
        .unwrap();
    sheet
        .write_string(3, 0, "DANH SÁCH THUÊ BAO THÁNG 9/2024")
        .unwrap();
    for (j, h) in header.iter().enumerate() {
        sheet.write_string(5, j as u16, h).unwrap();
        sheet
            .write_string(6, j as u16, format!("({})", j + 1))
            .unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            sheet.write_string(7 + i as u32, j as u16, v).unwrap();
        }
    }
    let end = 7 + rows.len() as u32;
    sheet.write_string(end + 1, 0, "Tổng cộng").unwrap();
    sheet.write_number(end + 1, 4, rows.len() as f64).unwrap();
    sheet.write_string(end + 3, 1, "Người lập biểu").unwrap();
    sheet.write_string(end + 3, 8, "Giám đốc").unwrap();
    std::fs::write(
        dir.path().join("report.xlsx"),
        book.save_to_buffer().unwrap(),
    )
    .unwrap();
    write_csv(&dir.path().join("clean.csv"), &header, rows);
    let (out, manifest, _) = audit(dir.path(), "report.xlsx", &[]);
    let (clean_out, _, _) = audit(dir.path(), "clean.csv", &[]);
    assert_eq!(findings(&out), findings(&clean_out));
    // Sheet rows as a spreadsheet numbers them (empty rows are not lines of their own).
    let end = u64::from(end);
    assert_eq!(
        skipped(&manifest),
        [
            (1, "title"),
            (2, "title"),
            (4, "title"),
            (7, "column_numbers"),
            (end + 2, "footer"),
            (end + 4, "footer")
        ]
        .map(|(l, k)| (l, k.to_string()))
    );
    assert_eq!(manifest["inputs"][0]["header_line"], 6);
    read_adds_up(&manifest);
}

/// Two reports pasted together, each with its title, column numbers and footer (the second keeping
/// its byte-order mark), and footer lines holding a date and a phone number outside the number
/// columns: everything between the two tables is skipped, nothing becomes a record.
#[test]
fn two_reports_pasted_together_with_titles_and_footers() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = records(200);
    let width = header.split(',').count();
    let pad = |text: &str| format!("{text}{}", ",".repeat(width - 1));
    let numbers: Vec<String> = (1..=width).map(|k| format!("({k})")).collect();
    let mut pasted = vec![
        pad("DANH SÁCH THUÊ BAO THÁNG 8"),
        header.clone(),
        numbers.join(","),
    ];
    pasted.extend(rows[..100].iter().cloned());
    pasted.push(pad("Ngày 31/08/2024"));
    pasted.push(pad("Người lập biểu: ĐT 0912345678"));
    pasted.push(pad("DANH SÁCH THUÊ BAO THÁNG 9"));
    pasted.push(format!("\u{feff}{header}"));
    pasted.push(numbers.join(","));
    pasted.extend(rows[100..].iter().cloned());
    pasted.push(pad("Ngày 30/09/2024"));
    std::fs::write(dir.path().join("pasted.csv"), pasted.join("\n") + "\n").unwrap();
    let clean = [vec![header], rows].concat();
    std::fs::write(dir.path().join("clean.csv"), clean.join("\n") + "\n").unwrap();
    let (out, manifest, _) = audit(dir.path(), "pasted.csv", &[]);
    let (clean_out, _, _) = audit(dir.path(), "clean.csv", &[]);
    assert_eq!(findings(&out), findings(&clean_out));
    let kinds: Vec<String> = skipped(&manifest).into_iter().map(|(_, k)| k).collect();
    assert_eq!(
        kinds,
        [
            "title",
            "column_numbers",
            "title",
            "title",
            "title",
            "repeated_header",
            "column_numbers",
            "footer"
        ]
    );
    assert_eq!(manifest["inputs"][0]["rows_accepted"], 200);
    read_adds_up(&manifest);
}

/// inspect on a file that does not load: the error, and where a header was looked for.
#[test]
fn inspect_explains_a_file_that_does_not_load() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Báo cáo tháng 9\nso,ten,ngay\n0912345678,Nguyen Van A,01/01/1990\n",
    )
    .unwrap();
    let out = run(&["inspect", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the first rows, where a header is looked for"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 3") && !stdout.contains("0912345678"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("required column") && !stderr.contains("Run `simaudit inspect"));
    let shown = run(&["inspect", bad.to_str().unwrap(), "--show-values"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("0912345678"));
}

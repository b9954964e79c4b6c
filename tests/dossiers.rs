//! `audit --dossiers`: one print-ready workbook per point with a violation or a warning, its cover
//! counts equal to by_point.csv, every flagged subscription listed, and the page setup read back.

mod common;
use calamine::{open_workbook_auto, Data, Reader};
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn sheet_rows(path: &Path, sheet: usize) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(path).unwrap();
    let name = book.sheet_names()[sheet].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

#[test]
fn a_dossier_per_flagged_point_with_its_counts_its_rows_and_print_setup() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Only CSV asked for: --dossiers writes the Parquet outputs it is made from.
    run_ok_with(
        &audit_args(&sample_extracts(), &out, &["--dossiers", "--format", "csv"]),
        &[],
    );
    let by_point = read_csv(&out.join("by_point.csv"));
    let flagged_points: Vec<&BTreeMap<String, String>> = by_point
        .iter()
        .filter(|r| r["with_violation"] != "0" || r["with_warning"] != "0")
        // Rows without a point have no point to visit.
        .filter(|r| !r["point_id"].is_empty())
        .collect();
    assert!(flagged_points.len() > 20);
    let index = read_csv(&out.join("dossiers/index.csv"));
    assert_eq!(index.len(), flagged_points.len());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "dossiers"));

    // The rows with a violation or a warning, per (carrier, point), from findings.csv.
    let mut flagged_rows: BTreeMap<(String, String), BTreeSet<(String, String)>> = BTreeMap::new();
    for f in read_csv(&out.join("findings.csv")) {
        if f["severity"] != "info" && f["rule"] != "DQ001" {
            flagged_rows
                .entry((f["carrier"].clone(), f["point_id"].clone()))
                .or_default()
                .insert((f["file"].clone(), f["row"].clone()));
        }
    }
    let rule_columns: Vec<&String> = by_point[0]
        .keys()
        .filter(|k| k.len() == 5 && k[2..].chars().all(|c| c.is_ascii_digit()))
        .collect();
    for (point, entry) in flagged_points.iter().zip(&index) {
        assert_eq!(
            (&point["carrier"], &point["point_id"]),
            (&entry["carrier"], &entry["point_id"])
        );
        let path = out.join("dossiers").join(&entry["dossier"]);
        assert!(path.exists(), "{}", path.display());
        // Cover: counts by rule equal to by_point.csv.
        let cover = sheet_rows(&path, 0);
        let counts: BTreeMap<String, String> = cover
            .iter()
            .filter(|r| r.len() >= 4 && rule_columns.contains(&&r[0]))
            .map(|r| (r[0].clone(), r[3].clone()))
            .collect();
        let want: BTreeMap<String, String> = rule_columns
            .iter()
            .filter(|c| point[**c] != "0")
            .map(|c| ((*c).clone(), point[*c].clone()))
            .collect();
        assert_eq!(counts, want, "{}", path.display());
        assert!(cover
            .iter()
            .any(|r| r[0] == "Kỳ kiểm tra (kích hoạt đầu tiên – cuối cùng)"));
        // Flagged subscriptions: one row each (between the header and the signature block).
        let rows = sheet_rows(&path, 1);
        let listed = rows
            .iter()
            .skip(1)
            .take_while(|r| r.iter().any(|c| !c.is_empty()))
            .count();
        let key = (point["carrier"].clone(), point["point_id"].clone());
        assert_eq!(
            listed,
            flagged_rows.get(&key).map_or(0, BTreeSet::len),
            "{}",
            path.display()
        );
        assert_eq!(listed.to_string(), point["flagged"], "{}", path.display());
        assert!(
            rows.iter().any(|r| r.iter().any(|c| c == "Đại diện điểm"))
                && rows.iter().any(|r| r.iter().any(|c| c == "Đoàn kiểm tra"))
        );
        // Print-ready: A4 landscape, one page wide, the header row repeated, title and page numbers.
        for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
            let xml = part(&path, sheet);
            assert!(xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{sheet}");
            assert!(xml.contains(r#"orientation="landscape""#) && xml.contains(r#"paperSize="9""#));
            assert!(xml.contains("Hồ sơ kiểm tra điểm") && xml.contains("Trang &amp;P / &amp;N"));
        }
        assert!(part(&path, "xl/workbook.xml").contains("_xlnm.Print_Titles"));
    }
}

#[test]
fn sharded_runs_make_the_same_dossiers_and_clashing_codes_get_their_own() {
    let dir = tempfile::tempdir().unwrap();
    // The sample, with three more points whose codes make the same file name.
    let (header, mut rows) = well_formed_sample();
    let point = header.iter().position(|h| h == "point_id").unwrap();
    let name = header.iter().position(|h| h == "full_name").unwrap();
    for (k, code) in ["A/B", "A_B", "a_b"].iter().enumerate() {
        let mut fields: Vec<String> = rows[k].iter().map(str::to_string).collect();
        fields[point] = code.to_string();
        fields[name] = String::new(); // PS001: a violation at each
        rows[k] = csv::StringRecord::from(fields);
    }
    let input = dir.path().join("viettel.csv");
    write_csv(&input, &header, &rows);
    let inputs = vec![input.display().to_string()];
    let (whole, sharded) = (dir.path().join("whole"), dir.path().join("sharded"));
    run_ok_with(&audit_args(&inputs, &whole, &["--dossiers"]), &[]);
    run_ok_with(
        &audit_args(&inputs, &sharded, &["--dossiers", "--shards", "3"]),
        &[],
    );
    let index = read_csv(&whole.join("dossiers/index.csv"));
    let files: Vec<&str> = index
        .iter()
        .filter(|r| ["A/B", "A_B", "a_b"].contains(&r["point_id"].as_str()))
        .map(|r| r["dossier"].as_str())
        .collect();
    assert_eq!(files.len(), 3);
    let distinct: BTreeSet<String> = files.iter().map(|f| f.to_lowercase()).collect();
    assert_eq!(distinct.len(), 3, "{files:?}");
    assert_eq!(
        std::fs::read(whole.join("dossiers/index.csv")).unwrap(),
        std::fs::read(sharded.join("dossiers/index.csv")).unwrap()
    );
    for entry in &index {
        let (a, b) = (
            whole.join("dossiers").join(&entry["dossier"]),
            sharded.join("dossiers").join(&entry["dossier"]),
        );
        assert_eq!(sheet_rows(&a, 1), sheet_rows(&b, 1), "{}", entry["dossier"]);
        assert_eq!(sheet_rows(&a, 0), sheet_rows(&b, 0), "{}", entry["dossier"]);
    }
}

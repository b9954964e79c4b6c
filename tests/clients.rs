//! The outputs in the programs people open them with.
//!
//! - Parquet: `tests/clients/read_parquet.py` reads findings.parquet and subscriptions.parquet with
//!   pandas, polars (Python) and DuckDB and compares them with findings.csv and manifest.json of the
//!   same run; for a run in memory, a sharded run, both masking levels and row groups of 100 rows.
//! - Excel: LibreOffice (headless) opens report.xlsx and turns its by-carrier sheet into CSV, which
//!   must equal by_carrier.csv; a workbook LibreOffice would have to repair fails the conversion.
//!
//! The Python with those packages: $SIMAUDIT_PYTHON; LibreOffice: `soffice` or `libreoffice` on PATH.
//! Without them the tests are skipped, unless SIMAUDIT_REQUIRE_CLIENTS is set (as `.ci/run` does,
//! after installing them).

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn required() -> bool {
    std::env::var_os("SIMAUDIT_REQUIRE_CLIENTS").is_some_and(|v| !v.is_empty())
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// A client `found`, or None (the caller skips) when it is missing and clients are not
/// required; `missing` says what to provide.
fn client(found: Option<PathBuf>, missing: &str) -> Option<PathBuf> {
    assert!(
        found.is_some() || !required(),
        "SIMAUDIT_REQUIRE_CLIENTS is set but {missing}"
    );
    if found.is_none() {
        eprintln!("skipped: {missing}");
    }
    found
}

fn python() -> Option<PathBuf> {
    client(
        std::env::var_os("SIMAUDIT_PYTHON")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
        "no SIMAUDIT_PYTHON (a Python with pandas, pyarrow, polars, duckdb)",
    )
}

fn soffice() -> Option<PathBuf> {
    client(
        on_path(&["soffice", "libreoffice"]),
        "no LibreOffice (soffice) on PATH",
    )
}

/// Sheet number `sheet` (1-based) of the workbook `book` as LibreOffice converts it to CSV (UTF-8,
/// values as stored rather than as formatted), read back as cells; a workbook LibreOffice cannot
/// open fails here.
fn libreoffice_sheet(soffice: &Path, book: &Path, sheet: usize, work: &Path) -> Vec<Vec<String>> {
    let converted = work.join(format!("converted-{sheet}"));
    let filter = format!(
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}"
    );
    let result = Command::new(soffice)
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            &filter,
            "--outdir",
        ])
        .arg(&converted)
        .arg(book)
        // A profile of its own, so a LibreOffice already running elsewhere is not asked instead.
        .env("HOME", work)
        .output()
        .expect("run LibreOffice");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(
        result.status.success(),
        "LibreOffice failed on {}: {said}",
        book.display()
    );
    let csv = std::fs::read_dir(&converted)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .unwrap_or_else(|| panic!("LibreOffice wrote no CSV from {}: {said}", book.display()));
    cells(&csv)
}

fn audit_sample(out: &Path, extra: &[&str], env: &[(&str, &str)]) {
    run_ok_with(&audit_args(&sample_extracts(), out, extra), env);
}

/// Runs read_parquet.py on `out`, telling it the row group size the run was given, if any.
fn read_with_python(python: &Path, out: &Path, group_rows: Option<&str>) {
    let result = Command::new(python)
        .arg(repo("tests/clients/read_parquet.py"))
        .arg(out)
        .args(group_rows)
        .output()
        .expect("run Python");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(result.status.success(), "{said}");
    eprintln!("{}", said.trim());
}

#[test]
fn pandas_polars_and_duckdb_read_every_parquet_output() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    /// A run's name, its arguments beyond the sample's and its environment.
    type Case<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);
    let key = ("SIMAUDIT_MASK_KEY", "clients-test");
    let cases: [Case; 5] = [
        ("in-memory", &[], &[key]),
        ("sharded", &["--shards", "3"], &[key]),
        ("masked", &["--mask"], &[key]),
        ("strict", &["--mask", "strict"], &[key]),
        // Row groups of 100 rows: columns read across many groups.
        (
            "small groups",
            &[],
            &[("SIMAUDIT_PARQUET_CHUNK_ROWS", "100")],
        ),
    ];
    for (name, extra, env) in cases {
        let out = dir.path().join(name);
        audit_sample(&out, extra, env);
        let group_rows = env
            .iter()
            .find(|(name, _)| *name == "SIMAUDIT_PARQUET_CHUNK_ROWS")
            .map(|(_, rows)| *rows);
        read_with_python(&python, &out, group_rows);
    }
}

/// The cells of a CSV file LibreOffice or simaudit wrote, numbers compared as numbers (LibreOffice
/// writes 12.5 where simaudit writes 12.50).
fn cells(path: &Path) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap();
    rdr.records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|c| match c.parse::<f64>() {
                    Ok(x) => format!("{x:.4}"),
                    Err(_) => c.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn libreoffice_opens_report_xlsx_and_its_by_carrier_sheet_equals_by_carrier_csv() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    audit_sample(&out, &["--lang", "en"], &[]);
    // Sheet 2: by carrier.
    let from_xlsx = libreoffice_sheet(&soffice, &out.join("report.xlsx"), 2, dir.path());
    let from_csv = cells(&out.join("by_carrier.csv"));
    // Headers are labels (translated in the workbook); the data rows must match cell for cell,
    // percentages being stored as fractions in the workbook.
    assert!(from_xlsx.len() > 1, "no carrier rows: {from_xlsx:?}");
    assert_eq!(from_xlsx.len(), from_csv.len(), "{from_xlsx:?}");
    let header = &from_csv[0];
    for (x, c) in from_xlsx.iter().zip(&from_csv).skip(1) {
        assert_eq!(x.len(), c.len(), "{x:?} vs {c:?}");
        for ((xv, cv), column) in x.iter().zip(c).zip(header) {
            if column.ends_with("_pct") {
                // LibreOffice writes the stored fraction as a percentage at full precision.
                let shown: f64 = match xv.strip_suffix('%') {
                    Some(pct) => pct.parse().unwrap(),
                    None => xv.parse::<f64>().unwrap() * 100.0,
                };
                let cv: f64 = cv.parse().unwrap();
                assert!((shown - cv).abs() < 0.006, "{column}: {xv} vs {cv}");
            } else {
                assert_eq!(xv, cv, "{column}");
            }
        }
    }
}

#[test]
fn libreoffice_opens_a_dossier_and_compare_xlsx() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    audit_sample(&out, &["--dossiers"], &[]);
    let index = read_csv(&out.join("dossiers/index.csv"));
    let first = out.join("dossiers").join(&index[0]["dossier"]);
    let viettel: Vec<String> = sample_extracts()
        .into_iter()
        .filter(|f| f.ends_with("viettel.csv"))
        .collect();
    let later = dir.path().join("later");
    run_ok_with(&audit_args(&viettel, &later, &[]), &[]);
    let compared = dir.path().join("compared");
    run_ok(&[
        "compare",
        out.to_str().unwrap(),
        later.to_str().unwrap(),
        "--out",
        compared.to_str().unwrap(),
        "--quiet",
    ]);
    for (book, sheet, expect) in [
        (
            first.clone(),
            2,
            index[0]["flagged"].parse::<usize>().unwrap(),
        ),
        (
            compared.join("compare.xlsx"),
            1,
            read_csv(&compared.join("by_point_changes.csv")).len(),
        ),
    ] {
        // The header, then one line per row (a dossier's sheet ends with its signature block).
        let rows = libreoffice_sheet(&soffice, &book, sheet, dir.path());
        let data = rows
            .iter()
            .skip(1)
            .take_while(|r| r.iter().any(|c| !c.is_empty()))
            .count();
        assert_eq!(data, expect, "{}", book.display());
    }
}

/// A findings sheet of many rows — made and compressed in pieces of a few thousand rows, over several
/// blocks of findings — opens in LibreOffice and holds findings.csv's rows, in order.
#[test]
fn libreoffice_reads_a_findings_sheet_of_many_pieces_as_findings_csv() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (inputs, points) = generated(dir.path(), "20000", "csv", "heavy");
    let out = dir.path().join("out");
    let args = audit_args_with(
        &inputs,
        &points,
        &out,
        &["--lang", "en", "--format", "csv,xlsx"],
    );
    // Blocks of 5,000 findings in pieces of 4,096 rows: a piece never spans two blocks, so whole and
    // short pieces alternate.
    run_ok_with(&args, &[("SIMAUDIT_PARQUET_CHUNK_ROWS", "5000")]);
    let from_csv = cells(&out.join("findings.csv"));
    assert!(from_csv.len() > 2 * 5000, "{} findings", from_csv.len());
    // Sheet 6: the findings (after the summary, the three tables and the IDs over the limit).
    let from_xlsx = libreoffice_sheet(&soffice, &out.join("report.xlsx"), 6, dir.path());
    assert_eq!(from_xlsx.len(), from_csv.len());
    // Coded columns are labels in the workbook; the others must be the same cell for cell.
    for (i, (x, c)) in from_xlsx.iter().zip(&from_csv).enumerate().skip(1) {
        for column in [0, 1, 2, 3, 6, 7, 8, 9, 11] {
            let (x, c) = (x.get(column), c.get(column));
            let empty = String::new();
            assert_eq!(
                x.unwrap_or(&empty),
                c.unwrap_or(&empty),
                "row {i}, column {column}"
            );
        }
    }
}

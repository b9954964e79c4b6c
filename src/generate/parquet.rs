//! `generate --format parquet`: the generated CSV extracts rewritten as Parquet (every column text, as a
//! carrier's export would be). A Parquet file cannot hold a record with the wrong field count, so the
//! planted DQ001 records are left out and truth.csv is renumbered to match.

use polars::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// The delimiter the generator wrote a file with: the most frequent candidate in its header line
/// (generated headers never quote a delimiter).
fn delimiter_of(header: &str) -> u8 {
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| (header.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',')
}

/// Rewrite one CSV as Parquet; returns the new path and, per old record number, the new one
/// (None for a record that had the wrong field count).
fn convert(csv_path: &Path) -> io::Result<(PathBuf, Vec<Option<u32>>)> {
    let bytes = std::fs::read(csv_path)?;
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
        .map_err(other)?;
    let delimiter = delimiter_of(text.lines().next().unwrap_or(""));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = records
        .next()
        .ok_or_else(|| other("empty file"))?
        .map_err(other)?;
    let mut kept: Vec<csv::StringRecord> = Vec::new();
    let mut renumber = vec![None];
    for rec in records {
        let rec = rec.map_err(other)?;
        if rec.len() == header.len() {
            kept.push(rec);
            renumber.push(Some(kept.len() as u32));
        } else {
            renumber.push(None);
        }
    }
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(j, name)| {
            StringChunked::from_iter_values(
                name.into(),
                kept.iter().map(|r| r.get(j).unwrap_or("")),
            )
            .into_series()
            .into_column()
        })
        .collect();
    let mut df = DataFrame::new_infer_height(columns).map_err(other)?;
    let out = csv_path.with_extension("parquet");
    ParquetWriter::new(std::fs::File::create(&out)?)
        .finish(&mut df)
        .map_err(other)?;
    std::fs::remove_file(csv_path)?;
    Ok((out, renumber))
}

/// Convert every extract of a generated folder and renumber its truth.csv.
pub fn convert_all(
    out: &Path,
    report: &super::GenerateReport,
) -> io::Result<super::GenerateReport> {
    let mut renames: HashMap<String, (String, Vec<Option<u32>>)> = HashMap::new();
    let mut files = Vec::new();
    for f in &report.files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name == "truth.csv" || name == "points.csv" {
            files.push(f.clone());
            continue;
        }
        let (new, renumber) = convert(f)?;
        let new_name = new
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        renames.insert(name, (new_name, renumber));
        files.push(new);
    }
    let truth_path = out.join("truth.csv");
    let truth = std::fs::read_to_string(&truth_path)?;
    let mut lines = BTreeSet::new();
    for line in truth.lines().skip(1) {
        let mut parts = line.splitn(3, ',');
        let (file, row, rule) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let row: usize = row.parse().map_err(other)?;
        match renames.get(file) {
            Some((new, renumber)) => {
                if let Some(Some(r)) = renumber.get(row) {
                    lines.insert((new.clone(), *r, rule.to_string()));
                }
            }
            None => {
                lines.insert((file.to_string(), row as u32, rule.to_string()));
            }
        }
    }
    let mut text = String::from("file,row,rule\n");
    for (f, r, rule) in &lines {
        text.push_str(&format!("{f},{r},{rule}\n"));
    }
    std::fs::write(&truth_path, text)?;
    Ok(super::GenerateReport {
        files,
        rows_written: report.rows_written,
        planted_findings: lines.len(),
    })
}

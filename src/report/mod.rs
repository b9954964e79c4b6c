//! Reports: summaries (by carrier, point, rule, ID) and the writers of every output file.

pub mod html;
mod manifest;
mod privacy;
pub mod summary;
pub mod terminal;
pub mod write;
pub mod xlsx;

use crate::audit::Audit;
use crate::error::{Error, Result};
use crate::rules::row::PointRegistry;
pub use privacy::Privacy;
use std::path::Path;
pub use summary::{Cell, RowMarks, Sheet, Summaries};

/// Which file families `--format` asks for.
#[derive(Debug, Clone, Copy)]
pub struct Formats {
    pub csv: bool,
    pub parquet: bool,
    pub xlsx: bool,
    pub html: bool,
}

impl Formats {
    /// `csv,parquet,xlsx,html`.
    pub fn parse(spec: &str) -> std::result::Result<Formats, String> {
        let mut f = Formats {
            csv: false,
            parquet: false,
            xlsx: false,
            html: false,
        };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "csv" => f.csv = true,
                "parquet" => f.parquet = true,
                "xlsx" => f.xlsx = true,
                "html" => f.html = true,
                other => {
                    return Err(format!(
                    "--format: unknown format \"{other}\" (choose from csv, parquet, xlsx, html)"
                ))
                }
            }
        }
        Ok(f)
    }
}

/// Write every output into `out` and return the summaries and the files written.
pub fn write_all(
    audit: &mut Audit,
    out: &Path,
    formats: Formats,
    privacy: &Privacy,
    points: Option<&PointRegistry>,
    started: std::time::SystemTime,
    lang: terminal::Lang,
) -> Result<(Summaries, Vec<String>)> {
    std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    let mut watch = crate::usage::Stopwatch::default();
    let marks = RowMarks::compute(audit);
    let summaries = summary::summarise(audit, &marks, points);
    let mut written = Vec::new();
    let put = |name: &str, written: &mut Vec<String>| {
        written.push(name.to_string());
        out.join(name)
    };
    if formats.csv {
        write::findings_csv(&put("findings.csv", &mut written), audit, privacy)?;
        write::sheet_csv(&put("by_carrier.csv", &mut written), &summaries.by_carrier)?;
        write::sheet_csv(&put("by_point.csv", &mut written), &summaries.by_point)?;
        write::sheet_csv(&put("by_rule.csv", &mut written), &summaries.by_rule)?;
        let ids = mask_ids(&summaries.ids_over_limit, privacy);
        write::sheet_csv(&put("ids_over_limit.csv", &mut written), &ids)?;
    }
    // rejects.csv is always written: nothing may be lost silently.
    write::rejects_csv(&put("rejects.csv", &mut written), audit, privacy)?;
    if formats.parquet {
        write::findings_parquet(&put("findings.parquet", &mut written), audit, privacy)?;
        write::subscriptions_parquet(
            &put("subscriptions.parquet", &mut written),
            audit,
            &marks,
            privacy,
        )?;
    }
    if formats.xlsx {
        xlsx::write(
            &put("report.xlsx", &mut written),
            audit,
            &summaries,
            privacy,
            lang,
        )?;
    }
    if formats.html {
        html::write(
            &put("report.html", &mut written),
            audit,
            &summaries,
            privacy,
            lang,
        )?;
    }
    audit.stages.push(watch.lap("report"));
    written.push("manifest.json".into());
    manifest::write(
        &out.join("manifest.json"),
        audit,
        &written,
        privacy.is_masked(),
        started,
    )?;
    Ok((summaries, written))
}

/// ids_over_limit with its ID numbers masked (names are only counted there).
pub fn mask_ids(sheet: &Sheet, privacy: &Privacy) -> Sheet {
    let mut s = sheet.clone();
    for row in &mut s.rows {
        if let Some(Cell::Text(id)) = row.first_mut() {
            *id = privacy.id(id).into_owned();
        }
    }
    s
}

//! Writers for the machine-readable outputs. Every file is written under a temporary name and renamed
//! when complete, so a crash never leaves a half file that looks whole.

use super::summary::{RowMarks, Sheet};
use crate::audit::Audit;
use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::rules::RuleCode;
use polars::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Write `path` through `fill`, atomically.
pub fn atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    let tmp: PathBuf = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let run = || -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        fill(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    run().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::write(path, e)
    })
}

fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w)
}

fn io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

pub fn sheet_csv(path: &Path, sheet: &Sheet) -> Result<()> {
    atomic(path, |w| {
        let mut c = csv_writer(w);
        c.write_record(&sheet.columns).map_err(io)?;
        for row in &sheet.rows {
            c.write_record(row.iter().map(|cell| cell.csv()))
                .map_err(io)?;
        }
        c.flush()
    })
}

/// The columns of findings.csv / findings.parquet for one finding.
pub struct FindingRow<'a> {
    pub file: &'a str,
    pub row: u32,
    pub carrier: &'a str,
    pub msisdn: &'a str,
    pub subscriber_type: &'a str,
    pub id_type: &'a str,
    pub id_number: std::borrow::Cow<'a, str>,
    pub full_name: std::borrow::Cow<'a, str>,
    pub point_id: &'a str,
    pub rule: &'static str,
    pub severity: &'static str,
    pub detail: std::borrow::Cow<'a, str>,
}

pub const FINDING_COLUMNS: [&str; 12] = [
    "file",
    "row",
    "carrier",
    "msisdn",
    "subscriber_type",
    "id_type",
    "id_number",
    "full_name",
    "point_id",
    "rule",
    "severity",
    "detail",
];

/// The output view of a finding (a rejected record has only file, row, rule, severity and detail).
pub fn finding_row<'a>(
    audit: &'a Audit,
    privacy: &'a super::Privacy,
    f: &'a Finding,
) -> FindingRow<'a> {
    let file = audit.files[f.file as usize].name.as_str();
    let rule = f.rule.code();
    let severity = audit.rules.severity(f.rule).code();
    let Some(i) = f.subject.map(|s| s as usize) else {
        return FindingRow {
            file,
            row: f.row,
            carrier: "",
            msisdn: "",
            subscriber_type: "",
            id_type: "",
            id_number: "".into(),
            full_name: "".into(),
            point_id: "",
            rule,
            severity,
            detail: f.detail.as_str().into(),
        };
    };
    let t = &audit.table;
    let n = &audit.norm;
    let id = n.id_facts(t, i);
    let key = n.id_text(t, i);
    FindingRow {
        file,
        row: f.row,
        carrier: t.carrier.get(i),
        msisdn: n.msisdn_text(t, i),
        subscriber_type: t.subscriber_type[i].code(),
        id_type: if key.is_empty() && t.id_type[i].is_none() {
            ""
        } else {
            id.kind.map_or("", |k| k.code())
        },
        id_number: privacy.id(key),
        full_name: privacy.name(&n.name_of(t, i).canonical),
        point_id: t.point_id.get(i),
        rule,
        severity,
        detail: privacy.detail(&f.detail, key),
    }
}

pub fn findings_csv(path: &Path, audit: &Audit, privacy: &super::Privacy) -> Result<()> {
    atomic(path, |w| {
        let mut c = csv_writer(w);
        c.write_record(FINDING_COLUMNS).map_err(io)?;
        for f in &audit.findings {
            let r = finding_row(audit, privacy, f);
            let row = r.row.to_string();
            c.write_record([
                r.file,
                &row,
                r.carrier,
                r.msisdn,
                r.subscriber_type,
                r.id_type,
                &r.id_number,
                &r.full_name,
                r.point_id,
                r.rule,
                r.severity,
                &r.detail,
            ])
            .map_err(io)?;
        }
        c.flush()
    })
}

pub fn rejects_csv(path: &Path, audit: &Audit, privacy: &super::Privacy) -> Result<()> {
    atomic(path, |w| {
        let mut c = csv_writer(w);
        c.write_record(["file", "row", "line", "reason", "raw"])
            .map_err(io)?;
        for r in &audit.rejects {
            let (row, line) = (r.row.to_string(), r.line.to_string());
            c.write_record([
                audit.files[r.file as usize].name.as_str(),
                &row,
                &line,
                &r.reason,
                &privacy.raw_record(&r.raw),
            ])
            .map_err(io)?;
        }
        c.flush()
    })
}

fn text_column<'a>(name: &str, values: impl Iterator<Item = &'a str>) -> Column {
    StringChunked::from_iter_values(name.into(), values)
        .into_series()
        .into_column()
}

/// Rows per Parquet row group; SIMAUDIT_PARQUET_CHUNK_ROWS overrides it (tests use it to force several
/// groups). Row groups are built and written one at a time, so memory stays bounded by one chunk (a few
/// hundred MB), not the whole output.
fn parquet_chunk_rows() -> usize {
    std::env::var("SIMAUDIT_PARQUET_CHUNK_ROWS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1 << 18)
}

/// Writes `n` rows to a Parquet file, one row group per chunk that `chunk` builds. The next chunk is
/// built on another thread while this one is encoded and compressed.
fn write_parquet_chunks(
    path: &Path,
    n: usize,
    chunk: impl Fn(std::ops::Range<usize>) -> std::result::Result<DataFrame, PolarsError> + Sync,
) -> Result<()> {
    let chunk_rows = parquet_chunk_rows();
    let io = std::io::Error::other;
    atomic(path, |w| {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        std::thread::scope(|scope| {
            let chunk = &chunk;
            scope.spawn(move || {
                for start in (0..n.max(1)).step_by(chunk_rows) {
                    let built = chunk(start..(start + chunk_rows).min(n));
                    let failed = built.is_err();
                    if tx.send(built).is_err() || failed {
                        break;
                    }
                }
            });
            let mut writer = None;
            for built in rx {
                let df = built.map_err(io)?;
                if writer.is_none() {
                    writer = Some(
                        ParquetWriter::new(&mut *w)
                            .with_compression(ParquetCompression::Zstd(None))
                            .batched(df.schema())
                            .map_err(io)?,
                    );
                }
                if let Some(writer) = writer.as_mut() {
                    writer.write_batch(&df).map_err(io)?;
                }
            }
            match writer {
                Some(writer) => writer.finish().map(|_| ()).map_err(io),
                None => Err(std::io::Error::other("no rows were built")),
            }
        })
    })
}

pub fn findings_parquet(path: &Path, audit: &Audit, privacy: &super::Privacy) -> Result<()> {
    write_parquet_chunks(path, audit.findings.len(), |range| {
        let rows: Vec<FindingRow> = audit.findings[range]
            .iter()
            .map(|f| finding_row(audit, privacy, f))
            .collect();
        let columns = vec![
            text_column("file", rows.iter().map(|r| r.file)),
            UInt32Chunked::from_vec("row".into(), rows.iter().map(|r| r.row).collect())
                .into_series()
                .into_column(),
            text_column("carrier", rows.iter().map(|r| r.carrier)),
            text_column("msisdn", rows.iter().map(|r| r.msisdn)),
            text_column("subscriber_type", rows.iter().map(|r| r.subscriber_type)),
            text_column("id_type", rows.iter().map(|r| r.id_type)),
            text_column("id_number", rows.iter().map(|r| r.id_number.as_ref())),
            text_column("full_name", rows.iter().map(|r| r.full_name.as_ref())),
            text_column("point_id", rows.iter().map(|r| r.point_id)),
            text_column("rule", rows.iter().map(|r| r.rule)),
            text_column("severity", rows.iter().map(|r| r.severity)),
            text_column("detail", rows.iter().map(|r| r.detail.as_ref())),
        ];
        DataFrame::new_infer_height(columns)
    })
}

/// subscriptions.parquet: every accepted row, normalised, with its rule codes.
pub fn subscriptions_parquet(
    path: &Path,
    audit: &Audit,
    marks: &RowMarks,
    privacy: &super::Privacy,
) -> Result<()> {
    write_parquet_chunks(path, audit.table.len(), |rows| {
        subscriptions_chunk(audit, marks, privacy, rows)
    })
}

fn subscriptions_chunk(
    audit: &Audit,
    marks: &RowMarks,
    privacy: &super::Privacy,
    rows: std::ops::Range<usize>,
) -> std::result::Result<DataFrame, PolarsError> {
    let t = &audit.table;
    let n = &audit.norm;
    let ids: Vec<_> = rows.clone().map(|i| n.id_facts(t, i)).collect();
    let id_numbers: Vec<_> = rows.clone().map(|i| privacy.id(n.id_text(t, i))).collect();
    let id_raw: Vec<_> = rows
        .clone()
        .map(|i| privacy.raw_id(t.id_number.get(i)))
        .collect();
    let names: Vec<_> = rows
        .clone()
        .map(|i| privacy.name(&n.name_of(t, i).canonical))
        .collect();
    let names_raw: Vec<_> = rows
        .clone()
        .map(|i| privacy.name(t.full_name.get(i)))
        .collect();
    let name_keys: Vec<_> = rows
        .clone()
        .map(|i| privacy.name(n.name_key_text(t, i)))
        .collect();
    let dob: Vec<String> = rows
        .clone()
        .map(|i| {
            t.date_of_birth[i]
                .value()
                .map_or_else(String::new, |w| w.iso())
        })
        .collect();
    let issue: Vec<Option<i32>> = rows
        .clone()
        .map(|i| {
            t.id_issue_date[i].value().map(|w| {
                (w.date() - crate::ident::Date::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days()
                    as i32
            })
        })
        .collect();
    let activation: Vec<Option<i64>> = rows
        .clone()
        .map(|i| {
            t.activation_time[i]
                .value()
                .map(|w| w.at.and_utc().timestamp_millis())
        })
        .collect();
    let (violation, warning) = super::summary::severity_masks(audit);
    let flagging = violation | warning;
    let masks = &marks.rules[rows.clone()];
    let flagged: Vec<bool> = masks.iter().map(|m| m & flagging != 0).collect();
    let mut rules = ListStringChunkedBuilder::new("rules".into(), masks.len(), masks.len());
    for m in masks {
        rules.append_values_iter(
            RuleCode::ALL
                .iter()
                .filter(|r| m & (1 << (**r as u32)) != 0)
                .map(|r| r.code()),
        );
    }
    let columns = vec![
        text_column(
            "file",
            rows.clone()
                .map(|i| audit.files[t.file[i] as usize].name.as_str()),
        ),
        UInt32Chunked::from_vec("row".into(), t.row[rows.clone()].to_vec())
            .into_series()
            .into_column(),
        text_column("carrier", rows.clone().map(|i| t.carrier.get(i))),
        text_column("msisdn", rows.clone().map(|i| n.msisdn_text(t, i))),
        text_column(
            "subscriber_type",
            rows.clone().map(|i| t.subscriber_type[i].code()),
        ),
        text_column("full_name", names.iter().map(|s| s.as_ref())),
        text_column("date_of_birth", dob.iter().map(String::as_str)),
        text_column(
            "gender",
            rows.clone().map(|i| t.gender[i].map_or("", |g| g.code())),
        ),
        text_column(
            "id_type",
            ids.iter().map(|f| f.kind.map_or("", |k| k.code())),
        ),
        text_column("id_number", id_numbers.iter().map(|s| s.as_ref())),
        Int32Chunked::from_iter_options("id_issue_date".into(), issue.into_iter())
            .into_date()
            .into_series()
            .into_column(),
        text_column(
            "id_issue_place",
            rows.clone().map(|i| t.id_issue_place.get(i)),
        ),
        text_column(
            "nationality",
            rows.clone().map(|i| match t.nationality.get(i) {
                "" => "VN",
                other => other,
            }),
        ),
        Int64Chunked::from_iter_options("activation_time".into(), activation.into_iter())
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_series()
            .into_column(),
        text_column("status", rows.clone().map(|i| t.status[i].code())),
        text_column("point_id", rows.clone().map(|i| t.point_id.get(i))),
        text_column("point_name", rows.clone().map(|i| t.point_name.get(i))),
        text_column("point_type", rows.clone().map(|i| t.point_type[i].code())),
        text_column("district", rows.clone().map(|i| t.district.get(i))),
        text_column("name_key", name_keys.iter().map(|s| s.as_ref())),
        text_column("msisdn_raw", rows.clone().map(|i| t.msisdn.get(i))),
        text_column("id_number_raw", id_raw.iter().map(|s| s.as_ref())),
        text_column("full_name_raw", names_raw.iter().map(|s| s.as_ref())),
        rules.finish().into_series().into_column(),
        BooleanChunked::from_slice("flagged".into(), &flagged)
            .into_series()
            .into_column(),
    ];
    DataFrame::new_infer_height(columns)
}

//! Writers for the machine-readable outputs. Every file is written under a temporary name and renamed
//! when complete, so a crash never leaves a half file that looks whole.

use super::summary::{RowMarks, Sheet};
use crate::audit::Audit;
use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::ingest::Strings;
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
    pub rule: &'a str,
    pub severity: &'a str,
    pub detail: std::borrow::Cow<'a, str>,
}

impl FindingRow<'_> {
    /// The texts of the row in [`FINDING_COLUMNS`] order, the row number given as `row` (each writer
    /// writes it its own way).
    pub fn fields<'s>(&'s self, row: &'s str) -> [&'s str; 12] {
        [
            self.file,
            row,
            self.carrier,
            self.msisdn,
            self.subscriber_type,
            self.id_type,
            &self.id_number,
            &self.full_name,
            self.point_id,
            self.rule,
            self.severity,
            &self.detail,
        ]
    }
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

/// The rows of findings.csv in output order, wherever they are kept: made from a run held in memory,
/// or read back from a findings.csv (a sharded run's merged one).
pub trait FindingRows: Sync {
    /// Calls `each` on the first `limit` rows in order (all of them when there are fewer).
    fn visit(
        &self,
        limit: usize,
        each: &mut dyn FnMut(&FindingRow) -> std::io::Result<()>,
    ) -> std::io::Result<()>;
}

/// The findings of a run held in memory, masked as `privacy` says.
pub struct HeldFindings<'a> {
    pub audit: &'a Audit,
    pub privacy: &'a super::Privacy,
}

impl FindingRows for HeldFindings<'_> {
    fn visit(
        &self,
        limit: usize,
        each: &mut dyn FnMut(&FindingRow) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        for f in self.audit.findings.iter().take(limit) {
            each(&finding_row(self.audit, self.privacy, f))?;
        }
        Ok(())
    }
}

/// The rows of a findings.csv this run wrote (already masked when the run masks).
pub struct CsvFindings<'a>(pub &'a Path);

impl FindingRows for CsvFindings<'_> {
    fn visit(
        &self,
        limit: usize,
        each: &mut dyn FnMut(&FindingRow) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut rdr = csv::ReaderBuilder::new()
            .buffer_capacity(1 << 20)
            .from_path(self.0)
            .map_err(io)?;
        let mut rec = csv::StringRecord::new();
        let mut seen = 0;
        while seen < limit && rdr.read_record(&mut rec).map_err(io)? {
            seen += 1;
            let field = |i: usize| rec.get(i).unwrap_or("");
            let row = field(1).parse().map_err(|_| {
                std::io::Error::other(format!("{}: bad row number", self.0.display()))
            })?;
            each(&FindingRow {
                file: field(0),
                row,
                carrier: field(2),
                msisdn: field(3),
                subscriber_type: field(4),
                id_type: field(5),
                id_number: field(6).into(),
                full_name: field(7).into(),
                point_id: field(8),
                rule: field(9),
                severity: field(10),
                detail: field(11).into(),
            })?;
        }
        Ok(())
    }
}

pub fn findings_csv(path: &Path, findings: &dyn FindingRows) -> Result<()> {
    atomic(path, |w| {
        let mut c = csv_writer(w);
        c.write_record(FINDING_COLUMNS).map_err(io)?;
        findings.visit(usize::MAX, &mut |r| {
            c.write_record(r.fields(&r.row.to_string())).map_err(io)
        })?;
        c.flush()
    })
}

pub fn rejects_csv(path: &Path, run: super::RunView, privacy: &super::Privacy) -> Result<()> {
    atomic(path, |w| {
        let mut c = csv_writer(w);
        c.write_record(["file", "row", "line", "reason", "raw"])
            .map_err(io)?;
        for r in run.rejects {
            let (row, line) = (r.row.to_string(), r.line.to_string());
            c.write_record([
                run.files[r.file as usize].name.as_str(),
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
        .unwrap_or(1 << 17)
}

/// A Parquet file written row group by row group, possibly over several calls (a sharded run appends
/// each shard's rows); it appears under its name only when finished.
pub struct ParquetSink {
    path: PathBuf,
    tmp: PathBuf,
    file: File,
    writer: Option<BatchedWriter<File>>,
}

impl ParquetSink {
    pub fn create(path: &Path) -> Result<ParquetSink> {
        let tmp = path.with_extension("parquet.tmp");
        let file = File::create(&tmp).map_err(|e| Error::write(path, e))?;
        Ok(ParquetSink {
            path: path.to_path_buf(),
            tmp,
            file,
            writer: None,
        })
    }

    /// Writes the frames `produce` sends, as they come: `produce` runs on another thread, building the
    /// next frame while this one is encoded and compressed. It should stop when a send fails.
    pub fn append(
        &mut self,
        produce: impl FnOnce(&dyn Fn(PolarsResult<DataFrame>) -> bool) + Send,
    ) -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let (file, writer) = (&self.file, &mut self.writer);
        let written = std::thread::scope(|scope| {
            scope.spawn(move || produce(&|frame| tx.send(frame).is_ok()));
            for frame in rx {
                let df = frame?;
                if writer.is_some() && df.height() == 0 {
                    continue;
                }
                if writer.is_none() {
                    *writer = Some(
                        ParquetWriter::new(file.try_clone()?)
                            // Level 1: on 10 M rows it was no slower than the default level
                            // 3 and the file no bigger (subscriptions.parquet 478 vs 486 MB).
                            .with_compression(ParquetCompression::Zstd(
                                polars_utils::compression::ZstdLevel::try_new(1).ok(),
                            ))
                            .batched(df.schema())?,
                    );
                }
                if let Some(w) = writer.as_mut() {
                    w.write_batch(&df)?;
                }
            }
            PolarsResult::Ok(())
        });
        written.map_err(|e| self.fail(std::io::Error::other(e)))
    }

    /// Appends `n` rows as frames of [`parquet_chunk_rows`] rows that `chunk` builds (one empty frame
    /// when `n` is 0, so even an empty file has its columns).
    pub fn append_chunks(
        &mut self,
        n: usize,
        chunk: impl Fn(std::ops::Range<usize>) -> PolarsResult<DataFrame> + Sync,
    ) -> Result<()> {
        let rows = parquet_chunk_rows();
        self.append(|send| {
            for start in (0..n.max(1)).step_by(rows) {
                let built = chunk(start..(start + rows).min(n));
                let failed = built.is_err();
                if !send(built) || failed {
                    break;
                }
            }
        })
    }

    pub fn finish(mut self) -> Result<()> {
        let Some(writer) = self.writer.take() else {
            return Err(self.fail(std::io::Error::other("no rows were built")));
        };
        let done = writer
            .finish()
            .map_err(std::io::Error::other)
            .and_then(|_| self.file.sync_all())
            .and_then(|_| std::fs::rename(&self.tmp, &self.path));
        done.map_err(|e| self.fail(e))
    }

    fn fail(&self, e: std::io::Error) -> Error {
        let _ = std::fs::remove_file(&self.tmp);
        Error::write(&self.path, e)
    }
}

impl Drop for ParquetSink {
    /// A sink dropped unfinished (a failed run) leaves no half file behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Writes `n` rows to a Parquet file, one row group per chunk that `chunk` builds.
fn write_parquet_chunks(
    path: &Path,
    n: usize,
    chunk: impl Fn(std::ops::Range<usize>) -> PolarsResult<DataFrame> + Sync,
) -> Result<()> {
    let mut sink = ParquetSink::create(path)?;
    sink.append_chunks(n, chunk)?;
    sink.finish()
}

/// findings.parquet: the columns of findings.csv, `row` as an integer.
pub fn findings_parquet(path: &Path, findings: &dyn FindingRows) -> Result<()> {
    let mut sink = ParquetSink::create(path)?;
    let chunk = parquet_chunk_rows();
    sink.append(|send| {
        // Each text column's values back to back (no allocation per value), the row numbers apart.
        let mut texts: Vec<Strings> = vec![Strings::default(); FINDING_COLUMNS.len()];
        let mut rows: Vec<u32> = Vec::new();
        let frame = |texts: &mut Vec<Strings>, rows: &mut Vec<u32>| {
            let columns = FINDING_COLUMNS
                .iter()
                .zip(texts.iter_mut())
                .map(|(name, t)| match *name {
                    "row" => UInt32Chunked::from_vec("row".into(), std::mem::take(rows))
                        .into_series()
                        .into_column(),
                    _ => text_column(name, std::mem::take(t).iter()),
                })
                .collect();
            send(DataFrame::new_infer_height(columns))
        };
        let visited = findings.visit(usize::MAX, &mut |r| {
            for (t, v) in texts.iter_mut().zip(r.fields("")) {
                t.push(v);
            }
            rows.push(r.row);
            if rows.len() == chunk && !frame(&mut texts, &mut rows) {
                return Err(std::io::Error::other("the Parquet writer stopped"));
            }
            Ok(())
        });
        match visited {
            // The last rows; an empty frame is skipped by the sink unless the file has no columns yet.
            Ok(()) => {
                frame(&mut texts, &mut rows);
            }
            Err(e) => {
                send(Err(PolarsError::ComputeError(e.to_string().into())));
            }
        }
    })?;
    sink.finish()
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

pub fn subscriptions_chunk(
    audit: &Audit,
    marks: &RowMarks,
    privacy: &super::Privacy,
    rows: std::ops::Range<usize>,
) -> std::result::Result<DataFrame, PolarsError> {
    let t = &audit.table;
    let n = &audit.norm;
    let ids: Vec<_> = rows.clone().map(|i| n.id_facts(t, i)).collect();
    let numbers: Vec<_> = rows.clone().map(|i| n.msisdn_digits(t, i)).collect();
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
    let (violation, warning) = super::summary::severity_masks(&audit.rules);
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
        text_column("msisdn", numbers.iter().map(|d| d.as_str())),
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

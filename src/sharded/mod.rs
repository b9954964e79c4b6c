//! A run too big to hold in memory (a national extract): rows are split into shards by a hash of
//! their ID key, so every rule that groups rows by ID key sees all of a holder's rows in one shard.
//!
//! 1. The scan pass reads and parses every file once. It writes each record, parsed, to its shard's
//!    file in the spill folder ([`spill`]), and keeps per row only what the rules that group by
//!    something else need — the number (SB002) and the point and activation time (PT001) — and each
//!    record's shard. It counts and keeps the rejected records, and evaluates SB002 and PT001 on all
//!    rows.
//! 2. Each shard pass reads its shard's records back from the spill, and runs the pipeline of a run
//!    held in memory on them (normalise, row rules, the rules by ID key), with the scan's SB002 and
//!    PT001 findings of its rows. It writes its findings (in the order of findings.csv) and, side by
//!    side, appends its rows to subscriptions.parquet, and adds its summary tallies to the run's.
//! 3. The shards' findings files are merged (a k-way merge: the rows of one record are all in one
//!    shard) as findings.csv, findings.parquet and report.xlsx are written from them; every other
//!    output is written from the tallies.
//!
//! The outputs equal those of a run held in memory byte for byte, except that subscriptions.parquet
//! lists rows shard by shard.

use crate::area::{Area, Census, Restricted, Selection};
use crate::error::{Error, Result};
use crate::ident::{id, phone};
use crate::ingest::{
    self, IngestOptions, Keep, PointRegistry, Reject, SkippedSheet, SourceFile, Table, Unreadable,
};
use crate::normalize::{Normalised, NumberText};
use crate::pipeline::{self, AutoChoice, Checked, Evaluated, Reach, Sharding};
use crate::report::summary::{RowMarks, Tally};
use crate::report::{self, i18n::Lang, parquet, write, Formats, Privacy, RunView, Summaries};
use crate::rules::cross::{self, Activation, NumberUse};
use crate::rules::finding::{by_severity, DetailTexts, Details, Finding, Kept, Subject};
use crate::rules::row::quality;
use crate::rules::{RuleCode, RuleSet};
use crate::usage::{StageCost, Stopwatch};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

pub mod spill;
use spill::Spill;

/// What a sharded run did, for the terminal summary.
pub struct Finished {
    pub files: Vec<SourceFile>,
    pub rules: RuleSet,
    pub rejects: Vec<Reject>,
    pub skipped_sheets: Vec<SkippedSheet>,
    pub accepted: usize,
    pub findings: usize,
    pub points_given: bool,
    pub stages: Vec<StageCost>,
    pub summaries: Summaries,
    /// Findings per effective severity: violation, warning, info.
    pub by_severity: [usize; 3],
    /// The outputs written, manifest.json last.
    pub written: Vec<String>,
    /// The area the outputs are restricted to, if any.
    pub area: Option<Selection>,
    /// The compressed bytes spilled by the scan.
    pub spill_bytes: u64,
    pub sharding: Sharding,
}

impl Finished {
    pub fn view(&self) -> RunView<'_> {
        RunView {
            files: &self.files,
            rules: &self.rules,
            rejects: &self.rejects,
            skipped_sheets: &self.skipped_sheets,
            accepted: self.accepted,
            findings: self.findings,
            points_given: self.points_given,
            stages: &self.stages,
            area: self.area.as_ref(),
            spill_bytes: Some(self.spill_bytes),
            sharding: Some(self.sharding),
        }
    }
}

/// Where to write, what, and how.
pub struct Output<'a> {
    pub out: &'a Path,
    /// The area the outputs are restricted to (`--point`, `--district`), if any.
    pub area: Option<&'a Area>,
    /// The folder the spill goes into (the system's temporary folder when None).
    pub spill: Option<&'a Path>,
    pub formats: Formats,
    pub privacy: &'a Privacy,
    pub lang: Lang,
    pub started: std::time::SystemTime,
}

/// `--shards`: a number from 1 (a run held in memory) to 255, or `auto` (from the inputs' sizes and
/// `budget`, the memory the run may use; see [`auto_shards`]).
pub fn parse_shards(spec: &str, inputs: &[PathBuf], budget: u64) -> Result<Sharding> {
    let (n, auto) = match spec {
        "auto" => {
            let rows = estimated_rows(inputs);
            (auto_shards(rows, budget), Some(AutoChoice { rows, budget }))
        }
        n => (n.parse().unwrap_or(0), None),
    };
    if (1..=255).contains(&n) {
        Ok(Sharding { shards: n, auto })
    } else {
        Err(Error::Input(format!(
            "--shards {spec}: give a number from 1 to 255, or auto"
        )))
    }
}

/// Peak memory per accepted row held at once, in memory or in a shard, findings and outputs
/// included: generated extracts need about 310 (340 with over one finding per two rows;
/// benches/README.md has the measurements), and the rest is a margin for shapes the generator does not
/// make (longer texts, more distinct values). A sharded run's scan also holds about 48 bytes per row
/// of the whole extract while it reads, but not beside a shard; the texts of the scan's findings
/// (SB002, PT001, DQ001) are kept through the shard passes.
const BYTES_PER_ROW: u64 = 600;
/// What the scan of a sharded run holds per row of the whole extract while it reads.
pub const SCAN_BYTES_PER_ROW: u64 = 48;

/// Rows expected in `inputs`, from their sizes: 200 bytes a row of text (generated and real extracts
/// run 200–250), five times fewer bytes for compressed formats (Parquet, Excel, gzip).
pub fn estimated_rows(inputs: &[PathBuf]) -> u64 {
    inputs
        .iter()
        .map(|p| {
            let size = std::fs::metadata(p).map_or(0, |m| m.len());
            let compressed = p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["parquet", "xlsx", "xls", "gz"].contains(&e.to_ascii_lowercase().as_str())
            });
            if compressed {
                size * 5 / 200
            } else {
                size / 200
            }
        })
        .sum()
}

/// `--shards auto`: 1 (a run held in memory, the fastest) when `rows` fit in `budget` bytes, else
/// the fewest shards whose rows fit.
pub fn auto_shards(rows: u64, budget: u64) -> usize {
    rows.saturating_mul(BYTES_PER_ROW)
        .div_ceil(budget.max(1))
        .clamp(1, 255) as usize
}

/// `--memory-limit`: a size such as `6GiB`, `6G`, `6000MiB`, `6GB` or a number of bytes.
pub fn parse_memory(spec: &str) -> Result<u64> {
    let t = spec.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => 0,
    };
    match number.parse::<f64>() {
        Ok(n) if scale > 0 && n.is_finite() && n * scale as f64 >= (64 << 20) as f64 => {
            Ok((n * scale as f64) as u64)
        }
        _ => Err(Error::Input(format!(
            "--memory-limit {spec}: give a size of at least 64MiB, such as 6GiB, 6000MiB or 6GB"
        ))),
    }
}

/// The memory a run may use: `limit` when given, else half of what the machine has available now
/// (leaving the rest to the system's file cache and to other work; 4 GiB when that cannot be read).
pub fn memory_budget(limit: Option<u64>) -> u64 {
    limit.unwrap_or_else(|| crate::usage::available_memory().map_or(4 << 30, |a| a / 2))
}

/// The splitmix64 finaliser: spreads keys evenly over the shards, the same on every machine and run.
fn mix64(key: u64) -> u64 {
    let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The shard of an ID key: FNV-1a of its bytes, spread by [`mix64`]; the same on every machine
/// and run.
pub fn shard_of_key(key: &str, shards: usize) -> u8 {
    let fnv = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (mix64(fnv) % shards as u64) as u8
}

/// The scan pass's result.
struct Scan {
    files: Vec<SourceFile>,
    rejects: Vec<Reject>,
    skipped_sheets: Vec<SkippedSheet>,
    /// SB002 and PT001 findings (no table row yet), per shard.
    found: Vec<Vec<Finding>>,
    /// The details of `found`; each shard pass keeps its own.
    details: DetailTexts,
    /// The area's points, when an area was asked for.
    selection: Option<Selection>,
    /// Every accepted record, parsed, by shard.
    spill: Spill,
    /// The extra columns' names.
    extra: Vec<String>,
}

/// What the scan keeps of the rows while it reads.
struct Gathered {
    spill: Spill,
    /// The first error writing the spill (the sink cannot return it).
    failed: Option<Error>,
    shard_of: Vec<Vec<u8>>,
    numbers: Vec<NumberUse>,
    activations: Vec<Activation<u32, ()>>,
    /// Every (carrier, point_id) seen with a timed activation, numbered in order of appearance.
    points: FxHashMap<(String, String), u32>,
    /// Each point's districts, when an area is to be chosen.
    census: Option<Census>,
}

impl Gathered {
    fn add(&mut self, file: u16, t: Table, unreadable: Vec<Unreadable>, shards: usize) {
        if self.failed.is_some() {
            return;
        }
        let f = file as usize;
        if let Some(census) = self.census.as_mut() {
            census.add(&t);
        }
        if self.shard_of.len() <= f {
            self.shard_of.resize(f + 1, Vec::new());
        }
        // Each value of the batch's dictionaries once, in parallel.
        let (key_shards, numbers): (Vec<Option<u8>>, Vec<u64>) = rayon::join(
            || {
                t.id_number
                    .values
                    .par_iter()
                    .map(|v| {
                        let key = id::analyse(v, None).key;
                        (!key.is_empty()).then(|| shard_of_key(&key, shards))
                    })
                    .collect()
            },
            || {
                t.msisdn
                    .values
                    .par_iter()
                    .map(|v| phone::read(v).value)
                    .collect()
            },
        );
        let last = t.row.iter().copied().max().unwrap_or(0) as usize;
        let of_file = &mut self.shard_of[f];
        if of_file.len() < last {
            of_file.resize(last, 0);
        }
        let mut batch_points: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        let mut batch_shards = Vec::with_capacity(t.len());
        for i in 0..t.len() {
            let row = t.row[i];
            // Rows without an ID key join no holder group: spread them by row.
            let shard =
                key_shards[t.id_number.codes[i] as usize].unwrap_or((row as usize % shards) as u8);
            of_file[row as usize - 1] = shard;
            batch_shards.push(shard);
            if !t.status[i].live() {
                continue;
            }
            let number = numbers[t.msisdn.codes[i] as usize];
            if number != 0 {
                self.numbers.push(NumberUse { number, file, row });
            }
            let Some(at) = t.activation_time[i].value().filter(|w| w.has_time()) else {
                continue;
            };
            if t.point_id.codes[i] == 0 {
                continue;
            }
            let points = &mut self.points;
            // The batch's own codes first: one string lookup per point and batch, not per row.
            let point = *batch_points
                .entry((t.carrier.codes[i], t.point_id.codes[i]))
                .or_insert_with(|| {
                    let key = (t.carrier.get(i).to_string(), t.point_id.get(i).to_string());
                    let next = points.len() as u32;
                    *points.entry(key).or_insert(next)
                });
            self.activations.push(Activation {
                point,
                secs: at.at.and_utc().timestamp(),
                file,
                row,
                who: (),
            });
        }
        if let Err(e) = self.spill.add(&t, &unreadable, &batch_shards) {
            self.failed = Some(e);
        }
    }
}

fn scan(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    rules: &RuleSet,
    shards: usize,
    area: Option<&Area>,
    spill: Spill,
) -> Result<Scan> {
    let mut g = Gathered {
        spill,
        failed: None,
        shard_of: Vec::new(),
        numbers: Vec::new(),
        activations: Vec::new(),
        points: FxHashMap::default(),
        census: area.map(|_| Census::default()),
    };
    let mut sink = |file: u16, t: Table, unreadable: Vec<Unreadable>| {
        g.add(file, t, unreadable, shards);
        g.failed.is_none()
    };
    let loaded = ingest::load_some(inputs, opts, Keep::Stream(&mut sink))?;
    let Gathered {
        mut spill,
        failed,
        mut shard_of,
        numbers,
        activations,
        points,
        census,
    } = g;
    if let Some(e) = failed {
        return Err(e);
    }
    spill.finish_writing()?;
    let selection = match (area, census) {
        (Some(area), Some(census)) => Some(area.select(&census)?),
        _ => None,
    };
    let mut point_ids = vec![String::new(); points.len()];
    for ((_, point_id), n) in points {
        point_ids[n as usize] = point_id;
    }
    shard_of.resize(loaded.files.len(), Vec::new());
    let mut found: Vec<Vec<Finding>> = vec![Vec::new(); shards];
    let details = Details::default();
    let mut put = |file: u16, row: u32, rule: RuleCode, detail: String| {
        let shard = shard_of[file as usize][row as usize - 1] as usize;
        found[shard].push(Finding {
            file,
            rule,
            row,
            subject: Subject::NONE,
            detail: details.intern(&detail),
        });
    };
    let active = rules.active();
    if active.has(RuleCode::SB002) {
        cross::duplicate_numbers(numbers, |u, count| {
            let detail = cross::duplicate_detail(&NumberText::of(u.number), count);
            put(u.file, u.row, RuleCode::SB002, detail);
        });
    }
    let th = &rules.thresholds;
    if active.has(RuleCode::PT001) {
        cross::burst_windows(activations, th, |a, count, from| {
            let detail = cross::burst_detail(&point_ids[a.point as usize], count, from, th);
            put(a.file, a.row, RuleCode::PT001, detail);
        });
    }
    Ok(Scan {
        details: details.freeze(),
        files: loaded.files,
        rejects: loaded.rejects,
        skipped_sheets: loaded.skipped_sheets,
        found,
        selection,
        spill,
        extra: loaded
            .table
            .extra
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
    })
}

/// The table row of each finding of the scan (the table holds its rows in (file, row) order), its
/// detail moved from the scan's store `from` to the shard's `to`.
fn place(found: Vec<Finding>, t: &Table, from: &DetailTexts, to: &Details) -> Vec<Finding> {
    found
        .into_iter()
        .filter_map(|mut f| {
            let i = partition_point(t, f.file, f.row);
            (i < t.len() && t.file[i] == f.file && t.row[i] == f.row).then(|| {
                f.subject = Subject::at(i as u32);
                // Figures and words made from the row again need no store: they stay as they are.
                if let Kept::Text(text) = from.kept(f.detail) {
                    f.detail = to.intern(text);
                }
                f
            })
        })
        .collect()
}

/// The first table row at or after (file, row).
fn partition_point(t: &Table, file: u16, row: u32) -> usize {
    let (from, to) = (
        t.file.partition_point(|&f| f < file),
        t.file.partition_point(|&f| f <= file),
    );
    from + t.row[from..to].partition_point(|&r| r < row)
}

/// Audits `inputs` in `shards` shards and writes every output into `o.out`.
pub fn run(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    rules: RuleSet,
    points: Option<&PointRegistry>,
    sharding: Sharding,
    o: &Output,
    on_stage: &dyn Fn(&'static str, Option<(usize, usize)>),
) -> Result<Finished> {
    let shards = sharding.shards;
    std::fs::create_dir_all(o.out).map_err(|e| Error::write(o.out, e))?;
    let mut watch = Stopwatch::default();
    let mut stages = Vec::new();
    on_stage("ingest", None);
    let temp = std::env::temp_dir();
    let spill = Spill::create(o.spill.unwrap_or(&temp), shards)?;
    let Scan {
        files,
        rejects,
        skipped_sheets,
        found,
        details: scan_details,
        mut selection,
        mut spill,
        extra,
    } = scan(inputs, opts, &rules, shards, o.area, spill)?;
    let spill_bytes = spill.bytes();
    stages.push(watch.lap("scan"));

    let work_dir = WorkDir::create(o.out.join(".simaudit-shards"))?;
    let work = work_dir.0.as_path();
    let mut subscriptions = if o.formats.parquet {
        Some(parquet::ParquetSink::create(
            &o.out.join("subscriptions.parquet"),
        )?)
    } else {
        None
    };
    let mut tally = Tally::default();
    let (mut accepted, mut found_count) = (0, 0);
    let mut severities = [0; 3];
    let mut parts = Vec::new();
    let mut subscriptions_seconds = 0.0;
    for (k, found) in found.into_iter().enumerate() {
        on_stage("shard", Some((k, shards)));
        let (table, unreadable) = spill.read(k, &extra)?;
        let norm = Normalised::compute(&table, rules.tone_style);
        let Evaluated {
            mut findings,
            details,
            over_limit,
        } = pipeline::evaluate(
            &table,
            &norm,
            &unreadable,
            &rules,
            points,
            Reach::WholeIdKeys,
            &mut |_| {},
        );
        findings.extend(place(found, &table, &scan_details, &details));
        accepted += table.len();
        let (table, mut findings, over_limit) = match selection.as_mut() {
            None => (table, findings, over_limit),
            Some(s) => {
                let Restricted {
                    table,
                    findings,
                    over_limit,
                } = s.restrict(table, &norm, findings, over_limit);
                (table, findings, over_limit)
            }
        };
        // The rejected records' findings (DQ001) go with the first shard.
        if k == 0 {
            findings.extend(quality::rejected(&rules, &rejects, &details));
        }
        let details = details.freeze();
        pipeline::sort_findings(&mut findings, &files, &details);
        let a = Checked {
            files: &files,
            table: &table,
            norm: &norm,
            rules: &rules,
            findings: &findings,
            details: &details,
        };
        let marks = RowMarks::compute(a);
        tally.merge(Tally::compute(a, &marks, over_limit));
        let part = work.join(format!("findings-{k}.csv"));
        // The shard's findings and its part of subscriptions.parquet are written side by side.
        let (written, appended) = rayon::join(
            || {
                write::findings_csv(
                    &part,
                    &write::HeldFindings {
                        audit: a,
                        privacy: o.privacy,
                    },
                )
            },
            || {
                let clock = std::time::Instant::now();
                if let Some(sink) = subscriptions.as_mut() {
                    sink.append_groups(a.table.len(), |r| {
                        parquet::subscriptions_group(a, &marks, o.privacy, r)
                    })?;
                }
                Ok::<f64, Error>(clock.elapsed().as_secs_f64())
            },
        );
        written?;
        subscriptions_seconds += appended?;
        parts.push(part);
        found_count += a.findings.len();
        for (total, n) in severities.iter_mut().zip(by_severity(a.findings, &rules)) {
            *total += n;
        }
    }
    stages.push(watch.lap("shards"));

    on_stage("report", None);
    if let Some(sink) = subscriptions {
        let clock = std::time::Instant::now();
        sink.finish()?;
        subscriptions_seconds += clock.elapsed().as_secs_f64();
    }
    let summaries = tally.summaries(&files, &rejects, &rules, o.privacy);
    let mut done = Finished {
        files,
        rules,
        rejects,
        skipped_sheets,
        accepted,
        findings: found_count,
        points_given: points.is_some(),
        stages,
        summaries,
        by_severity: severities,
        written: Vec::new(),
        area: selection,
        spill_bytes,
        sharding,
    };
    let mut output_seconds = report::write_reports(
        Vec::new(),
        o.out,
        done.view(),
        &done.summaries,
        &write::MergedFindings {
            parts: &parts,
            files: &done.files,
        },
        o.formats,
        o.privacy,
        o.lang,
    )?;
    // subscriptions.parquet was written along the way.
    if o.formats.parquet {
        output_seconds.push(("subscriptions.parquet".into(), subscriptions_seconds));
    }
    done.stages.push(watch.lap("report"));
    done.written = report::finish(o.out, done.view(), output_seconds, o.privacy, o.started)?;
    Ok(done)
}

/// The shards' findings files, removed when the run ends, whether it succeeds or fails.
struct WorkDir(PathBuf);

impl WorkDir {
    fn create(path: PathBuf) -> Result<WorkDir> {
        std::fs::create_dir_all(&path).map_err(|e| Error::write(&path, e))?;
        Ok(WorkDir(path))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_estimated_from_file_sizes() {
        let dir = tempfile::tempdir().unwrap();
        // Sparse files: only their sizes matter.
        let file = |name: &str, size: u64| {
            let p = dir.path().join(name);
            std::fs::File::create(&p).unwrap().set_len(size).unwrap();
            p
        };
        let small = file("small.csv", 10 << 20);
        let national = file("national.csv", 30_000_000_000);
        let parquet = file("national.parquet", 1_200_000_000);
        assert_eq!(estimated_rows(std::slice::from_ref(&small)), 52_428);
        assert_eq!(estimated_rows(&[small, national]), 150_052_428);
        assert_eq!(estimated_rows(&[parquet]), 30_000_000);
        assert_eq!(estimated_rows(&[dir.path().join("missing.csv")]), 0);
    }

    #[test]
    fn auto_shards_by_memory() {
        const GIB: u64 = 1 << 30;
        // 10 M rows fit in 8 GiB: held in memory.
        assert_eq!(auto_shards(10_000_000, 8 * GIB), 1);
        assert_eq!(auto_shards(0, 0), 1);
        // 130 M rows in 11 GiB (half of a 24 GiB machine's), or capped at 8 or 6 GiB.
        assert_eq!(auto_shards(130_000_000, 11 * GIB), 7);
        assert_eq!(auto_shards(130_000_000, 8 * GIB), 10);
        assert_eq!(auto_shards(130_000_000, 6 * GIB), 13);
        // Never more than 255, never 1 when the rows do not fit.
        assert_eq!(auto_shards(u64::MAX / 1000, GIB), 255);
        assert_eq!(auto_shards(20_000_000, 8 * GIB), 2);
    }

    #[test]
    fn memory_limits_read_as_people_write_them() {
        assert_eq!(parse_memory("6GiB").unwrap(), 6 << 30);
        assert_eq!(parse_memory("6G").unwrap(), 6 << 30);
        assert_eq!(parse_memory("1.5gib").unwrap(), 3 << 29);
        assert_eq!(parse_memory("6000MiB").unwrap(), 6000 << 20);
        assert_eq!(parse_memory("6GB").unwrap(), 6_000_000_000);
        assert_eq!(parse_memory("123456789").unwrap(), 123_456_789);
        for bad in ["", "GiB", "6 parsecs", "-1G", "0", "6", "0.5", "10MiB"] {
            assert!(parse_memory(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_of_key_is_stable_and_spread() {
        // Fixed values: a shard must not change between runs, machines or versions of the hasher.
        assert_eq!(
            shard_of_key("001089012345", 8),
            shard_of_key("001089012345", 8)
        );
        // Pinned: a change to the hash would move records between shards without any test noticing.
        assert_eq!(shard_of_key("001089012345", 8), 0);
        assert_eq!(shard_of_key("079203000123", 8), 5);
        assert_eq!(shard_of_key("B1234567", 13), 12);
        let mut counts = [0usize; 8];
        for i in 0..80_000u64 {
            counts[shard_of_key(&format!("0010{i:08}"), 8) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
    }
}

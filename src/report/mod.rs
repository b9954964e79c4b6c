//! Reports: summaries (by carrier, point, rule, ID) and the writers of every output file.

mod blocks;
pub mod compare;
pub mod dossier;
pub mod html;
pub mod i18n;
pub mod inspect;
mod manifest;
pub mod parquet;
mod privacy;
pub mod staging;
pub mod summary;
pub mod terminal;
pub mod write;
pub mod xlsx;
mod zipfile;

use crate::error::{Error, Result};
use crate::pipeline::Audit;
pub use crate::pipeline::RunView;
pub use privacy::{Level as MaskLevel, Privacy};
use std::path::Path;
pub use summary::{Cell, RowMarks, Sheet, Summaries};

/// Which file families `--format` asks for.
#[derive(Debug, Clone, Copy)]
pub struct Formats {
    pub csv: bool,
    pub parquet: bool,
    pub xlsx: bool,
    pub html: bool,
    /// `--dossiers`: made from the Parquet outputs, so it needs `parquet` too.
    pub dossiers: bool,
}

impl Formats {
    /// `csv,parquet,xlsx,html`.
    pub fn parse(spec: &str) -> std::result::Result<Formats, String> {
        let mut f = Formats {
            csv: false,
            parquet: false,
            xlsx: false,
            html: false,
            dossiers: false,
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

/// One output file's writer, given the path to write.
pub type Job<'a> = Box<dyn FnOnce(&Path) -> Result<()> + Send + 'a>;

/// A writer's result and wall seconds.
type Outcome = (Result<()>, f64);

/// Runs the writers on the thread pool, the longest first, each taken by the next free thread (so
/// subscriptions.parquet and the findings' writers start at once instead of queueing behind each
/// other). Returns each
/// writer's result and wall seconds, in the order given.
fn run_longest_first(jobs: Vec<(&str, Job<'_>)>, out: &Path) -> Vec<Outcome> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    // Measured order of cost on large runs; files not listed are small.
    const LONGEST: [&str; 2] = ["subscriptions.parquet", FINDINGS_JOB];
    let rank = |name: &str| {
        LONGEST
            .iter()
            .position(|l| *l == name)
            .unwrap_or(LONGEST.len())
    };
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| rank(jobs[i].0));
    let slots: Vec<Mutex<Option<(&str, Job)>>> =
        jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let results: Vec<Mutex<Option<Outcome>>> = slots.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    crate::usage::PROGRESS.start(slots.len() as u64);
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads().min(slots.len()) {
            scope.spawn(|_| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let taken = slots[i].lock().ok().and_then(|mut s| s.take());
                    if let Some((name, job)) = taken {
                        let clock = std::time::Instant::now();
                        let result = job(&out.join(name));
                        crate::usage::abort_for_test("report");
                        let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
                        crate::usage::PROGRESS.set(n as u64);
                        let done = (result, clock.elapsed().as_secs_f64());
                        if let Ok(mut r) = results[i].lock() {
                            *r = Some(done);
                        }
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner().ok().flatten().unwrap_or_else(|| {
                (
                    Err(Error::Input("an output writer did not run".into())),
                    0.0,
                )
            })
        })
        .collect()
}

/// Write every output into `out` and return the summaries and the files written.
pub fn write_all(
    audit: &mut Audit,
    out: &Path,
    formats: Formats,
    privacy: &Privacy,
    started: std::time::SystemTime,
    lang: i18n::Lang,
) -> Result<(Summaries, Vec<String>)> {
    std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    let mut watch = crate::usage::Stopwatch::default();
    let over_limit = std::mem::take(&mut audit.ids_over_limit);
    let a = audit.checked();
    let marks = RowMarks::compute(a);
    let summaries = summary::summarise(a, &audit.rejects, &marks, over_limit, privacy);
    let held = write::HeldFindings { audit: a, privacy };
    let mut jobs: Vec<(&str, Job)> = Vec::new();
    if formats.parquet {
        jobs.push((
            "subscriptions.parquet",
            Box::new(|p| parquet::subscriptions_parquet(p, a, &marks, privacy)),
        ));
    }
    let output_seconds = write_reports(
        jobs,
        out,
        audit.view(),
        &summaries,
        &held,
        formats,
        privacy,
        lang,
    )?;
    audit.stages.push(watch.lap("report"));
    let written = finish(out, audit.view(), output_seconds, privacy, started)?;
    Ok((summaries, written))
}

/// Writes manifest.json, listing `output_seconds` (each file written and its writer's wall seconds)
/// in a fixed order whatever order they were written in; returns the names of every file written.
pub fn finish(
    out: &Path,
    run: RunView,
    mut output_seconds: Vec<(String, f64)>,
    privacy: &Privacy,
    started: std::time::SystemTime,
) -> Result<Vec<String>> {
    output_seconds.sort_by_key(|(name, _)| {
        CSV_OUTPUTS
            .iter()
            .chain(&OTHER_OUTPUTS)
            .position(|o| o == name)
    });
    crate::usage::abort_for_test("manifest");
    manifest::write(
        &out.join("manifest.json"),
        run,
        &output_seconds,
        privacy,
        started,
    )?;
    Ok(output_seconds
        .into_iter()
        .map(|(name, _)| name)
        .chain(["manifest.json".to_string()])
        .collect())
}

/// The job that makes the findings' rows once for findings.csv, findings.parquet and report.xlsx.
const FINDINGS_JOB: &str = "findings rows";

/// Runs `jobs` (the writers that need the rows) and the writers of every output made from the
/// summaries and the findings' rows (`findings`, made once for findings.csv, findings.parquet and
/// report.xlsx), side by side; returns each file written with its wall seconds. `s` was made with
/// `privacy` (its IDs over the limit are masked already).
#[allow(clippy::too_many_arguments)]
pub fn write_reports<'a>(
    mut jobs: Vec<(&'a str, Job<'a>)>,
    out: &Path,
    run: RunView<'a>,
    s: &'a Summaries,
    findings: &'a dyn write::FindingRows,
    formats: Formats,
    privacy: &'a Privacy,
    lang: i18n::Lang,
) -> Result<Vec<(String, f64)>> {
    std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    if formats.csv {
        jobs.push((
            "by_carrier.csv",
            Box::new(|p| write::sheet_csv(p, &s.by_carrier)),
        ));
        jobs.push((
            "by_point.csv",
            Box::new(|p| write::sheet_csv(p, &s.by_point)),
        ));
        jobs.push(("by_rule.csv", Box::new(|p| write::sheet_csv(p, &s.by_rule))));
        jobs.push((
            "ids_over_limit.csv",
            Box::new(|p| write::sheet_csv(p, &s.ids_over_limit)),
        ));
    }
    // rejects.csv is always written: nothing may be lost silently.
    jobs.push((
        "rejects.csv",
        Box::new(move |p| write::rejects_csv(p, run, privacy)),
    ));
    // Each writer's seconds, told by the findings job.
    let block_seconds = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    if formats.csv || formats.parquet || formats.xlsx {
        let dir = out.to_path_buf();
        let block_seconds = block_seconds.clone();
        jobs.push((
            FINDINGS_JOB,
            Box::new(move |_| {
                let mut writers: Vec<Box<dyn write::BlockWriter + 'a>> = Vec::new();
                if formats.csv {
                    writers.push(Box::new(write::CsvBlocks::create(
                        &dir.join("findings.csv"),
                    )?));
                }
                if formats.parquet {
                    writers.push(Box::new(parquet::FindingsParquet::create(
                        &dir.join("findings.parquet"),
                    )?));
                }
                if formats.xlsx {
                    writers.push(Box::new(xlsx::start(
                        &dir.join("report.xlsx"),
                        run,
                        s,
                        lang,
                    )));
                }
                let seconds = write::write_blocks(findings, writers)?;
                *block_seconds.lock().unwrap_or_else(|p| p.into_inner()) = seconds;
                Ok(())
            }),
        ));
    }
    if formats.html {
        jobs.push((
            "report.html",
            Box::new(move |p| html::write(p, run, s, lang)),
        ));
    }
    let names: Vec<&str> = jobs.iter().map(|(name, _)| *name).collect();
    let results = run_longest_first(jobs, out);
    let mut output_seconds = Vec::new();
    for (name, (result, seconds)) in names.into_iter().zip(results) {
        result?;
        if name == FINDINGS_JOB {
            let told = block_seconds.lock().unwrap_or_else(|p| p.into_inner());
            output_seconds.extend(told.iter().cloned());
        } else {
            output_seconds.push((name.to_string(), seconds));
        }
    }
    if formats.dossiers {
        // Made from the Parquet outputs just written.
        let clock = std::time::Instant::now();
        dossier::write(out, &s.by_point, run.rules, run.area.is_some(), lang)?;
        output_seconds.push(("dossiers".to_string(), clock.elapsed().as_secs_f64()));
    }
    Ok(output_seconds)
}

/// The CSV outputs (with `--format csv`), in the order outputs are listed (manifest.json).
pub const CSV_OUTPUTS: [&str; 6] = [
    "findings.csv",
    "by_carrier.csv",
    "by_point.csv",
    "by_rule.csv",
    "ids_over_limit.csv",
    "rejects.csv",
];

/// The other outputs, listed after the CSV ones.
const OTHER_OUTPUTS: [&str; 6] = [
    "findings.parquet",
    "subscriptions.parquet",
    "report.xlsx",
    "report.html",
    "dossiers",
    "manifest.json",
];

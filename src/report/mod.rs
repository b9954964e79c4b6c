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

/// One output file's writer, given the path to write.
type Job<'a> = Box<dyn FnOnce(&Path) -> Result<()> + Send + 'a>;

/// A writer's result and wall seconds.
type Outcome = (Result<()>, f64);

/// Runs the writers on the thread pool, the longest first, each taken by the next free thread (so the
/// big Parquet and xlsx writers start at once instead of queueing behind each other). Returns each
/// writer's result and wall seconds, in the order given.
fn run_longest_first(jobs: Vec<(&str, Job<'_>)>, out: &Path) -> Vec<Outcome> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    // Measured order of cost on large runs; files not listed are small.
    const LONGEST: [&str; 4] = [
        "subscriptions.parquet",
        "findings.parquet",
        "report.xlsx",
        "findings.csv",
    ];
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
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads().min(slots.len()) {
            scope.spawn(|_| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let taken = slots[i].lock().ok().and_then(|mut s| s.take());
                    if let Some((name, job)) = taken {
                        let clock = std::time::Instant::now();
                        let result = job(&out.join(name));
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
    points: Option<&PointRegistry>,
    started: std::time::SystemTime,
    lang: terminal::Lang,
) -> Result<(Summaries, Vec<String>)> {
    std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    let mut watch = crate::usage::Stopwatch::default();
    let marks = RowMarks::compute(audit);
    let summaries = summary::summarise(audit, &marks, points);
    // The writers are independent and each mostly single-threaded: they run side by side. Files are
    // listed in this fixed order whatever order they finish in.
    let mut jobs: Vec<(&str, Job)> = Vec::new();
    let (a, s): (&Audit, &Summaries) = (audit, &summaries);
    if formats.csv {
        jobs.push((
            "findings.csv",
            Box::new(|p| write::findings_csv(p, a, privacy)),
        ));
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
            Box::new(|p| write::sheet_csv(p, &mask_ids(&s.ids_over_limit, privacy))),
        ));
    }
    // rejects.csv is always written: nothing may be lost silently.
    jobs.push((
        "rejects.csv",
        Box::new(|p| write::rejects_csv(p, a, privacy)),
    ));
    if formats.parquet {
        jobs.push((
            "findings.parquet",
            Box::new(|p| write::findings_parquet(p, a, privacy)),
        ));
        jobs.push((
            "subscriptions.parquet",
            Box::new(|p| write::subscriptions_parquet(p, a, &marks, privacy)),
        ));
    }
    if formats.xlsx {
        jobs.push((
            "report.xlsx",
            Box::new(|p| xlsx::write(p, a, s, privacy, lang)),
        ));
    }
    if formats.html {
        jobs.push((
            "report.html",
            Box::new(|p| html::write(p, a, s, privacy, lang)),
        ));
    }
    let names: Vec<&str> = jobs.iter().map(|(name, _)| *name).collect();
    let results = run_longest_first(jobs, out);
    let mut output_seconds = Vec::new();
    for (name, (result, seconds)) in names.into_iter().zip(results) {
        result?;
        output_seconds.push((name.to_string(), seconds));
    }
    audit.stages.push(watch.lap("report"));
    manifest::write(
        &out.join("manifest.json"),
        audit,
        &output_seconds,
        privacy.is_masked(),
        started,
    )?;
    let written = output_seconds
        .into_iter()
        .map(|(name, _)| name)
        .chain(["manifest.json".to_string()])
        .collect();
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

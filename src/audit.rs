//! The pipeline: ingest → normalise → rules. Produces everything the reports need, writes nothing.

use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::ingest::{self, IngestOptions, Reject, SourceFile, Table};
use crate::normalize::Normalised;
use crate::rules::row::{self, PointRegistry};
use crate::rules::{cross, RuleSet};
use crate::usage::{StageCost, Stopwatch};
use std::path::{Path, PathBuf};

pub struct Audit {
    pub files: Vec<SourceFile>,
    pub table: Table,
    pub norm: Normalised,
    pub rejects: Vec<Reject>,
    /// Sorted by file name, row, rule (then detail), as findings.csv is.
    pub findings: Vec<Finding>,
    pub rules: RuleSet,
    pub points_given: bool,
    /// What each stage cost, in order.
    pub stages: Vec<StageCost>,
    /// ID keys over the per-carrier limit, found with the holder rules (unordered).
    pub ids_over_limit: Vec<crate::rules::cross::IdOverLimit>,
}

impl Audit {
    pub fn view(&self) -> crate::report::RunView<'_> {
        crate::report::RunView {
            files: &self.files,
            rules: &self.rules,
            rejects: &self.rejects,
            accepted: self.table.len(),
            findings: self.findings.len(),
            points_given: self.points_given,
            stages: &self.stages,
        }
    }
}

/// Read a registry of authorised points: CSV with `carrier` and `point_id` columns.
pub fn read_points(path: &Path) -> Result<PointRegistry> {
    let bad = |why: String| Error::Input(format!("--points {}: {why}", path.display()));
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    let text = ingest::decode::decode(bytes, None).text;
    let delimiter = ingest::sniff_delimiter(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(crate::schema::fold_label)
        .collect();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| *h == crate::schema::fold_label(name))
            .ok_or_else(|| {
                bad(format!(
                    "needs the columns carrier and point_id; found {}",
                    headers.join(", ")
                ))
            })
    };
    let (c, p) = (col("carrier")?, col("point_id")?);
    let mut out = PointRegistry::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| bad(format!("record {}: {e}", i + 1)))?;
        let (carrier, point) = (
            rec.get(c).unwrap_or("").trim(),
            rec.get(p).unwrap_or("").trim(),
        );
        if carrier.is_empty() || point.is_empty() {
            return Err(bad(format!(
                "record {} has an empty carrier or point_id",
                i + 1
            )));
        }
        out.insert((crate::schema::canonical_carrier(carrier), point.to_string()));
    }
    Ok(out)
}

/// The stages of a run, in order, as `manifest.json` names them.
pub const STAGES: [&str; 6] = [
    "ingest",
    "normalise",
    "row_rules",
    "cross_rules",
    "sort",
    "report",
];

pub fn run(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    rules: RuleSet,
    points: Option<&PointRegistry>,
) -> Result<Audit> {
    run_with_progress(inputs, opts, rules, points, &|_| {})
}

/// [`run`], telling `on_stage` when each stage of [`STAGES`] starts (for a progress display).
pub fn run_with_progress(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    rules: RuleSet,
    points: Option<&PointRegistry>,
    on_stage: &dyn Fn(&'static str),
) -> Result<Audit> {
    let mut stages = Vec::new();
    let mut watch = Stopwatch::default();
    let mut lap = |name: &'static str, stages: &mut Vec<StageCost>| {
        stages.push(watch.lap(name));
        if let Some(next) = STAGES.iter().skip_while(|s| **s != name).nth(1) {
            on_stage(next);
        }
    };
    on_stage("ingest");
    let loaded = ingest::load(inputs, opts)?;
    crate::usage::return_freed_memory();
    lap("ingest", &mut stages);
    let norm = Normalised::compute(&loaded.table, &rules);
    lap("normalise", &mut stages);
    let mut findings = loaded.findings;
    let cx = row::Context {
        table: &loaded.table,
        norm: &norm,
        rules: &rules,
        points,
    };
    findings.extend(row::evaluate(&cx));
    lap("row_rules", &mut stages);
    let cross = cross::evaluate(&cx);
    findings.extend(cross.findings);
    lap("cross_rules", &mut stages);
    sort_findings(&mut findings, &loaded.files);
    lap("sort", &mut stages);
    Ok(Audit {
        files: loaded.files,
        table: loaded.table,
        norm,
        rejects: loaded.rejects,
        findings,
        rules,
        points_given: points.is_some(),
        stages,
        ids_over_limit: cross.over_limit,
    })
}

/// By file name, row, rule code, then detail: a total order, so outputs are byte-identical on a rerun.
pub(crate) fn sort_findings(findings: &mut [Finding], files: &[SourceFile]) {
    use rayon::slice::ParallelSliceMut;
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|a, b| files[*a].name.cmp(&files[*b].name));
    let mut rank = vec![0usize; files.len()];
    for (r, f) in order.into_iter().enumerate() {
        rank[f] = r;
    }
    findings.par_sort_unstable_by(|a, b| {
        (rank[a.file as usize], a.row, a.rule.code(), &a.detail).cmp(&(
            rank[b.file as usize],
            b.row,
            b.rule.code(),
            &b.detail,
        ))
    });
}

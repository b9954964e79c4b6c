//! The pipeline: ingest → normalise → rules. [`evaluate`] is the one place rules are run on a table;
//! a run held in memory ([`run`]) and a sharded run (`crate::sharded`) differ only in the tables they
//! feed it and how they merge what it finds. Writes nothing.

use crate::area::{Area, Census, Restricted, Selection};
use crate::error::Result;
use crate::ingest::{
    self, IngestOptions, PointRegistry, Reject, SkippedSheet, SourceFile, Table, Unreadable,
};
use crate::normalize::Normalised;
use crate::rules::cross::{self, IdOverLimit};
use crate::rules::finding::{DetailTexts, Details, Finding};
use crate::rules::row::{self, quality, Context};
use crate::rules::RuleSet;
use crate::usage::{StageCost, Stopwatch};
use std::path::PathBuf;

/// A whole run held in memory.
pub struct Audit {
    pub files: Vec<SourceFile>,
    pub table: Table,
    pub norm: Normalised,
    pub rejects: Vec<Reject>,
    pub skipped_sheets: Vec<SkippedSheet>,
    /// Sorted by file name, row, rule (then detail), as findings.csv is.
    pub findings: Vec<Finding>,
    /// The findings' details.
    pub details: DetailTexts,
    pub rules: RuleSet,
    pub points_given: bool,
    /// What each stage cost, in order.
    pub stages: Vec<StageCost>,
    /// ID keys over the per-carrier limit, found with the holder rules (unordered); taken by the
    /// summaries.
    pub ids_over_limit: Vec<IdOverLimit>,
    /// Accepted rows of the whole extract (`table` holds only the area's when one was chosen).
    pub accepted: usize,
    /// The area the outputs are restricted to (`--point`, `--district`), if any.
    pub area: Option<Selection>,
    /// How `--shards` chose to hold the run (set by the caller; None: not said).
    pub sharding: Option<Sharding>,
}

/// How many shards a run was split into, and, with `--shards auto`, what that was chosen from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sharding {
    pub shards: usize,
    pub auto: Option<AutoChoice>,
}

/// What `--shards auto` chose from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutoChoice {
    /// Accepted rows expected, from the inputs' sizes.
    pub rows: u64,
    /// The memory the run may use: `--memory-limit`, else half of what the machine had available.
    pub budget: u64,
}

impl Audit {
    pub fn view(&self) -> RunView<'_> {
        RunView {
            files: &self.files,
            rules: &self.rules,
            rejects: &self.rejects,
            skipped_sheets: &self.skipped_sheets,
            accepted: self.accepted,
            findings: self.findings.len(),
            points_given: self.points_given,
            stages: &self.stages,
            area: self.area.as_ref(),
            spill_bytes: None,
            sharding: self.sharding,
        }
    }

    pub fn checked(&self) -> Checked<'_> {
        Checked {
            files: &self.files,
            table: &self.table,
            norm: &self.norm,
            rules: &self.rules,
            findings: &self.findings,
            details: &self.details,
        }
    }
}

/// What the reports say of a run besides its tables: inputs, rule set, counts and stage costs. A run
/// held in memory gives it ([`Audit::view`]); so does a sharded run, which never holds all its rows.
#[derive(Clone, Copy)]
pub struct RunView<'a> {
    pub files: &'a [SourceFile],
    pub rules: &'a RuleSet,
    pub rejects: &'a [Reject],
    /// Sheets of workbooks that were not read.
    pub skipped_sheets: &'a [SkippedSheet],
    /// Accepted rows.
    pub accepted: usize,
    pub findings: usize,
    pub points_given: bool,
    pub stages: &'a [StageCost],
    /// The area the outputs are restricted to, if any.
    pub area: Option<&'a Selection>,
    /// The compressed bytes a sharded run spilled.
    pub spill_bytes: Option<u64>,
    pub sharding: Option<Sharding>,
}

/// A table and what the rules found in it: what the row-level outputs (findings, subscriptions) and
/// the tallies are made from. A run held in memory has one; a sharded run has one per shard.
#[derive(Clone, Copy)]
pub struct Checked<'a> {
    pub files: &'a [SourceFile],
    pub table: &'a Table,
    pub norm: &'a Normalised,
    pub rules: &'a RuleSet,
    /// Sorted as findings.csv is.
    pub findings: &'a [Finding],
    pub details: &'a DetailTexts,
}

/// Which groups of rows a table holds whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Every accepted row: every rule runs on it.
    Everything,
    /// Every row of some ID keys (a shard): the rules of one row and of one holder run on it; the
    /// rules that group rows by number or by point need every row, and are run by the caller.
    WholeIdKeys,
}

/// What [`evaluate`] found: the findings (unsorted), their details (open for the caller's other
/// findings) and the ID keys over the per-carrier limit.
pub struct Evaluated {
    pub findings: Vec<Finding>,
    pub details: Details,
    pub over_limit: Vec<IdOverLimit>,
}

/// Runs the rule set's enabled rules on a normalised table: the values ingest could not read (DQ002),
/// the per-row rules, then the rules across rows that `reach` allows. `lap` is told when the per-row
/// and the cross-record rules are done.
pub fn evaluate(
    table: &Table,
    norm: &Normalised,
    unreadable: &[Unreadable],
    rules: &RuleSet,
    points: Option<&PointRegistry>,
    reach: Reach,
    lap: &mut dyn FnMut(&'static str),
) -> Evaluated {
    let details = Details::default();
    let cx = Context::new(table, norm, rules, points, &details);
    let mut findings = quality::unparseable(rules, unreadable, &details);
    findings.extend(row::evaluate(&cx));
    lap("row_rules");
    let cross = match reach {
        Reach::Everything => cross::evaluate(&cx),
        Reach::WholeIdKeys => cross::evaluate_by_id_key(&cx),
    };
    findings.extend(cross.findings);
    lap("cross_rules");
    Evaluated {
        findings,
        details,
        over_limit: cross.over_limit,
    }
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
    run_with_progress(inputs, opts, rules, points, None, &|_| {})
}

/// [`run`], restricted to `area` after the rules (when given), telling `on_stage` when each stage of
/// [`STAGES`] starts (for a progress display).
pub fn run_with_progress(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    rules: RuleSet,
    points: Option<&PointRegistry>,
    area: Option<&Area>,
    on_stage: &dyn Fn(&'static str),
) -> Result<Audit> {
    let mut stages = Vec::new();
    let mut watch = Stopwatch::default();
    let mut lap = |name: &'static str| {
        stages.push(watch.lap(name));
        if let Some(next) = STAGES.iter().skip_while(|s| **s != name).nth(1) {
            on_stage(next);
        }
    };
    on_stage("ingest");
    let loaded = ingest::load(inputs, opts)?;
    crate::usage::return_freed_memory();
    // The area's points are chosen before the long stages, so a misspelt one fails at once.
    let mut selection = area
        .map(|a| {
            let mut census = Census::default();
            census.add(&loaded.table);
            a.select(&census)
        })
        .transpose()?;
    let accepted = loaded.table.len();
    lap("ingest");
    let norm = Normalised::compute(&loaded.table, rules.tone_style);
    lap("normalise");
    let Evaluated {
        findings,
        details,
        over_limit,
    } = evaluate(
        &loaded.table,
        &norm,
        &loaded.unreadable,
        &rules,
        points,
        Reach::Everything,
        &mut lap,
    );
    let (table, mut findings, over_limit) = match selection.as_mut() {
        None => (loaded.table, findings, over_limit),
        Some(s) => {
            let Restricted {
                table,
                findings,
                over_limit,
            } = s.restrict(loaded.table, &norm, findings, over_limit);
            (table, findings, over_limit)
        }
    };
    findings.extend(quality::rejected(&rules, &loaded.rejects, &details));
    let details = details.freeze();
    sort_findings(&mut findings, &loaded.files, &details);
    lap("sort");
    Ok(Audit {
        files: loaded.files,
        table,
        norm,
        rejects: loaded.rejects,
        skipped_sheets: loaded.skipped_sheets,
        findings,
        details,
        rules,
        points_given: points.is_some(),
        stages,
        ids_over_limit: over_limit,
        accepted,
        area: selection,
        sharding: None,
    })
}

/// By file name, row, rule code, then detail as kept (its text, its figures, or none): a total order,
/// so outputs are byte-identical on a rerun.
pub(crate) fn sort_findings(findings: &mut [Finding], files: &[SourceFile], details: &DetailTexts) {
    use rayon::slice::ParallelSliceMut;
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|a, b| files[*a].name.cmp(&files[*b].name));
    let mut rank = vec![0usize; files.len()];
    for (r, f) in order.into_iter().enumerate() {
        rank[f] = r;
    }
    findings.par_sort_unstable_by(|a, b| {
        (rank[a.file as usize], a.row, a.rule.code())
            .cmp(&(rank[b.file as usize], b.row, b.rule.code()))
            .then_with(|| details.kept(a.detail).cmp(&details.kept(b.detail)))
    });
}

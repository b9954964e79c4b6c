//! Summaries for the inspection team: per carrier, per point, per rule, per ID. Computed from the
//! findings with integer codes; every table has a total order, so reruns are byte-identical.

use super::Privacy;
use crate::ingest::{Reject, SourceFile, Table};
use crate::normalize::Normalised;
use crate::pipeline::Checked;
use crate::rules::cross::IdOverLimit;
use crate::rules::registry::{set_bits, RuleMask};
use crate::rules::{RuleCode, RuleSet, RULES};
use crate::schema::PointType;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A typed cell, so CSV, xlsx and HTML writers can each format it as their medium wants.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    /// A percentage 0–100.
    Pct(f64),
}

impl Cell {
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Pct(p) => format!("{p:.2}"),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::Int(n as u64)
    }
}

/// A summary table: machine column names and rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// The same table without its rows.
    pub fn clone_empty(&self) -> Sheet {
        Sheet {
            name: self.name,
            columns: self.columns.clone(),
            rows: Vec::new(),
        }
    }

    /// The rows, their cells looked up by column name.
    pub fn records(&self) -> impl Iterator<Item = Record<'_>> {
        self.rows.iter().map(move |cells| Record {
            columns: &self.columns,
            cells,
        })
    }
}

/// One row of a [`Sheet`].
pub struct Record<'a> {
    columns: &'a [String],
    cells: &'a [Cell],
}

impl Record<'_> {
    pub fn get(&self, column: &str) -> Option<&Cell> {
        let i = self.columns.iter().position(|c| c == column)?;
        self.cells.get(i)
    }

    /// A count column's value (0 when the column is missing or not a count).
    pub fn int(&self, column: &str) -> u64 {
        match self.get(column) {
            Some(Cell::Int(n)) => *n,
            _ => 0,
        }
    }

    /// A column's value as CSV writes it (empty when the column is missing).
    pub fn text(&self, column: &str) -> String {
        self.get(column).map_or_else(String::new, Cell::csv)
    }
}

/// What each accepted row got: a bit per rule, and whether it is flagged.
pub struct RowMarks {
    pub rules: Vec<RuleMask>,
}

impl RowMarks {
    pub fn compute(audit: Checked) -> RowMarks {
        let mut rules: Vec<RuleMask> = vec![0; audit.table.len()];
        for f in audit.findings {
            if let Some(s) = f.subject.index() {
                rules[s as usize] |= 1 << (f.rule as u32);
            }
        }
        RowMarks { rules }
    }
    pub fn has(&self, row: usize, rule: RuleCode) -> bool {
        self.rules[row] & (1 << rule as u32) != 0
    }
}

/// Bit masks of the rules whose effective severity flags a row.
pub(crate) fn severity_masks(rules: &RuleSet) -> (RuleMask, RuleMask) {
    let (mut violation, mut warning) = (0, 0);
    for r in RuleCode::ALL {
        match rules.severity(*r) {
            crate::rules::Severity::Violation => violation |= 1 << (*r as u32),
            crate::rules::Severity::Warning => warning |= 1 << (*r as u32),
            crate::rules::Severity::Info => {}
        }
    }
    (violation, warning)
}

fn pct(part: usize, whole: usize) -> Cell {
    Cell::Pct(if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    })
}

fn rule_columns() -> impl Iterator<Item = String> {
    RULES.iter().map(|r| r.code.to_string())
}

#[derive(Default, Clone)]
struct Counts {
    subscriptions: usize,
    live: usize,
    flagged: usize,
    violation: usize,
    warning: usize,
    per_rule: Vec<usize>,
}

impl Counts {
    fn add(&mut self, mask: u64, live: bool, (v, w): (u64, u64)) {
        if self.per_rule.is_empty() {
            self.per_rule = vec![0; RULES.len()];
        }
        self.subscriptions += 1;
        self.live += usize::from(live);
        self.flagged += usize::from(mask & (v | w) != 0);
        self.violation += usize::from(mask & v != 0);
        self.warning += usize::from(mask & w != 0);
        for bit in set_bits(mask) {
            self.per_rule[bit] += 1;
        }
    }
}

pub struct Summaries {
    pub by_carrier: Sheet,
    pub by_point: Sheet,
    pub by_rule: Sheet,
    pub ids_over_limit: Sheet,
    /// The audit period: the first and last activation time of the rows audited.
    pub period: Option<(crate::ident::DateTime, crate::ident::DateTime)>,
}

/// The summaries of a run held in memory; `over_limit` is its IDs over the limit, made into the
/// `ids_over_limit` sheet (their texts moved, not copied; their ID numbers masked as `privacy` says).
pub fn summarise(
    audit: Checked,
    rejects: &[Reject],
    marks: &RowMarks,
    over_limit: Vec<IdOverLimit>,
    privacy: &Privacy,
) -> Summaries {
    Tally::compute(audit, marks, over_limit).summaries(audit.files, rejects, audit.rules, privacy)
}

/// How often each text occurred (a point's names, types or districts).
type ValueCounts = BTreeMap<String, usize>;

/// One (carrier, point): its counts and the values its rows gave for the point's descriptive fields.
#[derive(Default)]
struct PointTally {
    c: Counts,
    names: ValueCounts,
    kinds: ValueCounts,
    districts: ValueCounts,
}

/// Everything the summaries are made of, in a form that adds up: the tallies of rows that share
/// nothing (shards of a run partitioned by ID key) merge into the tally of the whole run.
#[derive(Default)]
pub struct Tally {
    /// Per (carrier, point_id); the empty point is a point too (rows without one).
    points: BTreeMap<(String, String), PointTally>,
    /// Distinct ID keys per carrier (ID keys never straddle shards, so these add up).
    distinct_ids: BTreeMap<String, usize>,
    over_limit: Vec<IdOverLimit>,
    /// First and last activation time.
    period: Option<(crate::ident::DateTime, crate::ident::DateTime)>,
}

impl Counts {
    fn merge(&mut self, o: &Counts) {
        if self.per_rule.len() < o.per_rule.len() {
            self.per_rule.resize(o.per_rule.len(), 0);
        }
        self.subscriptions += o.subscriptions;
        self.live += o.live;
        self.flagged += o.flagged;
        self.violation += o.violation;
        self.warning += o.warning;
        for (a, b) in self.per_rule.iter_mut().zip(&o.per_rule) {
            *a += b;
        }
    }
    fn rule(&self, bit: usize) -> usize {
        self.per_rule.get(bit).copied().unwrap_or(0)
    }
}

fn add_counts(into: &mut ValueCounts, from: ValueCounts) {
    for (text, n) in from {
        *into.entry(text).or_default() += n;
    }
}

/// The most frequent text (ties: the smallest text; none: empty).
fn modal(counts: &ValueCounts) -> String {
    let mut best: Option<(&String, usize)> = None;
    for (text, &n) in counts {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((text, n));
        }
    }
    best.map_or_else(String::new, |(t, _)| t.clone())
}

/// `period` widened to take in `(from, to)`.
fn widen<T: Ord + Copy>(period: Option<(T, T)>, (from, to): (T, T)) -> Option<(T, T)> {
    Some(match period {
        None => (from, to),
        Some((a, b)) => (a.min(from), b.max(to)),
    })
}

impl Tally {
    /// The tally of `audit`'s rows, with the IDs over the limit the rules found among them.
    pub fn compute(audit: Checked, marks: &RowMarks, over_limit: Vec<IdOverLimit>) -> Tally {
        let masks = severity_masks(audit.rules);
        // Three independent passes over the rows, side by side.
        let find_period = || {
            audit
                .table
                .activation_time
                .iter()
                .filter_map(|cell| cell.value().map(|w| w.at))
                .fold(None, |period, at| widen(period, (at, at)))
        };
        let (distinct_ids, (points, period)) = rayon::join(
            || distinct_ids_per_carrier(audit, audit.norm),
            || rayon::join(|| point_tallies(audit, marks, masks), find_period),
        );
        Tally {
            points,
            distinct_ids,
            over_limit,
            period,
        }
    }

    pub fn merge(&mut self, other: Tally) {
        for (key, p) in other.points {
            let mine = self.points.entry(key).or_default();
            mine.c.merge(&p.c);
            add_counts(&mut mine.names, p.names);
            add_counts(&mut mine.kinds, p.kinds);
            add_counts(&mut mine.districts, p.districts);
        }
        for (carrier, n) in other.distinct_ids {
            *self.distinct_ids.entry(carrier).or_default() += n;
        }
        self.over_limit.extend(other.over_limit);
        if let Some(p) = other.period {
            self.period = widen(self.period, p);
        }
    }

    /// The four summary tables; `rejects` and `files` give the rejected records of each carrier. The
    /// ID numbers of `ids_over_limit` are masked as `privacy` says, once for every writer (names are
    /// only counted there).
    pub fn summaries(
        mut self,
        files: &[SourceFile],
        rejects: &[Reject],
        rules: &RuleSet,
        privacy: &Privacy,
    ) -> Summaries {
        self.over_limit.sort_by(|a, b| {
            b.live_subscriptions
                .cmp(&a.live_subscriptions)
                .then_with(|| a.id_number.cmp(&b.id_number))
        });
        // Rejected records per carrier: their file's carrier.
        let mut rejected: BTreeMap<String, usize> = BTreeMap::new();
        for r in rejects {
            let carrier = files[r.file as usize].carrier.clone().unwrap_or_default();
            *rejected.entry(carrier).or_default() += 1;
        }
        let by_carrier = self.by_carrier(&rejected, rules);
        let by_rule = self.by_rule(rejects.len(), rejected.len(), rules);
        Summaries {
            by_point: self.by_point(),
            by_rule,
            ids_over_limit: ids_sheet(std::mem::take(&mut self.over_limit), privacy),
            by_carrier,
            period: self.period,
        }
    }

    fn by_carrier(&self, rejected: &BTreeMap<String, usize>, rules: &RuleSet) -> Sheet {
        let mut carriers: BTreeMap<&str, Counts> = BTreeMap::new();
        for ((carrier, _), p) in &self.points {
            carriers.entry(carrier).or_default().merge(&p.c);
        }
        let mut over: HashMap<&str, usize> = HashMap::new();
        let max = rules.thresholds.max_per_carrier;
        for o in &self.over_limit {
            for (carrier, n) in &o.per_carrier {
                if *n > max {
                    *over.entry(carrier).or_default() += 1;
                }
            }
        }
        let names: BTreeSet<&str> = carriers
            .keys()
            .copied()
            .chain(rejected.keys().map(String::as_str))
            .collect();
        let mut rows = Vec::new();
        for name in names {
            let c = carriers.get(name).cloned().unwrap_or_default();
            let rejected_here = rejected.get(name).copied().unwrap_or(0);
            let mut row: Vec<Cell> = vec![
                name.into(),
                c.subscriptions.into(),
                c.live.into(),
                c.flagged.into(),
                pct(c.flagged, c.subscriptions),
                c.violation.into(),
                c.warning.into(),
                rejected_here.into(),
                self.distinct_ids.get(name).copied().unwrap_or(0).into(),
                over.get(name).copied().unwrap_or(0).into(),
            ];
            for (bit, r) in RuleCode::ALL.iter().enumerate() {
                // DQ001 rows are the rejected records attributed to this carrier (none when the
                // rule is off: the records still count as rejected_rows).
                let n = if *r == RuleCode::DQ001 {
                    if rules.active().has(RuleCode::DQ001) {
                        rejected_here
                    } else {
                        0
                    }
                } else {
                    c.rule(bit)
                };
                row.push(n.into());
            }
            rows.push(row);
        }
        Sheet {
            name: "by_carrier",
            columns: [
                "carrier",
                "subscriptions",
                "live",
                "flagged",
                "flagged_pct",
                "with_violation",
                "with_warning",
                "rejected_rows",
                "distinct_ids",
                "ids_over_limit",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain(rule_columns())
            .collect(),
            rows,
        }
    }

    fn by_point(&self) -> Sheet {
        let mut points: Vec<(&(String, String), &PointTally)> = self.points.iter().collect();
        points.sort_by(|(a_key, a), (b_key, b)| {
            b.c.violation
                .cmp(&a.c.violation)
                .then(b.c.flagged.cmp(&a.c.flagged))
                .then_with(|| a_key.cmp(b_key))
        });
        let rows = points
            .into_iter()
            .enumerate()
            .map(|(rank, ((carrier, point), p))| {
                let mut row: Vec<Cell> = vec![
                    (rank + 1).into(),
                    carrier.as_str().into(),
                    point.as_str().into(),
                    modal(&p.names).into(),
                    modal(&p.kinds).into(),
                    modal(&p.districts).into(),
                    p.c.subscriptions.into(),
                    p.c.flagged.into(),
                    pct(p.c.flagged, p.c.subscriptions),
                    p.c.violation.into(),
                    p.c.warning.into(),
                ];
                row.extend((0..RULES.len()).map(|bit| Cell::from(p.c.rule(bit))));
                row
            })
            .collect();
        Sheet {
            name: "by_point",
            columns: [
                "rank",
                "carrier",
                "point_id",
                "point_name",
                "point_type",
                "district",
                "subscriptions",
                "flagged",
                "flagged_pct",
                "with_violation",
                "with_warning",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain(rule_columns())
            .collect(),
            rows,
        }
    }

    fn by_rule(&self, rejected: usize, rejected_carriers: usize, rules: &RuleSet) -> Sheet {
        let mut rows = Vec::new();
        for (bit, r) in RuleCode::ALL.iter().enumerate() {
            if !rules.active().has(*r) {
                continue;
            }
            let (n, carriers, points) = if *r == RuleCode::DQ001 {
                (rejected, rejected_carriers, 0)
            } else {
                let hit: Vec<&(String, String)> = self
                    .points
                    .iter()
                    .filter(|(_, p)| p.c.rule(bit) > 0)
                    .map(|(key, _)| key)
                    .collect();
                let carriers: HashSet<&str> = hit.iter().map(|(c, _)| c.as_str()).collect();
                let n: usize = self.points.values().map(|p| p.c.rule(bit)).sum();
                (n, carriers.len(), hit.len())
            };
            let info = r.info();
            rows.push(vec![
                info.code.into(),
                info.name.into(),
                rules.severity(*r).code().into(),
                n.into(),
                carriers.into(),
                points.into(),
            ]);
        }
        Sheet {
            name: "by_rule",
            columns: ["rule", "name", "severity", "rows", "carriers", "points"]
                .map(String::from)
                .to_vec(),
            rows,
        }
    }
}

/// Distinct ID keys per carrier (carriers with none left out).
fn distinct_ids_per_carrier(audit: Checked, norm: &Normalised) -> BTreeMap<String, usize> {
    let t = audit.table;
    let order = counting_sort(&t.carrier.codes, t.carrier.distinct());
    let carriers: Vec<&[u32]> = order
        .chunk_by(|a, b| t.carrier.codes[*a as usize] == t.carrier.codes[*b as usize])
        .collect();
    let counts = distinct_keys(
        &carriers,
        |i| norm.id_key(t, i as usize),
        norm.id_keys.codes,
    );
    let mut out = BTreeMap::new();
    for (rows, distinct) in carriers.iter().zip(counts) {
        if distinct > 0 {
            let carrier = t.carrier.value(t.carrier.codes[rows[0] as usize]);
            *out.entry(carrier.to_string()).or_default() += distinct;
        }
    }
    out
}

/// How many distinct non-zero keys (below `codes`) each group of rows has: a group's keys are marked
/// in one bitmap of all the keys, and unmarked by walking the same rows again, which leaves the
/// bitmap empty for the next group.
fn distinct_keys(groups: &[&[u32]], key: impl Fn(u32) -> u32, codes: u32) -> Vec<usize> {
    fn marks<'a>(
        rows: &'a [u32],
        key: &'a impl Fn(u32) -> u32,
    ) -> impl Iterator<Item = (usize, u64)> + 'a {
        rows.iter()
            .map(|&i| key(i))
            .filter(|&k| k != 0)
            .map(|k| (k as usize / 64, 1u64 << (k % 64)))
    }
    let mut seen = vec![0u64; (codes as usize).div_ceil(64)];
    groups
        .iter()
        .map(|rows| {
            let mut distinct = 0;
            for (word, bit) in marks(rows, &key) {
                distinct += usize::from(seen[word] & bit == 0);
                seen[word] |= bit;
            }
            for (word, _) in marks(rows, &key) {
                seen[word] = 0;
            }
            distinct
        })
        .collect()
}

/// One (carrier, point)'s tally while the rows are read: counts, and the codes its rows gave for
/// the point's descriptive fields.
#[derive(Default)]
struct PointCodes {
    c: Counts,
    names: CodeCounts,
    kinds: CodeCounts,
    districts: CodeCounts,
}

impl PointCodes {
    fn merge(&mut self, o: PointCodes) {
        self.c.merge(&o.c);
        self.names.merge(o.names);
        self.kinds.merge(o.kinds);
        self.districts.merge(o.districts);
    }

    /// The tally with each code's text (of `t`'s columns) in place of the code.
    fn into_tally(self, t: &Table) -> PointTally {
        PointTally {
            names: self.names.texts(|c| t.point_name.value(c)),
            kinds: self
                .kinds
                .texts(|c| PointType::ALL.get(c as usize).map_or("", |k| k.code())),
            districts: self.districts.texts(|c| t.district.value(c)),
            c: self.c,
        }
    }
}

/// How often each code occurred. A point's rows nearly always give one value, so a run of the same
/// code is counted before it reaches the map.
#[derive(Default)]
struct CodeCounts {
    last: u32,
    run: usize,
    counts: rustc_hash::FxHashMap<u32, usize>,
}

impl CodeCounts {
    fn add(&mut self, code: u32) {
        if code != self.last && self.run > 0 {
            *self.counts.entry(self.last).or_default() += self.run;
            self.run = 0;
        }
        self.last = code;
        self.run += 1;
    }

    fn merge(&mut self, o: CodeCounts) {
        for (code, n) in o.into_counts() {
            *self.counts.entry(code).or_default() += n;
        }
    }

    fn into_counts(mut self) -> rustc_hash::FxHashMap<u32, usize> {
        if self.run > 0 {
            *self.counts.entry(self.last).or_default() += self.run;
        }
        self.counts
    }

    fn texts<'a>(self, text: impl Fn(u32) -> &'a str) -> ValueCounts {
        let mut out = ValueCounts::new();
        for (code, n) in self.into_counts() {
            *out.entry(text(code).to_string()).or_default() += n;
        }
        out
    }
}

/// The tallies of some rows by (carrier, point) code: a slot per point code (points are few and
/// their codes dense) for the first carrier seen with it, and a map for the rare other carriers
/// sharing a point code.
struct PointSlots {
    slot_of_point: Vec<u32>,
    shared: rustc_hash::FxHashMap<(u32, u32), u32>,
    slots: Vec<((u32, u32), PointCodes)>,
}

impl PointSlots {
    const NONE: u32 = u32::MAX;

    fn new(points: usize) -> PointSlots {
        PointSlots {
            slot_of_point: vec![Self::NONE; points],
            shared: Default::default(),
            slots: Vec::new(),
        }
    }

    fn of(&mut self, carrier: u32, point: u32) -> &mut PointCodes {
        let first = self.slot_of_point[point as usize];
        let slot = if first == Self::NONE {
            self.slot_of_point[point as usize] = self.slots.len() as u32;
            self.slots.push(((carrier, point), PointCodes::default()));
            self.slots.len() - 1
        } else if self.slots[first as usize].0 .0 == carrier {
            first as usize
        } else {
            let next = self.slots.len() as u32;
            let slot = *self.shared.entry((carrier, point)).or_insert(next);
            if slot == next {
                self.slots.push(((carrier, point), PointCodes::default()));
            }
            slot as usize
        };
        &mut self.slots[slot].1
    }
}

/// Rows tallied by (carrier, point) in one pass over the rows, each thread a range of them (its
/// columns read in order), the ranges' tallies then added up by (carrier, point) code.
fn point_tallies(
    audit: Checked,
    marks: &RowMarks,
    masks: (u64, u64),
) -> BTreeMap<(String, String), PointTally> {
    let t = audit.table;
    let ranges = rayon::current_num_threads().max(1);
    let per_range = t.len().div_ceil(ranges).max(1);
    let tallies: Vec<PointSlots> = (0..t.len())
        .step_by(per_range)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|from| {
            let mut slots = PointSlots::new(t.point_id.distinct());
            for i in from..(from + per_range).min(t.len()) {
                let p = slots.of(t.carrier.codes[i], t.point_id.codes[i]);
                p.c.add(marks.rules[i], t.status[i].live(), masks);
                p.names.add(t.point_name.codes[i]);
                p.kinds.add(t.point_type[i] as u32);
                p.districts.add(t.district.codes[i]);
            }
            slots
        })
        .collect();
    // By code; `out` orders them by text.
    let mut by_code: rustc_hash::FxHashMap<(u32, u32), PointCodes> = Default::default();
    for slots in tallies {
        for (key, codes) in slots.slots {
            by_code.entry(key).or_default().merge(codes);
        }
    }
    by_code
        .into_iter()
        .map(|((carrier, point), p)| {
            let key = (
                t.carrier.value(carrier).to_string(),
                t.point_id.value(point).to_string(),
            );
            (key, p.into_tally(t))
        })
        .collect()
}

/// Row indices ordered by their code (stable: ascending rows within a code), in two linear passes.
fn counting_sort(codes: &[u32], distinct: usize) -> Vec<u32> {
    let mut next = vec![0u32; distinct + 1];
    for &c in codes {
        next[c as usize + 1] += 1;
    }
    for k in 1..next.len() {
        next[k] += next[k - 1];
    }
    let mut order = vec![0u32; codes.len()];
    for (row, &c) in codes.iter().enumerate() {
        order[next[c as usize] as usize] = row as u32;
        next[c as usize] += 1;
    }
    order
}

fn ids_sheet(over: Vec<IdOverLimit>, privacy: &Privacy) -> Sheet {
    Sheet {
        name: "ids_over_limit",
        columns: [
            "id_number",
            "id_type",
            "live_subscriptions",
            "per_carrier",
            "points",
            "names_seen",
            "first_activation",
            "last_activation",
        ]
        .map(String::from)
        .to_vec(),
        rows: over
            .into_iter()
            .map(|o| {
                let id_number = match privacy.id(&o.id_number) {
                    std::borrow::Cow::Borrowed(_) => o.id_number,
                    std::borrow::Cow::Owned(masked) => masked,
                };
                vec![
                    id_number.into(),
                    o.id_type.into(),
                    o.live_subscriptions.into(),
                    o.per_carrier
                        .iter()
                        .map(|(c, n)| format!("{c}:{n}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                        .into(),
                    o.points.into(),
                    o.names_seen.into(),
                    o.first_activation.into(),
                    o.last_activation.into(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modal_is_the_most_frequent_text_ties_smallest() {
        let text = |c: u32| ["", "Zeta", "Alpha", "Mid"][c as usize];
        let counts = |codes: &[u32]| {
            let mut counts = CodeCounts::default();
            codes.iter().for_each(|&c| counts.add(c));
            counts.texts(text)
        };
        assert_eq!(modal(&counts(&[1, 2, 1, 3])), "Zeta");
        // Tie between Zeta (code 1) and Alpha (code 2): the smaller text wins, not the smaller code.
        assert_eq!(modal(&counts(&[1, 2, 2, 1, 3])), "Alpha");
        assert_eq!(modal(&counts(&[])), "");
        // Counts from two shards add up before the choice.
        let mut merged = counts(&[2, 3, 3]);
        add_counts(&mut merged, counts(&[2, 2]));
        assert_eq!(modal(&merged), "Alpha");
    }

    /// A key shared by two groups counts in both; a group of empty keys has none; keys either side
    /// of a word of the bitmap; a group after a bigger one starts from an empty bitmap.
    #[test]
    fn distinct_keys_count_each_group_alone() {
        // Row i has key keys[i]; 130 codes (0 to 129) take three words.
        let keys = [5, 63, 64, 5, 129, 0, 0, 5, 64, 63, 1];
        let groups: [&[u32]; 4] = [&[0, 1, 2, 3, 4], &[5, 6], &[7, 8], &[9, 10]];
        let got = distinct_keys(&groups, |i| keys[i as usize], 130);
        assert_eq!(got, [4, 0, 2, 2]);
        assert_eq!(distinct_keys(&[], |_| 0, 1), Vec::<usize>::new());
    }

    #[test]
    fn code_counts_count_runs_and_merge() {
        let mut a = CodeCounts::default();
        for c in [0, 0, 4, 4, 4, 0, 7] {
            a.add(c);
        }
        let mut b = CodeCounts::default();
        for c in [7, 7, 4] {
            b.add(c);
        }
        a.merge(b);
        let mut got: Vec<(u32, usize)> = a.into_counts().into_iter().collect();
        got.sort();
        assert_eq!(got, [(0, 3), (4, 4), (7, 3)]);
        assert!(CodeCounts::default().into_counts().is_empty());
    }

    /// Rows of one point code at two carriers, interleaved, tallied apart; a point code seen first
    /// at the second carrier too.
    #[test]
    fn point_slots_keep_carriers_sharing_a_point_code_apart() {
        let mut slots = PointSlots::new(3);
        for (carrier, point, name) in [
            (1, 2, 5),
            (2, 2, 6),
            (1, 2, 5),
            (2, 0, 6),
            (2, 2, 6),
            (1, 0, 5),
        ] {
            slots.of(carrier, point).names.add(name);
        }
        type Tallied = ((u32, u32), Vec<(u32, usize)>);
        let mut got: Vec<Tallied> = slots
            .slots
            .into_iter()
            .map(|(key, p)| (key, p.names.into_counts().into_iter().collect()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ((1, 0), vec![(5, 1)]),
                ((1, 2), vec![(5, 2)]),
                ((2, 0), vec![(6, 1)]),
                ((2, 2), vec![(6, 2)]),
            ]
        );
    }
}

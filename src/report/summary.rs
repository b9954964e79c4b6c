//! Summaries for the inspection team: per carrier, per point, per rule, per ID. Computed from the
//! findings with integer codes; every table has a total order, so reruns are byte-identical.

use crate::ingest::{Reject, SourceFile};
use crate::normalize::Normalised;
use crate::pipeline::Checked;
use crate::rules::cross::IdOverLimit;
use crate::rules::registry::RuleMask;
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
            if let Some(s) = f.subject {
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

/// The positions of the set bits of a rule mask (bit `i` is `RuleCode::ALL[i]`); most masks are 0.
pub(crate) fn set_bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let bit = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            bit
        })
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
    pub over_limit: Vec<IdOverLimit>,
    /// The audit period: the first and last activation time of the rows audited.
    pub period: Option<(crate::ident::DateTime, crate::ident::DateTime)>,
}

pub fn summarise(audit: Checked, rejects: &[Reject], marks: &RowMarks) -> Summaries {
    Tally::compute(audit, marks).summaries(audit.files, rejects, audit.rules)
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

/// Counts of the values of rows given by their codes: codes are counted, each distinct one turned into
/// text once.
fn value_counts<'a>(mut codes: Vec<u32>, text: impl Fn(u32) -> &'a str) -> ValueCounts {
    codes.sort_unstable();
    codes
        .chunk_by(|a, b| a == b)
        .map(|run| (text(run[0]).to_string(), run.len()))
        .collect()
}

/// `period` widened to take in `(from, to)`.
fn widen<T: Ord + Copy>(period: Option<(T, T)>, (from, to): (T, T)) -> Option<(T, T)> {
    Some(match period {
        None => (from, to),
        Some((a, b)) => (a.min(from), b.max(to)),
    })
}

impl Tally {
    pub fn compute(audit: Checked, marks: &RowMarks) -> Tally {
        let masks = severity_masks(audit.rules);
        let (distinct_ids, points) = rayon::join(
            || distinct_ids_per_carrier(audit, audit.norm),
            || point_tallies(audit, marks, masks),
        );
        let period = audit
            .table
            .activation_time
            .iter()
            .filter_map(|cell| cell.value().map(|w| w.at))
            .fold(None, |period, at| widen(period, (at, at)));
        Tally {
            points,
            distinct_ids,
            over_limit: audit.ids_over_limit.to_vec(),
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

    /// The four summary tables; `rejects` and `files` give the rejected records of each carrier.
    pub fn summaries(
        mut self,
        files: &[SourceFile],
        rejects: &[Reject],
        rules: &RuleSet,
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
            ids_over_limit: ids_sheet(&self.over_limit),
            by_carrier,
            over_limit: self.over_limit,
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

fn distinct_ids_per_carrier(audit: Checked, norm: &Normalised) -> BTreeMap<String, usize> {
    let t = audit.table;
    let mut pairs: Vec<(u32, u32)> = (0..t.len())
        .map(|i| (t.carrier.codes[i], norm.id_key(t, i)))
        .filter(|p| p.1 != 0)
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    let mut out = BTreeMap::new();
    for (c, _) in pairs {
        *out.entry(t.carrier.value(c).to_string()).or_default() += 1;
    }
    out
}

/// Rows grouped by (carrier, point): a counting sort of row indices by point code (points are
/// few and their codes dense), then by carrier inside the rare point code several carriers share.
fn point_tallies(
    audit: Checked,
    marks: &RowMarks,
    masks: (u64, u64),
) -> BTreeMap<(String, String), PointTally> {
    let t = audit.table;
    let point_of = |i: u32| {
        (u64::from(t.carrier.codes[i as usize]) << 32) | u64::from(t.point_id.codes[i as usize])
    };
    let point = |i: &u32| t.point_id.codes[*i as usize];
    let carrier = |i: &u32| t.carrier.codes[*i as usize];
    let mut order = counting_sort(&t.point_id.codes, t.point_id.distinct());
    for bucket in order.chunk_by_mut(|a, b| point(a) == point(b)) {
        if bucket.iter().any(|i| carrier(i) != carrier(&bucket[0])) {
            bucket.sort_by_key(carrier);
        }
    }
    let groups: Vec<&[u32]> = order
        .chunk_by(|a, b| point_of(*a) == point_of(*b))
        .collect();
    groups
        .into_par_iter()
        .map(|rows| {
            let mut c = Counts::default();
            for &i in rows {
                c.add(marks.rules[i as usize], t.status[i as usize].live(), masks);
            }
            let first = rows[0] as usize;
            let codes = |f: &dyn Fn(usize) -> u32| -> Vec<u32> {
                rows.iter().map(|&i| f(i as usize)).collect()
            };
            let key = (
                t.carrier.get(first).to_string(),
                t.point_id.get(first).to_string(),
            );
            let tally = PointTally {
                names: value_counts(codes(&|i| t.point_name.codes[i]), |c| t.point_name.value(c)),
                kinds: value_counts(codes(&|i| t.point_type[i] as u32), |c| {
                    PointType::ALL.get(c as usize).map_or("", |k| k.code())
                }),
                districts: value_counts(codes(&|i| t.district.codes[i]), |c| t.district.value(c)),
                c,
            };
            (key, tally)
        })
        .collect::<Vec<_>>()
        .into_iter()
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

fn ids_sheet(over: &[IdOverLimit]) -> Sheet {
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
            .iter()
            .map(|o| {
                vec![
                    o.id_number.clone().into(),
                    o.id_type.clone().into(),
                    o.live_subscriptions.into(),
                    o.per_carrier
                        .iter()
                        .map(|(c, n)| format!("{c}:{n}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                        .into(),
                    o.points.into(),
                    o.names_seen.into(),
                    o.first_activation.clone().into(),
                    o.last_activation.clone().into(),
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
        assert_eq!(modal(&value_counts(vec![1, 2, 1, 3], text)), "Zeta");
        // Tie between Zeta (code 1) and Alpha (code 2): the smaller text wins, not the smaller code.
        assert_eq!(modal(&value_counts(vec![1, 2, 2, 1, 3], text)), "Alpha");
        assert_eq!(modal(&value_counts(vec![], text)), "");
        // Counts from two shards add up before the choice.
        let mut merged = value_counts(vec![2, 3, 3], text);
        add_counts(&mut merged, value_counts(vec![2, 2], text));
        assert_eq!(modal(&merged), "Alpha");
    }

    #[test]
    fn set_bits_lists_each_rule_bit() {
        assert_eq!(set_bits(0).count(), 0);
        assert_eq!(
            set_bits((1 << 0) | (1 << 5) | (1 << 63)).collect::<Vec<_>>(),
            [0, 5, 63]
        );
    }
}

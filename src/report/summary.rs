//! Summaries for the inspection team: per carrier, per point, per rule, per ID. Computed from the
//! findings with integer codes; every table has a total order, so reruns are byte-identical.

use crate::audit::Audit;
use crate::normalize::Normalised;
use crate::rules::cross::{self, IdOverLimit};
use crate::rules::row::Context;
use crate::rules::{RuleCode, RULES};
use crate::schema::PointType;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

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

/// A summary table: machine column names (outputs.md) and rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// What each accepted row got: a bit per rule, and whether it is flagged.
pub struct RowMarks {
    pub rules: Vec<u64>,
}

impl RowMarks {
    pub fn compute(audit: &Audit) -> RowMarks {
        let mut rules = vec![0u64; audit.table.len()];
        for f in &audit.findings {
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
pub(crate) fn severity_masks(audit: &Audit) -> (u64, u64) {
    let (mut violation, mut warning) = (0u64, 0u64);
    for r in RuleCode::ALL {
        match audit.rules.severity(*r) {
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
fn set_bits(mut mask: u64) -> impl Iterator<Item = usize> {
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
}

pub fn summarise(
    audit: &Audit,
    marks: &RowMarks,
    points: Option<&crate::rules::row::PointRegistry>,
) -> Summaries {
    let t = &audit.table;
    let masks = severity_masks(audit);
    let cx = Context {
        table: t,
        norm: &audit.norm,
        rules: &audit.rules,
        points,
    };
    // The four summaries are independent: computed side by side.
    let ((over_limit, ids), (by_point, by_rule)) = rayon::join(
        || {
            rayon::join(
                || cross::ids_over_limit(&cx),
                || distinct_ids_per_carrier(audit, &audit.norm),
            )
        },
        || rayon::join(|| by_point(audit, marks, masks), || by_rule(audit, marks)),
    );

    // Per carrier.
    let mut carriers: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_code: Vec<Counts> = vec![Counts::default(); t.carrier.distinct()];
    for i in 0..t.len() {
        by_code[t.carrier.codes[i] as usize].add(marks.rules[i], t.status[i].live(), masks);
    }
    for (code, c) in by_code.into_iter().enumerate() {
        if c.subscriptions > 0 {
            carriers.insert(t.carrier.value(code as u32).to_string(), c);
        }
    }
    let mut rejected: BTreeMap<String, usize> = BTreeMap::new();
    for r in &audit.rejects {
        let carrier = audit.files[r.file as usize]
            .carrier
            .clone()
            .unwrap_or_default();
        *rejected.entry(carrier).or_default() += 1;
    }
    let mut over: HashMap<&str, usize> = HashMap::new();
    let max = audit.rules.thresholds.max_per_carrier;
    for o in &over_limit {
        for (carrier, n) in &o.per_carrier {
            if *n > max {
                *over.entry(carrier).or_default() += 1;
            }
        }
    }
    let names: BTreeMap<&str, ()> = carriers
        .keys()
        .map(|k| (k.as_str(), ()))
        .chain(rejected.keys().map(|k| (k.as_str(), ())))
        .collect();
    let mut rows = Vec::new();
    for name in names.keys() {
        let c = carriers.get(*name).cloned().unwrap_or_default();
        let mut row: Vec<Cell> = vec![
            (*name).into(),
            c.subscriptions.into(),
            c.live.into(),
            c.flagged.into(),
            pct(c.flagged, c.subscriptions),
            c.violation.into(),
            c.warning.into(),
            rejected.get(*name).copied().unwrap_or(0).into(),
            ids.get(*name).copied().unwrap_or(0).into(),
            over.get(name).copied().unwrap_or(0).into(),
        ];
        let rejected_here = rejected.get(*name).copied().unwrap_or(0);
        for (i, r) in RuleCode::ALL.iter().enumerate() {
            // DQ001 rows are the rejected records attributed to this carrier.
            let n = if *r == RuleCode::DQ001 {
                rejected_here
            } else {
                c.per_rule.get(i).copied().unwrap_or(0)
            };
            row.push(n.into());
        }
        rows.push(row);
    }
    let by_carrier = Sheet {
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
    };

    Summaries {
        by_point,
        by_rule,
        ids_over_limit: ids_sheet(&over_limit),
        by_carrier,
        over_limit,
    }
}

fn distinct_ids_per_carrier(audit: &Audit, norm: &Normalised) -> HashMap<String, usize> {
    let t = &audit.table;
    let mut pairs: Vec<(u32, u32)> = (0..t.len())
        .map(|i| (t.carrier.codes[i], norm.id_key(t, i)))
        .filter(|p| p.1 != 0)
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    let mut out = HashMap::new();
    for (c, _) in pairs {
        *out.entry(t.carrier.value(c).to_string()).or_default() += 1;
    }
    out
}

/// The most frequent value among rows, given each row's code and the code's text (ties: the smallest
/// text). Codes are counted, not strings compared.
fn modal<'a>(codes: &mut [u32], text: impl Fn(u32) -> &'a str) -> String {
    codes.sort_unstable();
    let mut best: Option<(u32, usize)> = None;
    for run in codes.chunk_by(|a, b| a == b) {
        let better = match best {
            None => true,
            Some((code, n)) => run.len() > n || (run.len() == n && text(run[0]) < text(code)),
        };
        if better {
            best = Some((run[0], run.len()));
        }
    }
    best.map_or_else(String::new, |(code, _)| text(code).to_string())
}

fn by_point(audit: &Audit, marks: &RowMarks, masks: (u64, u64)) -> Sheet {
    let t = &audit.table;
    // Rows grouped by (carrier, point) with one parallel sort of row indices, not a hash map of lists.
    let point_of = |i: u32| {
        (u64::from(t.carrier.codes[i as usize]) << 32) | u64::from(t.point_id.codes[i as usize])
    };
    let mut order: Vec<u32> = (0..t.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| (point_of(i), i));
    struct Point {
        carrier: String,
        point: String,
        name: String,
        kind: String,
        district: String,
        c: Counts,
    }
    let groups: Vec<&[u32]> = order
        .chunk_by(|a, b| point_of(*a) == point_of(*b))
        .collect();
    let mut points: Vec<Point> = groups
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
            Point {
                carrier: t.carrier.get(first).to_string(),
                point: t.point_id.get(first).to_string(),
                name: modal(&mut codes(&|i| t.point_name.codes[i]), |c| {
                    t.point_name.value(c)
                }),
                kind: modal(&mut codes(&|i| t.point_type[i] as u32), |c| {
                    PointType::ALL.get(c as usize).map_or("", |k| k.code())
                }),
                district: modal(&mut codes(&|i| t.district.codes[i]), |c| {
                    t.district.value(c)
                }),
                c,
            }
        })
        .collect();
    points.sort_by(|a, b| {
        b.c.violation
            .cmp(&a.c.violation)
            .then(b.c.flagged.cmp(&a.c.flagged))
            .then_with(|| a.carrier.cmp(&b.carrier))
            .then_with(|| a.point.cmp(&b.point))
    });
    let rows = points
        .into_iter()
        .enumerate()
        .map(|(rank, p)| {
            let mut row: Vec<Cell> = vec![
                (rank + 1).into(),
                p.carrier.into(),
                p.point.into(),
                p.name.into(),
                p.kind.into(),
                p.district.into(),
                p.c.subscriptions.into(),
                p.c.flagged.into(),
                pct(p.c.flagged, p.c.subscriptions),
                p.c.violation.into(),
                p.c.warning.into(),
            ];
            row.extend(p.c.per_rule.iter().map(|n| Cell::from(*n)));
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

fn by_rule(audit: &Audit, marks: &RowMarks) -> Sheet {
    let t = &audit.table;
    // One pass over the flagged rows: per rule, the rows, carrier codes and (carrier, point) codes.
    let n_rules = RuleCode::ALL.len();
    let mut counts = vec![0usize; n_rules];
    let mut carrier_codes: Vec<HashSet<u32>> = vec![HashSet::new(); n_rules];
    let mut point_codes: Vec<HashSet<(u32, u32)>> = vec![HashSet::new(); n_rules];
    for (i, &mask) in marks.rules.iter().enumerate() {
        for bit in set_bits(mask) {
            counts[bit] += 1;
            carrier_codes[bit].insert(t.carrier.codes[i]);
            point_codes[bit].insert((t.carrier.codes[i], t.point_id.codes[i]));
        }
    }
    let mut rows = Vec::new();
    for (bit, r) in RuleCode::ALL.iter().enumerate() {
        if !audit.rules.enabled(*r) {
            continue;
        }
        let (n, carriers, points) = if *r == RuleCode::DQ001 {
            let carriers: HashSet<String> = audit
                .rejects
                .iter()
                .map(|rej| {
                    audit.files[rej.file as usize]
                        .carrier
                        .clone()
                        .unwrap_or_default()
                })
                .collect();
            (audit.rejects.len(), carriers.len(), 0)
        } else {
            (
                counts[bit],
                carrier_codes[bit].len(),
                point_codes[bit].len(),
            )
        };
        let info = r.info();
        rows.push(vec![
            info.code.into(),
            info.name.into(),
            audit.rules.severity(*r).code().into(),
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
    fn modal_counts_codes_and_breaks_ties_by_smallest_text() {
        let text = |c: u32| ["", "Zeta", "Alpha", "Mid"][c as usize];
        assert_eq!(modal(&mut [1, 2, 1, 3], text), "Zeta");
        // Tie between Zeta (code 1) and Alpha (code 2): the smaller text wins, not the smaller code.
        assert_eq!(modal(&mut [1, 2, 2, 1, 3], text), "Alpha");
        assert_eq!(modal(&mut [], text), "");
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

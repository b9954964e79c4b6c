//! Cross-record rules (SB002, XR001–XR004, PT001, PT003): live rows only, grouped by integer keys —
//! sorted by ID key for the holder rules and by point for PT001, counted per number code for SB002 —
//! so each group is processed on its own. Each holder rule is a small check, run on every holder
//! group, and the words its findings are told in; a sharded run holds every row of an ID key in one
//! shard, so it runs them shard by shard.

use super::config::Thresholds;
use super::row::Context;
use super::RuleCode as R;
use crate::rules::finding::{Detail, Finding};
use crate::schema::{PointType, SubscriberType};
use rayon::prelude::*;

/// Sort key of "the order of a holder's subscriptions": activation ascending (missing last),
/// then normalised number, then file and row.
fn order_key(cx: &Context, i: usize) -> (i64, u32, u16, u32) {
    let t = cx.table;
    let at = t.activation_time[i]
        .value()
        .map_or(i64::MAX, |w| w.at.and_utc().timestamp());
    (at, cx.norm.msisdn_key(t, i), t.file[i], t.row[i])
}

fn live(cx: &Context, i: usize) -> bool {
    cx.table.status[i].live()
}

/// Every holder: live individual rows with an ID key, sorted by (ID key, carrier, order of
/// subscription), and where each ID key's run ends.
struct Holders {
    rows: Vec<u32>,
    ends: Vec<u32>,
}

impl Holders {
    fn of(cx: &Context) -> Holders {
        let t = cx.table;
        // A pair per row, key 0 for rows that are no holder's: a map of a range collects straight
        // into one vector (a filtered one would collect pieces and copy them, twice the memory).
        let mut keyed: Vec<(u32, u32)> = (0..t.len())
            .into_par_iter()
            .map(|i| {
                let key = cx.norm.id_key(t, i);
                let holder = live(cx, i) && t.subscriber_type[i] == SubscriberType::Individual;
                (if holder { key } else { 0 }, i as u32)
            })
            .collect();
        // By ID key first (an integer sort), then each holder's few rows by carrier and order: one
        // sort by the whole key would hold a 40-byte key per row.
        keyed.par_sort_unstable();
        let first = keyed.partition_point(|&(key, _)| key == 0);
        let keyed = &mut keyed[first..];
        keyed
            .par_chunk_by_mut(|a, b| a.0 == b.0)
            .filter(|holder| holder.len() > 1)
            .for_each(|holder| {
                holder.sort_by_cached_key(|&(_, i)| {
                    (t.carrier.codes[i as usize], order_key(cx, i as usize))
                })
            });
        // Runs are found on the sorted keys themselves: comparing rows' keys looked each up again,
        // two cache misses per row.
        let ends = (1..=keyed.len())
            .filter(|&k| k == keyed.len() || keyed[k].0 != keyed[k - 1].0)
            .map(|k| k as u32)
            .collect();
        Holders {
            rows: keyed.iter().map(|&(_, i)| i).collect(),
            ends,
        }
    }

    /// Each holder's rows, in parallel.
    fn par_iter(&self) -> impl IndexedParallelIterator<Item = &[u32]> + '_ {
        self.ends.par_iter().enumerate().map(|(k, &end)| {
            let start = if k == 0 { 0 } else { self.ends[k - 1] };
            &self.rows[start as usize..end as usize]
        })
    }
}

/// Consecutive runs of equal `key` in `rows`.
fn runs<'a, K: PartialEq>(
    rows: &'a [u32],
    key: impl Fn(u32) -> K + 'a,
) -> impl Iterator<Item = &'a [u32]> + 'a {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= rows.len() {
            return None;
        }
        let k = key(rows[start]);
        let len = rows[start..].iter().take_while(|&&r| key(r) == k).count();
        let run = &rows[start..start + len];
        start += len;
        Some(run)
    })
}

/// A finding on table row `i`.
fn finding(cx: &Context, i: u32, rule: R, detail: Detail) -> Finding {
    let (t, i) = (cx.table, i as usize);
    Finding::on(i, t.file[i], t.row[i], rule, detail)
}

/// What the cross-record rules found, and the ID keys over the limit (ids_over_limit.csv), taken from
/// the same holder groups rather than grouping every row by ID key a second time for the report.
pub struct Found {
    pub findings: Vec<Finding>,
    pub over_limit: Vec<IdOverLimit>,
}

/// Every enabled cross-record rule.
pub fn evaluate(cx: &Context) -> Found {
    evaluate_rules(cx, true)
}

/// The enabled rules that group rows by ID key (XR001–XR004, PT003): all of their findings when every
/// row of an ID key is in the table. A sharded run gets the others (SB002 by number, PT001 by point)
/// from its scan pass over every row.
pub fn evaluate_by_id_key(cx: &Context) -> Found {
    evaluate_rules(cx, false)
}

fn evaluate_rules(cx: &Context, by_number_and_point: bool) -> Found {
    type Pass = fn(&Context, &mut dyn FnMut(u32, R, String));
    // The passes are independent and each has serial parts: they run side by side, and their
    // findings are told in this fixed order.
    let mut passes: Vec<Pass> = Vec::new();
    if by_number_and_point {
        if cx.rules.active().has(R::SB002) {
            passes.push(duplicates);
        }
        if cx.rules.active().has(R::PT001) {
            passes.push(bursts);
        }
    }
    let ((mut findings, over_limit), others) = rayon::join(
        || holders(cx),
        || {
            passes
                .into_par_iter()
                .map(|pass| {
                    let mut out = Vec::new();
                    pass(cx, &mut |i, rule, detail| {
                        out.push(finding(cx, i, rule, cx.details.intern(&detail)))
                    });
                    out
                })
                .collect::<Vec<Vec<Finding>>>()
        },
    );
    findings.extend(others.into_iter().flatten());
    Found {
        findings,
        over_limit,
    }
}

/// SB002: one normalised number on more than one live row. Number codes are dense: the live rows are
/// counted per code (four bytes per distinct number), with no sort.
fn duplicates(cx: &Context, fire: &mut dyn FnMut(u32, R, String)) {
    let t = cx.table;
    let number = |i: usize| {
        if live(cx, i) {
            cx.norm.msisdn_key(t, i)
        } else {
            0
        }
    };
    let mut live_rows = vec![0u32; cx.norm.msisdn_keys.codes as usize];
    for i in 0..t.len() {
        let k = number(i) as usize;
        if k != 0 {
            live_rows[k] += 1;
        }
    }
    for i in 0..t.len() {
        let k = number(i);
        if k != 0 && live_rows[k as usize] > 1 {
            let detail =
                duplicate_detail(&cx.norm.msisdn_digits(t, i), live_rows[k as usize] as usize);
            fire(i as u32, R::SB002, detail);
        }
    }
}

/// One live row with a number, for SB002 in a sharded run's scan, which has the numbers as integers
/// (their 10 digits), not as one table's dictionary codes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct NumberUse {
    pub number: u64,
    pub file: u16,
    pub row: u32,
}

/// SB002 over the uses of numbers: `fire(use, rows)` for every use of a number on more than one
/// live row, in (number, file, row) order.
pub fn duplicate_numbers(mut uses: Vec<NumberUse>, mut fire: impl FnMut(&NumberUse, usize)) {
    uses.par_sort_unstable();
    for run in uses.chunk_by(|a, b| a.number == b.number) {
        if run.len() > 1 {
            for u in run {
                fire(u, run.len());
            }
        }
    }
}

pub fn duplicate_detail(number: &str, rows: usize) -> String {
    format!("{number} is on {rows} live rows")
}

/// The figures a holder rule's detail is told with (counts and positions; unused ones 0).
pub type Figures = [u32; 3];

/// A rule on one holder's live rows. Its findings keep the figures they fired with, and their words
/// are made when they are written: cross-record details are nearly all distinct (each names an ID
/// and a position), and a run with many such findings would otherwise hold every text.
#[derive(Clone, Copy, Debug)]
pub struct HolderRule {
    /// `fire(table row, figures)` for each row the rule fires on.
    pub check: fn(&Holder, &mut dyn FnMut(u32, Figures)),
    /// A finding's detail, from its figures and its row.
    pub words: fn(Figures, &OnRow) -> String,
}

/// What a holder rule's words name besides its figures: the finding's row's ID key, carrier and point
/// (every row of a holder has its ID key, the rows a rule counts at a carrier or a point share
/// them), and the thresholds.
pub struct OnRow<'a> {
    pub key: &'a str,
    pub carrier: &'a str,
    pub point: &'a str,
    pub thresholds: &'a Thresholds,
}

impl<'a> OnRow<'a> {
    /// Table row `i` of the context's table.
    pub fn of(cx: &'a Context, i: usize) -> OnRow<'a> {
        let t = cx.table;
        OnRow {
            key: cx.norm.id_text(t, i),
            carrier: t.carrier.get(i),
            point: t.point_id.get(i),
            thresholds: &cx.rules.thresholds,
        }
    }
}

/// One holder's live individual rows, as the holder rules see them.
pub struct Holder<'a> {
    pub cx: &'a Context<'a>,
    /// Sorted by carrier, then order of subscription.
    pub rows: &'a [u32],
}

impl Holder<'_> {
    /// The holder's rows at each carrier, in order of subscription.
    fn at_carriers(&self) -> impl Iterator<Item = &[u32]> + '_ {
        let t = self.cx.table;
        runs(self.rows, move |i| t.carrier.codes[i as usize])
    }
}

/// A holder rule's finding on table row `i`: its figures kept when they fit, else its words.
fn holder_finding(
    cx: &Context,
    i: u32,
    rule: R,
    holder_rule: &HolderRule,
    figures: Figures,
) -> Finding {
    let detail = Detail::of_figures(figures).unwrap_or_else(|| {
        let on = OnRow::of(cx, i as usize);
        cx.details.intern(&(holder_rule.words)(figures, &on))
    });
    finding(cx, i, rule, detail)
}

/// Every holder's findings (the enabled holder rules), with the ID keys over the limit.
fn holders(cx: &Context) -> (Vec<Finding>, Vec<IdOverLimit>) {
    let th = &cx.rules.thresholds;
    let checks: &[(R, HolderRule)] = &cx.rules.active().holder;
    // Most holders have one row, which can break none of these rules unless a threshold is set that
    // low: skipping them saves looking their rows up (cache misses, at millions of holders).
    let fewest = 2
        .min(th.max_per_carrier + 1)
        .min(th.high_total)
        .min(th.max_per_point + 1);
    // Holders are independent: their findings are made in parallel (most holders have none).
    Holders::of(cx)
        .par_iter()
        .fold(
            || (Vec::new(), Vec::new()),
            |(mut found, mut over): (Vec<Finding>, Vec<IdOverLimit>), rows| {
                if rows.len() >= fewest && !checks.is_empty() {
                    let holder = Holder { cx, rows };
                    for (rule, holder_rule) in checks {
                        (holder_rule.check)(&holder, &mut |i, figures| {
                            found.push(holder_finding(cx, i, *rule, holder_rule, figures))
                        });
                    }
                }
                over.extend(over_limit(cx, rows, th.max_per_carrier));
                (found, over)
            },
        )
        .reduce(
            || (Vec::new(), Vec::new()),
            |(mut found, mut over), (more_found, more_over)| {
                found.extend(more_found);
                over.extend(more_over);
                (found, over)
            },
        )
}

/// The words of a subscription past a limit at one place (XR001 at a carrier, PT003 at a point).
fn nth_at(key: &str, n: u32, place: std::fmt::Arguments, no: u32) -> String {
    format!("ID {key} holds {n} live subscriptions at {place}; this is no. {no}")
}

/// XR001: the holder's subscriptions at one carrier past the limit.
pub const SIMS_PER_ID: HolderRule = HolderRule {
    check: sims_per_id,
    words: |[n, no, _], on| nth_at(on.key, n, format_args!("{}", on.carrier), no),
};

fn sims_per_id(h: &Holder, fire: &mut dyn FnMut(u32, Figures)) {
    let max = h.cx.rules.thresholds.max_per_carrier;
    for at_carrier in h.at_carriers() {
        let n = at_carrier.len() as u32;
        for (pos, &i) in at_carrier.iter().enumerate().skip(max) {
            fire(i, [n, pos as u32 + 1, 0]);
        }
    }
}

/// XR002: a subscription past the limit at one carrier registered online.
pub const SIMS_PER_ID_ONLINE: HolderRule = HolderRule {
    check: sims_per_id_online,
    words: |[no, _, _], on| {
        let (key, carrier, max) = (on.key, on.carrier, on.thresholds.max_per_carrier);
        format!("ID {key}: subscription no. {no} at {carrier} was registered online; only the first {max} may be")
    },
};

fn sims_per_id_online(h: &Holder, fire: &mut dyn FnMut(u32, Figures)) {
    let (t, max) = (h.cx.table, h.cx.rules.thresholds.max_per_carrier);
    for at_carrier in h.at_carriers() {
        for (pos, &i) in at_carrier.iter().enumerate().skip(max) {
            if t.point_type[i as usize] == PointType::Online {
                fire(i, [pos as u32 + 1, 0, 0]);
            }
        }
    }
}

/// XR003: every live subscription of a holder with many across all carriers.
pub const SIMS_PER_ID_HIGH: HolderRule = HolderRule {
    check: sims_per_id_high,
    words: |[n, carriers, _], on| {
        let key = on.key;
        format!("ID {key} holds {n} live subscriptions across {carriers} carrier(s)")
    },
};

fn sims_per_id_high(h: &Holder, fire: &mut dyn FnMut(u32, Figures)) {
    if h.rows.len() < h.cx.rules.thresholds.high_total {
        return;
    }
    let carriers = h.at_carriers().count() as u32;
    for &i in h.rows {
        fire(i, [h.rows.len() as u32, carriers, 0]);
    }
}

/// PT003: the holder's subscriptions at one point past the limit, in order of subscription.
pub const SAME_ID_AT_POINT: HolderRule = HolderRule {
    check: same_id_at_point,
    words: |[n, no, _], on| nth_at(on.key, n, format_args!("point {}", on.point), no),
};

fn same_id_at_point(h: &Holder, fire: &mut dyn FnMut(u32, Figures)) {
    let (t, max) = (h.cx.table, h.cx.rules.thresholds.max_per_point);
    for at_carrier in h.at_carriers() {
        if at_carrier.len() <= max {
            continue;
        }
        // By point, each point's rows keeping their order of subscription (a stable sort).
        let mut by_point: Vec<(u32, u32)> = at_carrier
            .iter()
            .map(|&i| (t.point_id.codes[i as usize], i))
            .filter(|&(point, _)| point != 0)
            .collect();
        by_point.sort_by_key(|&(point, _)| point);
        for at_point in by_point.chunk_by(|a, b| a.0 == b.0) {
            if at_point.len() <= max {
                continue;
            }
            let n = at_point.len() as u32;
            for (pos, &(_, i)) in at_point.iter().enumerate().skip(max) {
                fire(i, [n, pos as u32 + 1, 0]);
            }
        }
    }
}

/// XR004: rows whose (name key, date of birth) differs from the ID key's most frequent identity; when
/// several identities tie as most frequent, every row with an identity.
pub const IDENTITY_CONFLICT: HolderRule = HolderRule {
    check: identity_conflict,
    words: |[tied, top, total], on| {
        let key = on.key;
        if tied > 1 {
            format!("ID {key}: {tied} identities (name, date of birth) tie as most frequent, {top} of {total} rows each")
        } else {
            format!("ID {key}: name or date of birth differs from the most frequent identity ({top} of {total} rows)")
        }
    },
};

fn identity_conflict(h: &Holder, fire: &mut dyn FnMut(u32, Figures)) {
    let cx = h.cx;
    let t = cx.table;
    let identity = |i: u32| {
        let i = i as usize;
        let name = cx.norm.name_key(t, i);
        t.date_of_birth[i]
            .value()
            .filter(|_| name != 0)
            .map(|dob| (name, dob))
    };
    let mut ids: Vec<_> = h.rows.iter().filter_map(|&i| identity(i)).collect();
    ids.sort_unstable();
    let counts: Vec<(_, usize)> = runs_of(&ids);
    if counts.len() < 2 {
        return;
    }
    let top = counts.iter().map(|c| c.1).max().unwrap_or(0);
    let modal: Vec<_> = counts.iter().filter(|c| c.1 == top).map(|c| c.0).collect();
    let total: usize = counts.iter().map(|c| c.1).sum();
    let figures = [modal.len() as u32, top as u32, total as u32];
    for &i in h.rows {
        let Some(id) = identity(i) else { continue };
        if modal.len() > 1 || id != modal[0] {
            fire(i, figures);
        }
    }
}

fn runs_of<T: PartialEq + Copy>(sorted: &[T]) -> Vec<(T, usize)> {
    let mut out: Vec<(T, usize)> = Vec::new();
    for v in sorted {
        match out.last_mut() {
            Some((last, n)) if last == v => *n += 1,
            _ => out.push((*v, 1)),
        }
    }
    out
}

/// PT001: more than `burst_max` live timed activations at one point inside some [s, s + window).
fn bursts(cx: &Context, fire: &mut dyn FnMut(u32, R, String)) {
    let t = cx.table;
    let secs = |i: usize| {
        let at = t.activation_time[i].value().filter(|w| w.has_time())?;
        Some(at.at.and_utc().timestamp())
    };
    // The rows first, then their activations straight into a vector of the right size: collected
    // from a filter, the activations themselves would be gathered in pieces and copied once more.
    let rows: Vec<u32> = (0..t.len() as u32)
        .into_par_iter()
        .filter(|&i| {
            let i = i as usize;
            live(cx, i) && t.point_id.codes[i] != 0 && secs(i).is_some()
        })
        .collect();
    let activations: Vec<Activation<u64, u32>> = rows
        .par_iter()
        .map(|&i| {
            let i = i as usize;
            Activation {
                point: (u64::from(t.carrier.codes[i]) << 32) | u64::from(t.point_id.codes[i]),
                // Every row kept has a time.
                secs: secs(i).unwrap_or_default(),
                file: t.file[i],
                row: t.row[i],
                who: i as u32,
            }
        })
        .collect();
    drop(rows);
    let th = &cx.rules.thresholds;
    burst_windows(activations, th, |a, count, from| {
        let point = t.point_id.get(a.who as usize);
        fire(a.who, R::PT001, burst_detail(point, count, from, th));
    });
}

/// One live timed activation at a point, for PT001: the point (any integer naming it), the time in
/// seconds, where the row is, and who to tell.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Activation<P, W> {
    pub point: P,
    pub secs: i64,
    pub file: u16,
    pub row: u32,
    pub who: W,
}

/// PT001 over activations: `fire(activation, count, from)` for every activation inside a window of
/// `burst_window_minutes` holding more than `burst_max` activations at its point (the fullest such
/// window, starting at `from`). Shared by the run held in memory and a sharded run's scan pass.
pub fn burst_windows<P: Ord + Copy + Send, W: Ord + Copy + Send>(
    mut activations: Vec<Activation<P, W>>,
    th: &Thresholds,
    mut fire: impl FnMut(&Activation<P, W>, usize, i64),
) {
    activations.par_sort_unstable();
    let window = th.burst_window_minutes * 60;
    for at_point in activations.chunk_by(|a, b| a.point == b.point) {
        if at_point.len() <= th.burst_max {
            continue;
        }
        // A window holding a set of activations can always start at its first one, so only windows
        // starting at an activation need checking. best[j]: the fullest such window covering j.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; at_point.len()];
        let mut end = 0;
        for k in 0..at_point.len() {
            end = end.max(k);
            while end < at_point.len() && at_point[end].secs < at_point[k].secs + window {
                end += 1;
            }
            let count = end - k;
            if count > th.burst_max {
                for b in &mut best[k..end] {
                    if b.is_none_or(|(c, _)| count > c) {
                        *b = Some((count, k));
                    }
                }
            }
        }
        for (a, b) in at_point.iter().zip(&best) {
            if let Some((count, k)) = b {
                fire(a, *count, at_point[*k].secs);
            }
        }
    }
}

pub fn burst_detail(point: &str, count: usize, from: i64, th: &Thresholds) -> String {
    let text = chrono::DateTime::from_timestamp(from, 0).map_or_else(String::new, |f| {
        let to = f + chrono::Duration::seconds(th.burst_window_minutes * 60);
        format!("{} and {}", f.format("%Y-%m-%d %H:%M"), to.format("%H:%M"))
    });
    format!("point {point} activated {count} SIMs between {text}")
}

/// One row of ids_over_limit.csv.
#[derive(Clone, Debug)]
pub struct IdOverLimit {
    pub id_number: String,
    pub id_type: String,
    pub live_subscriptions: usize,
    /// Live subscriptions per carrier, sorted by carrier.
    pub per_carrier: Vec<(String, usize)>,
    pub points: usize,
    pub names_seen: usize,
    pub first_activation: String,
    pub last_activation: String,
}

fn over_limit(cx: &Context, holder: &[u32], max: usize) -> Option<IdOverLimit> {
    let t = cx.table;
    if holder.len() <= max || runs(holder, |i| t.carrier.codes[i as usize]).all(|r| r.len() <= max)
    {
        return None;
    }
    let mut per: Vec<(String, usize)> = runs(holder, |i| t.carrier.codes[i as usize])
        .map(|r| (t.carrier.get(r[0] as usize).to_string(), r.len()))
        .collect();
    per.sort();
    let mut kinds: Vec<&str> = holder
        .iter()
        .map(|&i| {
            cx.norm
                .id_facts(t, i as usize)
                .kind
                .map_or("UNKNOWN", |k| k.code())
        })
        .collect();
    kinds.sort_unstable();
    let kind_counts = runs_of(&kinds);
    let top = kind_counts.iter().map(|c| c.1).max().unwrap_or(0);
    let id_type = kind_counts.iter().find(|c| c.1 == top).map_or("", |c| c.0);
    let mut points: Vec<(u32, u32)> = holder
        .iter()
        .map(|&i| (t.carrier.codes[i as usize], t.point_id.codes[i as usize]))
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut names: Vec<u32> = holder
        .iter()
        .map(|&i| cx.norm.name_key(t, i as usize))
        .filter(|n| *n != 0)
        .collect();
    names.sort_unstable();
    names.dedup();
    let times: Vec<_> = holder
        .iter()
        .filter_map(|&i| t.activation_time[i as usize].value())
        .collect();
    let iso = |w: Option<&crate::ident::When>| w.map_or_else(String::new, |w| w.iso());
    Some(IdOverLimit {
        id_number: cx.norm.id_text(t, holder[0] as usize).to_string(),
        id_type: id_type.to_string(),
        live_subscriptions: holder.len(),
        per_carrier: per,
        points: points.len(),
        names_seen: names.len(),
        first_activation: iso(times.iter().min()),
        last_activation: iso(times.iter().max()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::finding::{Kept, FIGURE_LIMIT};
    use crate::rules::row::tests::table;
    use crate::rules::RuleSet;

    /// How a finding kept its detail.
    #[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum KeptAs {
        Text,
        Figures,
        Nothing,
    }

    /// The holder rules' findings on a table read from `csv`: row, rule, the detail as the outputs
    /// word it, and how the finding kept it, sorted.
    fn holder_findings(csv: &str) -> Vec<(u32, R, String, KeptAs)> {
        let (t, norm) = table(csv);
        let rules = RuleSet::default_set();
        let details = crate::rules::finding::Details::default();
        let cx = Context::new(&t, &norm, &rules, None, &details);
        let findings = evaluate_by_id_key(&cx).findings;
        let texts = details.freeze();
        let wording = Context::for_wording(&t, &norm, &rules);
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| {
                let kept = match texts.kept(f.detail) {
                    Kept::Text(_) => KeptAs::Text,
                    Kept::Figures(_) => KeptAs::Figures,
                    Kept::FromRow => KeptAs::Nothing,
                };
                (f.row, f.rule, texts.of(f, &wording).into_owned(), kept)
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn holder_rules_on_one_holder() {
        // Five live subscriptions of one ID at VIETTEL, four of them at point P1, the fifth online.
        let mut csv = String::from(
            "carrier,msisdn,full_name,date_of_birth,id_number,activation_time,point_id,point_type,status\n",
        );
        for k in 0..5 {
            let (point, kind) = if k < 4 {
                ("P1", "agent")
            } else {
                ("APP", "online")
            };
            csv += &format!(
                "VIETTEL,096123450{k},Nguyễn Văn Hùng,1985-03-04,033085012345,2024-03-0{} 10:00,{point},{kind},active\n",
                k + 1
            );
        }
        // A cancelled one counts nowhere.
        csv += "VIETTEL,0961234509,Nguyễn Văn Hùng,1985-03-04,033085012345,2024-03-09 10:00,P1,agent,cancelled\n";
        let found = holder_findings(&csv);
        // Figures this small are kept as figures, not words.
        assert!(found.iter().all(|f| f.3 == KeptAs::Figures));
        let found: Vec<(u32, R, String)> = found.into_iter().map(|f| (f.0, f.1, f.2)).collect();
        let key = "033085012345";
        assert_eq!(
            found,
            [
                (4, R::XR001, format!("ID {key} holds 5 live subscriptions at VIETTEL; this is no. 4")),
                (4, R::PT003, format!("ID {key} holds 4 live subscriptions at point P1; this is no. 4")),
                (5, R::XR001, format!("ID {key} holds 5 live subscriptions at VIETTEL; this is no. 5")),
                (5, R::XR002, format!("ID {key}: subscription no. 5 at VIETTEL was registered online; only the first 3 may be")),
            ]
        );
    }

    #[test]
    fn figures_too_large_to_keep_are_kept_as_words() {
        // One ID on more live subscriptions at one carrier than a kept figure can count.
        let n = FIGURE_LIMIT as usize + 2;
        let mut csv = String::from(
            "carrier,msisdn,full_name,date_of_birth,id_number,activation_time,point_id\n",
        );
        for k in 0..n {
            let (day, minute) = (k / 1000 + 1, k % 1000);
            csv += &format!(
                "VIETTEL,09{k:08},Nguyễn Văn Hùng,1985-03-04,033085012345,2024-03-{day:02} {:02}:{:02},P{k}\n",
                minute / 60,
                minute % 60
            );
        }
        let found = holder_findings(&csv);
        let xr001: Vec<_> = found.iter().filter(|f| f.1 == R::XR001).collect();
        assert_eq!(xr001.len(), n - 3);
        let key = "033085012345";
        for (row, _, words, kept) in xr001 {
            assert_eq!(*kept, KeptAs::Text);
            assert_eq!(
                *words,
                format!("ID {key} holds {n} live subscriptions at VIETTEL; this is no. {row}")
            );
        }
        let xr003: Vec<_> = found.iter().filter(|f| f.1 == R::XR003).collect();
        assert_eq!(xr003.len(), n);
        for (_, _, words, kept) in xr003 {
            assert_eq!(*kept, KeptAs::Text);
            assert_eq!(
                *words,
                format!("ID {key} holds {n} live subscriptions across 1 carrier(s)")
            );
        }
    }

    #[test]
    fn identity_conflicts_and_many_subscriptions_are_worded_from_their_figures() {
        let mut csv = String::from(
            "carrier,msisdn,full_name,date_of_birth,id_number,activation_time,point_id\n",
        );
        let carriers = ["VIETTEL", "MOBIFONE", "VINAPHONE", "VIETNAMOBILE"];
        let mut row = |carrier: &str, name: &str, born: &str, id: &str| {
            let n = csv.lines().count();
            csv += &format!("{carrier},09{n:08},{name},{born},{id},2024-03-01 10:{n:02},P{n}\n");
        };
        // Two identities, two rows each: a tie, told on every row with an identity.
        for (name, born) in [
            ("Nguyễn Văn Hùng", "1985-03-04"),
            ("Trần Thị Lan", "1990-01-01"),
        ] {
            row("VIETTEL", name, born, "033085012345");
            row("MOBIFONE", name, born, "033085012345");
        }
        // One identity on three rows, another on the fourth: told on the fourth only.
        for (k, name) in ["Lê Văn Nam", "Lê Văn Nam", "Lê Văn Nam", "Lê Văn Nim"]
            .iter()
            .enumerate()
        {
            row(carriers[k % 2], name, "1990-05-05", "001090012345");
        }
        // Ten live subscriptions over four carriers.
        for k in 0..10 {
            row(
                carriers[k % 4],
                "Phạm Minh Đức",
                "1995-07-07",
                "079095012345",
            );
        }
        let found: Vec<(u32, R, String)> = holder_findings(&csv)
            .into_iter()
            .filter(|f| matches!(f.1, R::XR003 | R::XR004))
            .inspect(|f| assert_eq!(f.3, KeptAs::Figures))
            .map(|f| (f.0, f.1, f.2))
            .collect();
        let tie = "ID 033085012345: 2 identities (name, date of birth) tie as most frequent, 2 of 4 rows each";
        let mut expected: Vec<(u32, R, String)> =
            (1..=4).map(|r| (r, R::XR004, tie.into())).collect();
        expected.push((8, R::XR004, "ID 001090012345: name or date of birth differs from the most frequent identity (3 of 4 rows)".into()));
        let many = "ID 079095012345 holds 10 live subscriptions across 4 carrier(s)";
        expected.extend((9..=18).map(|r| (r, R::XR003, many.into())));
        assert_eq!(found, expected);
    }
}

//! The truth oracle: the rule catalogue re-implemented for the values this generator
//! writes. Per-row rules read one row; cross-record rules read a closed set of rows
//! (a planted group — clean rows never share an ID, a number or a crowded window).

use std::collections::HashMap;

use super::date::{add_years, age_at, from_ymd, is_leap, year_of, ymd, Day, SECS_PER_DAY};
use super::ident::{id_key, is_placeholder, mst_check, normalize_msisdn};
use super::model::{ActVal, DateVal, Gender, IdKind, PointType, Status, SubType};
use super::names::{fold, lower, name_key};
use super::tables::Tables;

/// Rule codes in sort order; a finding set is a bit mask over this table.
pub(crate) const CODES: [&str; 33] = [
    "DQ001", "DQ002", "DQ004", "ID001", "ID002", "ID003", "ID004", "ID005", "ID006", "ID007",
    "ID008", "ID009", "ID010", "PS001", "PS002", "PS003", "PS004", "PS005", "PS006", "PS007",
    "PT001", "PT002", "PT003", "PT004", "PT005", "SB001", "SB002", "SB003", "SB004", "XR001",
    "XR002", "XR003", "XR004",
];

pub(crate) const fn bit(i: usize) -> u64 {
    1 << i
}
pub(crate) const DQ001: u64 = bit(0);
pub(crate) const DQ002: u64 = bit(1);
pub(crate) const DQ004: u64 = bit(2);
pub(crate) const ID001: u64 = bit(3);
pub(crate) const ID002: u64 = bit(4);
pub(crate) const ID003: u64 = bit(5);
pub(crate) const ID004: u64 = bit(6);
pub(crate) const ID005: u64 = bit(7);
pub(crate) const ID006: u64 = bit(8);
pub(crate) const ID007: u64 = bit(9);
pub(crate) const ID008: u64 = bit(10);
pub(crate) const ID009: u64 = bit(11);
pub(crate) const ID010: u64 = bit(12);
pub(crate) const PS001: u64 = bit(13);
pub(crate) const PS002: u64 = bit(14);
pub(crate) const PS003: u64 = bit(15);
pub(crate) const PS004: u64 = bit(16);
pub(crate) const PS005: u64 = bit(17);
pub(crate) const PS006: u64 = bit(18);
pub(crate) const PS007: u64 = bit(19);
pub(crate) const PT001: u64 = bit(20);
pub(crate) const PT002: u64 = bit(21);
pub(crate) const PT003: u64 = bit(22);
pub(crate) const PT004: u64 = bit(23);
pub(crate) const PT005: u64 = bit(24);
pub(crate) const SB001: u64 = bit(25);
pub(crate) const SB002: u64 = bit(26);
pub(crate) const SB003: u64 = bit(27);
pub(crate) const SB004: u64 = bit(28);
pub(crate) const XR001: u64 = bit(29);
pub(crate) const XR002: u64 = bit(30);
pub(crate) const XR003: u64 = bit(31);
pub(crate) const XR004: u64 = bit(32);

/// Defaults of rules/vn-2024.toml, written down independently of the audit's reading of it.
const MIN_AGE: i32 = 14;
const MAX_AGE: i32 = 120;
const MAX_PER_CARRIER: usize = 3;
const MAX_PER_POINT: usize = 3;
const HIGH_TOTAL: usize = 10;
const BURST_WINDOW_SECS: i64 = 600;
const BURST_MAX: usize = 10;
const CMND_VALID_YEARS: i32 = 15;
const MILESTONES: [i32; 4] = [14, 25, 40, 60];

pub(crate) fn cmnd_last_valid() -> Day {
    from_ymd(2024, 12, 31)
}

/// One row as the audit sees it after mapping and parsing.
pub(crate) struct RowView<'a> {
    pub(crate) carrier: usize,
    pub(crate) sub: SubType,
    pub(crate) name: &'a str,
    pub(crate) dob: DateVal,
    pub(crate) gender: Gender,
    pub(crate) id_type: Option<IdKind>,
    pub(crate) id_raw: &'a str,
    pub(crate) issue: DateVal,
    pub(crate) vn: bool,
    pub(crate) act: ActVal,
    pub(crate) status: Status,
    pub(crate) point_id: &'a str,
    pub(crate) point_type: PointType,
    pub(crate) registered: bool,
    pub(crate) msisdn_raw: &'a str,
}

#[derive(Default)]
pub(crate) struct Scratch {
    key: String,
    name: String,
}

/// Expiry day of a 12-digit card (ID008), None = never expires.
pub(crate) fn card_expiry(dob: Day, issue: Day) -> Option<Day> {
    let (y, mo, d) = ymd(dob);
    // 29 February falls on 28 February in common years
    let on = |years: i32| {
        let yy = y + years;
        from_ymd(
            yy,
            mo,
            if mo == 2 && d == 29 && !is_leap(yy) {
                28
            } else {
                d
            },
        )
    };
    if on(58) < issue {
        return None;
    }
    for m in MILESTONES {
        let birthday = on(m);
        if birthday > issue {
            if issue > on(m - 2) {
                // issued within 2 years before the milestone: lasts to the next one
                continue;
            }
            return Some(birthday);
        }
    }
    None
}

/// Every day a year-only date of birth could stand for.
fn days_of_year(y: i32) -> impl Iterator<Item = Day> {
    let first = from_ymd(y, 1, 1);
    let n = if is_leap(y) { 366 } else { 365 };
    first..first + n
}

/// An age-type condition on the date of birth: with a year alone it holds only
/// when it holds for every day of that year.
fn dob_holds(dob: DateVal, f: impl Fn(Day) -> bool) -> bool {
    match dob {
        DateVal::Day(d) => f(d),
        DateVal::Year(y) => days_of_year(y).all(f),
        _ => false,
    }
}

pub(crate) fn dob_year(dob: DateVal) -> Option<i32> {
    match dob {
        DateVal::Day(d) => Some(year_of(d)),
        DateVal::Year(y) => Some(y),
        _ => None,
    }
}

/// What PS002/PS007 need to know about a name, in one pass over its characters.
#[derive(Default)]
struct NameFacts {
    words: usize,
    /// letters and digits (an upper bound of the name key's length)
    alnum: usize,
    digit: bool,
    symbol: bool,
    triple: bool,
    diacritic: bool,
}

fn name_facts(name: &str) -> NameFacts {
    let mut f = NameFacts::default();
    let (mut in_word, mut prev, mut run) = (false, '\0', 0);
    for c in name.chars() {
        let ws = c.is_whitespace();
        if !ws && !in_word {
            f.words += 1;
        }
        in_word = !ws;
        let l = lower(c);
        let folded = if l.is_ascii() { None } else { fold(l) };
        f.diacritic |= folded.is_some();
        let letter =
            l.is_ascii_alphabetic() || folded.is_some() || (!l.is_ascii() && l.is_alphabetic());
        let digit = c.is_ascii_digit() || (!c.is_ascii() && folded.is_none() && c.is_numeric());
        f.digit |= digit;
        f.symbol |= !(letter || matches!(c, ' ' | '\'' | '-' | '.'));
        if letter || digit {
            f.alnum += 1;
        }
        // a letter written three times in a row, case-insensitive
        if letter && l == prev {
            run += 1;
            f.triple |= run >= 3;
        } else {
            run = 1;
        }
        prev = l;
    }
    f
}

/// The longest placeholder name key; longer keys need no lookup.
const PLACEHOLDER_MAX: usize = 12;

/// All per-row rules (ID, PS, SB001/3/4, PT002/4/5, DQ002/4) for one accepted row.
pub(crate) fn row_rules(v: &RowView, t: &Tables, sc: &mut Scratch) -> u64 {
    let mut m = 0u64;
    let individual = v.sub == SubType::Individual;
    let act_day = match v.act {
        ActVal::At(s) => Some(s.div_euclid(SECS_PER_DAY) as Day),
        _ => None,
    };

    if v.dob == DateVal::Bad
        || v.issue == DateVal::Bad
        || v.act == ActVal::Bad
        || v.gender == Gender::Bad
        || v.status == Status::Bad
    {
        m |= DQ002;
    }
    if v.act == ActVal::Missing {
        m |= DQ004;
    }

    m |= id_rules(v, t, act_day, &mut sc.key);

    // Holder.
    let name = v.name.trim();
    if name.is_empty() {
        m |= PS001;
    } else {
        let facts = name_facts(name);
        let need_key = facts.alnum <= PLACEHOLDER_MAX || (individual && v.vn && !facts.diacritic);
        if need_key {
            name_key(name, &mut sc.name);
        }
        let mut junk = facts.alnum <= PLACEHOLDER_MAX
            && super::rule_set::lists()
                .placeholder_names
                .contains(&sc.name);
        if individual {
            junk |= facts.digit || facts.symbol || facts.words < 2 || facts.triple;
        }
        if junk {
            m |= PS002;
        }
        if individual && v.vn && !facts.diacritic {
            let first = sc.name.split(' ').next().unwrap_or("");
            if super::rule_set::lists()
                .diacritic_surnames
                .iter()
                .any(|s| s == first)
            {
                m |= PS007;
            }
        }
    }
    if individual {
        if v.dob == DateVal::Missing {
            m |= PS003;
        }
        let before_1900 = dob_holds(v.dob, |d| year_of(d) < 1900);
        // day-count bounds first: the exact age is needed only near the limits
        let over = |d: Day, a: Day| a - d > MAX_AGE * 365 && age_at(d, a) > MAX_AGE;
        let under =
            |d: Day, a: Day| d <= a && a - d < (MIN_AGE + 1) * 366 && age_at(d, a) < MIN_AGE;
        let implausible = act_day.is_some_and(|a| dob_holds(v.dob, |d| d > a || over(d, a)));
        if before_1900 || implausible {
            m |= PS004;
        }
        if act_day.is_some_and(|a| dob_holds(v.dob, |d| under(d, a))) {
            m |= PS005;
        }
    }
    if let DateVal::Day(issue) = v.issue {
        let after_act = act_day.is_some_and(|a| issue > a);
        let before_dob = dob_holds(v.dob, |d| issue < d);
        if after_act || before_dob {
            m |= PS006;
        }
    }

    // Subscription.
    let norm = normalize_msisdn(v.msisdn_raw, t);
    if norm.national.is_none() && v.sub != SubType::Device {
        m |= SB001;
    }
    if norm.legacy {
        m |= SB003;
    }
    if norm.national.is_some() && norm.carrier.is_some_and(|c| c != v.carrier) {
        m |= SB004;
    }

    // Point.
    if v.point_id.is_empty() {
        m |= PT005;
    } else if !v.registered {
        m |= PT004;
    }
    if let ActVal::At(s) = v.act {
        let hour = s.rem_euclid(SECS_PER_DAY) / 3600;
        if v.point_type != PointType::Online && !(6..22).contains(&hour) {
            m |= PT002;
        }
    }
    m
}

fn id_rules(v: &RowView, t: &Tables, act_day: Option<Day>, key: &mut String) -> u64 {
    let mut m = 0;
    id_key(v.id_raw, key);
    if key.is_empty() {
        return ID001;
    }
    let b = key.as_bytes();
    let n = b.len();
    let all_digits = b.iter().all(u8::is_ascii_digit);
    let letter7 = n == 8 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit);
    let alnum89 = (8..=9).contains(&n)
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b.iter().any(u8::is_ascii_uppercase);
    let kind = v.id_type.or(match (all_digits, n) {
        (true, 12) => Some(IdKind::Cccd),
        (true, 9) => Some(IdKind::Cmnd),
        (true, 10) | (true, 13) => Some(IdKind::Mst),
        _ if letter7 => Some(IdKind::Passport),
        _ => None,
    });
    let fits = match kind {
        Some(IdKind::Cccd) => all_digits && n == 12,
        Some(IdKind::Cmnd) => all_digits && (n == 9 || n == 12),
        Some(IdKind::Mst) => all_digits && (n == 10 || n == 13),
        Some(IdKind::Passport) => letter7 || alnum89,
        None => false,
    };
    if !fits {
        m |= ID002;
    }
    if kind == Some(IdKind::Passport) && !letter7 && alnum89 {
        m |= ID010;
    }
    let digit = |i: usize| (b[i] - b'0') as u32;
    let twelve = fits && n == 12 && matches!(kind, Some(IdKind::Cccd | IdKind::Cmnd));
    if twelve {
        let ppp = digit(0) * 100 + digit(1) * 10 + digit(2);
        if !t.is_province(ppp as u16) && !(101..=295).contains(&ppp) {
            m |= ID003;
        }
        let g = digit(3);
        let year = 1900 + 100 * (g / 2) as i32 + (digit(4) * 10 + digit(5)) as i32;
        if dob_year(v.dob).is_some_and(|y| y != year) {
            m |= ID004;
        }
        let card_female = g % 2 == 1;
        if matches!(
            (v.gender, card_female),
            (Gender::Male, true) | (Gender::Female, false)
        ) {
            m |= ID005;
        }
    }
    let mut digits = [0u8; 64];
    let mut nd = 0;
    for c in b.iter().filter(|c| c.is_ascii_digit()).take(64) {
        digits[nd] = c - b'0';
        nd += 1;
    }
    if is_placeholder(&digits[..nd]) {
        m |= ID006;
    }
    let nine_cmnd = kind == Some(IdKind::Cmnd) && all_digits && n == 9;
    if let Some(a) = act_day {
        if nine_cmnd && a > cmnd_last_valid() {
            m |= ID007;
        }
        if let DateVal::Day(issue) = v.issue {
            let expired = if nine_cmnd {
                a >= add_years(issue, CMND_VALID_YEARS)
            } else if twelve {
                dob_holds(v.dob, |d| card_expiry(d, issue).is_some_and(|e| a >= e))
            } else {
                false
            };
            if expired {
                m |= ID008;
            }
        }
    }
    if kind == Some(IdKind::Mst) && fits {
        let d = &digits[..nd];
        let bad = mst_check(&d[..9]) != Some(d[9])
            || d[2..9].iter().all(|&x| x == 0)
            || (n == 13 && d[10..13] == [0, 0, 0]);
        if bad {
            m |= ID009;
        }
    }
    m
}

/// A row as the cross-record rules see it.
pub(crate) struct XRow {
    /// rank of the file name (for the order's last tie-breaks)
    pub(crate) file: u32,
    pub(crate) row: u32,
    pub(crate) carrier: usize,
    pub(crate) live: bool,
    pub(crate) individual: bool,
    pub(crate) id_key: String,
    pub(crate) name_key: String,
    pub(crate) dob: DateVal,
    pub(crate) msisdn: Option<u64>,
    pub(crate) act: Option<i64>,
    /// (carrier, point) identity; None for an empty point id
    pub(crate) point: Option<u64>,
    pub(crate) online: bool,
}

/// SB002, XR001–XR004, PT001 and PT003 over a closed set of rows.
pub(crate) fn cross_rules(rows: &[XRow]) -> Vec<u64> {
    let mut out = vec![0u64; rows.len()];

    let mut by_number: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let (true, Some(n)) = (r.live, r.msisdn) {
            by_number.entry(n).or_default().push(i);
        }
    }
    for ids in by_number.values().filter(|v| v.len() > 1) {
        for &i in ids {
            out[i] |= SB002;
        }
    }

    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.live && r.individual && !r.id_key.is_empty() {
            by_id.entry(r.id_key.as_str()).or_default().push(i);
        }
    }
    for members in by_id.values_mut() {
        members.sort_by_key(|&i| {
            let r = &rows[i];
            (r.act.is_none(), r.act, r.msisdn, r.file, r.row)
        });
        let mut per_carrier: HashMap<usize, usize> = HashMap::new();
        let mut per_point: HashMap<u64, usize> = HashMap::new();
        for &i in members.iter() {
            let r = &rows[i];
            let c = per_carrier.entry(r.carrier).or_insert(0);
            *c += 1;
            if *c > MAX_PER_CARRIER {
                out[i] |= XR001;
                if r.online {
                    out[i] |= XR002;
                }
            }
            if let Some(p) = r.point {
                let c = per_point.entry(p).or_insert(0);
                *c += 1;
                if *c > MAX_PER_POINT {
                    out[i] |= PT003;
                }
            }
        }
        if members.len() >= HIGH_TOTAL {
            for &i in members.iter() {
                out[i] |= XR003;
            }
        }
        // Identity conflicts among rows that have both a name and a date of birth.
        let known: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| {
                !rows[i].name_key.is_empty()
                    && matches!(rows[i].dob, DateVal::Day(_) | DateVal::Year(_))
            })
            .collect();
        let mut counts: HashMap<(&str, DateVal), usize> = HashMap::new();
        for &i in &known {
            *counts
                .entry((rows[i].name_key.as_str(), rows[i].dob))
                .or_insert(0) += 1;
        }
        if counts.len() > 1 {
            let max = counts.values().copied().max().unwrap_or(0);
            let modal: Vec<_> = counts
                .iter()
                .filter(|(_, &c)| c == max)
                .map(|(k, _)| *k)
                .collect();
            for &i in &known {
                let ident = (rows[i].name_key.as_str(), rows[i].dob);
                if modal.len() > 1 || ident != modal[0] {
                    out[i] |= XR004;
                }
            }
        }
    }

    let mut by_point: HashMap<u64, Vec<(i64, usize)>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let (true, Some(p), Some(t)) = (r.live, r.point, r.act) {
            by_point.entry(p).or_default().push((t, i));
        }
    }
    for acts in by_point.values_mut() {
        acts.sort_unstable();
        let mut end = 0;
        for start in 0..acts.len() {
            end = end.max(start);
            while end < acts.len() && acts[end].0 < acts[start].0 + BURST_WINDOW_SECS {
                end += 1;
            }
            if end - start > BURST_MAX {
                for &(_, i) in &acts[start..end] {
                    out[i] |= PT001;
                }
            }
        }
    }
    out
}

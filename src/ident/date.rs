//! Dates as they appear in extracts: `dd/mm/yyyy`, `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`, `yyyy-mm-dd`,
//! `yyyymmdd`, a year alone, Excel serials; date-times add ` HH:MM[:SS]` or an ISO `T`.

use chrono::{Datelike, Duration, NaiveTime};
pub use chrono::{NaiveDate as Date, NaiveDateTime as DateTime};

/// Day/month order of a column, decided once per file (never guessed per row).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DateOrder {
    #[default]
    Dmy,
    Mdy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    Year,
    Day,
    DateTime,
}

impl Precision {
    /// Every variant, in declaration order (`ALL[v as usize] == v`).
    pub const ALL: [Precision; 3] = [Precision::Year, Precision::Day, Precision::DateTime];

    pub fn code(self) -> &'static str {
        match self {
            Precision::Year => "year",
            Precision::Day => "day",
            Precision::DateTime => "datetime",
        }
    }
}

/// A parsed date or date-time. A year alone is stored as 1 January with `Precision::Year`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct When {
    pub at: DateTime,
    pub precision: Precision,
}

impl When {
    pub fn date(&self) -> Date {
        self.at.date()
    }
    pub fn year(&self) -> i32 {
        self.at.year()
    }
    pub fn has_time(&self) -> bool {
        self.precision == Precision::DateTime
    }
    /// `YYYY`, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`.
    pub fn iso(&self) -> String {
        // Plain integer formatting: chrono's format strings are interpreted on every call, and
        // subscriptions.parquet writes a date of birth per row.
        use chrono::Timelike;
        let (d, t) = (self.at.date(), self.at.time());
        match self.precision {
            Precision::Year => format!("{:04}", d.year()),
            Precision::Day => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            Precision::DateTime => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                d.year(),
                d.month(),
                d.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        }
    }
}

fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn ymd(y: &str, m: &str, d: &str) -> Option<Date> {
    if y.len() != 4 || !digits_only(y) || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len())
    {
        return None;
    }
    Date::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Excel's day 0 is 1899-12-30 for every serial after its fictional 1900-02-29 (serial 60).
fn excel_serial(days: f64) -> Option<DateTime> {
    if !(61.0..3_000_000.0).contains(&days) {
        return None;
    }
    let base = Date::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let secs = (days * 86_400.0).round() as i64;
    base.checked_add_signed(Duration::seconds(secs))
}

/// The Excel serial of a date-time (the inverse of reading one), for writing date cells.
pub fn to_excel_serial(at: DateTime) -> f64 {
    let base = Date::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    (at - base).num_seconds() as f64 / 86_400.0
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let t = t.trim().trim_end_matches('Z');
    let t = t.split('.').next().unwrap_or(t); // fractional seconds are dropped
                                              // Hours, minutes and optional seconds: one or two digits each (no allocation: a date column
                                              // is read for every row).
    let mut hms = [0u32; 3];
    let mut count = 0;
    for part in t.split(':') {
        if count == 3 || part.len() > 2 || !digits_only(part) {
            return None;
        }
        hms[count] = part.parse().ok()?;
        count += 1;
    }
    if count < 2 {
        return None;
    }
    NaiveTime::from_hms_opt(hms[0], hms[1], hms[2])
}

fn parse_date_part(d: &str, order: DateOrder) -> Option<(Date, bool)> {
    if digits_only(d) {
        return match d.len() {
            4 => Some((Date::from_ymd_opt(d.parse().ok()?, 1, 1)?, true)),
            8 => Some((ymd(&d[0..4], &d[4..6], &d[6..8])?, false)),
            5 => Some((excel_serial(d.parse().ok()?)?.date(), false)),
            _ => None,
        };
    }
    let sep = d.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut parts = d.split(sep);
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let p = [a, b, c];
    let date = if p[0].len() == 4 {
        ymd(p[0], p[1], p[2])?
    } else {
        match order {
            DateOrder::Dmy => ymd(p[2], p[1], p[0])?,
            DateOrder::Mdy => ymd(p[2], p[0], p[1])?,
        }
    };
    Some((date, false))
}

/// Ok(None) for an empty value, Err(()) for a present but unreadable one.
#[allow(clippy::result_unit_err)]
pub fn parse(raw: &str, order: DateOrder) -> Result<Option<When>, ()> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match parse_fixed(s, order) {
        Some(w) => Ok(Some(w)),
        None => parse_general(s, order),
    }
}

/// The shapes nearly every extract uses, `dd/mm/yyyy` or `yyyy-mm-dd` (any of `/ - .`), alone or with
/// ` HH:MM[:SS]` or `THH:MM[:SS]`, read straight from the bytes: three date columns are read for every
/// row. None for anything else, and for impossible dates, which [`parse_general`] then reads the same way.
fn parse_fixed(s: &str, order: DateOrder) -> Option<When> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let separator = |i: usize, j: usize| matches!(b[i], b'/' | b'-' | b'.') && b[j] == b[i];
    if b.len() < 10 {
        return None;
    }
    let date = if separator(2, 5) {
        let (first, second, year) = (num(0..2)?, num(3..5)?, num(6..10)?);
        let (day, month) = match order {
            DateOrder::Dmy => (first, second),
            DateOrder::Mdy => (second, first),
        };
        Date::from_ymd_opt(year as i32, month, day)?
    } else if separator(4, 7) {
        Date::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?
    } else {
        return None;
    };
    let (time, precision) = match b.len() {
        10 => (NaiveTime::MIN, Precision::Day),
        16 | 19 if matches!(b[10], b'T' | b' ') && b[13] == b':' => {
            let seconds = match b.len() {
                19 if b[16] == b':' => num(17..19)?,
                19 => return None,
                _ => 0,
            };
            let time = NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, seconds)?;
            (time, Precision::DateTime)
        }
        _ => return None,
    };
    Some(When {
        at: date.and_time(time),
        precision,
    })
}

/// Every shape [`parse`] reads, `s` trimmed and not empty.
fn parse_general(s: &str, order: DateOrder) -> Result<Option<When>, ()> {
    // Excel serial with a fraction of a day: a date-time.
    if let Some((whole, frac)) = s.split_once('.') {
        if whole.len() == 5 && digits_only(whole) && digits_only(frac) {
            let at = s.parse::<f64>().ok().and_then(excel_serial).ok_or(())?;
            return Ok(Some(When {
                at,
                precision: Precision::DateTime,
            }));
        }
    }
    let (date_part, time_part) = match s
        .split_once('T')
        .or_else(|| s.split_once(char::is_whitespace))
    {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let (date, year_only) = parse_date_part(date_part, order).ok_or(())?;
    match time_part {
        Some(t) if !year_only => {
            let time = parse_time(t).ok_or(())?;
            Ok(Some(When {
                at: date.and_time(time),
                precision: Precision::DateTime,
            }))
        }
        Some(_) => Err(()),
        None => Ok(Some(When {
            at: date.and_time(NaiveTime::MIN),
            precision: if year_only {
                Precision::Year
            } else {
                Precision::Day
            },
        })),
    }
}

/// Decide a column's day/month order from its values: month-first only when some value proves it
/// (second part > 12) and none proves day-first; Vietnamese day-first otherwise.
pub fn detect_order<'a>(values: impl IntoIterator<Item = &'a str>) -> DateOrder {
    detect_order_with_evidence(values).0
}

/// [`detect_order`], with the first value that showed the order decided (a day above 12 in first
/// or second place); None when no value did and the default day-first order stands.
pub fn detect_order_with_evidence<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> (DateOrder, Option<&'a str>) {
    let (mut dmy, mut mdy) = (false, false);
    let (mut first_dmy, mut first_mdy) = (None, None);
    for v in values {
        let d = v
            .trim()
            .split(|c: char| c == 'T' || c.is_whitespace())
            .next()
            .unwrap_or("");
        let Some(sep) = d.chars().find(|c| matches!(c, '/' | '-' | '.')) else {
            continue;
        };
        let p: Vec<&str> = d.split(sep).collect();
        if p.len() != 3 || p[0].len() == 4 {
            continue;
        }
        let (a, b) = (
            p[0].parse::<u32>().unwrap_or(0),
            p[1].parse::<u32>().unwrap_or(0),
        );
        if a > 12 && !dmy {
            dmy = true;
            first_dmy = Some(v);
        }
        if b > 12 && !mdy {
            mdy = true;
            first_mdy = Some(v);
        }
    }
    if mdy && !dmy {
        (DateOrder::Mdy, first_mdy)
    } else {
        (DateOrder::Dmy, first_dmy)
    }
}

/// The birthday in `year`; a 29 February birthday falls on 28 February in common years.
pub fn birthday_in(dob: Date, year: i32) -> Option<Date> {
    Date::from_ymd_opt(year, dob.month(), dob.day()).or_else(|| Date::from_ymd_opt(year, 2, 28))
}

/// Whole years reached by `on`: a person's age that day.
pub fn age_on(dob: Date, on: Date) -> i32 {
    let years = on.year() - dob.year();
    match birthday_in(dob, on.year()) {
        Some(b) if b > on => years - 1,
        _ => years,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn iso(raw: &str) -> String {
        parse(raw, DateOrder::Dmy)
            .ok()
            .flatten()
            .map(|w| format!("{} {}", w.iso(), w.precision.code()))
            .unwrap_or_default()
    }

    #[test]
    fn formats() {
        assert_eq!(iso("05/03/1985"), "1985-03-05 day");
        assert_eq!(iso("5/3/1985"), "1985-03-05 day");
        assert_eq!(iso("05-03-1985"), "1985-03-05 day");
        assert_eq!(iso("05.03.1985"), "1985-03-05 day");
        assert_eq!(iso("1985-03-05"), "1985-03-05 day");
        assert_eq!(iso("19850305"), "1985-03-05 day");
        assert_eq!(iso("1985"), "1985 year");
        assert_eq!(iso("31/12/2024 23:59"), "2024-12-31T23:59:00 datetime");
        assert_eq!(iso("2024-12-31T23:59:07"), "2024-12-31T23:59:07 datetime");
        assert_eq!(
            iso("2024-12-31 08:00:00.123"),
            "2024-12-31T08:00:00 datetime"
        );
        assert_eq!(iso("45292"), "2024-01-01 day");
        assert_eq!(iso("45292.5"), "2024-01-01T12:00:00 datetime");
        let at = parse("45292.5", DateOrder::Dmy).unwrap().unwrap().at;
        assert_eq!(to_excel_serial(at), 45292.5);
    }

    #[test]
    fn unreadable_and_empty() {
        assert_eq!(parse("", DateOrder::Dmy), Ok(None));
        assert_eq!(parse("   ", DateOrder::Dmy), Ok(None));
        for bad in [
            "31/02/1990",
            "abc",
            "13/13/2020",
            "1985 10:00",
            "05/03/85",
            "2024-01-01 25:00",
            "1/2/3/4",
        ] {
            assert_eq!(parse(bad, DateOrder::Dmy), Err(()), "{bad}");
        }
    }

    #[test]
    fn order_is_a_column_decision() {
        assert_eq!(detect_order(["03/05/2020", "12/25/2020"]), DateOrder::Mdy);
        assert_eq!(detect_order(["03/05/2020", "25/12/2020"]), DateOrder::Dmy);
        assert_eq!(detect_order(["03/05/2020"]), DateOrder::Dmy);
        assert_eq!(iso_mdy("12/25/2020"), "2020-12-25");
    }

    fn iso_mdy(raw: &str) -> String {
        parse(raw, DateOrder::Mdy).unwrap().unwrap().iso()
    }

    #[test]
    fn ages() {
        let d = |y, m, dd| Date::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(age_on(d(2010, 5, 1), d(2024, 5, 1)), 14);
        assert_eq!(age_on(d(2010, 5, 1), d(2024, 4, 30)), 13);
        assert_eq!(age_on(d(2004, 2, 29), d(2018, 2, 28)), 14);
        assert_eq!(age_on(d(2004, 2, 29), d(2018, 2, 27)), 13);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,25}") {
            let _ = parse(&s, DateOrder::Dmy);
            let _ = parse(&s, DateOrder::Mdy);
        }

        #[test]
        fn fixed_shapes_read_as_the_general_reader_does(
            s in "[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}([ T][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?)?",
            mdy in any::<bool>(),
        ) {
            let order = if mdy { DateOrder::Mdy } else { DateOrder::Dmy };
            if let Some(w) = parse_fixed(&s, order) {
                prop_assert_eq!(Ok(Some(w)), parse_general(&s, order));
            }
        }

        #[test]
        fn iso_round_trips(y in 1900i32..2100, m in 1u32..13, d in 1u32..29, h in 0u32..24, mi in 0u32..60) {
            let at = Date::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap();
            let w = When { at, precision: Precision::DateTime };
            prop_assert_eq!(parse(&w.iso(), DateOrder::Dmy), Ok(Some(w)));
            let vn = format!("{d}/{m}/{y} {h:02}:{mi:02}");
            prop_assert_eq!(parse(&vn, DateOrder::Dmy), Ok(Some(w)));
        }
    }
}

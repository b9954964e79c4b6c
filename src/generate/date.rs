//! Civil-calendar arithmetic on day numbers (days since 1970-01-01), no crates.

pub(crate) type Day = i32;

pub(crate) fn from_ymd(y: i32, m: u32, d: u32) -> Day {
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn ymd(z: Day) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

#[cfg(test)]
pub(crate) fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub(crate) fn year_of(d: Day) -> i32 {
    ymd(d).0
}

/// Same month and day `n` years later; 29 February becomes 28 February in a
/// common year (a 29 February birthday falls on 28 February).
pub(crate) fn add_years(d: Day, n: i32) -> Day {
    let (y, m, dd) = ymd(d);
    let y2 = y + n;
    let dd2 = if m == 2 && dd == 29 && !is_leap(y2) {
        28
    } else {
        dd
    };
    from_ymd(y2, m, dd2)
}

/// Whole years reached by `at`.
pub(crate) fn age_at(dob: Day, at: Day) -> i32 {
    let (y1, m1, d1) = ymd(dob);
    let (y2, m2, d2) = ymd(at);
    // the birthday of this year (29 February falls on 28 February in common years)
    let d1 = if m1 == 2 && d1 == 29 && !is_leap(y2) {
        28
    } else {
        d1
    };
    if (m2, d2) < (m1, d1) {
        y2 - y1 - 1
    } else {
        y2 - y1
    }
}

pub(crate) fn is_feb29(d: Day) -> bool {
    let (_, m, dd) = ymd(d);
    m == 2 && dd == 29
}

/// Moves 29 February one day back: generated people never get the one birthday
/// whose anniversaries different implementations may place differently.
pub(crate) fn no_feb29(d: Day) -> Day {
    if is_feb29(d) {
        d - 1
    } else {
        d
    }
}

pub(crate) const SECS_PER_DAY: i64 = 86_400;

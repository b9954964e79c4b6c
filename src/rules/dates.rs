//! Date reasoning shared by the age and document-validity rules. A year-only date of birth makes a rule
//! fire only when it holds for every possible day of that year.

use crate::ident::date::{age_on, birthday_in};
use crate::ident::{Date, Precision, When};
use chrono::Datelike;

/// Every day a date of birth may stand for: one day, or each day of its year.
pub fn possible_days(dob: When) -> impl Iterator<Item = Date> {
    let (first, last) = dob_bounds(dob);
    first.iter_days().take_while(move |d| *d <= last)
}

/// The earliest and latest day a date of birth may stand for.
pub fn dob_bounds(dob: When) -> (Date, Date) {
    let d = dob.date();
    if dob.precision == Precision::Year {
        let last = Date::from_ymd_opt(dob.year(), 12, 31).unwrap_or(d);
        (d, last)
    } else {
        (d, d)
    }
}

/// The same day `years` later (29 February falls on 28 February in common years).
pub fn plus_years(d: Date, years: i32) -> Option<Date> {
    birthday_in(d, d.year() + years)
}

/// When a 12-digit card expires (None: never): at the first milestone birthday after the issue day,
/// or at the next one when issued within `grace` years before it.
pub fn card_expiry(dob: Date, issue: Date, milestones: &[i32], grace: i32) -> Option<Date> {
    let mut days = milestones
        .iter()
        .filter_map(|age| birthday_in(dob, dob.year() + age));
    let first = days.find(|m| *m > issue)?;
    let within_grace = plus_years(first, -grace).is_some_and(|start| issue > start);
    if within_grace {
        days.next()
    } else {
        Some(first)
    }
}

/// Age reached by `on` for every possible day of birth: (youngest, oldest).
pub fn age_range(dob: When, on: Date) -> (i32, i32) {
    let (earliest, latest) = dob_bounds(dob);
    (age_on(latest, on), age_on(earliest, on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Date {
        Date::from_ymd_opt(y, m, dd).unwrap()
    }
    const M: [i32; 4] = [14, 25, 40, 60];

    #[test]
    fn card_milestones() {
        let dob = d(1990, 6, 15);
        // Issued at 20: expires at 25.
        assert_eq!(card_expiry(dob, d(2010, 1, 1), &M, 2), Some(d(2015, 6, 15)));
        // Issued 2 years before 25 exactly: not within the grace window (needs issue > birthday − 2 years).
        assert_eq!(
            card_expiry(dob, d(2013, 6, 15), &M, 2),
            Some(d(2015, 6, 15))
        );
        // Issued a day later: lasts to 40.
        assert_eq!(
            card_expiry(dob, d(2013, 6, 16), &M, 2),
            Some(d(2030, 6, 15))
        );
        // Issued after the 58th birthday: never expires.
        assert_eq!(card_expiry(dob, d(2048, 6, 16), &M, 2), None);
        assert_eq!(card_expiry(dob, d(2051, 1, 1), &M, 2), None);
        // 29 February birthday: milestone on 28 February.
        assert_eq!(
            card_expiry(d(2004, 2, 29), d(2019, 1, 1), &M, 2),
            Some(d(2029, 2, 28))
        );
    }

    #[test]
    fn year_only_ranges() {
        let y = When {
            at: d(2010, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
            precision: Precision::Year,
        };
        assert_eq!(age_range(y, d(2024, 6, 1)), (13, 14));
        assert_eq!(possible_days(y).count(), 365);
        let day = When {
            precision: Precision::Day,
            ..y
        };
        assert_eq!(possible_days(day).collect::<Vec<_>>(), [d(2010, 1, 1)]);
    }
}

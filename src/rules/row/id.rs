//! Identity-document rules (ID001–ID010): one function per rule, each on one row's facts.

use super::super::dates::{card_expiry, plus_years, possible_days};
use super::Row;
use crate::ident::id::Problem;
use crate::ident::IdKind;
use crate::rules::RuleCode;

/// ID001: the ID number is empty after normalisation.
pub fn missing(r: &Row) -> Option<String> {
    r.key().is_empty().then(|| "the ID number is empty".into())
}

/// ID002: the number fits no pattern of its (declared or inferred) kind.
pub fn format(r: &Row) -> Option<String> {
    if !r.id.has(Problem::Format) {
        return None;
    }
    let expected = match r.kind {
        IdKind::Cccd => "a CCCD has 12 digits",
        IdKind::Cmnd => "a CMND has 9 or 12 digits",
        IdKind::Mst => "a tax code has 10 digits, or 13 for a branch",
        IdKind::Passport => "a passport number is a letter + 7 digits",
        IdKind::Unknown => {
            "it fits no known shape (12, 9, 10 or 13 digits, or a letter + 7 digits)"
        }
    };
    let key = r.key();
    // The raw value is not repeated: a masked run hides the key in details, not other spellings.
    let raw = r.table().id_number.get(r.i);
    let why = if crate::ident::is_scientific(raw) {
        "; it was written by Excel in scientific notation, which keeps only the first digits: \
         export the ID column as text"
    } else if key.len() == 11
        && key.bytes().all(|b| b.is_ascii_digit())
        && crate::ident::cccd::is_valid(&format!("0{key}"))
    {
        "; it is probably a 12-digit number that lost its leading 0 to a number format: export the \
         ID column as text"
    } else {
        ""
    };
    Some(format!(
        "ID {key} ({} characters): {expected}{why}",
        key.chars().count()
    ))
}

/// ID003: a 12-digit number whose place code is neither a province nor 101–295.
pub fn place_code(r: &Row) -> Option<String> {
    r.id.has(Problem::PlaceCode).then(|| {
        let key = r.key();
        format!(
            "ID {key}: place code {} is neither a province code nor 101–295",
            &key[..3]
        )
    })
}

/// ID004: the birth year in a 12-digit number differs from the date of birth's.
pub fn birth_year_mismatch(r: &Row) -> Option<String> {
    let (p, dob) = (r.id.personal?, r.dob?);
    (r.has_key() && dob.year() != p.birth_year).then(|| {
        format!(
            "{} says born {}, date of birth says {}",
            r.kind.code(),
            p.birth_year,
            dob.year()
        )
    })
}

/// ID005: the sex in a 12-digit number disagrees with the gender given.
pub fn sex_mismatch(r: &Row) -> Option<String> {
    let (p, gender) = (r.id.personal?, r.table().gender[r.i]?);
    (r.has_key() && gender != p.sex).then(|| {
        format!(
            "{} says {}, gender says {}",
            r.kind.code(),
            p.sex.code(),
            gender.code()
        )
    })
}

/// ID006: all digits equal, or one ascending or descending run.
pub fn placeholder(r: &Row) -> Option<String> {
    r.id.has(Problem::Placeholder)
        .then(|| format!("ID {} is a placeholder number", r.key()))
}

/// A 9-digit CMND (ID007, ID008).
fn nine_digit_cmnd(r: &Row) -> bool {
    r.kind == IdKind::Cmnd && r.key().len() == 9
}

/// ID007: a 9-digit CMND used after the last day it was valid.
pub fn cmnd_after_2024(r: &Row) -> Option<String> {
    let day = r.day?;
    let last = r.rules().cmnd_last_valid;
    (nine_digit_cmnd(r) && day > last)
        .then(|| format!("9-digit CMND used on {day}, after it stopped being valid on {last}"))
}

/// ID008: the document had expired on the activation day.
pub fn expired(r: &Row) -> Option<String> {
    let (issue, day) = (r.issue?, r.day?);
    if !r.has_key() {
        return None;
    }
    let th = &r.rules().thresholds;
    if nine_digit_cmnd(r) {
        let exp = plus_years(issue, th.cmnd_validity_years)?;
        return (day >= exp)
            .then(|| format!("CMND issued {issue} expired {exp}, before activation on {day}"));
    }
    r.id.personal?;
    let dob = r.dob?;
    // Expired for every possible day of birth: then the latest expiry is reported.
    let latest = possible_days(dob).try_fold(None, |latest, b| {
        card_expiry(b, issue, &th.id_milestones, th.id_milestone_grace_years)
            .filter(|e| day >= *e)
            .map(|e| latest.max(Some(e)))
    });
    let exp = latest??;
    Some(format!(
        "card issued {issue} expired {exp}, before activation on {day}"
    ))
}

/// ID009: a tax code with a wrong check digit, digits 3–9 all zero, or branch suffix 000.
pub fn mst_checksum(r: &Row) -> Option<String> {
    let why = match r.id.mst_problem()? {
        Problem::Component => {
            let key = r.key();
            if key[2..9].bytes().all(|b| b == b'0') {
                "digits 3–9 are all zero"
            } else {
                "branch suffix 000"
            }
        }
        _ => "wrong check digit",
    };
    Some(format!("tax code {}: {why}", r.key()))
}

/// ID010: a passport number of 8–9 letters/digits that is not one letter + 7 digits.
pub fn passport_unverified(r: &Row) -> Option<String> {
    r.id.has(Problem::Unverified).then(|| {
        format!(
            "passport number {} is not the usual letter + 7 digits",
            r.key()
        )
    })
}

impl Row<'_> {
    fn has_key(&self) -> bool {
        !self.key().is_empty()
    }
}

/// The rule that reports an ID number's problem (what `simaudit normalize --field id` prints).
pub fn rule_of(problem: Problem) -> RuleCode {
    match problem {
        Problem::Format => RuleCode::ID002,
        Problem::PlaceCode => RuleCode::ID003,
        Problem::Placeholder => RuleCode::ID006,
        Problem::Component | Problem::Checksum => RuleCode::ID009,
        Problem::Unverified => RuleCode::ID010,
    }
}

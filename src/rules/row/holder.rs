//! Holder rules (PS001–PS007): one function per rule, each on one row's facts.

use super::super::dates::{age_range, dob_bounds};
use super::Row;
use crate::ingest::DateCell;
use crate::normalize::NameFacts;
use crate::rules::RuleSet;
use crate::text;

/// The name rules' verdicts on one distinct name, decided once however many rows carry it.
#[derive(Debug, Clone, Default)]
struct NameVerdict {
    /// Why the name is junk for an individual / for an organisation or device (PS002).
    junk_individual: Option<String>,
    junk_other: Option<String>,
    /// No diacritic although the surname is always written with one (PS007).
    lacks_diacritics: bool,
}

impl NameVerdict {
    fn of(name: &NameFacts, rules: &RuleSet) -> NameVerdict {
        let placeholders = &rules.lists.placeholder_names;
        NameVerdict {
            junk_individual: text::junk_reason(&name.canonical, &name.key, true, placeholders),
            junk_other: text::junk_reason(&name.canonical, &name.key, false, placeholders),
            lacks_diacritics: text::lacks_expected_diacritics(
                &name.canonical,
                &name.key,
                &rules.lists.diacritic_surnames,
            ),
        }
    }

    /// Whether any name rule has something to say.
    fn says_anything(&self) -> bool {
        self.junk_individual.is_some() || self.junk_other.is_some() || self.lacks_diacritics
    }
}

/// The name rules' verdicts on every distinct raw name, held sparsely: most names have none, so each
/// name has a four-byte index and only the names with something to say have a verdict.
#[derive(Default)]
pub struct NameVerdicts {
    /// Per distinct raw name: 1 + its verdict's index in `said`, 0 when it has none.
    of_name: Vec<u32>,
    said: Vec<NameVerdict>,
}

impl NameVerdicts {
    pub fn of(names: &[NameFacts], rules: &RuleSet) -> NameVerdicts {
        use rayon::prelude::*;
        let (codes, said): (Vec<u32>, Vec<NameVerdict>) = names
            .par_iter()
            .enumerate()
            .filter_map(|(code, name)| {
                let verdict = NameVerdict::of(name, rules);
                verdict.says_anything().then_some((code as u32, verdict))
            })
            .unzip();
        let mut of_name = vec![0; names.len()];
        for (k, code) in codes.into_iter().enumerate() {
            of_name[code as usize] = k as u32 + 1;
        }
        NameVerdicts { of_name, said }
    }

    /// The verdict on name `code`, None when there is nothing to say (or no verdicts were made).
    fn get(&self, code: usize) -> Option<&NameVerdict> {
        match self.of_name.get(code) {
            Some(&k) if k > 0 => self.said.get(k as usize - 1),
            _ => None,
        }
    }
}

impl Row<'_> {
    fn verdict(&self) -> Option<&NameVerdict> {
        let code = self.table().full_name.codes[self.i] as usize;
        self.cx.names.get(code)
    }

    fn has_name(&self) -> bool {
        !self.name.canonical.is_empty()
    }
}

/// PS001: the full name is empty.
pub fn name_missing(r: &Row) -> Option<String> {
    (!r.has_name()).then(|| "the full name is empty".into())
}

/// PS002: a placeholder name, or (for individuals) a name with digits or symbols, fewer than 2
/// words, or a letter repeated 3 times.
pub fn name_junk(r: &Row) -> Option<String> {
    if !r.has_name() {
        return None;
    }
    let v = r.verdict()?;
    if r.individual {
        v.junk_individual.clone()
    } else {
        v.junk_other.clone()
    }
}

/// PS003: an individual's date of birth is empty (present but unreadable is DQ002 only).
pub fn dob_missing(r: &Row) -> Option<String> {
    (r.individual && r.table().date_of_birth[r.i] == DateCell::Empty)
        .then(|| "the date of birth is empty".into())
}

/// PS004: born after activation, before the earliest plausible year, or too old at activation.
pub fn dob_implausible(r: &Row) -> Option<String> {
    let (dob, day) = (r.dob?, r.day?);
    if !r.individual {
        return None;
    }
    let th = &r.rules().thresholds;
    let (earliest, _) = dob_bounds(dob);
    let (youngest, _) = age_range(dob, day);
    if earliest > day {
        Some(format!("born {}, after activation on {day}", dob.iso()))
    } else if dob.year() < th.min_birth_year {
        Some(format!("born {}, before {}", dob.iso(), th.min_birth_year))
    } else if youngest > th.max_age {
        Some(format!(
            "aged {youngest} at activation on {day}, over {}",
            th.max_age
        ))
    } else {
        None
    }
}

/// PS005: born on or before the activation day and under the minimum age at activation.
pub fn underage(r: &Row) -> Option<String> {
    let (dob, day) = (r.dob?, r.day?);
    let min_age = r.rules().thresholds.min_age;
    let (_, latest) = dob_bounds(dob);
    let (_, oldest) = age_range(dob, day);
    (r.individual && latest <= day && oldest < min_age)
        .then(|| format!("aged {oldest} at activation on {day}, under {min_age}"))
}

/// PS006: the ID was issued after activation, or before the date of birth.
pub fn issue_date_invalid(r: &Row) -> Option<String> {
    let issue = r.issue?;
    if let Some(day) = r.day.filter(|d| issue > *d) {
        return Some(format!("ID issued {issue}, after activation on {day}"));
    }
    let dob = r.dob.filter(|d| issue < dob_bounds(*d).0)?;
    Some(format!(
        "ID issued {issue}, before the date of birth {}",
        dob.iso()
    ))
}

/// PS007: a Vietnamese individual's name without any diacritic although its surname always has one.
pub fn name_without_diacritics(r: &Row) -> Option<String> {
    let vietnamese = matches!(r.table().nationality.get(r.i), "" | "VN");
    (r.has_name() && r.individual && vietnamese && r.verdict()?.lacks_diacritics).then(|| {
        "the name carries no diacritic although its surname is always written with one".into()
    })
}

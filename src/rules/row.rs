//! Per-row rules (ID, PS, SB001/3/4, PT002/4/5, DQ003/4): each looks at one accepted record only, so rows
//! are checked in parallel. Cancelled rows are checked too.

use super::dates::{age_range, card_expiry, dob_bounds, plus_years, possible_days};
use super::{RuleCode as R, RuleSet};
use crate::findings::Finding;
use crate::ident::{IdKind, Sex};
use crate::ingest::{DateCell, Table};
use crate::normalize::Normalised;
use crate::schema::{PointType, SubscriberType};
use chrono::Timelike;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::collections::HashSet;

/// Authorised points (`--points FILE`): (carrier, point_id) pairs.
pub type PointRegistry = HashSet<(String, String)>;

pub struct Context<'a> {
    pub table: &'a Table,
    pub norm: &'a Normalised,
    pub rules: &'a RuleSet,
    pub points: Option<&'a PointRegistry>,
}

/// The (carrier, point) code pairs that are not in the registry: decided once per distinct point,
/// not once per row. Points are few, so the set of pairs stays in cache while every row is added.
fn unregistered_points(cx: &Context) -> Option<FxHashSet<(u32, u32)>> {
    let reg = cx.points?;
    let t = cx.table;
    let pairs: FxHashSet<(u32, u32)> = t
        .carrier
        .codes
        .iter()
        .zip(&t.point_id.codes)
        .map(|(c, p)| (*c, *p))
        .collect();
    Some(
        pairs
            .into_iter()
            .filter(|&(c, p)| {
                let key = (
                    t.carrier.value(c).to_string(),
                    t.point_id.value(p).to_string(),
                );
                !reg.contains(&key)
            })
            .collect(),
    )
}

pub fn evaluate(cx: &Context) -> Vec<Finding> {
    let unregistered = unregistered_points(cx);
    let chunks: Vec<Vec<Finding>> = (0..cx.table.len())
        .into_par_iter()
        .with_min_len(4096)
        .fold(Vec::new, |mut out, i| {
            check_row(cx, unregistered.as_ref(), i, &mut |rule, detail| {
                if cx.rules.enabled(rule) {
                    out.push(Finding::on(
                        i,
                        cx.table.file[i],
                        cx.table.row[i],
                        rule,
                        detail,
                    ));
                }
            });
            out
        })
        .collect();
    chunks.concat()
}

fn sex_word(s: Sex) -> &'static str {
    s.code()
}

/// Runs every per-row rule on row `i`, reporting each that fires.
/// `unregistered`: the points missing from the `--points` registry (None: no registry given).
pub fn check_row(
    cx: &Context,
    unregistered: Option<&FxHashSet<(u32, u32)>>,
    i: usize,
    fire: &mut dyn FnMut(R, String),
) {
    let t = cx.table;
    let th = &cx.rules.thresholds;
    let individual = t.subscriber_type[i] == SubscriberType::Individual;
    let id = cx.norm.id_facts(t, i);
    let name = cx.norm.name_of(t, i);
    let msisdn = cx.norm.msisdn_of(t, i);
    let number = cx.norm.msisdn_digits(t, i);
    let activation = t.activation_time[i].value();
    let act_day = activation.map(|w| w.date());
    let dob = t.date_of_birth[i].value();
    let issue = t.id_issue_date[i].value().map(|w| w.date());
    let kind = id.kind.unwrap_or(IdKind::Unknown);
    let key = id.key.as_str();

    // Identity documents.
    if key.is_empty() {
        fire(R::ID001, "the ID number is empty".into());
    } else {
        if id.format_bad {
            let expected = match kind {
                IdKind::Cccd => "a CCCD has 12 digits",
                IdKind::Cmnd => "a CMND has 9 or 12 digits",
                IdKind::Mst => "a tax code has 10 digits, or 13 for a branch",
                IdKind::Passport => "a passport number is a letter + 7 digits",
                IdKind::Unknown => {
                    "it fits no known shape (12, 9, 10 or 13 digits, or a letter + 7 digits)"
                }
            };
            fire(
                R::ID002,
                format!("ID {key} ({} characters): {expected}", key.chars().count()),
            );
        }
        if id.place_bad {
            fire(
                R::ID003,
                format!(
                    "ID {key}: place code {} is neither a province code nor 101–295",
                    &key[..3]
                ),
            );
        }
        if let Some(p) = id.personal {
            if let Some(dob) = dob {
                if dob.year() != p.birth_year {
                    fire(
                        R::ID004,
                        format!(
                            "{} says born {}, date of birth says {}",
                            kind.code(),
                            p.birth_year,
                            dob.year()
                        ),
                    );
                }
            }
            if let Some(g) = t.gender[i] {
                if g != p.sex {
                    fire(
                        R::ID005,
                        format!(
                            "{} says {}, gender says {}",
                            kind.code(),
                            sex_word(p.sex),
                            sex_word(g)
                        ),
                    );
                }
            }
        }
        if id.placeholder {
            fire(R::ID006, format!("ID {key} is a placeholder number"));
        }
        let nine_digit_cmnd = kind == IdKind::Cmnd && key.len() == 9;
        if let (true, Some(day)) = (nine_digit_cmnd, act_day) {
            if day > cx.rules.cmnd_last_valid {
                fire(
                    R::ID007,
                    format!(
                        "9-digit CMND used on {day}, after it stopped being valid on {}",
                        cx.rules.cmnd_last_valid
                    ),
                );
            }
        }
        if let (Some(issue), Some(day)) = (issue, act_day) {
            if nine_digit_cmnd {
                if let Some(exp) = plus_years(issue, th.cmnd_validity_years) {
                    if day >= exp {
                        fire(
                            R::ID008,
                            format!(
                                "CMND issued {issue} expired {exp}, before activation on {day}"
                            ),
                        );
                    }
                }
            } else if id.personal.is_some() {
                if let Some(dob) = dob {
                    // Expired for every possible day of birth: then the latest expiry is reported.
                    let latest = possible_days(dob).try_fold(None, |latest, b| {
                        card_expiry(b, issue, &th.id_milestones, th.id_milestone_grace_years)
                            .filter(|e| day >= *e)
                            .map(|e| latest.max(Some(e)))
                    });
                    if let Some(Some(exp)) = latest {
                        fire(
                            R::ID008,
                            format!(
                                "card issued {issue} expired {exp}, before activation on {day}"
                            ),
                        );
                    }
                }
            }
        }
        if id.mst_bad {
            let why = if key[2..9].bytes().all(|b| b == b'0') {
                "digits 3–9 are all zero"
            } else if key.len() == 13 && key.ends_with("000") {
                "branch suffix 000"
            } else {
                "wrong check digit"
            };
            fire(R::ID009, format!("tax code {key}: {why}"));
        }
        if id.passport_unverified {
            fire(
                R::ID010,
                format!("passport number {key} is not the usual letter + 7 digits"),
            );
        }
    }

    // Holder.
    if name.canonical.is_empty() {
        fire(R::PS001, "the full name is empty".into());
    } else {
        let junk = if individual {
            &name.junk_individual
        } else {
            &name.junk_other
        };
        if let Some(why) = junk {
            fire(R::PS002, why.clone());
        }
        if let Some(enc) = name.repaired {
            fire(R::DQ003, format!("full_name repaired from {}", enc.code()));
        }
        let vietnamese = matches!(t.nationality.get(i), "" | "VN");
        if individual && vietnamese && name.lacks_diacritics {
            fire(
                R::PS007,
                "the name carries no diacritic although its surname is always written with one"
                    .into(),
            );
        }
    }
    if individual {
        if t.date_of_birth[i] == DateCell::Empty {
            fire(R::PS003, "the date of birth is empty".into());
        }
        if let (Some(dob), Some(day)) = (dob, act_day) {
            let (earliest, latest) = dob_bounds(dob);
            let (youngest, oldest) = age_range(dob, day);
            let min_year = cx.rules.thresholds.min_birth_year;
            if earliest > day {
                fire(
                    R::PS004,
                    format!("born {}, after activation on {day}", dob.iso()),
                );
            } else if dob.year() < min_year {
                fire(R::PS004, format!("born {}, before {min_year}", dob.iso()));
            } else if youngest > th.max_age {
                fire(
                    R::PS004,
                    format!(
                        "aged {youngest} at activation on {day}, over {}",
                        th.max_age
                    ),
                );
            }
            if latest <= day && oldest < th.min_age {
                fire(
                    R::PS005,
                    format!("aged {oldest} at activation on {day}, under {}", th.min_age),
                );
            }
        }
    }
    if let Some(issue) = issue {
        if let Some(day) = act_day.filter(|d| issue > *d) {
            fire(
                R::PS006,
                format!("ID issued {issue}, after activation on {day}"),
            );
        } else if let Some(dob) = dob.filter(|d| issue < dob_bounds(*d).0) {
            fire(
                R::PS006,
                format!("ID issued {issue}, before the date of birth {}", dob.iso()),
            );
        }
    }

    // Subscription.
    let carrier = t.carrier.get(i);
    if number.is_empty() && t.subscriber_type[i] != SubscriberType::Device {
        let raw = t.msisdn.get(i);
        if raw.is_empty() {
            fire(R::SB001, "the subscriber number is empty".into());
        } else {
            fire(
                R::SB001,
                format!("'{raw}' is not a Vietnamese mobile number"),
            );
        }
    }
    if msisdn.legacy {
        fire(
            R::SB003,
            format!(
                "'{}' is in the 11-digit pre-2018 form; now {}",
                t.msisdn.get(i),
                number
            ),
        );
    }
    if let Some(owner) = msisdn.carrier {
        if !carrier.is_empty() && owner != carrier {
            fire(
                R::SB004,
                format!(
                    "prefix {} was allocated to {owner}; the row says {carrier}",
                    number.get(..3).unwrap_or("")
                ),
            );
        }
    }

    // Service points.
    if let Some(w) = activation.filter(|w| w.has_time()) {
        let minute = w.at.hour() * 60 + w.at.minute();
        let outside =
            minute < cx.rules.business_start_minute || minute >= cx.rules.business_end_minute;
        if outside && t.point_type[i] != PointType::Online {
            let [a, b] = &th.business_hours;
            fire(
                R::PT002,
                format!("activated at {}, outside {a}–{b}", w.at.format("%H:%M")),
            );
        }
    }
    let point = t.point_id.get(i);
    if point.is_empty() {
        fire(R::PT005, "the point code is empty".into());
    } else if let Some(missing) = unregistered {
        if missing.contains(&(t.carrier.codes[i], t.point_id.codes[i])) {
            fire(
                R::PT004,
                format!("point {point} of {carrier} is not in the registry of authorised points"),
            );
        }
    }

    // Data quality.
    if t.activation_time[i] == DateCell::Empty {
        fire(R::DQ004, "the activation time is empty".into());
    }
}

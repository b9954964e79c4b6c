//! Data-quality rules. DQ003 and DQ004 look at one row; DQ001 and DQ002 are made from what ingest
//! reports (rejected records, unreadable values).

use super::Row;
use crate::ingest::{DateCell, Reject, Unreadable, UnreadableKind};
use crate::rules::finding::{Details, Finding, Subject};
use crate::rules::{RuleCode, RuleSet};
use crate::schema::Field;

/// DQ003: the name was repaired from a legacy encoding.
pub fn text_repaired(r: &Row) -> Option<String> {
    let enc = r.name.repaired?;
    (!r.name.canonical.is_empty()).then(|| format!("full_name repaired from {}", enc.code()))
}

/// DQ004: the activation time is empty.
pub fn activation_missing(r: &Row) -> Option<String> {
    (r.table().activation_time[r.i] == DateCell::Empty)
        .then(|| "the activation time is empty".into())
}

/// DQ001: one finding per rejected record, its reason as the detail.
pub fn rejected(rules: &RuleSet, rejects: &[Reject], details: &Details) -> Vec<Finding> {
    if !rules.active().has(RuleCode::DQ001) {
        return Vec::new();
    }
    rejects
        .iter()
        .map(|r| Finding {
            file: r.file,
            row: r.row,
            subject: Subject::NONE,
            rule: RuleCode::DQ001,
            detail: details.intern(&r.reason),
        })
        .collect()
}

/// DQ002: one finding per value present but unreadable.
pub fn unparseable(rules: &RuleSet, unreadable: &[Unreadable], details: &Details) -> Vec<Finding> {
    if !rules.active().has(RuleCode::DQ002) {
        return Vec::new();
    }
    unreadable
        .iter()
        .map(|u| {
            let detail = match u.kind {
                UnreadableKind::Date => {
                    format!("{} '{}' cannot be read as a date", u.column.name(), u.raw)
                }
                UnreadableKind::Code => {
                    let then = if u.column == Field::IdType {
                        "; the type is inferred from the number"
                    } else {
                        ""
                    };
                    format!("{} '{}' is not a known value{then}", u.column.name(), u.raw)
                }
            };
            let detail = details.intern(&detail);
            Finding::on(u.subject as usize, u.file, u.row, RuleCode::DQ002, detail)
        })
        .collect()
}

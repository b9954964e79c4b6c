//! Subscription rules on one row (SB001, SB003, SB004): one function per rule. SB002 groups rows by
//! number and lives with the cross-record rules.

use super::Row;
use crate::ident::phone;
use crate::rules::RuleCode;
use crate::schema::SubscriberType;

/// SB001: not a Vietnamese mobile number once read; devices are exempt.
pub fn msisdn_invalid(r: &Row) -> Option<String> {
    let t = r.table();
    if r.number.value != 0 || t.subscriber_type[r.i] == SubscriberType::Device {
        return None;
    }
    let raw = t.msisdn.get(r.i);
    Some(if raw.is_empty() {
        "the subscriber number is empty".into()
    } else if crate::ident::is_scientific(raw) {
        format!(
            "'{raw}' is a number Excel wrote in scientific notation, which keeps only its first \
             digits: export the number column as text"
        )
    } else {
        format!("'{raw}' is not a Vietnamese mobile number")
    })
}

/// SB003: written in the 11-digit pre-2018 form and converted.
pub fn msisdn_legacy_form(r: &Row) -> Option<String> {
    r.number.legacy.then(|| {
        format!(
            "'{}' is in the 11-digit pre-2018 form; now {}",
            r.table().msisdn.get(r.i),
            r.msisdn()
        )
    })
}

/// SB004: the prefix was first allocated to another carrier than the row's.
pub fn prefix_other_carrier(r: &Row) -> Option<String> {
    let owner = r.number.carrier()?;
    let carrier = r.table().carrier.get(r.i);
    (!carrier.is_empty() && owner != carrier).then(|| {
        let number = r.msisdn();
        format!(
            "prefix {} was allocated to {owner}; the row says {carrier}",
            number.get(..3).unwrap_or("")
        )
    })
}

/// The rule that reports a number's problem (what `simaudit normalize --field msisdn` prints).
pub fn rule_of(problem: phone::Problem) -> RuleCode {
    match problem {
        phone::Problem::NotMobile => RuleCode::SB001,
        phone::Problem::LegacyForm => RuleCode::SB003,
    }
}

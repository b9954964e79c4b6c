//! Vietnamese mobile numbers: reading any written form into the 10-digit `0…` form (outputs.md).

use regex::Regex;
use std::sync::OnceLock;

static PREFIXES: &str = include_str!("../../rules/reference/mobile-prefixes.csv");
static LEGACY: &str = include_str!("../../rules/reference/legacy-11-digit-prefixes.csv");

/// libphonenumber 9.0.35 national mobile pattern (9 digits after the trunk 0), from domain.md.
const MOBILE_PATTERN: &str = r"^(?:121[0-3]\d{5}|(?:160|(?:3\d|7[06-9])\d|5(?:[1689]\d|2[238]|59)|8(?:[1-8]\d|9[6-9])|9(?:[0-8]\d|9[013-9]))\d{6})$";

struct Tables {
    mobile: Regex,
    /// (prefix, carrier), longest prefix first.
    prefixes: Vec<(&'static str, &'static str)>,
    /// (old 4-digit prefix, new 3-digit prefix).
    legacy: Vec<(&'static str, &'static str)>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let rows = |text: &'static str| -> Vec<(&'static str, &'static str)> {
            text.lines()
                .skip(1)
                .filter_map(|l| {
                    let mut f = l.split(',');
                    Some((f.next()?.trim(), f.next()?.trim()))
                })
                .collect()
        };
        let mut prefixes = rows(PREFIXES);
        prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let legacy = LEGACY
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut f = l.split(',');
                Some((f.next()?.trim(), f.next()?.trim()))
            })
            .collect();
        Tables {
            mobile: Regex::new(MOBILE_PATTERN).expect("static pattern"),
            prefixes,
            legacy,
        }
    })
}

/// One number read from its written form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Msisdn {
    /// 10-digit `0…` form; empty when not a mobile number.
    pub normalised: String,
    /// Carrier of original allocation by prefix (longest wins); None when unknown or invalid.
    pub carrier: Option<&'static str>,
    /// Written in the 11-digit pre-2018 form and converted (SB003).
    pub legacy: bool,
}

impl Msisdn {
    pub fn valid(&self) -> bool {
        !self.normalised.is_empty()
    }

    /// Problem codes among SB001 SB003.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut p = Vec::new();
        if !self.valid() {
            p.push("SB001");
        }
        if self.legacy {
            p.push("SB003");
        }
        p
    }
}

/// Carrier of original allocation for a normalised 10-digit number.
pub fn prefix_carrier(normalised: &str) -> Option<&'static str> {
    tables()
        .prefixes
        .iter()
        .find(|(p, _)| normalised.starts_with(p))
        .map(|(_, c)| *c)
}

/// outputs.md: keep the digits; drop a leading 0084, or 84 when at least 11 digits; prepend 0 when missing;
/// convert an 11-digit pre-2018 number; valid when 10 digits match the mobile pattern.
pub fn parse(raw: &str) -> Msisdn {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Msisdn::default();
    }
    let rest = if let Some(r) = digits.strip_prefix("0084") {
        r
    } else if digits.len() >= 11 && digits.starts_with("84") {
        &digits[2..]
    } else {
        &digits
    };
    let mut number = if rest.starts_with('0') {
        rest.to_string()
    } else {
        format!("0{rest}")
    };
    let t = tables();
    let mut legacy = false;
    if number.len() == 11 {
        if let Some((old, new)) = t.legacy.iter().find(|(old, _)| number.starts_with(old)) {
            number = format!("{new}{}", &number[old.len()..]);
            legacy = true;
        }
    }
    if number.len() == 10 && t.mobile.is_match(&number[1..]) {
        Msisdn {
            carrier: prefix_carrier(&number),
            normalised: number,
            legacy,
        }
    } else {
        Msisdn {
            legacy,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(raw: &str) -> (String, Option<&'static str>, Vec<&'static str>) {
        let m = parse(raw);
        let p = m.problems();
        (m.normalised, m.carrier, p)
    }

    #[test]
    fn written_forms() {
        for raw in [
            "0912345678",
            "0912.345.678",
            "+84 912 345 678",
            "84912345678",
            "+840912345678",
            "0084912345678",
            "912345678",
        ] {
            assert_eq!(
                n(raw),
                ("0912345678".into(), Some("VINAPHONE"), vec![]),
                "{raw}"
            );
        }
    }

    #[test]
    fn legacy_conversion() {
        assert_eq!(
            n("01662345678"),
            ("0362345678".into(), Some("VIETTEL"), vec!["SB003"])
        );
        assert_eq!(
            n("841662345678"),
            ("0362345678".into(), Some("VIETTEL"), vec!["SB003"])
        );
    }

    #[test]
    fn longest_prefix_wins() {
        assert_eq!(prefix_carrier("0896123456"), Some("MOBIFONE"));
        assert_eq!(prefix_carrier("0812345678"), Some("VINAPHONE"));
        assert_eq!(prefix_carrier("0868123456"), Some("VIETTEL"));
        assert_eq!(prefix_carrier("0998123456"), Some("ITELECOM"));
        assert_eq!(n("0301234567").1, Some("MOBIFONE"));
    }

    #[test]
    fn invalid_numbers() {
        for raw in [
            "",
            "abc",
            "0123456789",
            "091234567",
            "09123456789",
            "0241234567",
            "0521234567",
        ] {
            assert_eq!(n(raw).0, "", "{raw}");
            assert!(n(raw).2.contains(&"SB001"), "{raw}");
        }
        assert_eq!(n("0522123456").0, "0522123456");
    }

    proptest! {
        #[test]
        fn never_panics_and_is_idempotent(s in "\\PC{0,20}") {
            let m = parse(&s);
            if m.valid() {
                prop_assert_eq!(parse(&m.normalised).normalised, m.normalised.clone());
                prop_assert_eq!(m.normalised.len(), 10);
            }
        }
    }
}

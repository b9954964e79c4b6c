//! Vietnamese mobile numbers: reading any written form into the 10-digit `0…` form.
//!
//! A number is read by keeping its digits; dropping a leading `0084`, or a leading `84` when at
//! least 11 digits remain (so `+84…`, `84…` and `+840…` all work); putting back the leading 0 that
//! spreadsheets drop; and converting an 11-digit number of the pre-2018 plan to its 10-digit form
//! (the Ministry's 2018 conversion: only the prefix changed). It is a mobile number when its 9
//! national digits match libphonenumber 9.0.35's Vietnamese mobile pattern. The carrier of original
//! allocation comes from the prefix table; since number portability (16 November 2018) a prefix does
//! not prove the current carrier.
//!
//! ```
//! use simaudit::ident::phone::{self, Problem};
//! assert_eq!(phone::validate("+84 912 345 678").as_deref(), Ok("0912345678"));
//! assert_eq!(phone::validate("912345678").as_deref(), Ok("0912345678"));
//! assert_eq!(phone::validate("01662345678").as_deref(), Ok("0362345678")); // 0166 became 036
//! assert_eq!(phone::validate("0241234567"), Err(Problem::NotMobile)); // a Hà Nội landline
//! assert_eq!(phone::parse("01662345678").problems(), [Problem::LegacyForm]);
//! assert_eq!(phone::format("84912345678"), "0912 345 678");
//! assert_eq!(phone::compact("0912.345.678"), "0912345678");
//! ```

use regex::Regex;
use std::sync::OnceLock;

static PREFIXES: &str = include_str!("../../rules/reference/mobile-prefixes.csv");
static LEGACY: &str = include_str!("../../rules/reference/legacy-11-digit-prefixes.csv");

/// libphonenumber 9.0.35 national mobile pattern (9 digits after the trunk 0).
const MOBILE_PATTERN: &str = r"^(?:121[0-3]\d{5}|(?:160|(?:3\d|7[06-9])\d|5(?:[1689]\d|2[238]|59)|8(?:[1-8]\d|9[6-9])|9(?:[0-8]\d|9[013-9]))\d{6})$";

struct Tables {
    /// Whether a 9-digit national number is mobile, by its first 4 digits: every alternative of the
    /// pattern is 9 digits long and decided by at most its first 4 (`121[0-3]`), so this table, made
    /// by running the pattern once per 4-digit start, gives what the pattern gives.
    mobile: Vec<bool>,
    /// Carrier of original allocation by the digits after the leading 0, up to the longest prefix's
    /// length (longest prefix wins; [`prefix_carrier`] reads the same table): 1 + its index in
    /// `carriers`, 0 for none.
    carrier: Vec<u8>,
    /// The carriers the prefixes name, in the order they first appear.
    carriers: Vec<&'static str>,
    /// Digits after the leading 0 that `carrier` is indexed by.
    carrier_digits: usize,
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
        let pattern = Regex::new(MOBILE_PATTERN).expect("static pattern");
        let mobile = (0..10_000)
            .map(|start| pattern.is_match(&format!("{start:04}00000")))
            .collect();
        let carrier_digits = prefixes.iter().map(|(p, _)| p.len()).max().unwrap_or(1) - 1;
        let mut carriers: Vec<&'static str> = Vec::new();
        for (_, c) in &prefixes {
            if !carriers.contains(c) {
                carriers.push(c);
            }
        }
        let carrier = (0..10usize.pow(carrier_digits as u32))
            .map(|start| {
                let number = format!("0{start:0carrier_digits$}");
                prefixes
                    .iter()
                    .find(|(p, _)| number.starts_with(p))
                    .and_then(|(_, c)| carriers.iter().position(|k| k == c))
                    .map_or(0, |k| u8::try_from(k + 1).expect("fewer than 255 carriers"))
            })
            .collect();
        Tables {
            mobile,
            carrier,
            carriers,
            carrier_digits,
            legacy: rows(LEGACY),
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
    /// Written in the 11-digit pre-2018 form and converted.
    pub legacy: bool,
}

impl Msisdn {
    pub fn valid(&self) -> bool {
        !self.normalised.is_empty()
    }

    /// What is wrong or unusual about the number, in [`Problem`] order.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if !self.valid() {
            p.push(Problem::NotMobile);
        }
        if self.legacy {
            p.push(Problem::LegacyForm);
        }
        p
    }
}

/// What is wrong or unusual about a written number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Problem {
    /// Not a Vietnamese mobile number once read (an empty one included).
    NotMobile,
    /// Written in the 11-digit pre-2018 form, and converted.
    LegacyForm,
}

/// The digits of a written number, nothing else.
pub fn compact(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// The number in its 10-digit `0…` form when it is a mobile number, else [`Problem::NotMobile`]. A
/// number in the pre-2018 form is valid once converted ([`Msisdn::problems`] still tells).
pub fn validate(raw: &str) -> Result<String, Problem> {
    let m = parse(raw);
    if m.valid() {
        Ok(m.normalised)
    } else {
        Err(Problem::NotMobile)
    }
}

pub fn is_valid(raw: &str) -> bool {
    read(raw).value != 0
}

/// The number as people write it, `0xxx xxx xxx`; a number that is not mobile is given back as its
/// digits.
pub fn format(raw: &str) -> String {
    match validate(raw) {
        Ok(n) => format!("{} {} {}", &n[..4], &n[4..7], &n[7..]),
        Err(_) => compact(raw),
    }
}

/// A number as [`read`] gives it: what the rules need, in 16 bytes and no allocation (a table holds
/// one per row).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Number {
    /// The normalised number's 10 digits as an integer (0: not a mobile number). Every normalised
    /// number has 10 digits, so integer order is the order of their texts.
    pub value: u64,
    /// The carrier of original allocation, as the prefix table codes it (0: none).
    carrier: u8,
    /// Written in the 11-digit pre-2018 form and converted.
    pub legacy: bool,
}

const _: () = assert!(std::mem::size_of::<Number>() == 16);

impl Number {
    /// Carrier of original allocation by prefix; None when unknown or not a mobile number.
    pub fn carrier(&self) -> Option<&'static str> {
        carrier_named(self.carrier)
    }
}

fn carrier_named(code: u8) -> Option<&'static str> {
    let k = usize::from(code).checked_sub(1)?;
    tables().carriers.get(k).copied()
}

fn value_of(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
}

/// Carrier of original allocation for a normalised 10-digit number.
pub fn prefix_carrier(normalised: &str) -> Option<&'static str> {
    let t = tables();
    let d = normalised.as_bytes();
    let start = d.get(1..=t.carrier_digits)?;
    if d[0] != b'0' || !start.iter().all(u8::is_ascii_digit) {
        return None;
    }
    carrier_named(t.carrier[value_of(start) as usize])
}

/// Reads a written number as the module's documentation says.
pub fn parse(raw: &str) -> Msisdn {
    let n = read(raw);
    Msisdn {
        normalised: if n.value == 0 {
            String::new()
        } else {
            format!("{:010}", n.value)
        },
        carrier: n.carrier(),
        legacy: n.legacy,
    }
}

/// [`parse`] without allocating: the digits are gathered on the stack. More than 15 digits can never
/// leave 10 or 11 once a `0084` is dropped, so such a number is simply not mobile.
pub fn read(raw: &str) -> Number {
    // Digits lost to scientific notation: whatever is left is not the number.
    if raw.bytes().any(|b| matches!(b, b'e' | b'E')) && super::is_scientific(raw) {
        return Number::default();
    }
    let mut buf = [0u8; 15];
    let mut n = 0;
    for b in raw.bytes().filter(u8::is_ascii_digit) {
        if n == buf.len() {
            return Number::default();
        }
        buf[n] = b;
        n += 1;
    }
    let digits = &buf[..n];
    if digits.is_empty() {
        return Number::default();
    }
    let rest = if let Some(r) = digits.strip_prefix(b"0084") {
        r
    } else if digits.len() >= 11 && digits.starts_with(b"84") {
        &digits[2..]
    } else {
        digits
    };
    // The number with its leading 0.
    let mut number = [b'0'; 16];
    let mut len = rest.len();
    if rest.first() == Some(&b'0') {
        number[..len].copy_from_slice(rest);
    } else {
        number[1..=len].copy_from_slice(rest);
        len += 1;
    }
    let t = tables();
    let mut legacy = false;
    if len == 11 {
        if let Some((old, new)) = t
            .legacy
            .iter()
            .find(|(old, _)| number.starts_with(old.as_bytes()))
        {
            number.copy_within(old.len()..11, new.len());
            number[..new.len()].copy_from_slice(new.as_bytes());
            len = 11 - old.len() + new.len();
            legacy = true;
        }
    }
    if len != 10 || !t.mobile[value_of(&number[1..5]) as usize] {
        return Number {
            legacy,
            ..Default::default()
        };
    }
    Number {
        value: value_of(&number[..10]),
        carrier: t.carrier[value_of(&number[1..=t.carrier_digits]) as usize],
        legacy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(raw: &str) -> (String, Option<&'static str>, Vec<Problem>) {
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
            (
                "0362345678".into(),
                Some("VIETTEL"),
                vec![Problem::LegacyForm]
            )
        );
        assert_eq!(
            n("841662345678"),
            (
                "0362345678".into(),
                Some("VIETTEL"),
                vec![Problem::LegacyForm]
            )
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
            assert!(n(raw).2.contains(&Problem::NotMobile), "{raw}");
        }
        assert_eq!(n("0522123456").0, "0522123456");
    }

    /// The documented reading, written out plainly with strings and the pattern itself: the oracle for
    /// [`read`]'s tables and stack buffers.
    fn plain(raw: &str) -> (String, Option<&'static str>, bool) {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return (String::new(), None, false);
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
        let mut legacy = false;
        if number.len() == 11 {
            // The legacy table read here on its own, not through `tables()`.
            let mut legacy_prefixes = LEGACY.lines().skip(1).filter_map(|l| {
                let mut f = l.split(',');
                Some((f.next()?.trim(), f.next()?.trim()))
            });
            if let Some((old, new)) = legacy_prefixes.find(|(o, _)| number.starts_with(o)) {
                number = format!("{new}{}", &number[old.len()..]);
                legacy = true;
            }
        }
        static PATTERN: OnceLock<Regex> = OnceLock::new();
        let pattern = PATTERN.get_or_init(|| Regex::new(MOBILE_PATTERN).unwrap());
        if number.len() == 10 && pattern.is_match(&number[1..]) {
            let carrier = PREFIXES
                .lines()
                .skip(1)
                .filter_map(|l| {
                    let mut f = l.split(',');
                    Some((f.next()?.trim(), f.next()?.trim()))
                })
                .filter(|(p, _)| number.starts_with(p))
                .max_by_key(|(p, _)| p.len())
                .map(|(_, c)| c);
            (number, carrier, legacy)
        } else {
            (String::new(), None, legacy)
        }
    }

    #[test]
    fn every_five_digit_start_reads_as_the_plain_way_does() {
        for start in 0..100_000 {
            for raw in [
                format!("0{start:05}4321"),
                format!("{start:05}43210"),
                format!("84{start:05}4321"),
            ] {
                let m = parse(&raw);
                assert_eq!((m.normalised, m.carrier, m.legacy), plain(&raw), "{raw}");
            }
        }
    }

    proptest! {
        #[test]
        fn reads_as_the_plain_way_does(s in "[0-9+ .()-]{0,24}|\\PC{0,24}") {
            let m = parse(&s);
            prop_assert_eq!((m.normalised, m.carrier, m.legacy), plain(&s));
        }

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

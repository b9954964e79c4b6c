//! Vietnamese passport numbers. The usual form is one letter and seven digits (`B1234567`, `C…`,
//! `N…`); that is the form printed on ordinary passports in circulation, but no published rule fixes
//! it, so any other 8–9 letters and digits with at least one letter is a possible number in an unusual
//! form ([`Problem::Unverified`]), and anything else is not a passport number.
//!
//! ```
//! use simaudit::ident::{id::Problem, passport};
//! assert_eq!(passport::validate("b 1234567").as_deref(), Ok("B1234567"));
//! assert_eq!(passport::validate("AB1234567"), Err(Problem::Unverified));
//! assert_eq!(passport::validate("12345678"), Err(Problem::Format));
//! assert!(!passport::is_valid("AB1234567"));
//! ```

use super::id::{is_standard_passport, Problem};

/// The number without separators (space, `.`, `-`, `/`), letters upper-cased.
pub use super::id::id_key as compact;

/// Checks a compact number (see [`compact`]).
pub(crate) fn check(key: &str) -> Result<(), Problem> {
    if is_standard_passport(key) {
        return Ok(());
    }
    let b = key.as_bytes();
    let other = (8..=9).contains(&b.len())
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b.iter().any(u8::is_ascii_alphabetic);
    Err(if other {
        Problem::Unverified
    } else {
        Problem::Format
    })
}

/// The compact number when it has the usual form, else why not.
pub fn validate(number: &str) -> Result<String, Problem> {
    let key = compact(number);
    check(&key).map(|()| key)
}

pub fn is_valid(number: &str) -> bool {
    validate(number).is_ok()
}

/// The number as printed: compact, the letter upper-cased.
pub fn format(number: &str) -> String {
    compact(number)
}

//! MST (mã số thuế): the tax code of an enterprise or organisation.
//!
//! Ten digits: two for the province of registration, seven of sequence, and a check digit; a branch
//! adds a three-digit suffix (`0314409058-002`). The check digit is `10 − (Σ mod 11)` over the first
//! nine digits weighted 31, 29, 23, 19, 17, 13, 7, 5, 3; a sum ≡ 0 (mod 11) is never valid. Digits 3–9
//! all zero and the branch suffix 000 are never assigned. Since 1 July 2025 an individual's tax code
//! is their 12-digit personal number, which this module does not cover. Source: the General
//! Department of Taxation's code structure, as python-stdnum's `stdnum.vn.mst` implements it.
//!
//! ```
//! use simaudit::ident::{id::Problem, mst};
//! assert_eq!(mst::compact(" 0314409058-002 "), "0314409058002");
//! assert_eq!(mst::validate("0100109106").as_deref(), Ok("0100109106")); // Viettel group
//! assert_eq!(mst::validate("0314409057"), Err(Problem::Checksum));
//! assert_eq!(mst::validate("0314409058-000"), Err(Problem::Component));
//! assert_eq!(mst::validate("03144090"), Err(Problem::Format));
//! assert!(mst::is_valid("0314409058.002"));
//! assert_eq!(mst::format("0314409058002"), "0314409058-002");
//! ```

use super::id::{all_digits, Problem};

const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The number without separators (space, `.`, `-`, `/`), letters upper-cased.
pub use super::id::id_key as compact;

/// The check digit of the first nine digits; None when the weighted sum is a multiple of 11 (no
/// digit makes such a number valid).
pub fn calc_check_digit(first_nine: &str) -> Option<u8> {
    let sum: u32 = WEIGHTS
        .iter()
        .zip(first_nine.bytes())
        .map(|(w, b)| w * u32::from(b.wrapping_sub(b'0')))
        .sum();
    let rem = sum % 11;
    (rem != 0).then(|| (10 - rem) as u8)
}

/// Checks a compact number (see [`compact`]).
pub(crate) fn check(key: &str) -> Result<(), Problem> {
    if !all_digits(key) || !(key.len() == 10 || key.len() == 13) {
        return Err(Problem::Format);
    }
    let b = key.as_bytes();
    if b[2..9].iter().all(|&d| d == b'0') || (key.len() == 13 && &key[10..] == "000") {
        return Err(Problem::Component);
    }
    if calc_check_digit(&key[..9]) != Some(b[9] - b'0') {
        return Err(Problem::Checksum);
    }
    Ok(())
}

/// The compact number when it is a valid tax code, else why not.
pub fn validate(number: &str) -> Result<String, Problem> {
    let key = compact(number);
    check(&key).map(|()| key)
}

pub fn is_valid(number: &str) -> bool {
    validate(number).is_ok()
}

/// The number as usually written: ten digits, then `-` and the branch suffix when there is one.
pub fn format(number: &str) -> String {
    let key = compact(number);
    match key.len() {
        13 => format!("{}-{}", &key[..10], &key[10..]),
        _ => key,
    }
}

//! Pure identifier logic: ID documents, phone numbers, dates. No polars, no I/O, no rule codes:
//! everything here is exhaustively testable and fuzzable on its own. Each identifier follows one
//! shape: `compact` (strip separators), `validate` (the number, or a typed problem), `is_valid`,
//! `format`, with doc-tests of real numbers.

pub mod cccd;
pub mod date;
pub mod id;
pub mod mst;
pub mod passport;
pub mod phone;

pub use date::{Date, DateOrder, DateTime, Precision, When};

/// Whether a value is a number in scientific notation (`3.30123E+11`), as Excel writes a long number
/// kept in a number cell: only its first digits survive.
///
/// ```
/// use simaudit::ident::is_scientific;
/// assert!(is_scientific("3.30123E+11") && is_scientific(" 9.12346e+08") && is_scientific("3E11"));
/// assert!(!is_scientific("033085012345") && !is_scientific("E+11") && !is_scientific("B1234567"));
/// ```
pub fn is_scientific(raw: &str) -> bool {
    let s = raw.trim().as_bytes();
    let Some(e) = s.iter().position(|b| matches!(b, b'e' | b'E')) else {
        return false;
    };
    let (mantissa, exponent) = (&s[..e], &s[e + 1..]);
    let mantissa = mantissa.strip_prefix(b"-").unwrap_or(mantissa);
    let exponent = exponent
        .strip_prefix(b"+")
        .or_else(|| exponent.strip_prefix(b"-"))
        .unwrap_or(exponent);
    let (whole, fraction) = match mantissa.iter().position(|b| *b == b'.' || *b == b',') {
        Some(dot) => (&mantissa[..dot], &mantissa[dot + 1..]),
        None => (mantissa, &b""[..]),
    };
    let digits = |d: &[u8]| d.iter().all(u8::is_ascii_digit);
    !whole.is_empty()
        && digits(whole)
        && digits(fraction)
        && !exponent.is_empty()
        && digits(exponent)
}
pub use id::{IdFacts, IdKey, IdKind, Sex};
pub use phone::Msisdn;

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
pub use id::{IdFacts, IdKey, IdKind, Sex};
pub use phone::Msisdn;

//! Pure identifier logic: ID documents, phone numbers, dates. No polars, no I/O:
//! everything here is exhaustively testable and fuzzable on its own.

pub mod date;
pub mod id;
pub mod phone;

pub use date::{Date, DateOrder, DateTime, Precision, When};
pub use id::{IdFacts, IdKey, IdKind, Sex};
pub use phone::Msisdn;

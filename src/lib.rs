//! simaudit: audits Vietnamese mobile carriers' subscriber-registration extracts for junk-SIM signs.
//!
//! Data flows one way: files → [`ingest`] → [`normalize`] (using the pure [`text`] and [`ident`]
//! functions) → [`rules`] → [`report`]. [`audit::run`] is the library face of the whole pipeline.

pub mod audit;
pub mod error;
pub mod findings;
pub mod generate;
pub mod ident;
pub mod ingest;
pub mod normalize;
pub mod report;
pub mod rules;
pub mod schema;
pub mod sharded;
pub mod text;
pub mod usage;

pub use audit::{run, Audit};
pub use error::{Error, Result};

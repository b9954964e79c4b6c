//! simaudit: audits Vietnamese mobile carriers' subscriber-registration extracts for junk-SIM signs.
//!
//! Data flows one way: files → [`ingest`] → [`normalize`] (using the pure [`text`] and [`ident`]
//! functions) → [`rules`] → [`report`]. [`pipeline::evaluate`] runs the rules on a table for every
//! driver: [`pipeline::run`] holds a whole run in memory, [`sharded::run`] works shard by shard.
//! Each layer imports only the layers before it:
//! `text`, `ident` → `schema`, `error`, `usage` → `ingest` → `normalize` → `rules` → `area` → `pipeline` →
//! `report` → `sharded` → the binary (a test keeps this true). [`generate`] stands apart: it shares no code
//! with the audit beyond the schema's column names.

pub mod area;
pub mod error;
pub mod generate;
pub mod ident;
pub mod ingest;
pub mod normalize;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod schema;
pub mod sharded;
pub mod text;
pub mod usage;

pub use error::{Error, Result};
pub use pipeline::{run, Audit};

//! The rules: the registry (single source of truth), the rule set (thresholds), and the evaluators —
//! per-row rules on one record, cross-record rules on groups of live records.

mod config;
pub mod cross;
mod dates;
pub mod registry;
pub mod row;

pub use config::{shipped, RuleSet, DEFAULT_RULE_SET};
pub use registry::{RuleCode, Scope, Severity, RULES};

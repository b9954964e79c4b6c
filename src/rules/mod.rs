//! The rules: the registry (single source of truth), the rule set (thresholds and switches), the
//! evaluators — per-row rules on one record, cross-record rules on groups of live records — and the
//! findings they make.

mod config;
pub mod cross;
mod dates;
pub mod finding;
pub mod registry;
pub mod row;

pub use config::{shipped, Active, RuleSet, Thresholds, DEFAULT_RULE_SET};
pub use finding::Finding;
pub use registry::{RuleCode, Scope, Severity, RULES};

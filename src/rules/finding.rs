//! A finding: one rule firing on one input record.

use super::{RuleCode, RuleSet, Severity};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Index of the input file.
    pub file: u16,
    /// 1-based record number in that file after the header (rejected records counted).
    pub row: u32,
    /// Index of the accepted row in the table; None for a rejected record (DQ001).
    pub subject: Option<u32>,
    pub rule: RuleCode,
    /// Plain words with the numbers that made the rule fire; never a name, and ID numbers only
    /// through the report's masking.
    pub detail: String,
}

impl Finding {
    pub fn on(table_row: usize, file: u16, row: u32, rule: RuleCode, detail: String) -> Finding {
        Finding {
            file,
            row,
            subject: Some(table_row as u32),
            rule,
            detail,
        }
    }
}

/// How many findings there are of each effective severity: violation, warning, info.
pub fn by_severity(findings: &[Finding], rules: &RuleSet) -> [usize; 3] {
    let mut n = [0; 3];
    for f in findings {
        n[match rules.severity(f.rule) {
            Severity::Violation => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }] += 1;
    }
    n
}

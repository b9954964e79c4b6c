//! Per-row rules: each looks at one accepted record only, so rows are checked in parallel, cancelled
//! rows too. Every rule is a small function of its own (in `id`, `holder`, `subscription`, `point`,
//! `quality`), named by its registry entry; this module gathers a row's facts once and runs the
//! rule set's enabled checks on them.

pub mod holder;
pub mod id;
pub mod point;
pub mod quality;
pub mod subscription;

use super::{RuleCode, RuleSet};
use crate::ident::{Date, IdFacts, IdKind, When};
use crate::ingest::{PointRegistry, Table};
use crate::normalize::{NameFacts, Normalised, NumberFacts, NumberText};
use crate::rules::finding::{Detail, Details, Finding};
use crate::schema::SubscriberType;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::borrow::Cow;

/// What the rules evaluate: the normalised table, the rule set, the registry of points (if given),
/// and what is decided once per distinct value before rows are checked.
pub struct Context<'a> {
    pub table: &'a Table,
    pub norm: &'a Normalised,
    pub rules: &'a RuleSet,
    /// Where the findings' details are kept.
    pub details: &'a Details,
    /// The (carrier, point) code pairs missing from the `--points` registry; None without one.
    unregistered: Option<FxHashSet<(u32, u32)>>,
    /// Per distinct raw name: the name rules' verdicts (empty when PS002 and PS007 are both off).
    names: holder::NameVerdicts,
}

impl<'a> Context<'a> {
    pub fn new(
        table: &'a Table,
        norm: &'a Normalised,
        rules: &'a RuleSet,
        points: Option<&PointRegistry>,
        details: &'a Details,
    ) -> Context<'a> {
        let names = if rules.active().has(RuleCode::PS002) || rules.active().has(RuleCode::PS007) {
            holder::NameVerdicts::of(&norm.names, rules)
        } else {
            holder::NameVerdicts::default()
        };
        Context {
            table,
            norm,
            rules,
            details,
            unregistered: points.map(|reg| point::unregistered(table, reg)),
            names,
        }
    }

    /// A context for wording findings as they are written (their figures, or the checks of
    /// [`super::Scope::RowQuoting`] rules, which read the row alone): without the name verdicts and
    /// the points registry, which are costly to make and which those checks never read, and with a
    /// store of details that wording never adds to.
    pub fn for_wording(table: &'a Table, norm: &'a Normalised, rules: &'a RuleSet) -> Context<'a> {
        static NONE: std::sync::LazyLock<Details> = std::sync::LazyLock::new(Details::default);
        Context {
            table,
            norm,
            rules,
            details: &NONE,
            unregistered: None,
            names: holder::NameVerdicts::default(),
        }
    }
}

/// A per-row rule: the detail of its finding on the row, None when it does not fire.
pub type RowCheck = fn(&Row) -> Option<String>;

/// One row as the per-row rules see it: its facts, gathered once for every check.
pub struct Row<'a> {
    pub cx: &'a Context<'a>,
    /// The row's index in the table.
    pub i: usize,
    pub id: Cow<'a, IdFacts>,
    /// The declared kind, else the one the number's shape gives (Unknown when neither).
    pub kind: IdKind,
    pub name: &'a NameFacts,
    pub number: &'a NumberFacts,
    pub activation: Option<When>,
    /// The activation's day.
    pub day: Option<Date>,
    pub dob: Option<When>,
    pub issue: Option<Date>,
    pub individual: bool,
}

impl<'a> Row<'a> {
    pub(crate) fn new(cx: &'a Context<'a>, i: usize) -> Row<'a> {
        let t = cx.table;
        let id = cx.norm.id_facts(t, i);
        let activation = t.activation_time[i].value();
        Row {
            kind: id.kind.unwrap_or(IdKind::Unknown),
            id,
            name: cx.norm.name_of(t, i),
            number: cx.norm.msisdn_of(t, i),
            activation,
            day: activation.map(|w| w.date()),
            dob: t.date_of_birth[i].value(),
            issue: t.id_issue_date[i].value().map(|w| w.date()),
            individual: t.subscriber_type[i] == SubscriberType::Individual,
            cx,
            i,
        }
    }

    pub fn table(&self) -> &'a Table {
        self.cx.table
    }

    pub fn rules(&self) -> &'a RuleSet {
        self.cx.rules
    }

    /// The ID key (the normalised ID number); empty when there is none.
    pub fn key(&self) -> &str {
        self.id.key.as_str()
    }

    /// The normalised number (`0…`, 10 digits), empty when it is not a mobile number.
    pub fn msisdn(&self) -> NumberText {
        NumberText::of(self.number.value)
    }
}

/// Every enabled per-row rule on every row, in parallel.
pub fn evaluate(cx: &Context) -> Vec<Finding> {
    let checks: &[(RuleCode, RowCheck)] = &cx.rules.active().row;
    if checks.is_empty() {
        return Vec::new();
    }
    let t = cx.table;
    let chunks: Vec<Vec<Finding>> = (0..t.len())
        .into_par_iter()
        .with_min_len(4096)
        .fold(Vec::new, |mut out, i| {
            let row = Row::new(cx, i);
            for &(rule, check) in checks {
                if let Some(detail) = check(&row) {
                    let detail = if rule.info().quotes_row() {
                        Detail::FROM_ROW
                    } else {
                        cx.details.intern(&detail)
                    };
                    out.push(Finding::on(i, t.file[i], t.row[i], rule, detail));
                }
            }
            out
        })
        .collect();
    chunks.concat()
}

/// The findings of the per-row rules on row `i` of a small table: for tests of single rules.
#[cfg(test)]
pub(crate) fn findings_of(cx: &Context, i: usize) -> Vec<(RuleCode, String)> {
    let row = Row::new(cx, i);
    cx.rules
        .active()
        .row
        .iter()
        .filter_map(|&(rule, check)| check(&row).map(|d| (rule, d)))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ingest::{self, IngestOptions};

    /// A small table read from CSV text in the canonical layout (through a file: ingest reads files).
    pub(crate) fn table(csv: &str) -> (Table, Normalised) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, csv).unwrap();
        let loaded = ingest::load(&[path], &IngestOptions::default()).unwrap();
        let norm = Normalised::compute(&loaded.table, crate::text::ToneStyle::Old);
        (loaded.table, norm)
    }

    const HEADER: &str = "carrier,msisdn,subscriber_type,full_name,date_of_birth,gender,id_number,id_issue_date,activation_time,point_id,point_type\n";

    /// A quoting rule's check reads the row alone: run on the context its findings are worded with
    /// when written, it words every row as the context of the rules (name verdicts, points registry)
    /// does. Over the bundled sample extracts, whose rows break every rule, with an empty registry of
    /// points (every point unregistered), so that a check reading it would word rows otherwise.
    #[test]
    fn quoting_rules_word_every_row_alike_without_verdicts_or_registry() {
        use crate::rules::registry::{Scope, RULES};
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        let mut extracts: Vec<_> = std::fs::read_dir(sample.join("extracts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        extracts.sort();
        let points = PointRegistry::default();
        let loaded = ingest::load(&extracts, &IngestOptions::default()).unwrap();
        let t = &loaded.table;
        let norm = Normalised::compute(t, crate::text::ToneStyle::Old);
        let rules = RuleSet::default_set();
        let details = Details::default();
        let full = Context::new(t, &norm, &rules, Some(&points), &details);
        let lean = Context::for_wording(t, &norm, &rules);
        let quoting: Vec<(RuleCode, RowCheck)> = RuleCode::ALL
            .iter()
            .zip(RULES)
            .filter_map(|(&code, rule)| match rule.scope {
                Scope::RowQuoting(check) => Some((code, check)),
                _ => None,
            })
            .collect();
        let codes: Vec<RuleCode> = quoting.iter().map(|q| q.0).collect();
        use RuleCode::*;
        assert_eq!(
            codes,
            [ID002, ID003, ID008, ID009, ID010, PS004, PS006, SB001, SB003]
        );
        let mut fired = vec![0; quoting.len()];
        for i in 0..t.len() {
            let (a, b) = (Row::new(&full, i), Row::new(&lean, i));
            for (k, (code, check)) in quoting.iter().enumerate() {
                let words = check(&a);
                assert_eq!(words, check(&b), "{code:?} on row {i}");
                fired[k] += usize::from(words.is_some());
            }
        }
        assert!(
            fired.iter().all(|&n| n > 0),
            "every quoting rule fires: {fired:?}"
        );
    }

    fn fired(row: &str) -> Vec<(RuleCode, String)> {
        let (t, norm) = table(&format!("{HEADER}{row}\n"));
        let rules = RuleSet::default_set();
        let details = Details::default();
        let cx = Context::new(&t, &norm, &rules, None, &details);
        findings_of(&cx, 0)
    }

    #[test]
    fn a_clean_row_fires_nothing() {
        let row = "VIETTEL,0961234567,individual,Nguyễn Văn Hùng,1985-03-04,male,033085012345,2021-05-06,2024-03-04 10:00,P1,agent";
        assert_eq!(fired(row), []);
    }

    #[test]
    fn each_rule_on_its_own_row() {
        let cases = [
            (
                "VIETTEL,0961234567,individual,Nguyễn Văn Hùng,1985-03-04,male,,,2024-03-04 10:00,P1,agent",
                RuleCode::ID001,
                "the ID number is empty",
            ),
            (
                "VIETTEL,0961234567,individual,Nguyễn Văn Hùng,1985-03-04,male,03308501234,2021-05-06,2024-03-04 10:00,P1,agent",
                RuleCode::ID002,
                "ID 03308501234 (11 characters): it fits no known shape (12, 9, 10 or 13 digits, or a letter + 7 digits)",
            ),
            (
                "VIETTEL,0961234567,individual,Nguyễn Văn Hùng,1991-03-04,male,033085012345,2021-05-06,2024-03-04 10:00,P1,agent",
                RuleCode::ID004,
                "CCCD says born 1985, date of birth says 1991",
            ),
            (
                "VIETTEL,0241234567,individual,Nguyễn Văn Hùng,1985-03-04,male,033085012345,2021-05-06,2024-03-04 10:00,P1,agent",
                RuleCode::SB001,
                "'0241234567' is not a Vietnamese mobile number",
            ),
            (
                "VIETTEL,0961234567,individual,Nguyễn Văn Hùng,1985-03-04,male,033085012345,2021-05-06,2024-03-04 23:10,P1,agent",
                RuleCode::PT002,
                "activated at 23:10, outside 06:00–22:00",
            ),
            (
                "VIETTEL,0961234567,individual,Nguyễn Văn Hùng,1985-03-04,male,033085012345,2021-05-06,2024-03-04 10:00,,agent",
                RuleCode::PT005,
                "the point code is empty",
            ),
            (
                "VIETTEL,0961234567,individual,Nguyễn Văn Hùng,1985-03-04,male,033085012345,2021-05-06,,P1,agent",
                RuleCode::DQ004,
                "the activation time is empty",
            ),
        ];
        for (row, rule, detail) in cases {
            assert_eq!(fired(row), [(rule, detail.to_string())], "{row}");
        }
    }

    #[test]
    fn a_rule_switched_off_is_not_evaluated() {
        let (t, norm) = table(&format!(
            "{HEADER}VIETTEL,0961234567,individual,Nguyễn Văn Hùng,1985-03-04,male,,,,P1,agent\n"
        ));
        let on = RuleSet::default_set();
        let off = RuleSet::parse(&format!(
            "{}\n[rules.ID001]\nenabled = false\n",
            crate::rules::DEFAULT_RULE_SET
        ))
        .unwrap();
        let codes = |rules: &RuleSet| -> Vec<RuleCode> {
            findings_of(
                &Context::new(&t, &norm, rules, None, &Details::default()),
                0,
            )
            .into_iter()
            .map(|f| f.0)
            .collect()
        };
        assert_eq!(codes(&on), [RuleCode::ID001, RuleCode::DQ004]);
        assert_eq!(codes(&off), [RuleCode::DQ004]);
    }
}

//! Cross-record rules give the same findings when their groups are processed in partitions
//! (by ID-key hash for holder rules, by number for SB002, by point for point rules).

mod common;
use common::sample_extracts;
use simaudit::ingest::IngestOptions;
use simaudit::normalize::Normalised;
use simaudit::rules::cross::{evaluate, evaluate_partition, Partition};
use simaudit::rules::row::Context;
use simaudit::rules::RuleSet;

#[test]
fn partitions_union_equals_whole_run() {
    let inputs: Vec<std::path::PathBuf> = sample_extracts().into_iter().map(Into::into).collect();
    let audit = simaudit::run(
        &inputs,
        &IngestOptions::default(),
        RuleSet::default_set(),
        None,
    )
    .unwrap();
    let norm: &Normalised = &audit.norm;
    let cx = Context {
        table: &audit.table,
        norm,
        rules: &audit.rules,
        points: None,
    };
    let key = |f: &simaudit::findings::Finding| (f.file, f.row, f.rule, f.detail.clone());
    let over = |found: &simaudit::rules::cross::Found| -> Vec<(String, usize)> {
        let o = &found.over_limit;
        o.iter()
            .map(|o| (o.id_number.clone(), o.live_subscriptions))
            .collect()
    };
    let all = evaluate(&cx);
    let mut whole: Vec<_> = all.findings.iter().map(key).collect();
    whole.sort();
    assert!(whole.len() > 100);
    let mut whole_over = over(&all);
    whole_over.sort();
    assert!(!whole_over.is_empty());
    for count in [2u32, 3, 7] {
        let (mut parts, mut parts_over) = (Vec::new(), Vec::new());
        for index in 0..count {
            let found = evaluate_partition(&cx, Partition { index, count });
            parts.extend(found.findings.iter().map(key));
            parts_over.extend(over(&found));
        }
        parts.sort();
        parts_over.sort();
        assert_eq!(parts, whole, "{count} partitions");
        assert_eq!(
            parts_over, whole_over,
            "{count} partitions: IDs over the limit"
        );
    }
}

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
    let mut whole: Vec<_> = evaluate(&cx).iter().map(key).collect();
    whole.sort();
    assert!(whole.len() > 100);
    for count in [2u32, 3, 7] {
        let mut parts: Vec<_> = (0..count)
            .flat_map(|index| evaluate_partition(&cx, Partition { index, count }))
            .map(|f| key(&f))
            .collect();
        parts.sort();
        assert_eq!(parts, whole, "{count} partitions");
    }
}

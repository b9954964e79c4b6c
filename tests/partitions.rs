//! Cross-record rules give the same findings whatever the number of shards: the holder rules run
//! shard by shard (every row of an ID key in one shard), SB002 and PT001 on every row in the scan.
//! The union of the shards' findings, and of their IDs over the limit, equals the whole run's.

mod common;
use common::*;

#[test]
fn shards_union_equals_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    run_ok_with(
        &audit_args(
            &sample_extracts(),
            &whole,
            &["--format", "csv", "--shards", "1"],
        ),
        &[],
    );
    let findings = std::fs::read(whole.join("findings.csv")).unwrap();
    let over = std::fs::read(whole.join("ids_over_limit.csv")).unwrap();
    let cross = read_csv(&whole.join("findings.csv"))
        .iter()
        .filter(|f| {
            ["SB002", "XR0", "PT001", "PT003"]
                .iter()
                .any(|c| f["rule"].starts_with(c))
        })
        .count();
    assert!(cross > 100, "{cross} cross-record findings");
    assert!(read_csv(&whole.join("ids_over_limit.csv")).len() > 1);
    for count in ["2", "3", "7"] {
        let out = dir.path().join(count);
        run_ok_with(
            &audit_args(
                &sample_extracts(),
                &out,
                &["--format", "csv", "--shards", count],
            ),
            &[],
        );
        assert!(
            std::fs::read(out.join("findings.csv")).unwrap() == findings,
            "{count} shards: findings differ"
        );
        assert!(
            std::fs::read(out.join("ids_over_limit.csv")).unwrap() == over,
            "{count} shards: IDs over the limit differ"
        );
    }
}

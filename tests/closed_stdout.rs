//! A reader that closes early (`simaudit rules | head -1`) ends every printing subcommand quietly, as
//! it ends grep: no panic, no stack trace.

mod common;
use common::*;
use std::io::Write;
use std::process::Stdio;

#[test]
fn printing_subcommands_end_quietly_on_a_closed_stdout() {
    let sample = repo("sample-data/extracts/viettel.csv")
        .display()
        .to_string();
    let runs: [&[&str]; 7] = [
        &["rules"],
        &["rules", "ID002"],
        &["profiles"],
        &["normalize", "--field", "name"],
        &["check", &sample, "--format", "json", "--fail-on", "never"],
        &["check", &sample, "--fail-on", "never"],
        &["inspect", &sample],
    ];
    for args in runs {
        let mut child = bin()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader is gone before anything is written.
        drop(child.stdout.take());
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all("Nguyễn Văn Hòa\n".repeat(10_000).as_bytes());
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "simaudit {args:?}: {stderr}"
        );
    }
}

//! An input changed by another program while simaudit reads it ends the run with a clear error and no
//! outputs: overwritten with bytes that are not UTF-8 after it was found to be UTF-8, or cut short
//! under its memory map.

mod common;
use common::*;

fn audit_changed(how: &str) -> (std::process::Output, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("viettel.csv");
    std::fs::copy(repo("sample-data/extracts/viettel.csv"), &input).unwrap();
    let out = dir.path().join("out");
    let args = audit_args(&[input.display().to_string()], &out, &[]);
    let output = bin()
        .args(&args)
        .env("SIMAUDIT_TEST_CHANGE_INPUT", how)
        .output()
        .unwrap();
    (output, out, dir)
}

#[test]
fn overwritten_input_is_a_clear_error() {
    let (output, out, _dir) = audit_changed("overwrite");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("changed while it was being read"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.join("findings.csv").exists());
}

#[test]
fn input_cut_short_is_a_clear_error() {
    let (output, out, _dir) = audit_changed("truncate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cut short while it was being read"),
        "{stderr}"
    );
    assert!(!out.join("findings.csv").exists());
}

#[test]
fn unchanged_input_is_read_whole() {
    let (output, out, _dir) = audit_changed("none");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.join("findings.csv").exists());
}

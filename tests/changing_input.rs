//! An input changed by another program while simaudit reads it ends the run with a clear error and no
//! outputs: overwritten with bytes that are not UTF-8 after it was found to be UTF-8, or cut short
//! under its memory map. The run pauses (a test hook) right after the check, while the test changes
//! the file.

mod common;
use common::*;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Runs an audit of copies of a sample extract named `names` in a new folder, calling `change` with
/// the folder while the run is paused after the first input's check.
fn audit_paused(
    names: &[&str],
    change: impl FnOnce(&Path),
) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for name in names {
        let input = dir.path().join(name);
        std::fs::copy(repo("sample-data/extracts/viettel.csv"), &input).unwrap();
        inputs.push(input.display().to_string());
    }
    let go = dir.path().join("go");
    let args = audit_args(&inputs, &dir.path().join("out"), &[]);
    let child = bin()
        .args(&args)
        .env("SIMAUDIT_TEST_PAUSE", &go)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let paused = go.with_extension("paused");
    for _ in 0..3000 {
        if paused.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(paused.exists(), "the run never paused");
    change(dir.path());
    std::fs::write(&go, b"").unwrap();
    (child.wait_with_output().unwrap(), dir)
}

/// Runs an audit of a copy of a sample extract, changing it with `change` while the run is paused.
fn audit_changed(change: impl FnOnce(&Path)) -> (std::process::Output, tempfile::TempDir) {
    audit_paused(&["viettel.csv"], |dir| change(&dir.join("viettel.csv")))
}

#[test]
fn overwritten_input_is_a_clear_error() {
    let (output, dir) = audit_changed(|input| {
        // Two bytes that are not UTF-8, inside a field halfway through (the record keeps its shape).
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(input)
            .unwrap();
        let mut at = f.metadata().unwrap().len() / 2;
        let mut two = [0u8; 2];
        while f.read_at(&mut two, at).unwrap() == 2 && !two.iter().all(u8::is_ascii_alphanumeric) {
            at += 1;
        }
        f.write_all_at(b"\xFF\xFE", at).unwrap();
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("changed while it was being read"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.path().join("out/findings.csv").exists());
}

#[test]
fn input_cut_short_is_a_clear_error() {
    let (output, dir) = audit_changed(|input| {
        let f = std::fs::OpenOptions::new().write(true).open(input).unwrap();
        f.set_len(f.metadata().unwrap().len() / 2).unwrap();
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cut short while it was being read"),
        "{stderr}"
    );
    assert!(!dir.path().join("out/findings.csv").exists());
}

#[test]
fn unchanged_input_is_read_whole() {
    let (output, dir) = audit_changed(|_| {});
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("out/findings.csv").exists());
}

/// The next input is looked at while the one before is parsed: removed meanwhile, it ends the run
/// with a clear error naming it, and no outputs.
#[test]
fn next_input_removed_is_a_clear_error() {
    // Paused after the first input's check, before the next one is looked at.
    let (output, dir) = audit_paused(&["a.csv", "b.csv"], |dir| {
        std::fs::remove_file(dir.join("b.csv")).unwrap()
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("b.csv"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.path().join("out/findings.csv").exists());
}

//! A run is all or nothing in its output folder: a run killed at any point leaves the folder holding
//! the earlier run's complete outputs, byte for byte, and the next run clears what it left. Runs are
//! killed through the test hook SIMAUDIT_TEST_ABORT, which aborts the process (no clean-up runs, as
//! with a kill) at a named point. Also: outputs with personal data are readable by their owner only.
#![cfg(unix)]

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Every file in `out` with its bytes, the run's hidden staging folders left out.
fn visible(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with(".simaudit-staging-") || name == ".simaudit.lock" {
            continue;
        }
        files.insert(name, std::fs::read(&path).unwrap());
    }
    files
}

fn staging_folders(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".simaudit-staging-"))
        .collect()
}

/// An audit of `inputs` into `out` in `formats`, aborted at `point` (or run to the end).
fn audit(
    inputs: &[String],
    out: &Path,
    formats: &str,
    point: Option<&str>,
) -> std::process::Output {
    let mut cmd = bin();
    cmd.args(audit_args(inputs, out, &["--format", formats]));
    if let Some(point) = point {
        cmd.env("SIMAUDIT_TEST_ABORT", point);
    }
    cmd.output().unwrap()
}

fn killed(output: &std::process::Output) -> bool {
    use std::os::unix::process::ExitStatusExt;
    output.status.signal() == Some(libc::SIGABRT)
}

#[test]
fn a_killed_run_leaves_the_earlier_run_whole_and_the_next_run_clears_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let all = sample_extracts();
    let one = vec![all[0].clone()];

    // The earlier run: every input, every format; and a file of the user's own.
    assert!(audit(&all, &out, "csv,parquet,xlsx,html", None)
        .status
        .success());
    std::fs::write(out.join("notes.txt"), "the inspector's notes").unwrap();
    let earlier = visible(&out);
    assert!(earlier.contains_key("manifest.json") && earlier.contains_key("report.xlsx"));

    // A different run (one input, fewer formats) killed while reading, after its first output,
    // and with every output written but not the manifest: the folder is the earlier run's.
    for point in ["ingest", "report", "manifest"] {
        let run = audit(&one, &out, "csv,html", Some(point));
        assert!(killed(&run), "{point}: {:?}", run.status);
        assert_eq!(
            visible(&out).keys().collect::<Vec<_>>(),
            earlier.keys().collect::<Vec<_>>(),
            "killed at {point}"
        );
        assert!(
            visible(&out) == earlier,
            "killed at {point}: a file changed"
        );
        assert_eq!(staging_folders(&out).len(), 1, "killed at {point}");
    }

    // Killed while moving its outputs into place (after the first): the folder no longer claims
    // to be a complete run (no manifest.json) ...
    let run = audit(&one, &out, "csv,html", Some("publish"));
    assert!(killed(&run));
    assert!(!out.join("manifest.json").exists());
    // ... and the next run, even one that is itself killed, first finishes moving it: the folder is
    // then that run's complete set, the earlier run's other outputs gone, the user's file kept.
    let run = audit(&all, &out, "csv", Some("ingest"));
    assert!(killed(&run));
    let finished = visible(&out);
    let names: Vec<&str> = finished.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "by_carrier.csv",
            "by_point.csv",
            "by_rule.csv",
            "findings.csv",
            "ids_over_limit.csv",
            "manifest.json",
            "notes.txt",
            "rejects.csv",
            "report.html",
        ]
    );
    let manifest: serde_json::Value = serde_json::from_slice(&finished["manifest.json"]).unwrap();
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(
        manifest["outputs"].as_array().unwrap().len(),
        names.len() - 1,
        "every output but the user's file is listed"
    );

    // A run that completes: its outputs only, the stale staging folders gone.
    assert!(audit(&all, &out, "csv", None).status.success());
    assert!(staging_folders(&out).is_empty());
    let done = visible(&out);
    assert!(!done.contains_key("report.html"));
    assert!(done.contains_key("notes.txt"));
    let manifest: serde_json::Value = serde_json::from_slice(&done["manifest.json"]).unwrap();
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), all.len());
}

#[test]
fn a_failed_run_leaves_nothing_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let all = sample_extracts();
    assert!(audit(&all, &out, "csv", None).status.success());
    let earlier = visible(&out);
    let missing = vec![dir.path().join("missing.csv").display().to_string()];
    let run = audit(&missing, &out, "csv", None);
    assert_eq!(run.status.code(), Some(2));
    assert!(visible(&out) == earlier);
    assert!(staging_folders(&out).is_empty());
}

#[test]
fn outputs_with_personal_data_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let out = dir.path().join("clear");
    assert!(
        audit(&sample_extracts(), &out, "csv,parquet,xlsx,html", None)
            .status
            .success()
    );
    assert_eq!(mode(&out), 0o700, "a folder simaudit creates");
    for name in visible(&out).keys() {
        assert_eq!(mode(&out.join(name)), 0o600, "{name}");
    }

    // The standard mask leaves dates of birth, sex and phone numbers: owner-only too.
    let out = dir.path().join("masked");
    let mut args = audit_args(&sample_extracts(), &out, &["--format", "csv"]);
    args.push("--mask".into());
    run_ok_with(&args, &[]);
    for name in visible(&out).keys() {
        assert_eq!(mode(&out.join(name)), 0o600, "{name}");
    }

    // Strict outputs keep the usual permissions (the process's umask decides).
    let out = dir.path().join("strict");
    let mut args = audit_args(&sample_extracts(), &out, &["--format", "csv"]);
    args.extend(["--mask".into(), "strict".into()]);
    run_ok_with(&args, &[]);
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let umask = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .map(|m| u32::from_str_radix(m.trim(), 8).unwrap())
        .unwrap();
    for name in visible(&out).keys() {
        assert_eq!(mode(&out.join(name)), 0o666 & !umask, "{name}");
    }
}

#[test]
fn files_simaudit_did_not_write_are_never_removed() {
    // A folder of the user's own files, some named as outputs, and no manifest: none is simaudit's.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for name in ["report.html", "by_point.csv", "notes.txt"] {
        std::fs::write(out.join(name), "the user's").unwrap();
    }
    assert!(audit(&sample_extracts(), &out, "parquet", None)
        .status
        .success());
    for name in ["report.html", "by_point.csv", "notes.txt"] {
        assert_eq!(
            std::fs::read_to_string(out.join(name)).unwrap(),
            "the user's",
            "{name}"
        );
    }
    assert!(out.join("findings.parquet").exists() && out.join("manifest.json").exists());
}

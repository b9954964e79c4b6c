//! The same extract in legacy encodings audits to the same findings as its clean UTF-8 twin
//! (apart from DQ003, which reports the repair).

mod common;
use common::*;
use simaudit::text::encode::mangle;
use simaudit::text::LegacyEncoding;
use std::collections::BTreeSet;
use std::path::Path;

type Keys = BTreeSet<(String, u32, String)>;

fn audit_one(dir: &Path, bytes: &[u8]) -> (Keys, Vec<std::collections::BTreeMap<String, String>>) {
    std::fs::create_dir_all(dir).unwrap();
    let input = dir.join("viettel.csv");
    std::fs::write(&input, bytes).unwrap();
    let out = dir.join("out");
    let points = repo("sample-data/points.csv");
    run_ok(&[
        "audit",
        input.to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--format",
        "csv",
    ]);
    let findings = read_csv(&out.join("findings.csv"));
    (finding_keys(&out), findings)
}

fn without_dq003(k: &Keys) -> Keys {
    k.iter().filter(|x| x.2 != "DQ003").cloned().collect()
}

fn encoding_of(dir: &Path) -> String {
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/manifest.json")).unwrap())
            .unwrap();
    m["inputs"][0]["encoding"].as_str().unwrap().to_string()
}

/// Mangle only the full_name column of a canonical-layout CSV.
fn mangle_names(text: &str, pick: impl Fn(usize) -> Option<LegacyEncoding>) -> String {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        let fields: Vec<String> = rec
            .iter()
            .enumerate()
            .map(|(j, f)| match (i, j, pick(i)) {
                (1.., 3, Some(enc)) => mangle(f, enc),
                _ => f.to_string(),
            })
            .collect();
        w.write_record(&fields).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn legacy_encodings_audit_like_their_clean_twin() {
    let text = std::fs::read_to_string(repo("sample-data/extracts/viettel.csv")).unwrap();
    assert!(text
        .lines()
        .next()
        .unwrap()
        .starts_with("carrier,msisdn,subscriber_type,full_name"));
    let dir = tempfile::tempdir().unwrap();
    let (clean, _) = audit_one(&dir.path().join("clean"), text.as_bytes());
    assert!(
        !clean.iter().any(|k| k.2 == "DQ003"),
        "clean file needs no repair"
    );
    let want = without_dq003(&clean);

    // UTF-16 LE with BOM (Excel "Unicode text").
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    // Windows-1258: base letters + combining tone bytes.
    let cp1258_text = mangle(&text, LegacyEncoding::Cp1258);
    let (cp1258, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&cp1258_text);
    assert!(!unmappable);
    // A whole file of TCVN3 (ABC) bytes.
    let tcvn3: Vec<u8> = mangle(&text, LegacyEncoding::Tcvn3)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("TCVN3 is one byte a letter"))
        .collect();

    for (name, bytes, encoding) in [
        ("utf16", utf16, "utf-16le"),
        ("cp1258", cp1258.into_owned(), "windows-1258"),
        ("tcvn3", tcvn3, "windows-1252"),
    ] {
        let d = dir.path().join(name);
        let (got, _) = audit_one(&d, &bytes);
        assert_eq!(encoding_of(&d), encoding, "{name}");
        let got = without_dq003(&got);
        assert!(
            got == want,
            "{name}: missing {:?}, unexpected {:?}",
            want.difference(&got).take(10).collect::<Vec<_>>(),
            got.difference(&want).take(10).collect::<Vec<_>>()
        );
    }

    // Names mangled value by value in a UTF-8 file: TCVN3, VNI and double-encoded UTF-8 mixed.
    let mixed = mangle_names(&text, |i| match i % 4 {
        0 => Some(LegacyEncoding::Tcvn3),
        1 => Some(LegacyEncoding::Vni),
        2 => Some(LegacyEncoding::Utf8AsCp1252),
        _ => None,
    });
    let (got, findings) = audit_one(&dir.path().join("mixed"), mixed.as_bytes());
    let repaired = findings.iter().filter(|f| f["rule"] == "DQ003").count();
    assert!(
        repaired > 100,
        "DQ003 should report the repaired names, got {repaired}"
    );
    let got = without_dq003(&got);
    let (missing, extra): (Vec<_>, Vec<_>) = (
        want.difference(&got).collect(),
        got.difference(&want).collect(),
    );
    // A handful of VNI names are valid Vietnamese as mangled (VNI `Hoà` is also Hồ): at most 0.5% may differ.
    assert!(
        missing.len() + extra.len() <= want.len() / 200,
        "missing {missing:?}, unexpected {extra:?}"
    );
}

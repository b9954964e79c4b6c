//! Fuzzing in the test suite (cargo-fuzz needs a nightly toolchain, which this project's machines do
//! not have): arbitrary bytes through the whole pipeline and through every text and identifier parser.
//! Nothing may panic, and every record must end up accepted, rejected or skipped (and listed).

use proptest::prelude::*;
use simaudit::ident::{date, id, phone, DateOrder};
use simaudit::ingest::IngestOptions;
use simaudit::rules::RuleSet;
use simaudit::text::{self, ToneStyle};

const HEADER: &[u8] =
    b"carrier,msisdn,full_name,date_of_birth,id_number,activation_time,point_id\n";

fn audit_bytes(body: &[u8]) -> Result<(usize, usize, usize, usize, usize), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.csv");
    let mut bytes = HEADER.to_vec();
    bytes.extend_from_slice(body);
    std::fs::write(&path, bytes).unwrap();
    match simaudit::run(
        &[path],
        &IngestOptions::default(),
        RuleSet::default_set(),
        None,
    ) {
        Ok(a) => Ok((
            a.files[0].rows_read,
            a.table.len(),
            a.rejects.len(),
            a.files[0].rows_skipped,
            a.files[0].skipped.len(),
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Rows made of field-like fragments, delimiters, quotes, newlines and raw high bytes.
fn messy_rows() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just("Nguyễn Văn Đức".as_bytes().to_vec()),
        Just(b"Nguy\xd4n V\xa8n".to_vec()),
        Just(b"0912.345.678".to_vec()),
        Just(b"033085012345".to_vec()),
        Just(b"31/02/1990 25:61".to_vec()),
        Just(b"VIETTEL".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn pipeline_never_panics_and_loses_no_record(body in messy_rows()) {
        if let Ok((read, accepted, rejected, skipped, listed)) = audit_bytes(&body) {
            prop_assert_eq!(read, accepted + rejected + skipped);
            prop_assert_eq!(skipped, listed);
        }
    }

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let lossy = String::from_utf8_lossy(&bytes);
        let latin1: String = bytes.iter().map(|b| char::from(*b)).collect();
        for s in [lossy.as_ref(), latin1.as_str()] {
            let canonical = text::canonical_name(s, ToneStyle::Old);
            let key = text::name_key(s);
            let _ = text::repair(s);
            let _ = text::junk_reason(&canonical, &key, true, &[]);
            let _ = id::analyse(s, None);
            let _ = phone::parse(s);
            let _ = date::parse(s, DateOrder::Dmy);
            let _ = date::parse(s, DateOrder::Mdy);
            prop_assert_eq!(text::canonical_name(&canonical, ToneStyle::Old), canonical.clone());
        }
    }
}

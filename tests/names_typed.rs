//! Names as people type them: a tone mark on the wrong vowel is put where the tone style puts it,
//! and VIQR written with `DD` or the Icelandic `Ð` for Đ is repaired like other VIQR — so one
//! person is not two (no false identity conflict) and reports show the name as it should be written.

mod common;
use common::*;

#[test]
fn misplaced_tones_and_viqr_dd_name_one_person() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "carrier,msisdn,full_name,date_of_birth,gender,id_number,activation_time,point_id\n\
        VIETTEL,0961234501,Huỳnh Đức Toàn,1985-03-04,male,033085012345,2024-03-04 10:00,P1\n\
        VIETTEL,0961234502,Huy`nh DDu+'c Toa`n,1985-03-04,male,033085012345,2024-03-05 10:00,P1\n\
        VIETTEL,0961234503,Huỳnh Đức Tòan,1985-03-04,male,033085012345,2024-03-06 10:00,P1\n\
        VIETTEL,0961234504,Ðoa`n Thi. Ba?y,1990-05-06,female,033190012346,2024-03-07 10:00,P1\n";
    std::fs::write(dir.path().join("typed.csv"), csv).unwrap();
    let out = dir.path().join("out");
    run_ok(&[
        "audit",
        dir.path().join("typed.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
        "--quiet",
    ]);
    let findings = read_csv(&out.join("findings.csv"));
    // One identity for the three spellings: no XR004.
    assert!(
        !findings.iter().any(|f| f["rule"] == "XR004"),
        "{findings:?}"
    );
    // The VIQR names are repaired (DQ003) and shown as written correctly.
    let names: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f["rule"] == "DQ003")
        .map(|f| (f["row"].clone(), f["full_name"].clone()))
        .collect();
    assert_eq!(
        names,
        [
            ("2".to_string(), "Huỳnh Đức Toàn".to_string()),
            ("4".to_string(), "Đoàn Thị Bảy".to_string()),
        ]
    );
}

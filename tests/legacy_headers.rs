//! A file written by a legacy program: TCVN3 bytes throughout, headers included ("Sè thuª bao",
//! "Hä vµ tªn"). Header cells get the same legacy repair as names before they are matched, and the
//! manifest shows the header as read and as repaired; coded values written the same way are repaired
//! before they are looked up.

mod common;
use common::*;
use simaudit::text::encode::mangle;
use simaudit::text::LegacyEncoding;

#[test]
fn tcvn3_headers_are_repaired_before_matching() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        "Nhà mạng,Số thuê bao,Họ và tên,Ngày sinh,Giới tính,Số giấy tờ,Ngày kích hoạt,Mã điểm\r\n\
        VIETTEL,0961234501,Nguyễn Văn Hùng,04/03/1985,Nam,033085012345,04/03/2024 10:00,P1\r\n\
        VIETTEL,0961234502,Trần Thị Hoà,04/03/1990,Nữ,033190012345,05/03/2024 10:00,P1\r\n";
    let tcvn3: Vec<u8> = mangle(text, LegacyEncoding::Tcvn3)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("TCVN3 is one byte a letter"))
        .collect();
    std::fs::write(dir.path().join("legacy.csv"), &tcvn3).unwrap();
    std::fs::write(dir.path().join("clean.csv"), text).unwrap();
    let audit = |file: &str| {
        let out = dir.path().join(format!("out-{file}"));
        run_ok(&[
            "audit",
            dir.path().join(file).to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--format",
            "csv",
            "--quiet",
        ]);
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                .unwrap();
        let rules: std::collections::BTreeSet<(u32, String)> = finding_keys(&out)
            .into_iter()
            .map(|(_, row, rule)| (row, rule))
            .filter(|(_, rule)| rule != "DQ003")
            .collect();
        (manifest, rules, out)
    };
    let (manifest, legacy, out) = audit("legacy.csv");
    let (clean_manifest, clean, _) = audit("clean.csv");
    assert_eq!(legacy, clean);
    let input = &manifest["inputs"][0];
    assert_eq!(input["profile"], "vn-diacritics");
    assert_eq!(input["header"][1], "Số thuê bao");
    assert_eq!(input["header_as_read"][1], "Sè thuª bao");
    assert!(clean_manifest["inputs"][0]["header_as_read"].is_null());
    // The names were repaired too, and said so.
    assert!(read_csv(&out.join("findings.csv"))
        .iter()
        .any(|f| f["rule"] == "DQ003"));
}

//! What Excel does to numbers and dates, named as such: a Windows-1258 `;` file saved by Excel with ID
//! and phone numbers in scientific notation and numbers that lost their leading 0; a workbook whose
//! dates of birth in 1900–1927 are date cells with serials below 10,000.

mod common;
use common::*;
use simaudit::text::encode::mangle;
use simaudit::text::LegacyEncoding;
use std::path::Path;

/// rule → detail of each finding of `row`.
fn findings_of(out: &Path, row: u32) -> Vec<(String, String)> {
    read_csv(&out.join("findings.csv"))
        .into_iter()
        .filter(|f| f["row"] == row.to_string())
        .map(|f| (f["rule"].clone(), f["detail"].clone()))
        .collect()
}

#[test]
fn numbers_in_scientific_notation_and_lost_leading_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        "Nhà mạng;Số thuê bao;Họ và tên;Ngày sinh;Giới tính;Số giấy tờ;Ngày kích hoạt;Mã điểm\r\n\
        VIETTEL;961234567;Nguyễn Văn Hùng;04/03/1985;Nam;3.30851E+11;04/03/2024 10:00;P1\r\n\
        VIETTEL;9.61235E+08;Nguyễn Văn Hùng;04/03/1985;Nam;033085012345;05/03/2024 10:00;P1\r\n\
        VIETTEL;961234569;Trần Thị Hoà;04/03/1990;Nữ;33190012345;06/03/2024 10:00;P1\r\n";
    let cp1258 = mangle(text, LegacyEncoding::Cp1258);
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&cp1258);
    assert!(!unmappable);
    std::fs::write(dir.path().join("excel.csv"), &bytes).unwrap();
    let out = dir.path().join("out");
    run_ok(&[
        "audit",
        dir.path().join("excel.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
        "--quiet",
    ]);
    // Row 1: the phone without its leading 0 is read; the ID in scientific notation is named so.
    let one = findings_of(&out, 1);
    assert_eq!(
        one.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["ID002"],
        "{one:?}"
    );
    assert!(
        one[0].1.contains("scientific notation")
            && one[0].1.contains("export the ID column as text")
    );
    // Row 2: the phone in scientific notation is not read as a number, and says why.
    let two = findings_of(&out, 2);
    assert_eq!(
        two.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["SB001"],
        "{two:?}"
    );
    assert!(two[0].1.contains("scientific notation"), "{two:?}");
    // Row 3: an 11-digit ID that is a valid CCCD with a leading 0.
    let three = findings_of(&out, 3);
    assert_eq!(
        three.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["ID002"],
        "{three:?}"
    );
    assert!(three[0].1.contains("lost its leading 0"), "{three:?}");
}

#[test]
fn dates_of_birth_before_1928_as_date_cells() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let header = [
        "carrier",
        "msisdn",
        "full_name",
        "date_of_birth",
        "gender",
        "id_number",
        "activation_time",
        "point_id",
    ];
    for (j, h) in header.iter().enumerate() {
        sheet.write_string(0, j as u16, *h).unwrap();
    }
    // Serial 1628 is 15 June 1904 (aged 119 at activation: no finding); serial 109 is 18 April
    // 1900 (aged 123: over 120); 1990-01-01 is serial 32874.
    for (i, (serial, id, phone)) in [
        (1628.0, "033004012345", "0961234501"),
        (109.0, "033000012346", "0961234502"),
        (32874.0, "033090012347", "0961234503"),
    ]
    .iter()
    .enumerate()
    {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, "VIETTEL").unwrap();
        sheet.write_string(r, 1, *phone).unwrap();
        sheet.write_string(r, 2, "Nguyễn Văn Hùng").unwrap();
        sheet
            .write_number_with_format(r, 3, *serial, &date)
            .unwrap();
        sheet.write_string(r, 4, "male").unwrap();
        sheet.write_string(r, 5, *id).unwrap();
        sheet.write_string(r, 6, "2024-03-04 10:00").unwrap();
        sheet.write_string(r, 7, "P1").unwrap();
    }
    std::fs::write(dir.path().join("old.xlsx"), book.save_to_buffer().unwrap()).unwrap();
    let out = dir.path().join("out");
    run_ok(&[
        "audit",
        dir.path().join("old.xlsx").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
        "--quiet",
    ]);
    let rules = |row| -> Vec<String> { findings_of(&out, row).into_iter().map(|f| f.0).collect() };
    // Identity-conflict findings aside (three people share nothing but a name here), only the dates.
    assert!(
        !rules(1).iter().any(|r| r == "PS004" || r == "DQ002"),
        "{:?}",
        findings_of(&out, 1)
    );
    let two = findings_of(&out, 2);
    assert!(
        two.iter()
            .any(|f| f.0 == "PS004" && f.1.contains("over 120")),
        "{two:?}"
    );
    assert!(!rules(3).iter().any(|r| r == "PS004" || r == "DQ002"));
}

#[test]
fn punctuation_is_a_value_unless_the_profile_calls_it_missing() {
    let dir = tempfile::tempdir().unwrap();
    let csv =
        "carrier,msisdn,full_name,date_of_birth,gender,id_number,activation_time,point_id,status\n\
        VIETTEL,0961234501,Nguyễn Văn Hùng,1985-03-04,?,033085012345,2024-03-04 10:00,P1,active\n\
        VIETTEL,0961234502,Nguyễn Văn Hùng,1985-03-04,-,033085012345,2024-03-04 11:00,P1,-\n\
        VIETTEL,0961234503,Nguyễn Văn Hùng,1985-03-04,male,033085012345,N/A,P1,active\n";
    std::fs::write(dir.path().join("marks.csv"), csv).unwrap();
    let profile = dir.path().join("mine.toml");
    let shipped = std::fs::read_to_string(repo("rules/profiles/canonical.toml")).unwrap();
    std::fs::write(
        &profile,
        shipped.replacen(
            "name = \"canonical\"",
            "name = \"mine\"\nmissing = [\"-\", \"n/a\"]",
            1,
        ),
    )
    .unwrap();
    let audit = |extra: &[&str]| {
        let out = dir.path().join(format!("out{}", extra.len()));
        let mut args: Vec<String> = vec![
            "audit".into(),
            dir.path().join("marks.csv").display().to_string(),
        ];
        args.extend(
            ["--out", out.to_str().unwrap(), "--format", "csv", "--quiet"].map(String::from),
        );
        args.extend(extra.iter().map(|s| s.to_string()));
        run_ok_with(&args, &[]);
        let dq002: Vec<(u32, String)> = read_csv(&out.join("findings.csv"))
            .into_iter()
            .filter(|f| f["rule"] == "DQ002" || f["rule"] == "DQ004")
            .map(|f| (f["row"].parse().unwrap(), f["detail"].clone()))
            .collect();
        dq002
    };
    // Shipped profile: `?`, `-` and `N/A` are values no map knows, each reported.
    assert_eq!(
        audit(&[]),
        [
            (1, "gender '?' is not a known value".to_string()),
            (2, "gender '-' is not a known value".to_string()),
            (2, "status '-' is not a known value".to_string()),
            (
                3,
                "activation_time 'N/A' cannot be read as a date".to_string()
            ),
        ]
    );
    // A profile that lists `-` and `N/A` as missing: those are empty (an empty activation is DQ004).
    assert_eq!(
        audit(&["--profile", profile.to_str().unwrap()]),
        [
            (1, "gender '?' is not a known value".to_string()),
            (3, "the activation time is empty".to_string()),
        ]
    );
}

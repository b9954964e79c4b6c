//! Exact expected findings for hand-made edge cases: for every rule a positive and a near miss.
//! Each case is one row (or a small group of rows) of a canonical-layout CSV audited by the binary.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};

const HEADER: &str = "carrier,msisdn,subscriber_type,full_name,date_of_birth,gender,id_type,id_number,id_issue_date,id_issue_place,nationality,activation_time,status,point_id,point_name,point_type,district";

/// A clean individual: CCCD consistent with the date of birth and gender, valid document, Viettel
/// number, business hours at a carrier store.
fn base(seq: usize) -> BTreeMap<&'static str, String> {
    let pairs = [
        ("carrier", "VIETTEL".to_string()),
        ("msisdn", format!("0962{seq:06}")),
        ("subscriber_type", "individual".into()),
        ("full_name", "Nguyễn Văn Hùng".into()),
        ("date_of_birth", "1985-03-05".into()),
        ("gender", "male".into()),
        ("id_type", "CCCD".into()),
        ("id_number", format!("033085{seq:06}")),
        ("id_issue_date", "2021-06-01".into()),
        ("id_issue_place", "Cục CS QLHC về TTXH".into()),
        ("nationality", "VN".into()),
        ("activation_time", "2024-05-10 09:00:00".into()),
        ("status", "active".into()),
        ("point_id", format!("HY-{seq:04}")),
        ("point_name", "Cửa hàng Văn Lâm".into()),
        ("point_type", "carrier_store".into()),
        ("district", "Văn Lâm".into()),
    ];
    pairs.into_iter().collect()
}

struct Case {
    label: &'static str,
    set: Vec<(&'static str, String)>,
    expect: Vec<&'static str>,
}

fn case(label: &'static str, set: &[(&'static str, &str)], expect: &[&'static str]) -> Case {
    Case {
        label,
        set: set.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        expect: expect.to_vec(),
    }
}

fn csv_line(row: &BTreeMap<&'static str, String>) -> String {
    HEADER
        .split(',')
        .map(|h| {
            let v = &row[h];
            if v.contains([',', '"', '\n']) {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn audit_cases(
    cases: &[Case],
    extra_args: &[&str],
) -> (BTreeMap<u32, BTreeSet<String>>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{HEADER}\n");
    for (i, c) in cases.iter().enumerate() {
        let mut row = base(i + 1);
        for (k, v) in &c.set {
            row.insert(k, v.clone());
        }
        text.push_str(&csv_line(&row));
        text.push('\n');
    }
    let input = dir.path().join("cases.csv");
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("out");
    let mut args = vec![
        "audit",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--format",
        "csv",
    ];
    args.extend_from_slice(extra_args);
    run_ok(&args);
    let mut got: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for (_, row, rule) in finding_keys(&out) {
        got.entry(row).or_default().insert(rule);
    }
    (got, dir)
}

fn check(cases: &[Case], extra_args: &[&str]) {
    let (got, _dir) = audit_cases(cases, extra_args);
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let want: BTreeSet<String> = c.expect.iter().map(|s| s.to_string()).collect();
        let have = got.get(&(i as u32 + 1)).cloned().unwrap_or_default();
        if want != have {
            failures.push(format!(
                "row {} ({}): expected {:?}, got {:?}",
                i + 1,
                c.label,
                want,
                have
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn per_row_rules_positives_and_near_misses() {
    let cases = vec![
        case("clean row", &[], &[]),
        case(
            "ID001 empty id",
            &[("id_number", ""), ("id_type", "")],
            &["ID001"],
        ),
        case(
            "ID002 CCCD with 11 digits",
            &[("id_number", "03308500003")],
            &["ID002"],
        ),
        case(
            "ID002 no type, no shape",
            &[("id_type", ""), ("id_number", "AB123456")],
            &["ID002"],
        ),
        case(
            "ID010 passport of another form",
            &[("id_type", "PASSPORT"), ("id_number", "AB123456")],
            &["ID010"],
        ),
        case(
            "near miss: standard passport",
            &[("id_type", "PASSPORT"), ("id_number", "B1234567")],
            &[],
        ),
        case(
            "ID003 unassigned place code",
            &[("id_number", "003085000007")],
            &["ID003"],
        ),
        case(
            "near miss: birth abroad code 101",
            &[("id_number", "101085000008")],
            &[],
        ),
        case(
            "ID004 birth year mismatch",
            &[("date_of_birth", "1991-03-05")],
            &["ID004"],
        ),
        case(
            "near miss: year-only dob, same year",
            &[("date_of_birth", "1985")],
            &[],
        ),
        case(
            "ID004 year-only dob, other year",
            &[("date_of_birth", "1986")],
            &["ID004"],
        ),
        case("ID005 sex mismatch", &[("gender", "female")], &["ID005"]),
        case(
            "ID006 placeholder 9-digit CMND",
            &[("id_type", "CMND"), ("id_number", "123456789")],
            &["ID006"],
        ),
        case(
            "ID006 all-equal 12 digits also decodes",
            &[("id_number", "111111111111")],
            &["ID004", "ID005", "ID006"],
        ),
        case(
            "ID007 CMND after 2024",
            &[
                ("id_type", "CMND"),
                ("id_number", "125000015"),
                ("activation_time", "2025-01-01 10:00:00"),
            ],
            &["ID007"],
        ),
        case(
            "near miss: CMND on 2024-12-31",
            &[
                ("id_type", "CMND"),
                ("id_number", "125000016"),
                ("activation_time", "2024-12-31 10:00:00"),
            ],
            &[],
        ),
        case(
            "ID008 CMND 15 years to the day",
            &[
                ("id_type", "CMND"),
                ("id_number", "125000017"),
                ("id_issue_date", "2009-05-10"),
            ],
            &["ID008"],
        ),
        case(
            "near miss: CMND a day short of 15 years",
            &[
                ("id_type", "CMND"),
                ("id_number", "125000018"),
                ("id_issue_date", "2009-05-11"),
            ],
            &[],
        ),
        case(
            "ID008 card at 40th birthday (grace to 40)",
            &[
                ("id_issue_date", "2009-01-01"),
                ("activation_time", "2025-03-05 09:00:00"),
            ],
            &["ID008"],
        ),
        case(
            "near miss: card a day before 40th birthday",
            &[
                ("id_issue_date", "2009-01-01"),
                ("activation_time", "2025-03-04 09:00:00"),
            ],
            &[],
        ),
        case(
            "near miss: card issued after 58 never expires",
            &[
                ("date_of_birth", "1950-01-01"),
                ("id_number", "033050000021"),
                ("id_issue_date", "2008-06-01"),
                ("activation_time", "2024-05-10 09:00:00"),
            ],
            &[],
        ),
        case(
            "ID009 MST wrong check digit",
            &[
                ("subscriber_type", "organisation"),
                ("full_name", "Công ty TNHH Ánh Dương"),
                ("id_type", "MST"),
                ("id_number", "0314409057"),
                ("date_of_birth", ""),
                ("gender", ""),
                ("id_issue_date", ""),
            ],
            &["ID009"],
        ),
        case(
            "ID009 MST branch 000",
            &[
                ("subscriber_type", "organisation"),
                ("full_name", "Công ty TNHH Ánh Dương"),
                ("id_type", "MST"),
                ("id_number", "0314409058-000"),
                ("date_of_birth", ""),
                ("gender", ""),
                ("id_issue_date", ""),
            ],
            &["ID009"],
        ),
        case(
            "near miss: valid MST, organisation name with digits",
            &[
                ("subscriber_type", "organisation"),
                ("full_name", "Công ty 3C số 1"),
                ("id_type", "MST"),
                ("id_number", "0314409058"),
                ("date_of_birth", ""),
                ("gender", ""),
                ("id_issue_date", ""),
            ],
            &[],
        ),
        case("PS001 empty name", &[("full_name", "")], &["PS001"]),
        case(
            "PS002 placeholder name",
            &[("full_name", "Khách hàng")],
            &["PS002"],
        ),
        case(
            "PS002 digit in name",
            &[("full_name", "Lê Văn 3")],
            &["PS002"],
        ),
        case("PS002 one word", &[("full_name", "Hùng")], &["PS002"]),
        case(
            "PS002 letter repeated",
            &[("full_name", "Trần Thị Hooo")],
            &["PS002"],
        ),
        case(
            "near miss: ethnic-minority name",
            &[("full_name", "Ksor H'Yâm")],
            &[],
        ),
        case(
            "near miss: Hơ Niê Thị Lan",
            &[("full_name", "Hơ Niê Thị Lan")],
            &[],
        ),
        case("near miss: Rơ Mah", &[("full_name", "Rơ Mah")], &[]),
        case("PS003 dob empty", &[("date_of_birth", "")], &["PS003"]),
        case(
            "PS004 born after activation",
            &[
                ("date_of_birth", "2030-01-01"),
                ("id_number", "033230000034"),
                ("id_issue_date", ""),
            ],
            &["PS004"],
        ),
        case(
            "PS004 born before 1900",
            &[
                ("date_of_birth", "1899-12-31"),
                ("id_type", "CMND"),
                ("id_number", "125000035"),
                ("id_issue_date", ""),
            ],
            &["PS004"],
        ),
        case(
            "PS005 aged 12",
            &[
                ("date_of_birth", "2012-01-01"),
                ("id_number", "033212000036"),
            ],
            &["PS005"],
        ),
        case(
            "near miss: exactly 14 on the day",
            &[
                ("date_of_birth", "2010-05-10"),
                ("id_number", "033210000037"),
                ("id_issue_date", "2023-01-01"),
            ],
            &[],
        ),
        case(
            "near miss: year-only 2010 may be 14",
            &[
                ("date_of_birth", "2010"),
                ("id_number", "033210000038"),
                ("id_issue_date", ""),
            ],
            &[],
        ),
        case(
            "PS005 year-only 2011",
            &[
                ("date_of_birth", "2011"),
                ("id_number", "033211000039"),
                ("id_issue_date", ""),
            ],
            &["PS005"],
        ),
        case(
            "PS006 issued after activation",
            &[("id_issue_date", "2024-06-01")],
            &["PS006"],
        ),
        case(
            "PS007 no diacritics",
            &[("full_name", "Nguyen Van Hung")],
            &["PS007"],
        ),
        case(
            "near miss: Phan Trung Huy",
            &[("full_name", "Phan Trung Huy")],
            &[],
        ),
        case(
            "near miss: foreigner without diacritics",
            &[("full_name", "Nguyen Van Hung"), ("nationality", "US")],
            &[],
        ),
        case("SB001 landline", &[("msisdn", "0241234567")], &["SB001"]),
        case(
            "near miss: device with no mobile number",
            &[
                ("subscriber_type", "device"),
                ("msisdn", "8401234"),
                ("full_name", "Công ty TNHH Ánh Dương"),
                ("id_type", "MST"),
                ("id_number", "0314409058"),
                ("date_of_birth", ""),
                ("gender", ""),
                ("id_issue_date", ""),
            ],
            &[],
        ),
        case(
            "SB003 11-digit legacy form",
            &[("msisdn", "01662000047")],
            &["SB003"],
        ),
        case(
            "near miss: +84 form with dots",
            &[("msisdn", "+84 96.200.0048")],
            &[],
        ),
        case(
            "SB004 Vinaphone prefix at Viettel",
            &[("msisdn", "0912000049")],
            &["SB004"],
        ),
        case(
            "PT002 05:59",
            &[("activation_time", "2024-05-10 05:59:00")],
            &["PT002"],
        ),
        case(
            "PT002 22:00",
            &[("activation_time", "2024-05-10 22:00:00")],
            &["PT002"],
        ),
        case(
            "near miss: 21:59",
            &[("activation_time", "2024-05-10 21:59:59")],
            &[],
        ),
        case(
            "near miss: online at night",
            &[
                ("activation_time", "2024-05-10 23:00:00"),
                ("point_type", "online"),
            ],
            &[],
        ),
        case(
            "near miss: date alone",
            &[("activation_time", "2024-05-10")],
            &[],
        ),
        case("PT005 point missing", &[("point_id", "")], &["PT005"]),
        case("DQ002 unknown gender", &[("gender", "X")], &["DQ002"]),
        case(
            "DQ002 impossible dob (no PS003)",
            &[("date_of_birth", "31/02/1990")],
            &["DQ002"],
        ),
        case(
            "DQ002 unreadable activation (no DQ004)",
            &[("activation_time", "abc")],
            &["DQ002"],
        ),
        case(
            "DQ002 unknown id_type, inferred",
            &[("id_type", "ZZ")],
            &["DQ002"],
        ),
        case(
            "DQ004 activation empty",
            &[("activation_time", "")],
            &["DQ004"],
        ),
        case(
            "cancelled rows are checked per row",
            &[("status", "cancelled"), ("full_name", "")],
            &["PS001"],
        ),
        case(
            "Vietnamese coded values",
            &[
                ("gender", "Nam"),
                ("id_type", "Căn cước"),
                ("status", "Khóa 1 chiều"),
                ("point_type", "Đại lý"),
                ("subscriber_type", "Cá nhân"),
            ],
            &[],
        ),
    ];
    check(&cases, &[]);
}

fn holder(
    id: &str,
    name: &str,
    carrier: &str,
    msisdn: &str,
    at: &str,
) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("id_number", id.to_string()),
        ("full_name", name.to_string()),
        ("carrier", carrier.to_string()),
        ("msisdn", msisdn.to_string()),
        ("activation_time", at.to_string()),
    ];
    // One point per number, so that only the PT cases share a point.
    v.push(("point_id", format!("P-{msisdn}")));
    v
}

/// Field overrides of one row.
type Fields = Vec<(&'static str, String)>;

fn group(label: &'static str, rows: Vec<(Fields, Vec<&'static str>)>) -> Vec<Case> {
    rows.into_iter()
        .map(|(set, expect)| Case { label, set, expect })
        .collect()
}

#[test]
fn cross_record_rules_positives_and_near_misses() {
    let mut cases = Vec::new();
    let name = "Nguyễn Văn Hùng";
    // XR001: the 4th subscription at one carrier, in activation order (row order reversed on purpose).
    cases.extend(group(
        "XR001 fourth at Viettel",
        vec![
            (
                holder(
                    "033085100001",
                    name,
                    "VIETTEL",
                    "0962100004",
                    "2024-05-04 09:00:00",
                ),
                vec!["XR001"],
            ),
            (
                holder(
                    "033085100001",
                    name,
                    "VIETTEL",
                    "0962100003",
                    "2024-05-03 09:00:00",
                ),
                vec![],
            ),
            (
                holder(
                    "033085100001",
                    name,
                    "VIETTEL",
                    "0962100002",
                    "2024-05-02 09:00:00",
                ),
                vec![],
            ),
            (
                holder(
                    "033085100001",
                    name,
                    "VIETTEL",
                    "0962100001",
                    "2024-05-01 09:00:00",
                ),
                vec![],
            ),
        ],
    ));
    cases.extend(group(
        "near miss: exactly 3",
        (1..=3)
            .map(|k| {
                (
                    holder(
                        "033085100002",
                        name,
                        "VIETTEL",
                        &format!("096220000{k}"),
                        &format!("2024-05-0{k} 09:00:00"),
                    ),
                    vec![],
                )
            })
            .collect(),
    ));
    let mut three_live_one_cancelled: Vec<_> = (1..=3)
        .map(|k| {
            (
                holder(
                    "033085100003",
                    name,
                    "VIETTEL",
                    &format!("096230000{k}"),
                    &format!("2024-05-0{k} 09:00:00"),
                ),
                vec![],
            )
        })
        .collect();
    let mut cancelled = holder(
        "033085100003",
        name,
        "VIETTEL",
        "0962300004",
        "2024-05-04 09:00:00",
    );
    cancelled.push(("status", "cancelled".into()));
    three_live_one_cancelled.push((cancelled, vec![]));
    cases.extend(group(
        "near miss: 3 live + 1 cancelled",
        three_live_one_cancelled,
    ));
    // Ties in activation time: order by normalised number, so the largest number is no. 4.
    cases.extend(group(
        "XR001 ties broken by number",
        vec![
            (
                holder(
                    "033085100004",
                    name,
                    "VIETTEL",
                    "0962400009",
                    "2024-05-01 09:00:00",
                ),
                vec!["XR001"],
            ),
            (
                holder(
                    "033085100004",
                    name,
                    "VIETTEL",
                    "0962400001",
                    "2024-05-01 09:00:00",
                ),
                vec![],
            ),
            (
                holder(
                    "033085100004",
                    name,
                    "VIETTEL",
                    "0962400005",
                    "2024-05-01 09:00:00",
                ),
                vec![],
            ),
            (
                holder(
                    "033085100004",
                    name,
                    "VIETTEL",
                    "0962400003",
                    "2024-05-01 09:00:00",
                ),
                vec![],
            ),
        ],
    ));
    // XR002: the 4th registered online.
    let mut online = holder(
        "033085100005",
        name,
        "VIETTEL",
        "0962500004",
        "2024-05-04 09:00:00",
    );
    online.push(("point_type", "online".into()));
    let mut xr002: Vec<_> = (1..=3)
        .map(|k| {
            (
                holder(
                    "033085100005",
                    name,
                    "VIETTEL",
                    &format!("096250000{k}"),
                    &format!("2024-05-0{k} 09:00:00"),
                ),
                vec![],
            )
        })
        .collect();
    xr002.push((online, vec!["XR001", "XR002"]));
    cases.extend(group("XR002 online 4th", xr002));
    // XR003: 10 across three carriers (3 + 3 + 4): all fire, and the 4th at Mobifone is XR001.
    let mut xr003 = Vec::new();
    for (k, (carrier, prefix)) in [
        ("VIETTEL", "0963"),
        ("VIETTEL", "0963"),
        ("VIETTEL", "0963"),
        ("VINAPHONE", "0913"),
        ("VINAPHONE", "0913"),
        ("VINAPHONE", "0913"),
        ("MOBIFONE", "0903"),
        ("MOBIFONE", "0903"),
        ("MOBIFONE", "0903"),
        ("MOBIFONE", "0903"),
    ]
    .iter()
    .enumerate()
    {
        let set = holder(
            "033085100006",
            name,
            carrier,
            &format!("{prefix}60{k:04}"),
            &format!("2024-05-{:02} 09:00:00", k + 1),
        );
        xr003.push((
            set,
            if k == 9 {
                vec!["XR001", "XR003"]
            } else {
                vec!["XR003"]
            },
        ));
    }
    cases.extend(group("XR003 ten across carriers", xr003));
    let mut nine = Vec::new();
    for (k, (carrier, prefix)) in [
        ("VIETTEL", "0963"),
        ("VIETTEL", "0963"),
        ("VIETTEL", "0963"),
        ("VINAPHONE", "0913"),
        ("VINAPHONE", "0913"),
        ("VINAPHONE", "0913"),
        ("MOBIFONE", "0903"),
        ("MOBIFONE", "0903"),
        ("MOBIFONE", "0903"),
    ]
    .iter()
    .enumerate()
    {
        nine.push((
            holder(
                "033085100007",
                name,
                carrier,
                &format!("{prefix}70{k:04}"),
                &format!("2024-05-{:02} 09:00:00", k + 1),
            ),
            vec![],
        ));
    }
    cases.extend(group("near miss: nine across carriers", nine));
    // XR004: identity conflicts against the modal identity; case, diacritics and tone placement agree.
    cases.extend(group(
        "near miss: same identity written differently",
        vec![
            (
                holder(
                    "033085100008",
                    "Trần Thị Hoà",
                    "VIETTEL",
                    "0962800001",
                    "2024-05-01 09:00:00",
                ),
                vec![],
            ),
            (
                holder(
                    "033085100008",
                    "TRẦN THỊ HÒA",
                    "VINAPHONE",
                    "0912800002",
                    "2024-05-02 09:00:00",
                ),
                vec![],
            ),
            (
                holder(
                    "033085100008",
                    "tran thi hoa",
                    "MOBIFONE",
                    "0902800003",
                    "2024-05-03 09:00:00",
                ),
                vec!["PS007"],
            ),
        ],
    ));
    cases.extend(group(
        "XR004 one row differs",
        vec![
            (
                holder(
                    "033085100009",
                    "Lê Văn Nam",
                    "VIETTEL",
                    "0962900001",
                    "2024-05-01 09:00:00",
                ),
                vec![],
            ),
            (
                holder(
                    "033085100009",
                    "Lê Văn Nam",
                    "VIETTEL",
                    "0962900002",
                    "2024-05-02 09:00:00",
                ),
                vec![],
            ),
            (
                holder(
                    "033085100009",
                    "Lê Văn Bắc",
                    "VINAPHONE",
                    "0912900003",
                    "2024-05-03 09:00:00",
                ),
                vec!["XR004"],
            ),
        ],
    ));
    cases.extend(group(
        "XR004 tie: every row fires",
        vec![
            (
                holder(
                    "033085100010",
                    "Lê Văn Nam",
                    "VIETTEL",
                    "0963000001",
                    "2024-05-01 09:00:00",
                ),
                vec!["XR004"],
            ),
            (
                holder(
                    "033085100010",
                    "Lê Văn Bắc",
                    "VINAPHONE",
                    "0913000002",
                    "2024-05-02 09:00:00",
                ),
                vec!["XR004"],
            ),
        ],
    ));
    // SB002: one number on two live rows (across carriers); a cancelled duplicate does not count.
    cases.extend(group(
        "SB002 duplicate number",
        vec![
            (
                holder(
                    "033085100011",
                    name,
                    "VIETTEL",
                    "0963100001",
                    "2024-05-01 09:00:00",
                ),
                vec!["SB002"],
            ),
            (
                holder(
                    "033085100012",
                    name,
                    "VIETTEL",
                    "0963100001",
                    "2024-05-02 09:00:00",
                ),
                vec!["SB002"],
            ),
        ],
    ));
    let mut cancelled_dup = holder(
        "033085100014",
        name,
        "VIETTEL",
        "0963200001",
        "2024-05-02 09:00:00",
    );
    cancelled_dup.push(("status", "cancelled".into()));
    cases.extend(group(
        "near miss: cancelled duplicate",
        vec![
            (
                holder(
                    "033085100013",
                    name,
                    "VIETTEL",
                    "0963200001",
                    "2024-05-01 09:00:00",
                ),
                vec![],
            ),
            (cancelled_dup, vec![]),
        ],
    ));
    // PT001: 11 activations inside 10 minutes at one point fire; 11 spanning exactly 10 minutes do not.
    for (point, step, expect) in [("BURST-11", 50, vec!["PT001"]), ("BURST-10", 60, vec![])] {
        for k in 0..11u32 {
            let secs = k * step;
            let at = format!("2024-05-10 10:{:02}:{:02}", secs / 60, secs % 60);
            let mut set = holder(
                &format!("0330852{:02}{:03}", step, k),
                name,
                "VIETTEL",
                &format!("0964{step:02}{k:04}"),
                &at,
            );
            set.retain(|(f, _)| *f != "point_id");
            set.push(("point_id", point.to_string()));
            cases.push(Case {
                label: "PT001 burst",
                set,
                expect: expect.clone(),
            });
        }
    }
    // PT003: the 4th subscription of one ID at one point (across two carriers' numbers it is still one point).
    cases.extend(group(
        "PT003 fourth at one point",
        (1..=4)
            .map(|k| {
                let mut set = holder(
                    "033085100015",
                    name,
                    "VIETTEL",
                    &format!("096500000{k}"),
                    &format!("2024-05-0{k} 09:00:00"),
                );
                set.retain(|(f, _)| *f != "point_id");
                set.push(("point_id", "SHOP-1".into()));
                (
                    set,
                    if k == 4 {
                        vec!["PT003", "XR001"]
                    } else {
                        vec![]
                    },
                )
            })
            .collect(),
    ));
    check(&cases, &[]);
}

#[test]
fn points_registry_enables_pt004() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("points.csv");
    std::fs::write(&reg, "carrier,point_id\nViettel,HY-0001\n").unwrap();
    let cases = vec![
        case(
            "registered (carrier spelled differently)",
            &[("point_id", "HY-0001")],
            &[],
        ),
        case("PT004 unregistered", &[("point_id", "HY-9999")], &["PT004"]),
        case("empty point: PT005 only", &[("point_id", "")], &["PT005"]),
    ];
    check(&cases, &["--points", reg.to_str().unwrap()]);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "shop\nHY-1\n").unwrap();
    let out = run(&[
        "audit",
        "x.csv",
        "--points",
        bad.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("carrier and point_id"));
}

#[test]
fn thresholds_set_to_zero_and_one_flag_a_lone_subscription() {
    // A holder with one row is skipped by the holder rules unless the rule set's thresholds reach that
    // low: here they do.
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(repo("rules/vn-2024.toml")).unwrap();
    let strict = shipped
        .replace("max_per_carrier = 3 ", "max_per_carrier = 0 ")
        .replace("high_total = 10 ", "high_total = 1 ");
    assert_ne!(strict, shipped);
    let rules = dir.path().join("strict.toml");
    std::fs::write(&rules, strict).unwrap();
    let cases = vec![case("one row, limits 0 and 1", &[], &["XR001", "XR003"])];
    check(&cases, &["--rules", rules.to_str().unwrap()]);
}

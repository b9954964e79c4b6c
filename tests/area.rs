//! `audit --district NAME` / `--point CARRIER:ID`: the rules run on the whole extract, then every
//! output holds the area's points only — the same figures for those points as a run on the whole
//! extract, findings and tallies that agree with each other, one dossier per point of the area, the
//! area in the manifest — in memory and sharded alike. A name that matches nothing is an error.

mod common;
use common::*;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Row = BTreeMap<String, String>;

/// A point's key in by_point.csv and findings.csv.
fn point_of(r: &Row) -> (String, String) {
    (r["carrier"].clone(), r["point_id"].clone())
}

/// A by_point.csv row without its rank (ranks are renumbered within the area).
fn unranked(r: &Row) -> Row {
    let mut r = r.clone();
    r.remove("rank");
    r
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

fn frame(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn parquet_rows(path: &Path) -> usize {
    frame(path).height()
}

/// The ID numbers of the live individual subscriptions of a subscriptions.parquet.
fn live_individual_ids(path: &Path) -> BTreeSet<String> {
    let f = frame(path);
    let text = |c: &str| f.column(c).unwrap().cast(&DataType::String).unwrap();
    let (ids, status, kind) = (text("id_number"), text("status"), text("subscriber_type"));
    let (ids, status, kind) = (
        ids.str().unwrap(),
        status.str().unwrap(),
        kind.str().unwrap(),
    );
    (0..f.height())
        .filter(|&i| status.get(i) != Some("cancelled") && kind.get(i) == Some("individual"))
        .filter_map(|i| ids.get(i).map(str::to_string))
        .collect()
}

/// Checks that `area` (an audit restricted to `points`) tells the same story as `whole` (the audit
/// of the whole extract) about exactly those points.
fn assert_restricted(whole: &Path, area: &Path, points: &BTreeSet<(String, String)>) {
    // by_point: exactly the area's points, each with the whole run's figures.
    let whole_points: BTreeMap<(String, String), Row> = read_csv(&whole.join("by_point.csv"))
        .iter()
        .map(|r| (point_of(r), unranked(r)))
        .collect();
    let area_points = read_csv(&area.join("by_point.csv"));
    let listed: BTreeSet<(String, String)> = area_points.iter().map(point_of).collect();
    assert_eq!(&listed, points);
    for r in &area_points {
        assert_eq!(unranked(r), whole_points[&point_of(r)], "{:?}", point_of(r));
    }
    let ranks: Vec<String> = area_points.iter().map(|r| r["rank"].clone()).collect();
    let expected: Vec<String> = (1..=area_points.len()).map(|i| i.to_string()).collect();
    assert_eq!(ranks, expected);

    // findings: the whole run's findings of the area's rows, and every rejected record's.
    let whole_findings = read_csv(&whole.join("findings.csv"));
    let expected: Vec<&Row> = whole_findings
        .iter()
        .filter(|f| f["rule"] == "DQ001" || points.contains(&point_of(f)))
        .collect();
    let found = read_csv(&area.join("findings.csv"));
    assert_eq!(found.iter().collect::<Vec<_>>(), expected);
    assert!(found.iter().any(|f| f["rule"] == "DQ001"));

    // by_rule: the rows of the findings counted.
    let mut per_rule: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for f in &found {
        per_rule
            .entry(f["rule"].clone())
            .or_default()
            .insert((f["file"].clone(), f["row"].clone()));
    }
    for r in read_csv(&area.join("by_rule.csv")) {
        let n = per_rule.get(&r["rule"]).map_or(0, BTreeSet::len);
        assert_eq!(r["rows"], n.to_string(), "{}", r["rule"]);
    }

    // by_carrier: the sums of its points; subscriptions.parquet and the manifest: the same rows.
    let mut per_carrier: BTreeMap<String, u64> = BTreeMap::new();
    for r in &area_points {
        *per_carrier.entry(r["carrier"].clone()).or_default() +=
            r["subscriptions"].parse::<u64>().unwrap();
    }
    for r in read_csv(&area.join("by_carrier.csv")) {
        assert_eq!(
            r["subscriptions"],
            per_carrier
                .get(&r["carrier"])
                .copied()
                .unwrap_or(0)
                .to_string(),
            "{}",
            r["carrier"]
        );
    }
    let rows: u64 = per_carrier.values().sum();
    let subscriptions = area.join("subscriptions.parquet");
    assert_eq!(parquet_rows(&subscriptions) as u64, rows);
    let m = manifest(area);
    assert_eq!(m["area"]["rows"], rows);
    assert_eq!(m["area"]["points"].as_array().unwrap().len(), points.len());
    assert_eq!(
        m["rows"],
        manifest(whole)["rows"],
        "the whole extract's counts"
    );
    assert_eq!(m["findings"], found.len());

    // ids_over_limit: the whole run's IDs over the limit that hold a subscription of the area the
    // limit counts (live, an individual's), with the whole run's figures.
    let held: BTreeSet<String> = live_individual_ids(&subscriptions);
    let expected: Vec<Row> = read_csv(&whole.join("ids_over_limit.csv"))
        .into_iter()
        .filter(|r| held.contains(&r["id_number"]))
        .collect();
    let listed = read_csv(&area.join("ids_over_limit.csv"));
    assert_eq!(listed, expected);
    // rejects: all of them, whatever the area.
    assert_eq!(
        std::fs::read(area.join("rejects.csv")).unwrap(),
        std::fs::read(whole.join("rejects.csv")).unwrap()
    );
}

/// One dossier for every named point of the area, flagged or not.
fn assert_dossier_per_point(area: &Path, points: &BTreeSet<(String, String)>) {
    let index = read_csv(&area.join("dossiers/index.csv"));
    let with_dossier: BTreeSet<(String, String)> = index.iter().map(point_of).collect();
    let named: BTreeSet<(String, String)> = points
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .cloned()
        .collect();
    assert_eq!(with_dossier, named);
}

/// The points of `whole`'s by_point.csv whose district is one of `districts`.
fn points_in(whole: &Path, districts: &[&str]) -> BTreeSet<(String, String)> {
    read_csv(&whole.join("by_point.csv"))
        .iter()
        .filter(|r| districts.contains(&r["district"].as_str()))
        .map(point_of)
        .collect()
}

#[test]
fn a_district_restricts_every_output_in_memory_and_sharded() {
    let dir = tempfile::tempdir().unwrap();
    let (whole, area, sharded) = (
        dir.path().join("whole"),
        dir.path().join("area"),
        dir.path().join("sharded"),
    );
    let inputs = sample_extracts();
    run_ok_with(&audit_args(&inputs, &whole, &[]), &[]);
    // Written as a user might type it: without the unit word or the diacritics.
    run_ok_with(
        &audit_args(&inputs, &area, &["--district", "van lam", "--dossiers"]),
        &[],
    );
    let points = points_in(&whole, &["Văn Lâm", "Huyện Văn Lâm"]);
    assert!(points.len() >= 5, "{points:?}");
    assert_restricted(&whole, &area, &points);

    assert_dossier_per_point(&area, &points);

    // The reports say which area they cover.
    let html = std::fs::read_to_string(area.join("report.html")).unwrap();
    assert!(html.contains("Địa bàn: quận/huyện van lam (Văn Lâm)"));
    let m = manifest(&area);
    assert_eq!(m["area"]["districts_asked"][0], "van lam");

    // Sharded: the same outputs.
    run_ok_with(
        &audit_args(
            &inputs,
            &sharded,
            &["--district", "van lam", "--shards", "3"],
        ),
        &[],
    );
    for name in simaudit::report::CSV_OUTPUTS {
        assert_eq!(
            std::fs::read(area.join(name)).unwrap(),
            std::fs::read(sharded.join(name)).unwrap(),
            "{name}"
        );
    }
    let ms = manifest(&sharded);
    for key in ["area", "rows", "findings"] {
        assert_eq!(ms[key], m[key], "{key}");
    }
    assert_eq!(
        parquet_rows(&sharded.join("subscriptions.parquet")),
        parquet_rows(&area.join("subscriptions.parquet"))
    );
}

#[test]
fn points_and_districts_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let (whole, area) = (dir.path().join("whole"), dir.path().join("area"));
    let inputs = sample_extracts();
    run_ok_with(
        &audit_args(&inputs, &whole, &["--format", "csv,parquet"]),
        &[],
    );
    // The worst point outside Phù Cừ and Yên Mỹ, named with the carrier as an extract may spell it.
    let worst = read_csv(&whole.join("by_point.csv"))
        .into_iter()
        .find(|r| {
            !["Phù Cừ", "Yên Mỹ"].contains(&r["district"].as_str()) && !r["point_id"].is_empty()
        })
        .unwrap();
    let spelt = format!(
        "{}:{}",
        worst["carrier"].to_lowercase(),
        worst["point_id"].to_lowercase()
    );
    run_ok_with(
        &audit_args(
            &inputs,
            &area,
            &[
                "--format",
                "csv,parquet",
                "--dossiers",
                "--point",
                &spelt,
                "--district",
                "Huyện Phù Cừ",
                "--district",
                "yen my",
            ],
        ),
        &[],
    );
    let mut points = points_in(&whole, &["Phù Cừ", "Yên Mỹ"]);
    points.insert(point_of(&worst));
    assert_restricted(&whole, &area, &points);
    // Yên Mỹ has a point where nothing was flagged: it gets a dossier too.
    let clean: Vec<Row> = read_csv(&area.join("by_point.csv"))
        .into_iter()
        .filter(|r| r["flagged"] == "0" && !r["point_id"].is_empty())
        .collect();
    assert_eq!(clean.len(), 1);
    assert_dossier_per_point(&area, &points);
    // Its dossier opens: a cover with zero flagged, and a table with no rows above the signatures.
    let entry = read_csv(&area.join("dossiers/index.csv"))
        .into_iter()
        .find(|e| point_of(e) == point_of(&clean[0]))
        .unwrap();
    let mut book =
        calamine::open_workbook_auto(area.join("dossiers").join(&entry["dossier"])).unwrap();
    let names = calamine::Reader::sheet_names(&book);
    assert_eq!(names.len(), 2);
    let flagged = calamine::Reader::worksheet_range(&mut book, &names[1]).unwrap();
    let text: Vec<String> = flagged.rows().flatten().map(|c| c.to_string()).collect();
    assert!(text.iter().any(|t| t == "Đoàn kiểm tra"), "{text:?}");
    assert!(
        !text.iter().any(|t| t.starts_with("0")),
        "no number listed: {text:?}"
    );
}

#[test]
fn an_area_that_matches_nothing_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (flag, value, says) in [
        ("--district", "Hoàn Kiếm", "no point has this district"),
        ("--point", "VIETTEL:NO-SUCH", "no row has this point"),
        ("--point", "HY-1664", "CARRIER:ID"),
    ] {
        let mut args = audit_args(&sample_extracts(), &out, &[flag, value]);
        args.retain(|a| a != "--quiet");
        let o = bin().args(&args).output().unwrap();
        assert!(!o.status.success(), "{flag} {value}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{err}");
        if flag == "--district" {
            // The districts there are, to put a misspelling right.
            assert!(err.contains("Văn Lâm"), "{err}");
        }
        assert!(!out.join("manifest.json").exists());
    }
}

#[test]
fn compare_refuses_audits_of_different_areas() {
    let dir = tempfile::tempdir().unwrap();
    let (whole, area, cmp) = (
        dir.path().join("whole"),
        dir.path().join("area"),
        dir.path().join("cmp"),
    );
    let inputs = sample_extracts();
    run_ok_with(&audit_args(&inputs, &whole, &["--format", "parquet"]), &[]);
    run_ok_with(
        &audit_args(
            &inputs,
            &area,
            &["--format", "parquet", "--district", "Văn Lâm"],
        ),
        &[],
    );
    let o = run(&[
        "compare",
        &whole.display().to_string(),
        &area.display().to_string(),
        "--out",
        &cmp.display().to_string(),
        "--quiet",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("same area"), "{err}");
    assert!(err.contains("--district \"Văn Lâm\""), "{err}");

    // The same area, written another way, compares.
    let again = dir.path().join("again");
    run_ok_with(
        &audit_args(
            &inputs,
            &again,
            &["--format", "parquet", "--district", "huyện van lam"],
        ),
        &[],
    );
    run_ok(&[
        "compare",
        &area.display().to_string(),
        &again.display().to_string(),
        "--out",
        &cmp.display().to_string(),
        "--quiet",
    ]);
    let changes = read_csv(&cmp.join("changes.csv"));
    assert!(changes.iter().all(|c| c["status"] == "persisting"));
    assert!(!changes.is_empty());
}

/// A hand-made extract: points whose rows name their district in several ways, rows without a point
/// that carry a district, a district and a province of one name, a ward and a district of one number.
fn handmade(dir: &Path) -> String {
    let (header, rows) = well_formed_sample();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (point, district) = (col("point_id"), col("district"));
    let plan: [(&str, &str); 22] = [
        // P1: 4 rows name Văn Lâm (two ways), 3 name Phù Cừ: it is in Văn Lâm.
        ("P1", "Văn Lâm"),
        ("P1", "Văn Lâm"),
        ("P1", "Huyện Văn Lâm"),
        ("P1", "Huyện Văn Lâm"),
        ("P1", "Phù Cừ"),
        ("P1", "Phù Cừ"),
        ("P1", "Phù Cừ"),
        ("P2", "Văn Lâm, Hưng Yên"),
        ("P2", "Văn Lâm, Hưng Yên"),
        ("P2", ""),
        ("P3", "Thành phố Hưng Yên"),
        ("P3", "Thành phố Hưng Yên"),
        ("P3", "Thành phố Hưng Yên"),
        ("P4", "Phường 1, Quận 3"),
        ("P4", "Phường 1, Quận 3"),
        ("P4", "Phường 1, Quận 3"),
        // Rows without a point go by their own district.
        ("", "Văn Lâm"),
        ("", "Văn Lâm"),
        ("", "Phù Cừ"),
        ("P5", ""),
        ("P5", ""),
        ("P5", ""),
    ];
    let made: Vec<csv::StringRecord> = rows
        .iter()
        .zip(plan)
        .map(|(r, (p, d))| {
            let mut fields: Vec<String> = r.iter().map(str::to_string).collect();
            fields[point] = p.to_string();
            fields[district] = d.to_string();
            csv::StringRecord::from(fields)
        })
        .collect();
    let path = dir.join("handmade.csv");
    write_csv(&path, &header, &made);
    path.display().to_string()
}

#[test]
fn each_point_by_its_rows_and_each_row_without_a_point_by_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let input = handmade(dir.path());
    let audit = |name: &str, extra: &[&str]| -> (std::path::PathBuf, std::process::Output) {
        let out = dir.path().join(name);
        let mut args = vec!["audit", &input, "--out"];
        let out_text = out.display().to_string();
        args.push(&out_text);
        args.extend(["--quiet", "--format", "csv,parquet"]);
        args.extend(extra);
        let o = run(&args);
        (out, o)
    };
    // (district asked, points chosen, rows kept)
    let cases: [(&str, &[&str], usize); 5] = [
        ("van lam", &["P1", "P2"], 7 + 3 + 2),
        ("Hưng Yên", &["P3"], 3),
        ("Quận 3", &["P4"], 3),
        ("Q.3", &["P4"], 3),
        ("Phù Cừ", &[], 1),
    ];
    for (k, (asked, points, rows)) in cases.into_iter().enumerate() {
        for shards in ["1", "2"] {
            let (out, o) = audit(
                &format!("{k}-{shards}"),
                &["--district", asked, "--shards", shards],
            );
            assert!(
                o.status.success(),
                "{asked}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let m = manifest(&out);
            let chosen: Vec<String> = points.iter().map(|p| format!("VIETTEL:{p}")).collect();
            assert_eq!(m["area"]["points"], serde_json::json!(chosen), "{asked}");
            assert_eq!(m["area"]["rows"], rows, "{asked}");
            assert_eq!(
                parquet_rows(&out.join("subscriptions.parquet")),
                rows,
                "{asked}"
            );
        }
    }
    // The district texts the names were matched to are told.
    let (out, _) = audit("texts", &["--district", "van lam"]);
    assert_eq!(
        manifest(&out)["area"]["district_texts"],
        serde_json::json!(["Huyện Văn Lâm", "Văn Lâm", "Văn Lâm, Hưng Yên"])
    );
    // A ward's number is not a district's; a province is not a district.
    for asked in ["Quận 1", "Tỉnh Hưng Yên"] {
        let (_, o) = audit("none", &["--district", asked]);
        assert!(!o.status.success(), "{asked}");
    }
}

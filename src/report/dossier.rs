//! Dossiers for the visit (`audit --dossiers`): for each point with a violation or a warning (each
//! point of the area, when the run is restricted to one), one workbook
//! `dossiers/<carrier>/<point_id>.xlsx` to print and sign, and `dossiers/index.csv`.
//!
//! A dossier has a cover sheet (the point, its carrier and district, the audit period of its
//! activations, the rule set, and its counts by rule with each rule's Vietnamese name and legal
//! basis) and a sheet of its flagged subscriptions (number, ID, name, date of birth, activation time,
//! every rule that fired with its reason), ending in a signature block. Both are print-ready.
//!
//! Dossiers are made from the run's own outputs (subscriptions.parquet, findings.parquet and the
//! by-point summary), so a run held in memory and a sharded run make the same dossiers, masked as the
//! run is masked.

use super::i18n::{value, Lang};
use super::summary::Sheet;
use super::xlsx::print_setup;
use crate::error::{Error, Result};
use crate::rules::{RuleCode, RuleSet};
use chrono::Datelike;
use polars::prelude::*;
use rayon::prelude::*;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};

/// One flagged subscription as its dossier lists it.
struct Flagged {
    /// Input file and record number: rows are listed in file order.
    file: String,
    row: u32,
    /// Only the year of birth is known (a year-only date, or a strict run).
    year_only: bool,
    msisdn: String,
    id_number: String,
    full_name: String,
    date_of_birth: Option<i32>,
    activation: Option<i64>,
    /// (rule, detail) of every finding on the row, in rule order.
    findings: Vec<(RuleCode, String)>,
}

/// A point's facts for its cover, from the by-point summary.
struct Point {
    carrier: String,
    point_id: String,
    name: String,
    kind: String,
    district: String,
    subscriptions: u64,
    flagged: u64,
    with_violation: u64,
    with_warning: u64,
    /// (rule code, rows where it fired), rules that fired only.
    per_rule: Vec<(String, u64)>,
}

/// A file name for a carrier or point code: letters, digits, `-`, `_` and `.` kept, anything else
/// (a path separator among them) as `_`; never empty, never `.` or `..`.
fn file_name(code: &str) -> String {
    let name: String = code
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match name.as_str() {
        "" | "." | ".." => format!("_{name}"),
        _ => name,
    }
}

/// The points to visit: with `every` (a run restricted to an area), every point of by_point;
/// else those with a violation or a warning.
fn points(by_point: &Sheet, every: bool) -> Vec<Point> {
    let rule_columns: Vec<usize> = by_point
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| RuleCode::parse(c).is_some())
        .map(|(i, _)| i)
        .collect();
    by_point
        .records()
        .filter(|r| every || r.int("with_violation") + r.int("with_warning") > 0)
        .map(|r| Point {
            carrier: r.text("carrier"),
            point_id: r.text("point_id"),
            name: r.text("point_name"),
            kind: r.text("point_type"),
            district: r.text("district"),
            subscriptions: r.int("subscriptions"),
            flagged: r.int("flagged"),
            with_violation: r.int("with_violation"),
            with_warning: r.int("with_warning"),
            per_rule: rule_columns
                .iter()
                .map(|&i| (by_point.columns[i].clone(), r.int(&by_point.columns[i])))
                .filter(|(_, n)| *n > 0)
                .collect(),
        })
        .collect()
}

/// Reads `columns` of the Parquet file at `path` a slice of rows at a time, so that memory holds one
/// slice, not the file (the run's own tables are still held while dossiers are made).
fn each_slice(
    path: &Path,
    columns: &[&str],
    mut each: impl FnMut(&DataFrame) -> PolarsResult<()>,
) -> PolarsResult<()> {
    const SLICE: usize = 1 << 19;
    let open = || {
        std::fs::File::open(path).map_err(|e| PolarsError::IO {
            error: std::sync::Arc::new(e),
            msg: None,
        })
    };
    let rows = ParquetReader::new(open()?).num_rows()?;
    for start in (0..rows).step_by(SLICE) {
        let frame = ParquetReader::new(open()?)
            .with_columns(Some(columns.iter().map(|c| c.to_string()).collect()))
            .with_slice(Some((start, SLICE.min(rows - start))))
            .finish()?;
        each(&frame)?;
    }
    Ok(())
}

fn text(frame: &DataFrame, name: &str) -> PolarsResult<StringChunked> {
    Ok(frame.column(name)?.cast(&DataType::String)?.str()?.clone())
}

/// What `subscriptions` finds for each point of a group, in the group's order.
struct GroupRows {
    /// The point's flagged subscriptions, in file and row order.
    flagged: Vec<Vec<Flagged>>,
    /// Its first and last activation (over all its rows).
    period: Vec<Option<(i64, i64)>>,
}

/// The rows of the points of `group`, read from the run's Parquet outputs.
fn subscriptions(dir: &Path, group: &[&Point]) -> PolarsResult<GroupRows> {
    // carrier → point → the point's place in `group`: looked up for every row without making a key.
    let mut place: FxHashMap<&str, FxHashMap<&str, usize>> = FxHashMap::default();
    for (k, p) in group.iter().enumerate() {
        place
            .entry(p.carrier.as_str())
            .or_default()
            .insert(p.point_id.as_str(), k);
    }
    let place_of = |carrier: Option<&str>, point: Option<&str>| {
        place
            .get(carrier.unwrap_or(""))
            .and_then(|points| points.get(point.unwrap_or("")))
            .copied()
    };
    // Input file names as small numbers, for the (file, row) keys of findings.
    let mut files: FxHashMap<String, u32> = FxHashMap::default();
    let mut file_number = |name: &str| -> u32 {
        let next = files.len() as u32;
        match files.get(name) {
            Some(&n) => n,
            None => *files.entry(name.to_string()).or_insert(next),
        }
    };
    // (file, row) → its findings (rule, detail).
    let mut by_row: FxHashMap<(u32, u32), Vec<(RuleCode, String)>> = FxHashMap::default();
    each_slice(
        &dir.join("findings.parquet"),
        &["file", "row", "carrier", "point_id", "rule", "detail"],
        |findings| {
            let (file, carrier, point, rule, detail) = (
                text(findings, "file")?,
                text(findings, "carrier")?,
                text(findings, "point_id")?,
                text(findings, "rule")?,
                text(findings, "detail")?,
            );
            let row = findings.column("row")?.cast(&DataType::UInt32)?;
            let row = row.u32()?;
            for i in 0..findings.height() {
                if place_of(carrier.get(i), point.get(i)).is_none() {
                    continue;
                }
                let Some(code) = rule.get(i).and_then(RuleCode::parse) else {
                    continue;
                };
                by_row
                    .entry((
                        file_number(file.get(i).unwrap_or("")),
                        row.get(i).unwrap_or(0),
                    ))
                    .or_default()
                    .push((code, detail.get(i).unwrap_or("").to_string()));
            }
            Ok(())
        },
    )?;
    let mut found = GroupRows {
        flagged: group.iter().map(|_| Vec::new()).collect(),
        period: vec![None; group.len()],
    };
    each_slice(
        &dir.join("subscriptions.parquet"),
        &[
            "file",
            "row",
            "carrier",
            "point_id",
            "msisdn",
            "id_number",
            "full_name",
            "date_of_birth",
            "date_of_birth_precision",
            "activation_time",
            "flagged",
        ],
        |subs| {
            let precision = text(subs, "date_of_birth_precision")?;
            let (file, carrier, point, msisdn, id, name) = (
                text(subs, "file")?,
                text(subs, "carrier")?,
                text(subs, "point_id")?,
                text(subs, "msisdn")?,
                text(subs, "id_number")?,
                text(subs, "full_name")?,
            );
            let row = subs.column("row")?.cast(&DataType::UInt32)?;
            let row = row.u32()?;
            let born = subs.column("date_of_birth")?.cast(&DataType::Int32)?;
            let born = born.i32()?;
            let activated = subs.column("activation_time")?.cast(&DataType::Int64)?;
            let activated = activated.i64()?;
            let flagged = subs.column("flagged")?.bool()?.clone();
            for i in 0..subs.height() {
                let Some(k) = place_of(carrier.get(i), point.get(i)) else {
                    continue;
                };
                if let Some(at) = activated.get(i) {
                    let span = found.period[k].get_or_insert((at, at));
                    *span = (span.0.min(at), span.1.max(at));
                }
                if flagged.get(i) != Some(true) {
                    continue;
                }
                let number = file_number(file.get(i).unwrap_or(""));
                let mut findings = by_row
                    .remove(&(number, row.get(i).unwrap_or(0)))
                    .unwrap_or_default();
                findings.sort();
                found.flagged[k].push(Flagged {
                    file: file.get(i).unwrap_or("").to_string(),
                    row: row.get(i).unwrap_or(0),
                    year_only: precision.get(i) == Some("year"),
                    msisdn: msisdn.get(i).unwrap_or("").to_string(),
                    id_number: id.get(i).unwrap_or("").to_string(),
                    full_name: name.get(i).unwrap_or("").to_string(),
                    date_of_birth: born.get(i),
                    activation: activated.get(i),
                    findings,
                });
            }
            Ok(())
        },
    )?;
    // A sharded run writes its rows shard by shard: put each point's back in file order.
    for rows in &mut found.flagged {
        rows.sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
    }
    Ok(found)
}

/// Writes `dossiers/` into `dir` (a run's staging folder holding its Parquet outputs): a workbook per
/// point of `by_point` with a violation or a warning, and `index.csv`.
/// Writes the dossiers of the points with a violation or a warning, or, with `every_point` (a run
/// restricted to an area: the inspector visits each of its points), of every point.
pub fn write(
    dir: &Path,
    by_point: &Sheet,
    rules: &RuleSet,
    every_point: bool,
    lang: Lang,
) -> Result<()> {
    let root = dir.join("dossiers");
    // Rows without a point have no point to visit (PT005 names them).
    let points: Vec<Point> = points(by_point, every_point)
        .into_iter()
        .filter(|p| !p.point_id.is_empty())
        .collect();
    // A workbook name per point, unique even where codes differ only in characters a file name
    // cannot hold or in case (file systems that ignore case): a clash gets `~2`, `~3`….
    let mut taken: FxHashSet<String> = FxHashSet::default();
    let paths: Vec<PathBuf> = points
        .iter()
        .map(|p| {
            let folder = file_name(&p.carrier);
            let base = file_name(&p.point_id);
            let mut name = format!("{base}.xlsx");
            let mut n = 1;
            while !taken.insert(format!("{folder}/{name}").to_lowercase()) {
                n += 1;
                name = format!("{base}~{n}.xlsx");
            }
            root.join(folder).join(name)
        })
        .collect();
    // Points in groups of about GROUP_ROWS flagged subscriptions, one group held at a time: the
    // run's own tables are still in memory, and a dossier's rows are text.
    const GROUP_ROWS: u64 = 500_000;
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut in_group = 0;
    for (k, p) in points.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if in_group < GROUP_ROWS => g.push(k),
            _ => {
                groups.push(vec![k]);
                in_group = 0;
            }
        }
        in_group += p.flagged;
    }
    for group in &groups {
        let members: Vec<&Point> = group.iter().map(|&k| &points[k]).collect();
        let found = subscriptions(dir, &members).map_err(|e| {
            Error::write(
                &root,
                std::io::Error::other(format!("reading the run's Parquet outputs: {e}")),
            )
        })?;
        for &k in group {
            let path = &paths[k];
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
            }
        }
        group.par_iter().enumerate().try_for_each(|(g, &k)| {
            let path = &paths[k];
            let bytes = workbook(&points[k], &found.flagged[g], found.period[g], rules, lang)
                .map_err(|e| Error::write(path, std::io::Error::other(e)))?;
            super::write::atomic(path, |w| std::io::Write::write_all(w, &bytes))
        })?;
    }
    let jobs: Vec<(&Point, &PathBuf)> = points.iter().zip(&paths).collect();
    let index = Sheet {
        name: "index",
        columns: [
            "carrier",
            "point_id",
            "point_name",
            "point_type",
            "district",
            "subscriptions",
            "flagged",
            "with_violation",
            "with_warning",
            "dossier",
        ]
        .map(String::from)
        .to_vec(),
        rows: jobs
            .iter()
            .map(|(p, path)| {
                use super::summary::Cell;
                vec![
                    Cell::Text(p.carrier.clone()),
                    Cell::Text(p.point_id.clone()),
                    Cell::Text(p.name.clone()),
                    Cell::Text(p.kind.clone()),
                    Cell::Text(p.district.clone()),
                    Cell::Int(p.subscriptions),
                    Cell::Int(p.flagged),
                    Cell::Int(p.with_violation),
                    Cell::Int(p.with_warning),
                    Cell::Text(
                        path.strip_prefix(&root)
                            .unwrap_or(path)
                            .display()
                            .to_string(),
                    ),
                ]
            })
            .collect(),
    };
    std::fs::create_dir_all(&root).map_err(|e| Error::write(&root, e))?;
    super::write::sheet_csv(&root.join("index.csv"), &index)
}

fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(String::new, |t| t.format("%d/%m/%Y").to_string())
}

fn workbook(
    p: &Point,
    rows: &[Flagged],
    period: Option<(i64, i64)>,
    rules: &RuleSet,
    lang: Lang,
) -> std::result::Result<Vec<u8>, XlsxError> {
    let vi = lang == Lang::Vi;
    let pick = |v: &'static str, e: &'static str| lang.pick(v, e);
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_text_wrap();
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let date = Format::new()
        .set_num_format("dd/mm/yyyy")
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let datetime = Format::new()
        .set_num_format("dd/mm/yyyy hh:mm")
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let title = format!(
        "{} {} – {}",
        pick("Hồ sơ kiểm tra điểm", "Inspection dossier, point"),
        p.point_id,
        p.carrier
    );
    let mut book = Workbook::new();

    // Cover.
    let ws = book.add_worksheet().set_name(pick("Bìa", "Cover"))?;
    ws.write_string_with_format(0, 0, &title, &Format::new().set_bold().set_font_size(14))?;
    let period = period.map_or_else(String::new, |(a, b)| format!("{} – {}", day(a), day(b)));
    let facts = [
        (pick("Tên điểm", "Point name"), p.name.clone()),
        (pick("Mã điểm", "Point code"), p.point_id.clone()),
        (
            pick("Loại điểm", "Point type"),
            value("point_type", &p.kind, lang).into_owned(),
        ),
        (pick("Huyện", "District"), p.district.clone()),
        (pick("Nhà mạng", "Carrier"), p.carrier.clone()),
        (
            pick(
                "Kỳ kiểm tra (kích hoạt đầu tiên – cuối cùng)",
                "Audit period (first – last activation)",
            ),
            period,
        ),
        (pick("Bộ quy tắc", "Rule set"), rules.name.clone()),
        (
            pick("Tổng thuê bao", "Subscriptions"),
            p.subscriptions.to_string(),
        ),
        (
            pick("Thuê bao bị đánh dấu", "Flagged subscriptions"),
            p.flagged.to_string(),
        ),
        (
            pick("Có vi phạm", "With a violation"),
            p.with_violation.to_string(),
        ),
        (
            pick("Có cảnh báo", "With a warning"),
            p.with_warning.to_string(),
        ),
    ];
    for (r, (k, v)) in facts.iter().enumerate() {
        ws.write_string_with_format(r as u32 + 2, 0, *k, &bold)?;
        ws.write_string(r as u32 + 2, 1, v)?;
    }
    let top = facts.len() as u32 + 3;
    let columns = [
        pick("Quy tắc", "Rule"),
        pick("Tên quy tắc", "Name"),
        pick("Mức độ", "Severity"),
        pick("Số dòng", "Rows"),
        pick("Căn cứ", "Basis"),
    ];
    for (c, h) in columns.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &head)?;
    }
    for (k, (code, n)) in p.per_rule.iter().enumerate() {
        let r = top + 1 + k as u32;
        let info = RuleCode::parse(code).map(|c| c.info());
        ws.write_string_with_format(r, 0, code, &wrap)?;
        ws.write_string_with_format(
            r,
            1,
            info.map_or("", |i| if vi { i.vi_name } else { i.name }),
            &wrap,
        )?;
        ws.write_string_with_format(
            r,
            2,
            // The run's rule set decides a rule's severity, not the shipped catalogue.
            value(
                "severity",
                RuleCode::parse(code).map_or("", |c| rules.severity(c).code()),
                lang,
            )
            .as_ref(),
            &wrap,
        )?;
        ws.write_number(r, 3, *n as f64)?;
        ws.write_string_with_format(r, 4, info.map_or("", |i| i.basis), &wrap)?;
    }
    for (c, w) in [8.0, 34.0, 11.0, 8.0, 60.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    print_setup(ws, &title, lang, false);

    // The flagged subscriptions, then the signature block.
    let ws = book
        .add_worksheet()
        .set_name(pick("Thuê bao bị đánh dấu", "Flagged subscriptions"))?;
    let columns = [
        pick("STT", "No."),
        pick("Số thuê bao", "Number"),
        pick("Số giấy tờ", "ID number"),
        pick("Họ tên", "Full name"),
        pick("Ngày sinh", "Date of birth"),
        pick("Thời điểm kích hoạt", "Activation time"),
        pick("Quy tắc vi phạm và lý do", "Rules that fired and why"),
    ];
    for (c, h) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
    }
    let epoch = crate::ident::Date::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    for (k, f) in rows.iter().enumerate() {
        let r = k as u32 + 1;
        ws.write_number_with_format(r, 0, (k + 1) as f64, &wrap)?;
        ws.write_string_with_format(r, 1, &f.msisdn, &wrap)?;
        ws.write_string_with_format(r, 2, &f.id_number, &wrap)?;
        ws.write_string_with_format(r, 3, &f.full_name, &wrap)?;
        if let Some(d) = f.date_of_birth {
            let at = epoch + chrono::Duration::days(i64::from(d));
            // A year alone is written as the year; a date before 1900 as text (Excel's dates
            // start in 1900, and such dates are what PS004 cites).
            if f.year_only {
                ws.write_string_with_format(r, 4, at.format("%Y").to_string(), &wrap)?;
            } else if at.year() < 1900 {
                ws.write_string_with_format(r, 4, at.format("%d/%m/%Y").to_string(), &wrap)?;
            } else {
                let serial =
                    crate::ident::date::to_excel_serial(at.and_time(chrono::NaiveTime::MIN));
                ws.write_number_with_format(r, 4, serial, &date)?;
            }
        }
        if let Some(ms) = f.activation {
            if let Some(at) = chrono::DateTime::from_timestamp_millis(ms) {
                let serial = crate::ident::date::to_excel_serial(at.naive_utc());
                ws.write_number_with_format(r, 5, serial, &datetime)?;
            }
        }
        let why: Vec<String> = f
            .findings
            .iter()
            .map(|(rule, detail)| {
                let info = rule.info();
                let name = if vi { info.vi_name } else { info.name };
                format!("{} {name}: {detail}", rule.code())
            })
            .collect();
        ws.write_string_with_format(r, 6, why.join("\n"), &wrap)?;
        // A line per rule (and a second for a long reason): spreadsheet programs do not grow
        // rows of wrapped text by themselves when printing.
        let lines: usize = why.iter().map(|w| 1 + w.chars().count() / 90).sum();
        ws.set_row_height(r, 15.0 * lines.max(1) as f64)?;
    }
    let end = rows.len() as u32 + 3;
    ws.write_string_with_format(end, 1, pick("Đại diện điểm", "For the point"), &bold)?;
    ws.write_string_with_format(
        end,
        5,
        pick("Đoàn kiểm tra", "For the inspection team"),
        &bold,
    )?;
    let sign = pick("(ký, ghi rõ họ tên)", "(signature and full name)");
    ws.write_string(end + 1, 1, sign)?;
    ws.write_string(end + 1, 5, sign)?;
    for (c, w) in [5.0, 12.0, 24.0, 24.0, 11.0, 16.0, 70.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    print_setup(ws, &title, lang, true);
    book.save_to_buffer()
}

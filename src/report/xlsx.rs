//! report.xlsx for the inspection team: summary, by carrier, by point, by rule, IDs over limit, findings
//! (capped at Excel's row limit, with a note) and the rule explanations. Vietnamese headers by default;
//! frozen header row, filters, fitting widths; numbers as numbers, percentages and dates formatted.

use super::summary::{Cell, Sheet, Summaries};
use super::terminal::Lang;
use super::write::{FindingRows, FINDING_COLUMNS};
use super::{Privacy, RunView};
use crate::error::{Error, Result};
use crate::rules::RULES;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Excel's last row is 1,048,576: the header plus 1,048,575 findings.
pub const FINDINGS_CAP: usize = 1_048_575;

/// A machine column name as the inspection team reads it.
pub fn label(column: &str, lang: Lang) -> String {
    let (vi, en) = match column {
        "carrier" => ("Nhà mạng", "Carrier"),
        "subscriptions" => ("Tổng thuê bao", "Subscriptions"),
        "live" => ("Đang hoạt động", "Live"),
        "flagged" => ("Bị đánh dấu", "Flagged"),
        "flagged_pct" => ("Tỷ lệ bị đánh dấu", "Flagged %"),
        "with_violation" => ("Có vi phạm", "With violation"),
        "with_warning" => ("Có cảnh báo", "With warning"),
        "rejected_rows" => ("Dòng bị loại", "Rejected rows"),
        "distinct_ids" => ("Số giấy tờ", "Distinct IDs"),
        "ids_over_limit" => ("Giấy tờ vượt hạn mức", "IDs over limit"),
        "rank" => ("Hạng", "Rank"),
        "point_id" => ("Mã điểm", "Point"),
        "point_name" => ("Tên điểm", "Point name"),
        "point_type" => ("Loại điểm", "Point type"),
        "district" => ("Huyện", "District"),
        "rule" => ("Quy tắc", "Rule"),
        "name" => ("Tên quy tắc", "Name"),
        "severity" => ("Mức độ", "Severity"),
        "rows" => ("Số dòng", "Rows"),
        "carriers" => ("Số nhà mạng", "Carriers"),
        "points" => ("Số điểm", "Points"),
        "id_number" => ("Số giấy tờ", "ID number"),
        "id_type" => ("Loại giấy tờ", "ID type"),
        "live_subscriptions" => ("Thuê bao đang hoạt động", "Live subscriptions"),
        "per_carrier" => ("Theo nhà mạng", "Per carrier"),
        "names_seen" => ("Số họ tên khác nhau", "Names seen"),
        "first_activation" => ("Kích hoạt đầu tiên", "First activation"),
        "last_activation" => ("Kích hoạt gần nhất", "Last activation"),
        "file" => ("Tệp", "File"),
        "row" => ("Dòng", "Row"),
        "msisdn" => ("Số thuê bao", "Number"),
        "subscriber_type" => ("Loại thuê bao", "Subscriber type"),
        "full_name" => ("Họ tên", "Full name"),
        "detail" => ("Chi tiết", "Detail"),
        "basis" => ("Căn cứ", "Basis"),
        "explanation" => ("Giải thích", "Explanation"),
        other => (other, other), // rule codes stay codes
    };
    match lang {
        Lang::Vi => vi.to_string(),
        Lang::En => en.to_string(),
    }
}

fn sheet_name(key: &str, lang: Lang) -> &'static str {
    let (vi, en) = match key {
        "summary" => ("Tổng hợp", "Summary"),
        "by_carrier" => ("Theo nhà mạng", "By carrier"),
        "by_point" => ("Theo điểm", "By point"),
        "by_rule" => ("Theo quy tắc", "By rule"),
        "ids_over_limit" => ("Giấy tờ vượt hạn mức", "IDs over limit"),
        "findings" => ("Phát hiện", "Findings"),
        _ => ("Giải thích quy tắc", "Rule explanations"),
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

struct Styles {
    header: Format,
    pct: Format,
    datetime: Format,
}

/// Column widths that fit the longest value (in characters), within reason.
struct Widths(Vec<usize>);

impl Widths {
    fn see(&mut self, col: usize, text: &str) {
        if self.0.len() <= col {
            self.0.resize(col + 1, 8);
        }
        self.0[col] = self.0[col].max(text.chars().count().min(60));
    }
    fn apply(&self, ws: &mut Worksheet) -> std::result::Result<(), XlsxError> {
        for (c, w) in self.0.iter().enumerate() {
            ws.set_column_width(c as u16, (*w as f64) + 2.0)?;
        }
        Ok(())
    }
}

fn header_row(
    ws: &mut Worksheet,
    columns: &[String],
    lang: Lang,
    st: &Styles,
    widths: &mut Widths,
) -> std::result::Result<(), XlsxError> {
    for (c, name) in columns.iter().enumerate() {
        let text = label(name, lang);
        widths.see(c, &text);
        ws.write_string_with_format(0, c as u16, text, &st.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Excel serial of an ISO date-time (`YYYY-MM-DDTHH:MM:SS`), for date cells.
fn serial(iso: &str) -> Option<f64> {
    let at = chrono::NaiveDateTime::parse_from_str(iso, "%Y-%m-%dT%H:%M:%S").ok()?;
    Some(crate::ident::date::to_excel_serial(at))
}

fn table(
    ws: &mut Worksheet,
    sheet: &Sheet,
    lang: Lang,
    st: &Styles,
) -> std::result::Result<(), XlsxError> {
    let mut widths = Widths(Vec::new());
    header_row(ws, &sheet.columns, lang, st, &mut widths)?;
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Int(n) => {
                    widths.see(c, &n.to_string());
                    ws.write_number(r, col, *n as f64)?;
                }
                Cell::Pct(p) => {
                    widths.see(c, "100.00%");
                    ws.write_number_with_format(r, col, p / 100.0, &st.pct)?;
                }
                Cell::Text(t) => match serial(t) {
                    Some(s) => {
                        widths.see(c, "dd/mm/yyyy hh:mm:ss");
                        ws.write_number_with_format(r, col, s, &st.datetime)?;
                    }
                    None => {
                        widths.see(c, t);
                        ws.write_string(r, col, t)?;
                    }
                },
            }
        }
    }
    ws.autofilter(
        0,
        0,
        sheet.rows.len() as u32,
        sheet.columns.len().saturating_sub(1) as u16,
    )?;
    widths.apply(ws)
}

fn findings_cap() -> usize {
    std::env::var("SIMAUDIT_XLSX_FINDINGS_CAP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(FINDINGS_CAP)
        .min(FINDINGS_CAP)
}

pub fn write(
    path: &Path,
    run: RunView,
    s: &Summaries,
    findings: &dyn FindingRows,
    privacy: &Privacy,
    lang: Lang,
) -> Result<()> {
    let build = || -> std::result::Result<Vec<u8>, XlsxError> {
        let st = Styles {
            header: Format::new().set_bold().set_background_color("#DDEBF7"),
            pct: Format::new().set_num_format("0.00%"),
            datetime: Format::new().set_num_format("dd/mm/yyyy hh:mm:ss"),
        };
        let mut book = Workbook::new();
        // Deflate level 1 instead of 6: compressing the findings sheet dominated the time to write the
        // workbook (up to a million rows), for a file only somewhat smaller.
        book.set_zip_compression_level(1);
        let cap = findings_cap();
        let shown = run.findings.min(cap);

        // Summary: key figures as label / value pairs.
        let ws = book.add_worksheet().set_name(sheet_name("summary", lang))?;
        let read: usize = run.files.iter().map(|f| f.rows_read).sum();
        let pick = |vi: &str, en: &str| {
            if lang == Lang::Vi {
                vi.to_string()
            } else {
                en.to_string()
            }
        };
        let mut lines: Vec<(String, Cell)> = vec![
            (pick("Số dòng đã đọc", "Rows read"), Cell::Int(read as u64)),
            (
                pick("Dòng được nhận", "Rows accepted"),
                Cell::Int(run.accepted as u64),
            ),
            (
                pick("Dòng bị loại", "Rows rejected"),
                Cell::Int(run.rejects.len() as u64),
            ),
            (
                pick("Số phát hiện", "Findings"),
                Cell::Int(run.findings as u64),
            ),
            (
                pick("Bộ quy tắc", "Rule set"),
                Cell::Text(run.rules.name.clone()),
            ),
        ];
        for f in run.files {
            lines.push((
                format!("{} {}", pick("Tệp", "File"), f.name),
                Cell::Text(format!(
                    "{} · {} · {} · {} rows",
                    f.format, f.encoding, f.profile, f.rows_read
                )),
            ));
        }
        if shown < run.findings {
            lines.push((
                pick("Lưu ý", "Note"),
                Cell::Text(pick(
                    &format!("Trang Phát hiện chỉ có {shown} trong {} phát hiện (giới hạn dòng của Excel); xem đầy đủ trong findings.csv", run.findings),
                    &format!("The Findings sheet holds the first {shown} of {} findings (Excel's row limit); findings.csv has them all", run.findings),
                )),
            ));
        }
        let mut widths = Widths(Vec::new());
        for (r, (k, v)) in lines.iter().enumerate() {
            widths.see(0, k);
            ws.write_string_with_format(r as u32, 0, k, &st.header)?;
            match v {
                Cell::Int(n) => ws.write_number(r as u32, 1, *n as f64).map(|_| ())?,
                other => {
                    widths.see(1, &other.csv());
                    ws.write_string(r as u32, 1, other.csv()).map(|_| ())?
                }
            }
        }
        widths.apply(ws)?;

        for (key, sheet) in [
            ("by_carrier", &s.by_carrier),
            ("by_point", &s.by_point),
            ("by_rule", &s.by_rule),
        ] {
            let ws = book.add_worksheet().set_name(sheet_name(key, lang))?;
            table(ws, sheet, lang, &st)?;
        }
        let ids = super::mask_ids(&s.ids_over_limit, privacy);
        table(
            book.add_worksheet()
                .set_name(sheet_name("ids_over_limit", lang))?,
            &ids,
            lang,
            &st,
        )?;

        // Findings, streamed to disk row by row (constant-memory sheet: up to a million rows). Such a
        // sheet needs its column widths before the first row, so they are measured on a sample first.
        let ws = book
            .add_worksheet_with_constant_memory()?
            .set_name(sheet_name("findings", lang))?;
        let columns: Vec<String> = FINDING_COLUMNS.iter().map(|c| c.to_string()).collect();
        let mut widths = Widths(Vec::new());
        for (c, name) in columns.iter().enumerate() {
            widths.see(c, &label(name, lang));
        }
        findings.visit(shown.min(2000), &mut |r| {
            for (c, t) in r.fields(&r.row.to_string()).iter().enumerate() {
                widths.see(c, t);
            }
            Ok(())
        })?;
        widths.apply(ws)?;
        header_row(ws, &columns, lang, &st, &mut Widths(Vec::new()))?;
        let mut row = 0u32;
        findings.visit(shown, &mut |r| {
            row += 1;
            for (c, t) in r.fields("").iter().enumerate() {
                if c == 1 {
                    ws.write_number(row, 1, f64::from(r.row))
                } else {
                    ws.write_string(row, c as u16, *t)
                }
                .map_err(std::io::Error::other)?;
            }
            Ok(())
        })?;
        ws.autofilter(0, 0, shown as u32, (columns.len() - 1) as u16)?;

        // Rule explanations, from the registry.
        let ws = book.add_worksheet().set_name(sheet_name("rules", lang))?;
        let columns: Vec<String> = ["rule", "name", "severity", "basis", "explanation"]
            .map(String::from)
            .to_vec();
        let mut widths = Widths(Vec::new());
        header_row(ws, &columns, lang, &st, &mut widths)?;
        for (i, r) in RULES.iter().enumerate() {
            let code = crate::rules::RuleCode::ALL[i];
            let explanation = if lang == Lang::Vi { r.vi } else { r.en };
            let cells = [
                r.code,
                r.name,
                run.rules.severity(code).code(),
                r.basis,
                explanation,
            ];
            for (c, t) in cells.iter().enumerate() {
                widths.see(c, t);
                ws.write_string(i as u32 + 1, c as u16, *t)?;
            }
        }
        ws.autofilter(0, 0, RULES.len() as u32, 4)?;
        widths.apply(ws)?;
        book.save_to_buffer()
    };
    let bytes = build().map_err(|e| Error::write(path, std::io::Error::other(e)))?;
    super::write::atomic(path, |w| std::io::Write::write_all(w, &bytes))
}

//! report.html: one self-contained page (no network) for people: totals, a chart of the worst 20
//! points, flagged share per carrier, counts per rule, and sortable, filterable tables. Charts are
//! inline SVG; sorting and filtering are a few lines of inline script. Readable on a laptop, printable.

use super::i18n::{label, value, Lang};
use super::summary::{Cell, Sheet, Summaries};
use super::RunView;
use crate::error::Result;
use std::fmt::Write;
use std::path::Path;

/// Rows of a big table shown in the page; the CSV files hold them all.
const MAX_ROWS: usize = 1000;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn int(c: &Cell) -> u64 {
    if let Cell::Int(n) = c {
        *n
    } else {
        0
    }
}

fn cell_html(c: &Cell) -> String {
    match c {
        Cell::Int(n) => format!("<td class=\"n\">{n}</td>"),
        Cell::Pct(p) => format!("<td class=\"n\">{p:.2}%</td>"),
        Cell::Text(t) => format!("<td>{}</td>", esc(t)),
    }
}

fn table(out: &mut String, id: &str, title: &str, sheet: &Sheet, lang: Lang) {
    let shown = sheet.rows.len().min(MAX_ROWS);
    let filter = if lang == Lang::Vi {
        "Lọc…"
    } else {
        "Filter…"
    };
    let _ = write!(
        out,
        "<section><h2>{}</h2><input class=\"filter\" data-table=\"{id}\" placeholder=\"{filter}\">",
        esc(title)
    );
    if shown < sheet.rows.len() {
        let note = match lang {
            Lang::Vi => format!(
                "Hiển thị {shown} trong {} dòng; xem đầy đủ trong tệp CSV.",
                sheet.rows.len()
            ),
            Lang::En => format!(
                "Showing {shown} of {} rows; the CSV file has them all.",
                sheet.rows.len()
            ),
        };
        let _ = write!(out, "<p class=\"note\">{}</p>", esc(&note));
    }
    let _ = write!(
        out,
        "<div class=\"scroll\"><table id=\"{id}\" class=\"sortable\"><thead><tr>"
    );
    for (j, c) in sheet.columns.iter().enumerate() {
        // A number column's header is right-aligned like its numbers.
        let numeric = sheet
            .rows
            .first()
            .and_then(|r| r.get(j))
            .is_some_and(|cell| !matches!(cell, Cell::Text(_)));
        let _ = write!(
            out,
            "<th{} title=\"{}\">{}</th>",
            if numeric { " class=\"n\"" } else { "" },
            esc(c),
            esc(&label(c, lang))
        );
    }
    out.push_str("</tr></thead><tbody>");
    for row in sheet.rows.iter().take(shown) {
        out.push_str("<tr>");
        for (c, column) in row.iter().zip(&sheet.columns) {
            match c {
                Cell::Text(t) => {
                    let _ = write!(out, "<td>{}</td>", esc(&value(column, t, lang)));
                }
                other => out.push_str(&cell_html(other)),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></section>");
}

/// Horizontal bar chart as inline SVG: (label, value, highlighted part).
fn bars(title: &str, items: &[(String, f64, f64)], unit: &str) -> String {
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max).max(1e-9);
    let (row_h, label_w, bar_w) = (22.0, 230.0, 480.0);
    let height = row_h * items.len() as f64 + 10.0;
    let mut s = format!(
        "<figure><figcaption>{}</figcaption><svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {:.1} {height:.1}\" width=\"100%\">",
        esc(title),
        esc(title),
        label_w + bar_w + 90.0
    );
    for (k, (name, value, part)) in items.iter().enumerate() {
        let y = k as f64 * row_h + 4.0;
        let w = bar_w * value / max;
        let pw = bar_w * part / max;
        let _ = write!(
            s,
            // Coordinates with one decimal: short, and no long digit runs that look like ID numbers.
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{label_w:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" class=\"bar\"/><rect x=\"{label_w:.1}\" y=\"{y:.1}\" width=\"{pw:.1}\" height=\"{:.1}\" class=\"bar hot\"/><text x=\"{:.1}\" y=\"{:.1}\">{}{unit}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(name),
            row_h - 6.0,
            row_h - 6.0,
            label_w + w + 6.0,
            y + 14.0,
            if unit == "%" { format!("{value:.1}") } else { format!("{value}") }
        );
    }
    s.push_str("</svg></figure>");
    s
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1f2933}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}.totals{display:flex;flex-wrap:wrap;gap:1rem}\
.totals div{background:#eef4fb;border-radius:6px;padding:.6rem 1rem}.totals b{display:block;font-size:1.4rem}\
table{border-collapse:collapse;font-size:.85rem;width:100%}th,td{border-bottom:1px solid #d9e2ec;padding:.25rem .5rem;text-align:left;white-space:nowrap}\
th{background:#ddebf7;cursor:pointer;position:sticky;top:0}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.scroll{max-height:32rem;overflow:auto}.filter{margin:.3rem 0;padding:.3rem;width:16rem}.note{color:#7b8794}\
.bar{fill:#9fb3c8}.bar.hot{fill:#d64545}svg text{font-size:12px;fill:#1f2933}figure{margin:1rem 0}figcaption{font-weight:600}\
@media print{.filter{display:none}.scroll{max-height:none;overflow:visible}th{position:static}}";

const SCRIPT: &str = "document.querySelectorAll('table.sortable').forEach(function(t){\
t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){\
var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),asc=th.dataset.dir!=='asc';\
t.querySelectorAll('th').forEach(function(h){delete h.dataset.dir});th.dataset.dir=asc?'asc':'desc';\
var v=function(r){var s=r.cells[i].textContent.replace('%','');var n=parseFloat(s);return isNaN(n)||!/^-?[0-9.]+$/.test(s)?s.toLowerCase():n};\
rows.sort(function(x,y){var a=v(x),c=v(y),d=typeof a!==typeof c?(typeof a==='number'?-1:1):a<c?-1:a>c?1:0;return d*(asc?1:-1)});rows.forEach(function(r){b.appendChild(r)})})})});\
document.querySelectorAll('input.filter').forEach(function(f){f.addEventListener('input',function(){\
var q=f.value.toLowerCase(),t=document.getElementById(f.dataset.table);\
Array.prototype.forEach.call(t.tBodies[0].rows,function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':''})})});";

pub fn write(path: &Path, run: RunView, s: &Summaries, lang: Lang) -> Result<()> {
    let vi = lang == Lang::Vi;
    let t = |v: &'static str, e: &'static str| if vi { v } else { e };
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>",
        if vi { "vi" } else { "en" },
        t("Báo cáo kiểm tra thông tin thuê bao", "Subscriber registration audit")
    );
    let _ = write!(
        o,
        "<h1>{}</h1>",
        t(
            "Báo cáo kiểm tra thông tin thuê bao di động",
            "Mobile subscriber registration audit"
        )
    );
    let files: Vec<String> = run.files.iter().map(|f| esc(&f.name)).collect();
    let _ = write!(
        o,
        "<p>{}: {} · {}: {}</p>",
        t("Tệp", "Files"),
        files.join(", "),
        t("Bộ quy tắc", "Rule set"),
        esc(&run.rules.name)
    );
    if let Some(area) = run.area {
        o.push_str("<p class=\"area\">");
        for (k, v) in super::i18n::area_lines(area, run.accepted, lang) {
            let _ = write!(o, "{}: {}<br>", esc(&k), esc(&v));
        }
        o.push_str("</p>");
    }
    let flagged: u64 = s.by_carrier.rows.iter().map(|r| int(&r[3])).sum();
    let read: usize = run.files.iter().map(|f| f.rows_read).sum();
    let totals = [
        (t("Dòng đã đọc", "Rows read"), read as u64),
        (t("Dòng bị loại", "Rows rejected"), run.rejects.len() as u64),
        (
            t(
                "Dòng bỏ qua (tiêu đề, chân trang…)",
                "Lines skipped (titles, footers…)",
            ),
            run.files.iter().map(|f| f.rows_skipped as u64).sum(),
        ),
        (t("Thuê bao bị đánh dấu", "Flagged subscriptions"), flagged),
        (t("Phát hiện", "Findings"), run.findings as u64),
        (
            t("Giấy tờ vượt hạn mức", "IDs over limit"),
            s.ids_over_limit.rows.len() as u64,
        ),
    ];
    o.push_str("<div class=\"totals\">");
    for (k, v) in totals {
        let _ = write!(o, "<div>{k}<b>{v}</b></div>");
    }
    o.push_str("</div>");

    let worst: Vec<(String, f64, f64)> = s
        .by_point
        .rows
        .iter()
        .filter(|r| int(&r[7]) > 0)
        .take(20)
        .map(|r| {
            (
                format!("{} {}", r[1].csv(), r[2].csv()),
                int(&r[7]) as f64,
                int(&r[9]) as f64,
            )
        })
        .collect();
    o.push_str(&bars(
        t(
            "20 điểm đăng ký xấu nhất, xếp như bảng theo điểm (nhiều vi phạm trước): thuê bao bị đánh dấu (đỏ: có vi phạm)",
            "Worst 20 points, ranked as in the by-point table (most violations first): flagged subscriptions (red: with a violation)",
        ),
        &worst,
        "",
    ));
    let share: Vec<(String, f64, f64)> = s
        .by_carrier
        .rows
        .iter()
        .map(|r| {
            let p = if let Cell::Pct(p) = r[4] { p } else { 0.0 };
            (r[0].csv(), p, 0.0)
        })
        .collect();
    o.push_str(&bars(
        t(
            "Tỷ lệ thuê bao bị đánh dấu theo nhà mạng",
            "Flagged share per carrier",
        ),
        &share,
        "%",
    ));

    table(
        &mut o,
        "by-rule",
        t("Theo quy tắc", "By rule"),
        &s.by_rule,
        lang,
    );
    table(
        &mut o,
        "by-carrier",
        t("Theo nhà mạng", "By carrier"),
        &s.by_carrier,
        lang,
    );
    table(
        &mut o,
        "by-point",
        t("Theo điểm đăng ký", "By point"),
        &s.by_point,
        lang,
    );
    table(
        &mut o,
        "ids",
        t("Giấy tờ vượt hạn mức", "IDs over limit"),
        &s.ids_over_limit,
        lang,
    );
    let _ = write!(o, "<script>{SCRIPT}</script></body></html>");
    super::write::atomic(path, |w| std::io::Write::write_all(w, o.as_bytes()))
}

/// A page of its own (another command's report): a title, lines of text, then each table with its
/// heading, sortable and filterable like report.html's.
pub fn write_tables(
    path: &Path,
    title: &str,
    lines: &[String],
    tables: &[(&str, &str, &Sheet)],
    lang: Lang,
) -> Result<()> {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1>",
        if lang == Lang::Vi { "vi" } else { "en" },
        esc(title),
        esc(title)
    );
    for line in lines {
        let _ = write!(o, "<p>{}</p>", esc(line));
    }
    for (id, heading, sheet) in tables {
        table(&mut o, id, heading, sheet, lang);
    }
    let _ = write!(o, "<script>{SCRIPT}</script></body></html>");
    super::write::atomic(path, |w| std::io::Write::write_all(w, o.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">Trần & 'co'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Trần &amp; &#39;co&#39;&lt;/a&gt;"
        );
    }
}

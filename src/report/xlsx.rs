//! report.xlsx for the inspection team: summary, by carrier, by point, by rule, IDs over limit, findings
//! (capped at Excel's row limit, with a note) and the rule explanations. Vietnamese headers by default;
//! frozen header row, filters, fitting widths; numbers as numbers, percentages and dates formatted.

use super::i18n::{label, sheet_name, value, Lang};
use super::summary::{Cell, Sheet, Summaries};
use super::write::{BlockWriter, FindingBlock, Pending, FINDING_COLUMNS, ROW_COLUMN};
use super::zipfile::{part_time, Piece, ZipOut};
use super::RunView;
use crate::error::{Error, Result};
use crate::normalize::NumberText;
use crate::rules::RULES;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// Excel's last row is 1,048,576: the header plus 1,048,575 findings.
pub const FINDINGS_CAP: usize = 1_048_575;

struct Styles {
    header: Format,
    pct: Format,
    datetime: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new().set_bold().set_background_color("#DDEBF7"),
            pct: Format::new().set_num_format("0.00%"),
            datetime: Format::new().set_num_format("dd/mm/yyyy hh:mm:ss"),
        }
    }
}

/// A new workbook to be saved as `path`. Deflate level 1 instead of 6: compressing a big sheet (the
/// findings, up to a million rows) dominated the time to write a workbook, for a file only somewhat
/// smaller. The rows of table sheets wait in unnamed temporary files beside `path` (gone whichever
/// way the run ends), on the disk the user chose for the outputs.
fn new_book(path: &Path) -> std::result::Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    book.set_zip_compression_level(1);
    book.set_tempdir(folder_of(path))?;
    Ok(book)
}

/// The folder `path` is in (`.` for a bare file name): the workbook's temporary files go there.
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// An unnamed temporary file in `path`'s folder, as the library's own for the table sheets: never
/// visible, its space reclaimed whichever way the run ends.
fn unnamed_file_beside(path: &Path) -> std::io::Result<std::fs::File> {
    tempfile::tempfile_in(folder_of(path))
}

/// A sheet for a table of any length: its rows go to a temporary file as they are written, so the
/// workbook adds no memory per row (the table itself is still held).
fn table_sheet<'b>(
    book: &'b mut Workbook,
    name: &str,
) -> std::result::Result<&'b mut Worksheet, XlsxError> {
    book.add_worksheet_with_constant_memory()?.set_name(name)
}

/// A summary sheet: `title`, a blank row, then `lines` as label / value pairs; print-ready.
fn titled_lines(
    ws: &mut Worksheet,
    title: &str,
    lines: &[(String, Cell)],
    lang: Lang,
    st: &Styles,
) -> std::result::Result<(), XlsxError> {
    let mut widths = Widths(Vec::new());
    ws.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    for (r, (k, v)) in lines.iter().enumerate() {
        let r = r as u32 + 2;
        widths.see(0, k);
        ws.write_string_with_format(r, 0, k, &st.header)?;
        match v {
            Cell::Int(n) => ws.write_number(r, 1, *n as f64).map(|_| ())?,
            other => {
                widths.see(1, &other.csv());
                ws.write_string(r, 1, other.csv()).map(|_| ())?
            }
        }
    }
    widths.apply(ws)?;
    print_setup(ws, title, lang, false);
    Ok(())
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
                        let t = value(&sheet.columns[c], t, lang);
                        widths.see(c, &t);
                        ws.write_string(r, col, t.as_ref())?;
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

/// A workbook of its own (another command's report): one print-ready table sheet per entry of
/// `sheets` (sheet name, table), then a titled sheet of `lines` (label, value).
pub fn write_sheets(
    path: &Path,
    title: &str,
    lines: &[(String, Cell)],
    sheets: &[(&str, &Sheet)],
    lang: Lang,
) -> Result<()> {
    let build = || -> std::result::Result<Vec<u8>, XlsxError> {
        let st = Styles::new();
        let mut book = new_book(path)?;
        for (name, sheet) in sheets {
            let ws = table_sheet(&mut book, name)?;
            table(ws, sheet, lang, &st)?;
            print_setup(ws, title, lang, true);
        }
        let ws = book.add_worksheet().set_name(sheet_name("summary", lang))?;
        titled_lines(ws, title, lines, lang, &st)?;
        book.save_to_buffer()
    };
    let bytes = build().map_err(|e| Error::write(path, std::io::Error::other(e)))?;
    super::write::atomic(path, |w| std::io::Write::write_all(w, &bytes))
}

/// Print-ready: A4 landscape, fitted to the page's width, `title` in the page header and page numbers
/// in the footer, the header row repeated on every page when `repeat_header`.
pub fn print_setup(ws: &mut Worksheet, title: &str, lang: Lang, repeat_header: bool) {
    const A4: u8 = 9;
    ws.set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        // `&` starts a code in a page header: a title's own `&` is doubled.
        .set_header(format!("&C&\"-,Bold\"{}", title.replace('&', "&&")))
        .set_footer(format!(
            "&C{} &P / &N",
            if lang == Lang::Vi { "Trang" } else { "Page" }
        ));
    if repeat_header {
        // Only fails for a row number out of range, and row 0 is not.
        let _ = ws.set_repeat_rows(0, 0);
    }
}

fn findings_cap() -> usize {
    std::env::var("SIMAUDIT_XLSX_FINDINGS_CAP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(FINDINGS_CAP)
        .min(FINDINGS_CAP)
}

/// report.xlsx, written when the findings' rows come: the workbook is made with the first block (its
/// rows give the findings sheet's column widths), and the findings sheet takes the rows block by
/// block.
pub fn start<'a>(path: &Path, run: RunView<'a>, s: &'a Summaries, lang: Lang) -> XlsxBlocks<'a> {
    XlsxBlocks::Waiting {
        path: path.to_path_buf(),
        run,
        s,
        lang,
    }
}

/// The workbook but the findings' rows, with the findings sheet's path in it and the rows it takes.
/// The workbook is saved to an unnamed temporary file beside `path`, not held in memory while the
/// findings are written: `ids_over_limit` alone can hold hundreds of thousands of rows.
fn build(
    path: &Path,
    run: RunView,
    s: &Summaries,
    first: &FindingBlock,
    lang: Lang,
) -> Result<(Book, String, usize)> {
    let build = || -> std::result::Result<(Book, String, usize), XlsxError> {
        let st = Styles::new();
        let mut book = new_book(path)?;
        let cap = findings_cap();
        let shown = run.findings.min(cap);

        // Summary: key figures as label / value pairs.
        let ws = book.add_worksheet().set_name(sheet_name("summary", lang))?;
        let read: usize = run.files.iter().map(|f| f.rows_read).sum();
        let pick = |vi: &str, en: &str| lang.pick(vi, en).to_string();
        let title = pick(
            "Báo cáo kiểm tra thông tin thuê bao di động",
            "Mobile subscriber registration audit",
        );
        let period = s.period.map_or_else(String::new, |(from, to)| {
            format!("{} – {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y"))
        });
        let mut lines: Vec<(String, Cell)> = vec![
            (
                pick(
                    "Kỳ kiểm tra (kích hoạt đầu tiên – cuối cùng)",
                    "Audit period (first – last activation)",
                ),
                Cell::Text(period),
            ),
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
                pick(
                    "Dòng bỏ qua (tiêu đề, chân trang…, xem manifest.json)",
                    "Lines skipped (titles, footers…, see manifest.json)",
                ),
                Cell::Int(run.files.iter().map(|f| f.rows_skipped as u64).sum()),
            ),
            (
                pick("Số phát hiện", "Findings"),
                Cell::Int(run.findings as u64),
            ),
            (
                pick("Bộ quy tắc", "Rule set"),
                Cell::Text(run.rules.name.clone()),
            ),
            (
                pick("SHA-256 của bộ quy tắc", "Rule set SHA-256"),
                Cell::Text(run.rules.sha256.clone()),
            ),
        ];
        if let Some(area) = run.area {
            lines.extend(
                super::i18n::area_lines(area, run.accepted, lang)
                    .into_iter()
                    .map(|(k, v)| (k, Cell::Text(v))),
            );
        }
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
        titled_lines(ws, &title, &lines, lang, &st)?;

        for (key, sheet) in [
            ("by_carrier", &s.by_carrier),
            ("by_point", &s.by_point),
            ("by_rule", &s.by_rule),
        ] {
            let ws = table_sheet(&mut book, sheet_name(key, lang))?;
            table(ws, sheet, lang, &st)?;
            print_setup(ws, &title, lang, true);
        }
        let ws = table_sheet(&mut book, sheet_name("ids_over_limit", lang))?;
        table(ws, &s.ids_over_limit, lang, &st)?;
        print_setup(ws, &title, lang, true);

        // Findings: the workbook gets the sheet with its header, widths and filter only; its rows
        // (up to a million) are written into the file afterwards by `SheetSplice`, straight as XML:
        // through the library, each cell cost two allocations, a map insert and a formatted write,
        // most of the time of a large run's report.
        let ws = book
            .add_worksheet()
            .set_name(sheet_name("findings", lang))?;
        let columns: Vec<String> = FINDING_COLUMNS.iter().map(|c| c.to_string()).collect();
        let mut widths = Widths(Vec::new());
        for (c, name) in columns.iter().enumerate() {
            widths.see(c, &label(name, lang));
        }
        for i in 0..first.len().min(shown).min(2000) {
            let row = first.row(i).to_string();
            for (c, t) in first.fields(i, &row).iter().enumerate() {
                widths.see(c, t);
            }
        }
        widths.apply(ws)?;
        header_row(ws, &columns, lang, &st, &mut Widths(Vec::new()))?;
        ws.autofilter(0, 0, shown as u32, (columns.len() - 1) as u16)?;
        print_setup(ws, &title, lang, true);
        let findings_sheet = format!("xl/worksheets/sheet{}.xml", book.worksheets().len());

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
                if lang == Lang::Vi { r.vi_name } else { r.name },
                &value("severity", run.rules.severity(code).code(), lang),
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
        print_setup(ws, &title, lang, true);
        let mut saved = std::io::BufWriter::new(unnamed_file_beside(path)?);
        book.save_to_writer(&mut saved)?;
        let mut saved = saved.into_inner().map_err(|e| e.into_error())?;
        saved.rewind()?;
        Ok((std::io::BufReader::new(saved), findings_sheet, shown))
    };
    build().map_err(|e| Error::write(path, std::io::Error::other(e)))
}

/// A saved workbook, read back as its parts are copied.
type Book = std::io::BufReader<std::fs::File>;

/// report.xlsx: waiting for the first block of rows, then being written.
pub enum XlsxBlocks<'a> {
    Waiting {
        path: std::path::PathBuf,
        run: RunView<'a>,
        s: &'a Summaries,
        lang: Lang,
    },
    /// The splice first: an unfinished workbook's last bytes go to the temporary file before it is
    /// removed.
    Writing(
        Box<SheetSplice<std::io::BufWriter<std::fs::File>, Book>>,
        Pending,
    ),
    Failed,
}

impl XlsxBlocks<'_> {
    /// Makes the workbook, `first` being the first block of rows (left `Failed` if it cannot be).
    fn open(&mut self, first: &FindingBlock) -> Result<()> {
        let XlsxBlocks::Waiting { path, run, s, lang } =
            std::mem::replace(self, XlsxBlocks::Failed)
        else {
            return Err(Error::Input("report.xlsx is made once".into()));
        };
        let (book, sheet, shown) = build(&path, run, s, first, lang)?;
        let (pending, out) = Pending::create(&path)?;
        let splice =
            SheetSplice::start(out, book, &sheet, shown, lang).map_err(|e| pending.fail(e))?;
        *self = XlsxBlocks::Writing(Box::new(splice), pending);
        Ok(())
    }
}

impl BlockWriter for XlsxBlocks<'_> {
    fn name(&self) -> &'static str {
        "report.xlsx"
    }

    fn write(&mut self, block: &FindingBlock) -> Result<()> {
        if matches!(self, XlsxBlocks::Waiting { .. }) {
            self.open(block)?;
        }
        match self {
            XlsxBlocks::Writing(splice, pending) => splice.rows(block).map_err(|e| pending.fail(e)),
            _ => Err(Error::Input(
                "report.xlsx: the workbook could not be made".into(),
            )),
        }
    }

    fn finish(self: Box<Self>) -> Result<()> {
        match *self {
            XlsxBlocks::Writing(splice, pending) => match splice.finish() {
                Ok(out) => pending.commit(out),
                Err(e) => Err(pending.fail(e)),
            },
            // The writers always get a block before they finish.
            _ => Err(Error::Input("report.xlsx was given no rows".into())),
        }
    }
}

/// A workbook being copied to `W` with the findings' rows put into its sheet (which holds the header
/// row only): every other part is copied as it is, compressed already. The sheet's rows are made and
/// deflated in pieces side by side, and the pieces written in order.
pub struct SheetSplice<W: Write + Seek, R: Read + Seek> {
    zip: ZipOut<W>,
    parts: zip::ZipArchive<R>,
    /// The first part after the findings sheet.
    next: usize,
    /// The sheet's XML after its rows.
    tail: String,
    /// Rows the sheet takes (Excel's limit), and rows written so far.
    shown: usize,
    written: usize,
    lang: Lang,
}

/// Rows per deflated piece of the findings sheet: large enough that a piece's empty window and sync
/// flush cost little, small enough that a block of rows gives the threads several pieces each and
/// the pieces in flight hold little memory.
const PIECE_ROWS: usize = 4096;
/// A findings row's sheet XML is usually shorter (a piece's buffer grows when it is not).
const ROW_XML_BYTES: usize = 768;

impl<W: Write + Seek, R: Read + Seek> SheetSplice<W, R> {
    /// Copies the parts of `book` before `sheet`, then the sheet's XML up to its rows.
    fn start(
        out: W,
        book: R,
        sheet: &str,
        shown: usize,
        lang: Lang,
    ) -> std::io::Result<SheetSplice<W, R>> {
        let mut parts = zip::ZipArchive::new(book)?;
        let mut zip = ZipOut::new(out);
        for k in 0..parts.len() {
            let part = parts.by_index_raw(k)?;
            if part.name()? != sheet {
                zip.copy_raw(part)?;
                continue;
            }
            let (time, date) = part_time(&part);
            drop(part);
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut parts.by_index(k)?, &mut xml)?;
            let (head, tail) = xml
                .split_once("</sheetData>")
                .ok_or_else(|| std::io::Error::other("the findings sheet has no rows element"))?;
            let last = FINDING_COLUMNS.len() - 1;
            let dimension = format!(
                "<dimension ref=\"A1:{}{}\"/>",
                column_letter(last),
                shown + 1
            );
            zip.begin(sheet, time, date)?;
            zip.piece(Piece::deflate(
                with_dimension(head, &dimension).as_bytes(),
                false,
            )?)?;
            return Ok(SheetSplice {
                zip,
                tail: tail.to_string(),
                parts,
                next: k + 1,
                shown,
                written: 0,
                lang,
            });
        }
        Err(std::io::Error::other("the workbook has no findings sheet"))
    }

    /// The block's rows, as long as the sheet has room: pieces of [`PIECE_ROWS`] rows made and
    /// deflated on the thread pool, a few per thread at a time (so memory holds a few pieces, not the
    /// block's XML).
    fn rows(&mut self, block: &FindingBlock) -> std::io::Result<()> {
        use rayon::prelude::*;
        let n = block.len().min(self.shown - self.written);
        let starts: Vec<usize> = (0..n).step_by(PIECE_ROWS).collect();
        let lang = self.lang;
        for wave in starts.chunks(2 * rayon::current_num_threads()) {
            let pieces: Vec<std::io::Result<Piece>> = wave
                .par_iter()
                .map(|&start| {
                    let end = (start + PIECE_ROWS).min(n);
                    let mut xml = Vec::with_capacity((end - start) * ROW_XML_BYTES);
                    for i in start..end {
                        // The header is row 1.
                        let at = (self.written + i) as u32 + 2;
                        finding_row_xml(&mut xml, at, block.row(i), block.fields(i, ""), lang);
                    }
                    Piece::deflate(&xml, false)
                })
                .collect();
            for piece in pieces {
                self.zip.piece(piece?)?;
            }
        }
        self.written += n;
        Ok(())
    }

    /// The sheet's end and the parts after it; returns the writer.
    fn finish(mut self) -> std::io::Result<W> {
        let end = format!("</sheetData>{}", self.tail);
        self.zip.piece(Piece::deflate(end.as_bytes(), true)?)?;
        self.zip.end()?;
        for k in self.next..self.parts.len() {
            let part = self.parts.by_index_raw(k)?;
            self.zip.copy_raw(part)?;
        }
        self.zip.finish()
    }
}

/// `head` (the sheet's XML up to its rows) with its `<dimension …/>` element replaced.
fn with_dimension(head: &str, dimension: &str) -> String {
    match head.find("<dimension ") {
        Some(start) => match head[start..].find("/>") {
            Some(len) => format!("{}{dimension}{}", &head[..start], &head[start + len + 2..]),
            None => head.to_string(),
        },
        None => head.to_string(),
    }
}

fn column_letter(c: usize) -> char {
    // The findings have twelve columns: one letter each.
    (b'A' + c as u8) as char
}

/// One findings row as sheet XML: texts inline, the row number as a number, empty texts left out
/// (as the library leaves them out).
fn finding_row_xml(out: &mut Vec<u8>, at: u32, row: u32, fields: [&str; 12], lang: Lang) {
    // Written piece by piece: no formatting machinery per cell, for millions of rows.
    let row_text = NumberText::of_u32(at);
    let cell = |out: &mut Vec<u8>, letter: char| {
        out.extend_from_slice(b"<c r=\"");
        out.push(letter as u8);
        out.extend_from_slice(row_text.as_bytes());
        out.push(b'"');
    };
    out.extend_from_slice(b"<row r=\"");
    out.extend_from_slice(row_text.as_bytes());
    out.extend_from_slice(b"\">");
    for (c, text) in fields.iter().enumerate() {
        let letter = column_letter(c);
        // Only the coded columns are looked up: this runs for every cell of up to a million rows.
        let column = FINDING_COLUMNS[c];
        let text: &str = &if matches!(column, "subscriber_type" | "id_type" | "severity") {
            value(column, text, lang)
        } else {
            std::borrow::Cow::Borrowed(*text)
        };
        if c == ROW_COLUMN {
            cell(out, letter);
            out.extend_from_slice(b"><v>");
            out.extend_from_slice(NumberText::of_u32(row).as_bytes());
            out.extend_from_slice(b"</v></c>");
        } else if !text.is_empty() {
            cell(out, letter);
            out.extend_from_slice(b" t=\"inlineStr\"><is><t");
            if text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']) {
                out.extend_from_slice(b" xml:space=\"preserve\"");
            }
            out.push(b'>');
            escape_cell_text(out, text);
            out.extend_from_slice(b"</t></is></c>");
        }
    }
    out.extend_from_slice(b"</row>");
}

/// Cell text as sheet XML, escaped as Excel reads it: XML's `& < >`, control characters and the two
/// non-characters as `_xHHHH_`, and a literal `_xHHHH_` kept literal by escaping its underscore.
fn escape_cell_text(out: &mut Vec<u8>, text: &str) {
    let plain = |b: u8| {
        !matches!(b, b'&' | b'<' | b'>' | b'_' | 0xEF) && b >= 0x20 || b == b'\t' || b == b'\n'
    };
    if text.bytes().all(plain) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for (i, ch) in text.char_indices() {
        match ch {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\t' | '\n' => out.push(ch as u8),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {
                out.extend_from_slice(format!("_x{:04X}_", ch as u32).as_bytes())
            }
            '_' if is_escape_like(&text[i..]) => out.extend_from_slice(b"_x005F_"),
            _ => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// Whether `s` starts with `_xHHHH_` (Excel's escape of a character by its hex code).
fn is_escape_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::write::{FindingRow, FindingRows};

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        escape_cell_text(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn cell_text_is_escaped_as_excel_reads_it() {
        assert_eq!(escaped("Nguyễn Văn Hùng"), "Nguyễn Văn Hùng");
        assert_eq!(escaped("a&b<c>d"), "a&amp;b&lt;c&gt;d");
        assert_eq!(escaped("x\u{1}y\u{1F}"), "x_x0001_y_x001F_");
        assert_eq!(escaped("tab\tnew\nline"), "tab\tnew\nline");
        assert_eq!(
            escaped("_x0041_ and _xZZ_ and _x12"),
            "_x005F_x0041_ and _xZZ_ and _x12"
        );
        assert_eq!(escaped("\u{FFFE}\u{FB00}"), "_xFFFE_\u{FB00}");
    }

    struct Rows(Vec<(u32, &'static str)>);

    impl FindingRows for Rows {
        fn visit(
            &self,
            each: &mut dyn FnMut(&FindingRow) -> std::io::Result<()>,
        ) -> std::io::Result<()> {
            for (row, detail) in &self.0 {
                each(&FindingRow {
                    file: "a.csv",
                    row: *row,
                    carrier: "VIETTEL",
                    msisdn: "0912345678".into(),
                    subscriber_type: "individual",
                    id_type: "",
                    id_number: "".into(),
                    full_name: " Lê Thị Hoa ".into(),
                    point_id: "P&1",
                    rule: "XR004",
                    severity: "warning",
                    detail: (*detail).into(),
                })?;
            }
            Ok(())
        }
    }

    /// A workbook with a findings sheet holding the header row, and that sheet's path in it.
    fn header_only_book() -> (std::io::Cursor<Vec<u8>>, String) {
        let mut book = Workbook::new();
        book.add_worksheet().set_name("first").unwrap();
        let ws = book.add_worksheet().set_name("findings").unwrap();
        for (c, name) in FINDING_COLUMNS.iter().enumerate() {
            ws.write_string(0, c as u16, *name).unwrap();
        }
        let sheet = format!("xl/worksheets/sheet{}.xml", book.worksheets().len());
        (std::io::Cursor::new(book.save_to_buffer().unwrap()), sheet)
    }

    fn block_of(rows: &Rows) -> FindingBlock {
        let mut block = FindingBlock::default();
        rows.visit(&mut |r| {
            block.push(r);
            Ok(())
        })
        .unwrap();
        block
    }

    #[test]
    fn rows_of_many_pieces_and_blocks_read_back_in_order() {
        let (book, sheet) = header_only_book();
        let n = 2 * PIECE_ROWS + 7;
        let rows = Rows((0..n as u32).map(|r| (r + 10, "d")).collect());
        let block = block_of(&rows);
        let out = std::io::Cursor::new(Vec::new());
        let mut splice = SheetSplice::start(out, book, &sheet, 2 * n, Lang::En).unwrap();
        // The same rows twice: pieces within a block and across blocks.
        splice.rows(&block).unwrap();
        splice.rows(&block).unwrap();
        let mut out = splice.finish().unwrap();
        out.set_position(0);
        let mut read = calamine::open_workbook_auto_from_rs(out).unwrap();
        use calamine::Reader;
        let range = read.worksheet_range("findings").unwrap();
        assert_eq!(range.get_size(), (2 * n + 1, 12));
        for (sheet_row, want) in [
            (1, 10),
            (PIECE_ROWS, PIECE_ROWS + 9),
            (PIECE_ROWS + 1, PIECE_ROWS + 10),
            (n, n + 9),
            (n + 1, 10),
            (2 * n, n + 9),
        ] {
            let got = range
                .get((sheet_row, 1))
                .map(|d| d.to_string())
                .unwrap_or_default();
            assert_eq!(got, want.to_string(), "sheet row {sheet_row}");
        }
        assert!(read.worksheet_range("first").is_ok());
    }

    #[test]
    fn spliced_rows_read_back_as_written() {
        let (book, sheet) = header_only_book();
        let rows = Rows(vec![
            (7, "plain"),
            (9, "<tag> & \u{1}bell _x0041_"),
            (12, "not shown: over the limit"),
        ]);
        let block = block_of(&rows);
        let out = std::io::Cursor::new(Vec::new());
        let mut splice = SheetSplice::start(out, book, &sheet, 2, Lang::En).unwrap();
        splice.rows(&block).unwrap();
        let mut out = splice.finish().unwrap();
        out.set_position(0);
        let mut read = calamine::open_workbook_auto_from_rs(out).unwrap();
        use calamine::Reader;
        let range = read.worksheet_range("findings").unwrap();
        assert_eq!(range.get_size(), (3, 12));
        let cell =
            |r: usize, c: usize| range.get((r, c)).map(|d| d.to_string()).unwrap_or_default();
        assert_eq!(cell(0, 11), "detail");
        assert_eq!((cell(1, 1), cell(1, 11)), ("7".into(), "plain".into()));
        assert_eq!(cell(2, 11), "<tag> & \u{1}bell _x0041_");
        assert_eq!(
            (cell(2, 5), cell(2, 7), cell(2, 8)),
            ("".into(), " Lê Thị Hoa ".into(), "P&1".into())
        );
    }
}

//! Reading records out of one file: delimited text (sniffed delimiter, RFC 4180 quoting, quoted newlines,
//! stray quotes tolerated) or Parquet. Yields each record with its 1-based number after the header.

use super::batch::{BadRecord, Batch};
use super::decode::{self, Encoding};
use super::layout::{self, Layout, SkipKind, SkippedLine};
use super::records::Records;
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// A delimited file's text: decoded into memory, or, for a UTF-8 file, mapped from disk. A national
/// extract is tens of GB: mapped, the pages already parsed are handed back to the kernel as reading
/// proceeds ([`Text::release`]), so a run never holds a whole file.
///
/// Mapped text stays bytes: the pages handed back are read again from the file, which another program
/// may change meanwhile, so the check that chose UTF-8 proves nothing about the bytes parsed later.
/// Fields become text only when their batch is sealed, after a check of their own
/// ([`super::batch::Batch::seal`]).
pub enum Text {
    Owned(String),
    /// Found to be UTF-8 throughout when mapped; `start` skips a byte-order mark.
    Mapped {
        map: memmap2::Mmap,
        start: usize,
    },
}

impl Text {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Text::Owned(s) => s.as_bytes(),
            Text::Mapped { map, start } => &map[*start..],
        }
    }

    /// The text before byte `upto` will not be read again: drop its pages from this process's memory
    /// (they stay in the page cache, and would simply be read again if touched).
    pub fn release(&self, upto: usize) {
        if let Text::Mapped { map, start } = self {
            // SAFETY: DONTNEED on a read-only shared file mapping only drops resident pages; the bytes
            // stay valid and are faulted back in from the file if read again.
            let _ = unsafe {
                map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    0,
                    (start + upto).min(map.len()),
                )
            };
        }
    }
}

/// A whole file mapped into memory when it is UTF-8 text: its UTF-8 is checked in windows, each
/// released after use, on the thread pool — or, for a file looked at ahead of its turn (`ahead`),
/// on the calling thread alone, stopping as soon as `ahead` is set. `Err` gives back the map when
/// the file is not UTF-8 throughout (or holds NUL bytes), for the decoding path, or was stopped.
fn map_utf8(
    map: memmap2::Mmap,
    ahead: Option<&AtomicBool>,
) -> std::result::Result<Text, memmap2::Mmap> {
    // Small enough not to add much to the memory of the parsing beside it (see `Opened`).
    const WINDOW: usize = 64 << 20;
    let mut at = 0;
    while at < map.len() {
        let mut end = (at + WINDOW).min(map.len());
        // Windows end before a UTF-8 continuation byte, so each is checked whole.
        while end < map.len() && (map[end] & 0xC0) == 0x80 {
            end += 1;
        }
        let piece = &map[at..end];
        let utf8 = match ahead {
            None => decode::is_utf8(piece),
            Some(stop) if stop.load(Ordering::Relaxed) => return Err(map),
            Some(_) => simdutf8::basic::from_utf8(piece).is_ok(),
        };
        if piece.contains(&0) || !utf8 {
            return Err(map);
        }
        at = end;
        // SAFETY: as in `Text::release`.
        let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, at) };
    }
    let start = if map.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    Ok(Text::Mapped { map, start })
}

/// The SHA-256 of the file at `path`, in hex. Read on its own (from the page cache, as the file is being
/// parsed), so that it runs beside the parsing instead of before it.
pub fn sha256_of(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let err = |e| Error::read(path, e);
    let mut file = std::fs::File::open(path).map_err(err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 4 << 20];
    loop {
        let n = file.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// A test hook: with `SIMAUDIT_TEST_PAUSE=FILE`, a run pauses right after a mapped input was found to
/// be UTF-8 (for inputs after the first, the check ahead of its turn pauses, and the run waits for it
/// when that input's turn comes): it creates `FILE.paused` and waits, up to a minute, for `FILE` to
/// exist. A test changes the input meanwhile, as another program writing to it during a run would.
/// simaudit itself never writes to an input.
fn pause_for_test() {
    let Some(go) = std::env::var_os("SIMAUDIT_TEST_PAUSE") else {
        return;
    };
    let go = std::path::PathBuf::from(go);
    let _ = std::fs::write(go.with_extension("paused"), b"");
    for _ in 0..6000 {
        if go.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

pub enum Source {
    Delimited {
        text: Text,
        encoding: Encoding,
        lossy: bool,
        delimiter: u8,
        headers: Vec<String>,
        layout: Layout,
    },
    Parquet {
        df: DataFrame,
        headers: Vec<String>,
    },
    Sheet {
        /// Non-empty rows with their row numbers in the sheet.
        rows: Vec<(u32, Vec<String>)>,
        headers: Vec<String>,
        layout: Layout,
    },
}

/// A header cell as matched against profiles: trimmed, and repaired from a legacy encoding (TCVN3,
/// VNI, Windows-1258, double-encoded UTF-8) as names are. ASCII cells are left alone: VIQR's marks
/// (`(`, `?`, `.`) are common in plain headers.
pub fn header_cell(raw: &str) -> String {
    let cell = raw.trim();
    if cell.is_ascii() {
        return cell.to_string();
    }
    crate::text::repair(cell).map_or_else(|| cell.to_string(), |(fixed, _)| fixed)
}

impl Source {
    /// Tells the footer rule which columns hold the phone and ID numbers.
    pub fn set_number_columns(&mut self, columns: Vec<usize>) {
        if let Source::Delimited { layout, .. } | Source::Sheet { layout, .. } = self {
            layout.number_columns = columns;
        }
    }

    /// The header as read, when it differs from the header as repaired.
    pub fn header_as_read(&self) -> Option<&[String]> {
        match self {
            Source::Delimited {
                headers, layout, ..
            }
            | Source::Sheet {
                headers, layout, ..
            } if *headers != layout.header_cells => Some(&layout.header_cells),
            _ => None,
        }
    }
}

/// A row near the top of a file that may be its header.
#[derive(Debug, Clone, Default)]
pub struct HeadRow {
    /// Index among the file's records (or the sheet's non-empty rows).
    pub index: usize,
    /// Line of the file (row of the sheet), as an editor or a spreadsheet numbers it.
    pub line: u64,
    pub cells: Vec<String>,
}

/// A record that may be part of the footer, held until a record follows it (then it is a record) or
/// the file ends (then it is the footer).
struct Held {
    line: u64,
    raw: String,
    fields: Vec<Vec<u8>>,
    /// Why it cannot be read, if it is a record.
    reason: Option<String>,
}

/// The delimiter that occurs most often outside quotes in the first line (`,` wins ties); when the
/// first line has none (a title above the header), in the first 50 lines.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    match count_delimiters(text, 1) {
        Some(d) => d,
        None => count_delimiters(text, layout::HEADER_SEARCH_ROWS).unwrap_or(b','),
    }
}

/// The delimiter that occurs most often outside quotes in the first `lines` lines, if any does.
fn count_delimiters(text: &[u8], lines: usize) -> Option<u8> {
    let mut seen = 0;
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                seen += 1;
                if seen == lines {
                    break;
                }
            }
            _ if !quoted => {
                if let Some(i) = candidates.iter().position(|c| *c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..4).rev().max_by_key(|&i| counts[i]).unwrap_or(0);
    (counts[best] > 0).then_some(candidates[best])
}

const PARQUET: &[u8] = b"PAR1";
/// `.xlsx`/`.xlsb`/`.ods` are zip files, `.xls` an OLE compound file.
const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
const GZIP: &[u8] = &[0x1f, 0x8b];

/// Whether a file starting with `head` is a workbook (`.xlsx`, `.xls`, `.xlsb`, `.ods`).
pub fn is_workbook(head: &[u8]) -> bool {
    head.starts_with(ZIP) || head.starts_with(OLE)
}

/// Whether a file starting with `head` is Parquet, Excel or gzip rather than text: its header is not in
/// its first bytes, so it must be read whole to be checked.
pub fn is_binary(head: &[u8]) -> bool {
    [PARQUET, ZIP, OLE, GZIP]
        .iter()
        .any(|sig| head.starts_with(sig))
}

/// A file looked at before it is read: mapped and found to be UTF-8 text, or to be read whole (and
/// decoded) by [`Source::read`]. Holds no more than the file's map, so the next input can be looked
/// at while this one is parsed.
pub struct Opened {
    size: u64,
    kind: OpenedKind,
}

enum OpenedKind {
    /// UTF-8 text, mapped; the encoding it was found in.
    Text(Text, Encoding),
    /// Anything else (a binary format, another encoding, an empty file): the map, if made.
    Other(Option<memmap2::Mmap>),
}

impl Opened {
    /// Maps the file at `path` and checks whether it is UTF-8 text (unless `encoding` says it is
    /// not), reading it once.
    pub fn open(path: &Path, encoding: Option<Encoding>) -> Result<Opened> {
        Opened::look(path, encoding, None)
    }

    /// [`Opened::open`] on a thread of its own, while another file is parsed: the check runs on
    /// that thread alone, not on the pool the parsing uses, and gives up once `stop` is set.
    pub fn ahead(path: &Path, encoding: Option<Encoding>, stop: &AtomicBool) -> Result<Opened> {
        let opened = Opened::look(path, encoding, Some(stop))?;
        if stop.load(Ordering::Relaxed) {
            return Err(Error::Input(format!(
                "{}: not read (the run stopped)",
                path.display()
            )));
        }
        Ok(opened)
    }

    fn look(path: &Path, encoding: Option<Encoding>, ahead: Option<&AtomicBool>) -> Result<Opened> {
        let err = |e| Error::read(path, e);
        let file = std::fs::File::open(path).map_err(err)?;
        let size = file.metadata().map_err(err)?.len();
        let may_be_utf8 = matches!(
            encoding,
            None | Some(Encoding::Utf8) | Some(Encoding::Utf8Bom)
        );
        let kind = if size > 0 && may_be_utf8 {
            // SAFETY: the map is only read, and its bytes are treated as untrusted: never taken as
            // text without a check (`Batch::seal`), every index bounds-checked. Another program may
            // still change the file underneath: a change that leaves invalid UTF-8 is found when the
            // batch is sealed, and a file cut short raises SIGBUS, which the binary reports as such.
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(err)?;
            // Read front to back, twice (check, then parse): ask for read-ahead.
            let _ = map.advise(memmap2::Advice::Sequential);
            if is_binary(&map[..map.len().min(8)]) {
                OpenedKind::Other(Some(map))
            } else {
                match map_utf8(map, ahead) {
                    Ok(text) => {
                        pause_for_test();
                        let bom = matches!(text, Text::Mapped { start: 3, .. });
                        let found = if bom {
                            Encoding::Utf8Bom
                        } else {
                            Encoding::Utf8
                        };
                        OpenedKind::Text(text, encoding.unwrap_or(found))
                    }
                    Err(map) => OpenedKind::Other(Some(map)),
                }
            }
        } else {
            OpenedKind::Other(None)
        };
        Ok(Opened { size, kind })
    }
}

impl Source {
    /// Reads the file at `path`, looked at by [`Opened::open`], whole, with its size. UTF-8 text is
    /// mapped rather than read into memory (see [`Text`]); anything else is read and decoded as
    /// [`Source::open`] does.
    pub fn read(
        path: &Path,
        opened: Opened,
        encoding: Option<Encoding>,
        sheet: Option<&str>,
    ) -> Result<(Source, u64)> {
        let Opened { size, kind } = opened;
        let bytes = match kind {
            OpenedKind::Text(text, found) => {
                return Ok((Source::delimited(path, text, found, false)?, size))
            }
            OpenedKind::Other(Some(map)) => map.to_vec(),
            OpenedKind::Other(None) => std::fs::read(path).map_err(|e| Error::read(path, e))?,
        };
        Ok((Source::open(path, bytes, encoding, sheet)?, size))
    }

    pub fn open(
        path: &Path,
        bytes: Vec<u8>,
        encoding: Option<Encoding>,
        sheet: Option<&str>,
    ) -> Result<Source> {
        if bytes.starts_with(PARQUET) {
            let df = ParquetReader::new(std::io::Cursor::new(bytes))
                .finish()
                .map_err(|e| {
                    Error::Input(format!(
                        "{}: not a readable Parquet file ({e})",
                        path.display()
                    ))
                })?;
            let headers = df
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect();
            return Ok(Source::Parquet { df, headers });
        }
        if bytes.starts_with(ZIP) || bytes.starts_with(OLE) {
            let rows = super::sheet::read(path, bytes, sheet)?;
            let mut src = Source::Sheet {
                rows,
                headers: Vec::new(),
                layout: Layout::default(),
            };
            src.use_header(0);
            return Ok(src);
        }
        if bytes.starts_with(GZIP) {
            let mut plain = Vec::new();
            let mut gz = flate2::read::MultiGzDecoder::new(bytes.as_slice());
            std::io::Read::read_to_end(&mut gz, &mut plain).map_err(|e| {
                Error::Input(format!(
                    "{}: not a readable gzip file ({e})",
                    path.display()
                ))
            })?;
            return Source::open(path, plain, encoding, sheet);
        }
        if bytes.is_empty() {
            return Err(Error::Input(format!(
                "{}: the file is empty; an extract needs a header row",
                path.display()
            )));
        }
        let decoded = decode::decode(bytes, encoding);
        if decoded.text.contains('\0') {
            return Err(Error::Input(format!(
                "{}: not a text table (it holds NUL bytes); give CSV, TSV or Parquet, or set --encoding",
                path.display()
            )));
        }
        Source::delimited(
            path,
            Text::Owned(decoded.text),
            decoded.encoding,
            decoded.lossy,
        )
    }

    /// A delimited source over `text`, already decoded and free of NUL bytes. Its header is the
    /// first record until [`Source::use_header`] says otherwise.
    pub fn delimited(path: &Path, text: Text, encoding: Encoding, lossy: bool) -> Result<Source> {
        let delimiter = sniff_delimiter(text.bytes());
        if Records::new(text.bytes(), delimiter)
            .next_record()
            .is_none()
        {
            return Err(Error::Input(format!("{}: no header row", path.display())));
        }
        let mut src = Source::Delimited {
            text,
            encoding,
            lossy,
            delimiter,
            headers: Vec::new(),
            layout: Layout::default(),
        };
        src.use_header(0);
        Ok(src)
    }

    /// The first non-blank rows (at most [`layout::HEADER_SEARCH_ROWS`]): where the header may be.
    /// Cells are repaired as header cells are ([`header_cell`]).
    pub fn head(&self) -> Vec<HeadRow> {
        let cell = |f: &[u8]| header_cell(&String::from_utf8_lossy(f));
        let mut head = Vec::new();
        match self {
            Source::Delimited {
                text, delimiter, ..
            } => {
                let mut records = Records::new(text.bytes(), *delimiter);
                let mut index = 0;
                while let Some(rec) = records.next_record() {
                    if !layout::is_blank(records.fields()) {
                        head.push(HeadRow {
                            index,
                            line: records.line_of(&rec),
                            // A byte-order mark at the start is skipped by `Records`.
                            cells: records.fields().map(cell).collect(),
                        });
                        if head.len() == layout::HEADER_SEARCH_ROWS {
                            break;
                        }
                    }
                    index += 1;
                }
            }
            Source::Parquet { headers, .. } => head.push(HeadRow {
                index: 0,
                line: 1,
                cells: headers.clone(),
            }),
            Source::Sheet { rows, .. } => head.extend(
                rows.iter()
                    .take(layout::HEADER_SEARCH_ROWS)
                    .enumerate()
                    .map(|(index, (line, cells))| HeadRow {
                        index,
                        line: u64::from(*line),
                        cells: cells.iter().map(|c| header_cell(c)).collect(),
                    }),
            ),
        }
        head
    }

    /// Takes the record (or the sheet's non-empty row) at `index` as the header: the ones above it
    /// are a title block, and a row right under it that only numbers the columns is skipped too.
    pub fn use_header(&mut self, index: usize) {
        let rows_from_header: Vec<Vec<String>> = match self {
            Source::Delimited {
                text, delimiter, ..
            } => {
                let mut records = Records::new(text.bytes(), *delimiter);
                let mut out = Vec::new();
                let mut at = 0;
                while let Some(_rec) = records.next_record() {
                    if at >= index {
                        out.push(
                            records
                                .fields()
                                .map(|f| String::from_utf8_lossy(f).trim().to_string())
                                .collect(),
                        );
                        if out.len() == 2 {
                            break;
                        }
                    }
                    at += 1;
                }
                out
            }
            Source::Sheet { rows, .. } => rows
                .iter()
                .skip(index)
                .take(2)
                .map(|(_, cells)| cells.iter().map(|c| c.trim().to_string()).collect())
                .collect(),
            Source::Parquet { .. } => return,
        };
        let header_cells = rows_from_header.first().cloned().unwrap_or_default();
        let column_numbers = rows_from_header
            .get(1)
            .is_some_and(|r| layout::is_column_numbers(r.iter().map(|c| c.as_bytes())));
        if let Source::Delimited {
            headers, layout, ..
        }
        | Source::Sheet {
            headers, layout, ..
        } = self
        {
            *headers = header_cells.iter().map(|c| header_cell(c)).collect();
            *layout = Layout {
                header: index,
                header_cells,
                column_numbers,
                number_columns: std::mem::take(&mut layout.number_columns),
            };
        }
    }

    pub fn format(&self) -> &'static str {
        match self {
            Source::Delimited { .. } => "csv",
            Source::Parquet { .. } => "parquet",
            Source::Sheet { .. } => "xlsx",
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Source::Delimited { encoding, .. } => encoding.code(),
            Source::Parquet { .. } => "parquet",
            Source::Sheet { .. } => "xlsx",
        }
    }

    pub fn delimiter(&self) -> Option<char> {
        match self {
            Source::Delimited { delimiter, .. } => Some(*delimiter as char),
            Source::Parquet { .. } | Source::Sheet { .. } => None,
        }
    }

    /// How much there is to read, in the units of [`Batch::read`](super::batch::Batch): bytes of
    /// text, or records of a Parquet file or a sheet.
    pub fn units(&self) -> usize {
        match self {
            Source::Delimited { text, .. } => text.bytes().len(),
            Source::Parquet { df, .. } => df.height(),
            Source::Sheet { rows, .. } => rows.len(),
        }
    }

    pub fn headers(&self) -> &[String] {
        match self {
            Source::Delimited { headers, .. }
            | Source::Parquet { headers, .. }
            | Source::Sheet { headers, .. } => headers,
        }
    }

    /// Up to `n` values of each of `columns` (read in one pass, from the records under the header),
    /// to decide column-level questions such as date order.
    pub fn sample_columns(&self, columns: &[usize], n: usize) -> Vec<Vec<String>> {
        let mut values = vec![Vec::new(); columns.len()];
        match self {
            Source::Delimited {
                text,
                delimiter,
                layout,
                ..
            } => {
                let mut records = Records::new(text.bytes(), *delimiter);
                for _ in 0..layout.first_record() {
                    let _ = records.next_record();
                }
                for _ in 0..n {
                    if records.next_record().is_none() {
                        break;
                    }
                    for (out, &i) in values.iter_mut().zip(columns) {
                        if i < records.len() {
                            out.push(String::from_utf8_lossy(records.field(i)).into_owned());
                        }
                    }
                }
            }
            Source::Parquet { df, .. } => {
                for (out, &i) in values.iter_mut().zip(columns) {
                    let strings = df
                        .columns()
                        .get(i)
                        .and_then(|c| c.cast(&DataType::String).ok());
                    if let Some(ca) = strings.as_ref().and_then(|s| s.str().ok()) {
                        out.extend(ca.iter().take(n).flatten().map(str::to_string));
                    }
                }
            }
            Source::Sheet { rows, layout, .. } => {
                let records = || rows.iter().skip(layout.first_record()).take(n);
                for (out, &i) in values.iter_mut().zip(columns) {
                    out.extend(records().filter_map(|(_, r)| r.get(i).cloned()));
                }
            }
        }
        values
    }

    /// Every record under the header, in order, in batches of at most [`BATCH_RECORDS`] records, with
    /// the lines that are not records (title, column numbers, repeated headers, footer). Hands every
    /// record whose row `keep` says to `handle`, a batch at a time; the others are only found and
    /// skipped. Rows are numbered from 1 under the header, counting records only. Each batch after
    /// the first is one `spare` gives back, emptied ([`Batch::emptied`]), when it has one, else a new
    /// one.
    pub fn for_each_batch(
        &self,
        keep: &(dyn Fn(u32) -> bool + Sync),
        mut spare: impl FnMut() -> Option<Batch>,
        mut handle: impl FnMut(Batch) -> bool,
    ) {
        let width = self.headers().len();
        let mut batch = Batch::new(width);
        // Whether `handle` wants more: once it says no, reading stops at the next batch.
        let mut wanted = true;
        let mut flush = |batch: &mut Batch, last: bool| {
            if wanted && (batch.is_full() || (last && !batch.is_empty())) {
                let next = match spare() {
                    Some(reused) if reused.width() == width => reused.emptied(),
                    _ => batch.next_like(),
                };
                wanted = handle(std::mem::replace(batch, next).seal());
            }
            wanted
        };
        match self {
            Source::Delimited {
                text: whole,
                delimiter,
                lossy,
                layout,
                ..
            } => {
                let text = whole.bytes();
                let mut records = Records::new(text, *delimiter);
                let mut row = 0u32;
                let mut held: Vec<Held> = Vec::new();
                let mut index = 0usize;
                // The line before was the header again: this one may number the columns again.
                let mut after_header = false;
                while let Some(rec) = records.next_record() {
                    let i = index;
                    index += 1;
                    let raw = || {
                        String::from_utf8_lossy(text.get(rec.start..rec.end).unwrap_or(b""))
                            .trim_matches(['\r', '\n'])
                            .to_string()
                    };
                    if i == layout.header {
                        continue;
                    }
                    if let Some(kind) = layout.skipped(i, || records.fields()) {
                        if kind == SkipKind::RepeatedHeader {
                            // Held between the data and the header again: one part's footer, or
                            // the next part's title.
                            batch.skipped.extend(held.drain(..).map(|h| SkippedLine {
                                line: h.line,
                                kind: SkipKind::Title,
                                text: layout::shown(&h.raw),
                            }));
                            after_header = true;
                        }
                        batch.skipped.push(SkippedLine {
                            line: records.line_of(&rec),
                            kind,
                            text: layout::shown(&raw()),
                        });
                        continue;
                    }
                    if std::mem::take(&mut after_header)
                        && layout::is_column_numbers(records.fields())
                    {
                        batch.skipped.push(SkippedLine {
                            line: records.line_of(&rec),
                            kind: SkipKind::ColumnNumbers,
                            text: layout::shown(&raw()),
                        });
                        continue;
                    }
                    let reason = if *lossy && raw().contains('\u{FFFD}') {
                        Some("undecodable bytes (not valid UTF-8)".to_string())
                    } else if records.len() != width {
                        Some(format!("expected {width} fields, found {}", records.len()))
                    } else {
                        None
                    };
                    if layout::may_be_footer(|| records.fields(), width, &layout.number_columns) {
                        held.push(Held {
                            line: records.line_of(&rec),
                            raw: raw(),
                            fields: records.fields().map(<[u8]>::to_vec).collect(),
                            reason,
                        });
                        continue;
                    }
                    // What was held is records after all, in order.
                    for h in held.drain(..) {
                        row += 1;
                        if keep(row) {
                            match h.reason {
                                None => batch.push_bytes(row, h.fields.iter().map(Vec::as_slice)),
                                Some(reason) => batch.bad.push(BadRecord {
                                    row,
                                    line: h.line,
                                    reason,
                                    raw: h.raw,
                                }),
                            }
                        }
                    }
                    row += 1;
                    match reason {
                        _ if !keep(row) => {}
                        None => batch.push_bytes(row, records.fields()),
                        Some(reason) => batch.bad.push(BadRecord {
                            row,
                            line: records.line_of(&rec),
                            reason,
                            raw: raw(),
                        }),
                    }
                    if row.is_multiple_of(1 << 16) {
                        whole.release(rec.start);
                    }
                    batch.read = rec.end;
                    if !flush(&mut batch, false) {
                        return;
                    }
                }
                batch.skipped.extend(held.into_iter().map(|h| SkippedLine {
                    line: h.line,
                    kind: SkipKind::Footer,
                    text: layout::shown(&h.raw),
                }));
            }
            Source::Parquet { df, .. } => {
                let strings: Vec<StringChunked> = df
                    .columns()
                    .iter()
                    .map(|c| {
                        c.cast(&DataType::String)
                            .ok()
                            .and_then(|s| s.str().ok().cloned())
                            .unwrap_or_else(|| StringChunked::full_null(c.name().clone(), c.len()))
                    })
                    .collect();
                let mut iters: Vec<_> = strings.iter().map(|ca| ca.iter()).collect();
                for i in 0..df.height() {
                    let fields = iters.iter_mut().map(|it| it.next().flatten().unwrap_or(""));
                    if keep(i as u32 + 1) {
                        batch.push(i as u32 + 1, fields);
                        batch.read = i + 1;
                        if !flush(&mut batch, false) {
                            return;
                        }
                    } else {
                        fields.for_each(drop);
                    }
                }
            }
            Source::Sheet { rows, layout, .. } => {
                let mut row = 0u32;
                let mut held: Vec<&(u32, Vec<String>)> = Vec::new();
                let shown = |cells: &[String]| layout::shown(&cells.join(" | "));
                let mut after_header = false;
                for (i, line) in rows.iter().enumerate() {
                    let (number, cells) = line;
                    let fields = || cells.iter().map(|c| c.as_bytes());
                    if i == layout.header {
                        continue;
                    }
                    if let Some(kind) = layout.skipped(i, fields) {
                        if kind == SkipKind::RepeatedHeader {
                            batch.skipped.extend(held.drain(..).map(|(number, cells)| {
                                SkippedLine {
                                    line: u64::from(*number),
                                    kind: SkipKind::Title,
                                    text: shown(cells),
                                }
                            }));
                            after_header = true;
                        }
                        batch.skipped.push(SkippedLine {
                            line: u64::from(*number),
                            kind,
                            text: shown(cells),
                        });
                        continue;
                    }
                    if std::mem::take(&mut after_header) && layout::is_column_numbers(fields()) {
                        batch.skipped.push(SkippedLine {
                            line: u64::from(*number),
                            kind: SkipKind::ColumnNumbers,
                            text: shown(cells),
                        });
                        continue;
                    }
                    if layout::may_be_footer(fields, width, &layout.number_columns) {
                        held.push(line);
                        continue;
                    }
                    for (_, cells) in held.drain(..).chain([line]) {
                        row += 1;
                        if keep(row) {
                            batch.push(row, cells.iter().map(String::as_str));
                        }
                    }
                    batch.read = i + 1;
                    if !flush(&mut batch, false) {
                        return;
                    }
                }
                batch
                    .skipped
                    .extend(held.into_iter().map(|(number, cells)| SkippedLine {
                        line: u64::from(*number),
                        kind: SkipKind::Footer,
                        text: shown(cells),
                    }));
            }
        }
        batch.read = self.units();
        flush(&mut batch, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::batch::BATCH_RECORDS;

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"SO;HO_TEN;\"x,y\"\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b"), b'|');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }

    /// Every record, with where each batch starts, read with batches given back to be filled again
    /// (`reuse`) or with new ones.
    fn read_all(src: &Source, reuse: bool) -> (Vec<String>, Vec<u32>) {
        let spares = std::cell::RefCell::new(Vec::new());
        let (mut seen, mut starts) = (Vec::new(), Vec::new());
        src.for_each_batch(
            &|_| true,
            || spares.borrow_mut().pop(),
            |b| {
                starts.extend(b.rows.first());
                for (i, row) in b.rows.iter().enumerate() {
                    seen.push(format!("{row}:{}|{}", b.field(i, 0), b.field(i, 1)));
                }
                seen.extend(b.bad.iter().map(|r| format!("bad {}", r.row)));
                if reuse {
                    spares.borrow_mut().push(b);
                }
                true
            },
        );
        (seen, starts)
    }

    #[test]
    fn batches_filled_again_read_as_new_ones() {
        let n = BATCH_RECORDS * 2 + 100;
        let mut text = String::from("a,b\n");
        for i in 0..n {
            // Longer fields in the second batch, shorter in the third: reused buffers grow and shrink.
            let pad = if i / BATCH_RECORDS == 1 {
                "long field text"
            } else {
                ""
            };
            text.push_str(&format!("{i},v{pad}\n"));
            if i == BATCH_RECORDS + 5 {
                text.push_str("only one field\n");
            }
        }
        let src = Source::open(Path::new("t.csv"), text.into_bytes(), None, None).unwrap();
        let (reused, starts) = read_all(&src, true);
        assert_eq!((reused.clone(), starts.clone()), read_all(&src, false));
        assert_eq!(starts.len(), 3);
        assert_eq!(reused.len(), n + 1);
        assert_eq!(
            reused[BATCH_RECORDS],
            format!("{}:{}|vlong field text", BATCH_RECORDS + 1, BATCH_RECORDS)
        );
    }

    #[test]
    fn records_rejects_and_quoted_newlines() {
        let text = "a,b\n1,\"x\ny\"\n2\n3,Nguyen \"Ti\" Van\n"
            .as_bytes()
            .to_vec();
        let src = Source::open(Path::new("t.csv"), text, None, None).unwrap();
        let mut seen = Vec::new();
        src.for_each_batch(
            &|_| true,
            || None,
            |b| {
                let mut bad = b.bad.iter().peekable();
                for (i, row) in b.rows.iter().enumerate() {
                    while let Some(r) = bad.next_if(|r| r.row < *row) {
                        seen.push(format!("{}@{}:{}:{}", r.row, r.line, r.reason, r.raw));
                    }
                    seen.push(format!("{row}:{}|{}", b.field(i, 0), b.field(i, 1)));
                }
                for r in bad {
                    seen.push(format!("{}@{}:{}:{}", r.row, r.line, r.reason, r.raw));
                }
                true
            },
        );
        assert_eq!(
            seen,
            vec![
                "1:1|x\ny",
                "2@4:expected 2 fields, found 1:2",
                "3:3|Nguyen \"Ti\" Van"
            ]
        );
    }
}

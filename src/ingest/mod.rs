//! Files → canonical table (+ rejects). Format and encoding are decided by content; headers are mapped
//! through a column profile; coded values and dates are read per file (a date column's day/month order
//! is decided once per file). Every record ends up accepted or rejected, and counted.

mod batch;
pub mod decode;
pub mod layout;
mod points;
pub mod profile;
mod records;
mod sheet;
mod source;
pub use source::sniff_delimiter;
pub mod table;

use crate::error::{Error, Result};
use crate::ident::{date, DateOrder, IdKind, Sex};
use crate::schema::{
    canonical_carrier, canonical_nationality, Coded, Field, PointType, Status, SubscriberType,
};
use batch::Batch;
pub use decode::Encoding;
pub use points::PointRegistry;
use profile::Profile;
use rustc_hash::FxHashMap;
pub use source::HeadRow;
use source::{Opened, Source};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub use table::{
    DateCell, DateOrderChoice, Reject, SourceFile, Strings, Table, TableBuilder, TextColumn,
    Unreadable, UnreadableKind,
};

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// `--profile NAME|FILE`; None: chosen per file from its headers.
    pub profile: Option<String>,
    /// `--carrier CODE` for files without a carrier column.
    pub carrier: Option<String>,
    /// `--encoding`; None: detected per file.
    pub encoding: Option<Encoding>,
    /// `--sheet` (repeatable): the only sheets of workbooks to read; empty: every sheet whose header
    /// matches.
    pub sheets: Vec<String>,
    /// `--header-row N`: the header's line (row of a sheet); None: found among the first rows.
    pub header_row: Option<u64>,
}

/// The outcome of ingest: the accepted rows, the rejected records, the values present but
/// unreadable, and the sheets of workbooks that were not read.
pub struct Loaded {
    pub table: Table,
    pub files: Vec<SourceFile>,
    pub rejects: Vec<Reject>,
    pub unreadable: Vec<Unreadable>,
    pub skipped_sheets: Vec<SkippedSheet>,
}

/// A sheet of a workbook that was not read: notes, pivots, instructions — no header an extract has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedSheet {
    /// The workbook's file name.
    pub file: String,
    pub sheet: String,
    /// Why, in plain words.
    pub reason: String,
}

/// The name a sheet's rows go by in every output: the workbook's file name alone when it has one
/// sheet, else `file.xlsx[Sheet]`.
pub fn sheet_source_name(file: &str, sheet: &str, sheets_in_book: usize) -> String {
    if sheets_in_book <= 1 {
        file.to_string()
    } else {
        format!("{file}[{sheet}]")
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Which accepted records a load keeps, and where they go.
pub enum Keep<'a> {
    /// Every record, into one table.
    All,
    /// Every record, handed to the sink one batch at a time as a small table of its own (with the
    /// values of it that could not be read, numbered by its rows) and then dropped, for a caller that
    /// needs one pass over every record without holding them. The sink returns false to stop the
    /// reading (its own error to report).
    Stream(&'a mut dyn FnMut(u16, Table, Vec<Unreadable>) -> bool),
}

/// Read every input; fails before any work when a file is unreadable or lacks a required column.
pub fn load(paths: &[PathBuf], opts: &IngestOptions) -> Result<Loaded> {
    load_some(paths, opts, Keep::All)
}

/// [`load`], keeping the records `keep` says. An error about an input ends by pointing to
/// `simaudit inspect`, which shows how each file is read.
pub fn load_some(paths: &[PathBuf], opts: &IngestOptions, keep: Keep) -> Result<Loaded> {
    load_inputs(paths, opts, keep).map_err(|e| match e {
        Error::Input(why) if !paths.is_empty() => {
            let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            Error::Input(format!(
                "{why}\nRun `simaudit inspect {}` to see how it is read.",
                files.join(" ")
            ))
        }
        other => other,
    })
}

fn load_inputs(paths: &[PathBuf], opts: &IngestOptions, mut keep: Keep) -> Result<Loaded> {
    if paths.is_empty() {
        return Err(Error::Input(
            "no input files: give at least one extract (CSV, Parquet)".into(),
        ));
    }
    if paths.len() > u16::MAX as usize {
        return Err(Error::Input(format!(
            "{} input files is too many (at most {})",
            paths.len(),
            u16::MAX
        )));
    }
    // Files are numbered in file-name order, so that order by file index is order by name.
    let mut paths: Vec<&PathBuf> = paths.iter().collect();
    paths.sort_by_key(|p| file_name(p));
    let mut seen = BTreeMap::new();
    for p in &paths {
        if let Some(other) = seen.insert(file_name(p), *p) {
            return Err(Error::Input(format!(
                "{} and {} have the same file name; outputs name rows by file name, so rename one",
                other.display(),
                p.display()
            )));
        }
    }
    let forced_profile = opts
        .profile
        .as_deref()
        .map(profile::resolve)
        .transpose()
        .map_err(Error::Input)?;
    let shipped = Profile::shipped();
    let carrier_given = opts.carrier.as_deref().map(canonical_carrier);

    // Map every file's header first, so a missing file or column fails the run before any work is done.
    // Text files are only read up to their header here (so a NUL byte further on is found when the file's
    // turn comes; the run still stops before writing anything); each file is read whole once, when its
    // turn comes, so only one file's text is held at a time. A workbook is a source per sheet it reads.
    let mut opened = Vec::new();
    let mut skipped_sheets = Vec::new();
    for path in &paths {
        let (bytes, size) = read_head(path)?;
        let encoding = match (
            opts.encoding,
            forced_profile.as_ref().and_then(|p| p.encoding.as_deref()),
        ) {
            (Some(e), _) => Some(e),
            (None, Some(name)) => Some(Encoding::parse(name).ok_or_else(|| {
                Error::Input(format!("profile encoding \"{name}\" is not supported"))
            })?),
            (None, None) => None,
        };
        let (sheets, in_book) = sources_in(path, &bytes, &opts.sheets)?;
        // A sheet that no profile matches is skipped, unless it was asked for by name or is the
        // workbook's only candidate; then its missing columns are the error.
        let may_skip = opts.sheets.is_empty() && sheets.len() > 1;
        let mut misses = Vec::new();
        let before = opened.len();
        for sheet in sheets {
            let mut src = Source::open(path, bytes.clone(), encoding, sheet.as_deref())?;
            let head = src.head();
            let chosen = choose_header(
                path,
                &head,
                forced_profile.as_ref(),
                &shipped,
                carrier_given.is_some(),
                opts.header_row,
            )?;
            let (header, profile) = match chosen {
                Ok((row, p)) => (Some(row), Ok(p)),
                Err((p, missing, cells)) => (None, Err((p, missing, cells))),
            };
            let profile = match (profile, &sheet) {
                (Ok(p), _) => p,
                (Err((p, missing, headers)), Some(name)) if may_skip => {
                    misses.push(missing_columns(path, p, &missing, &headers).to_string());
                    skipped_sheets.push(SkippedSheet {
                        file: file_name(path),
                        sheet: name.clone(),
                        reason: format!(
                            "no header an extract has (missing {})",
                            missing
                                .iter()
                                .map(|f| f.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                    continue;
                }
                (Err((p, missing, headers)), _) => {
                    return Err(missing_columns(path, p, &missing, &headers))
                }
            };
            let header = header.unwrap_or_default();
            src.use_header(header.index);
            let headers = src.headers().to_vec();
            let info = SourceFile {
                name: source_name(path, sheet.as_deref(), in_book),
                path: path.display().to_string(),
                size,
                format: src.format().into(),
                delimiter: src.delimiter(),
                profile: profile.name.clone(),
                sheet: sheet.clone(),
                header_line: header.line,
                header: src.headers().to_vec(),
                header_as_read: src.header_as_read().map(<[String]>::to_vec),
                ..Default::default()
            };
            opened.push((
                info,
                *path,
                encoding,
                profile,
                (sheet, header.index),
                headers,
            ));
        }
        if opened.len() == before {
            return Err(Error::Input(format!(
                "{}: no sheet has the columns an extract needs. {}",
                path.display(),
                misses.join(" ")
            )));
        }
    }
    if opened.len() > u16::MAX as usize {
        return Err(Error::Input(format!(
            "{} input files and sheets is too many (at most {})",
            opened.len(),
            u16::MAX
        )));
    }
    // Sources are numbered in name order (a workbook's sheets too), so that order by index is order
    // by name.
    opened.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    // Headers of source columns no canonical column takes, over every source, in order of first use.
    let mut extra_names: Vec<String> = Vec::new();
    for (_, _, _, profile, _, headers) in &opened {
        for (name, _) in extra_columns(headers, &profile.map_headers(headers)) {
            if !extra_names.contains(&name) {
                extra_names.push(name);
            }
        }
    }

    let with_extra_columns = || TableBuilder::with_extra(&extra_names);
    // A stream's table holds no rows, only the extra columns' names.
    let mut builder = with_extra_columns();
    let mut rejects = Vec::new();
    let mut unreadable = Vec::new();
    let mut files = Vec::new();
    // Progress is counted in input bytes (each sheet of a workbook weighs the whole file).
    let weights: Vec<u64> = opened
        .iter()
        .map(|o| std::fs::metadata(o.1).map_or(0, |m| m.len()))
        .collect();
    crate::usage::PROGRESS.start(weights.iter().sum());
    let mut read_before = 0u64;
    // A stream's sink asked to stop: the rest is left unread.
    let mut stopped = false;
    // Each file is read once to check it is UTF-8 before it is parsed: the next file's check runs on
    // a thread of its own while this one is parsed, instead of between the two.
    let mut ahead: Option<ReadAhead> = None;
    let mut inputs = opened.into_iter().enumerate().peekable();
    while let Some((idx, (mut info, path, encoding, profile, (sheet, header), _))) = inputs.next() {
        if stopped {
            break;
        }
        let weight = weights[idx];
        let looked = match ahead.take() {
            Some(ahead) => ahead.join()?,
            None => Opened::open(path, encoding)?,
        };
        if let Some((_, next)) = inputs.peek() {
            ahead = Some(ReadAhead::start(next.1.to_path_buf(), next.2));
        }
        let idx = idx as u16;
        let (mut src, size) = Source::read(path, looked, encoding, sheet.as_deref())?;
        let units = src.units();
        src.use_header(header);
        info.size = size;
        info.encoding = src.encoding().into();
        let columns = profile.map_headers(src.headers());
        // The whole file may decode differently from its head (or have changed since): check again.
        let missing = profile.missing(&columns, carrier_given.is_some());
        if !missing.is_empty() {
            return Err(missing_columns(path, &profile, &missing, src.headers()));
        }
        let fixed = carrier_given
            .clone()
            .or_else(|| profile.fixed_carrier.clone());
        src.set_number_columns(
            [Field::Msisdn, Field::IdNumber]
                .iter()
                .filter_map(|f| columns.get(f).copied())
                .collect(),
        );
        let (orders, choices) = date_orders(&src, &columns, &profile);
        info.date_orders = choices;
        info.mapping = src
            .headers()
            .iter()
            .enumerate()
            .map(|(i, h)| {
                (
                    h.clone(),
                    columns.iter().find(|(_, c)| **c == i).map(|(f, _)| *f),
                )
            })
            .collect();
        let mut mapper = ColumnMapper::new(idx, &profile, &columns, fixed, orders);
        let extra = extra_columns(src.headers(), &columns);
        mapper.extra = extra_names
            .iter()
            .map(|n| extra.iter().find(|(e, _)| e == n).map(|(_, c)| *c))
            .collect();
        // The carrier of every row so far: None before the first row, Some(None) once two differ.
        let mut carrier_seen: Option<Option<String>> = None;
        // One thread reads the next batch of records while the pool maps the columns of this one;
        // mapped batches go back to it to be emptied and filled again.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(1);
        let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Batch>();
        let mut changed = false;
        let checksum = std::thread::scope(|scope| {
            // The checksum is computed beside the parsing, on a thread of its own (not in a pass of
            // its own before it).
            let checksum = scope.spawn(|| source::sha256_of(path));
            let src = &src;
            scope.spawn(move || {
                src.for_each_batch(
                    &|_| true,
                    || spare_rx.try_recv().ok(),
                    |b| tx.send(b).is_ok(),
                )
            });
            for mut batch in rx {
                let share = batch.read as f64 / units.max(1) as f64;
                crate::usage::PROGRESS.set(read_before + (weight as f64 * share) as u64);
                if batch.changed {
                    // The reader's remaining batches are dropped unread.
                    changed = true;
                    break;
                }
                info.rows_read += batch.len() + batch.bad.len() + batch.skipped.len();
                info.rows_accepted += batch.len();
                info.rows_rejected += batch.bad.len();
                info.rows_skipped += batch.skipped.len();
                info.skipped.extend(batch.skipped.iter().cloned());
                let seen = match &mut keep {
                    Keep::Stream(sink) => {
                        let mut small = with_extra_columns();
                        let mut small_unreadable = Vec::new();
                        mapper.add(&mut small, &batch, &mut small_unreadable);
                        let seen = single_carrier(&small, 0);
                        if !sink(idx, small.finish(), small_unreadable) {
                            stopped = true;
                            break;
                        }
                        seen
                    }
                    Keep::All => {
                        let first = builder.len();
                        mapper.add(&mut builder, &batch, &mut unreadable);
                        single_carrier(&builder, first)
                    }
                };
                if !batch.rows.is_empty() {
                    carrier_seen = match carrier_seen.take() {
                        None => Some(seen),
                        Some(before) => Some(before.filter(|c| Some(c) == seen.as_ref())),
                    };
                }
                for b in std::mem::take(&mut batch.bad) {
                    rejects.push(Reject {
                        file: idx,
                        row: b.row,
                        line: b.line,
                        reason: b.reason,
                        raw: b.raw,
                    });
                }
                // The reader may have finished: then the batch is simply dropped.
                let _ = spare_tx.send(batch);
            }
            checksum.join()
        });
        if changed {
            return Err(Error::Input(format!(
                "{}: the file changed while it was being read (its text is no longer what was \
                 checked when it was opened); audit a copy that nothing writes to",
                path.display()
            )));
        }
        info.sha256 = match checksum {
            Ok(sha) => sha?,
            Err(_) => {
                return Err(Error::Input(format!(
                    "{}: the checksum failed",
                    path.display()
                )))
            }
        };
        // A file's carrier, for attributing its rejected rows: the fixed one, else the only one seen.
        info.carrier = mapper
            .fixed_carrier
            .clone()
            .or_else(|| carrier_seen.flatten());
        files.push(info);
        read_before += weight;
    }
    Ok(Loaded {
        table: builder.finish(),
        files,
        rejects,
        unreadable,
        skipped_sheets,
    })
}

/// The header of a file or sheet: the first of its first rows that a profile (the forced one, else the
/// best shipped one) matches with every required column; with `--header-row`, that row. When none
/// does, the profile that came closest on the row it mapped most, what it misses, and that row.
#[allow(clippy::type_complexity)]
fn choose_header<'p>(
    path: &Path,
    head: &[HeadRow],
    forced: Option<&'p Profile>,
    shipped: &'p [Profile],
    carrier_given: bool,
    asked: Option<u64>,
) -> Result<std::result::Result<(HeadRow, Profile), (&'p Profile, Vec<Field>, Vec<String>)>> {
    let candidates: Vec<&HeadRow> = match asked {
        Some(line) => {
            let at: Vec<&HeadRow> = head.iter().filter(|h| h.line == line).collect();
            if at.is_empty() {
                return Err(Error::Input(format!(
                    "{}: --header-row {line} is not one of the first {} non-empty rows",
                    path.display(),
                    layout::HEADER_SEARCH_ROWS
                )));
            }
            at
        }
        None => head.iter().collect(),
    };
    let mut closest: Option<(usize, &'p Profile, Vec<Field>, Vec<String>)> = None;
    for row in candidates {
        let matched = match forced {
            Some(p) => {
                let missing = p.missing(&p.map_headers(&row.cells), carrier_given);
                if missing.is_empty() {
                    Ok(p)
                } else {
                    Err((p, missing))
                }
            }
            None => profile::choose(shipped, &row.cells, carrier_given),
        };
        match matched {
            Ok(p) => return Ok(Ok((row.clone(), p.clone()))),
            Err((p, missing)) => {
                let mapped = p.map_headers(&row.cells).len();
                if closest.as_ref().is_none_or(|c| mapped > c.0) {
                    closest = Some((mapped, p, missing, row.cells.clone()));
                }
            }
        }
    }
    let (_, p, missing, cells) =
        closest.ok_or_else(|| Error::Input(format!("{}: no header row", path.display())))?;
    Ok(Err((p, missing, cells)))
}

/// The first non-empty rows of every input (and sheet), where a header is looked for: for
/// `simaudit inspect` when a file does not load.
pub fn heads(paths: &[PathBuf], opts: &IngestOptions) -> Result<Vec<(String, Vec<HeadRow>)>> {
    let mut out = Vec::new();
    for path in paths {
        let (bytes, _) = read_head(path)?;
        let (sheets, in_book) = sources_in(path, &bytes, &opts.sheets)?;
        for sheet in sheets {
            let src = Source::open(path, bytes.clone(), opts.encoding, sheet.as_deref())?;
            out.push((source_name(path, sheet.as_deref(), in_book), src.head()));
        }
    }
    Ok(out)
}

/// The sources a file holds, from its first bytes: each chosen sheet of a workbook (see
/// [`chosen_sheets`]), with the workbook's number of sheets; else the file itself (`None`).
fn sources_in(path: &Path, head: &[u8], asked: &[String]) -> Result<(Vec<Option<String>>, usize)> {
    if !source::is_workbook(head) {
        return Ok((vec![None], 1));
    }
    let names = sheet::sheet_names(path, head)?;
    let chosen = chosen_sheets(path, &names, asked)?;
    Ok((chosen.into_iter().map(Some).collect(), names.len()))
}

/// The name a source goes by in every output: the file's name, or its sheet's (see
/// [`sheet_source_name`]).
fn source_name(path: &Path, sheet: Option<&str>, sheets_in_book: usize) -> String {
    match sheet {
        Some(sheet) => sheet_source_name(&file_name(path), sheet, sheets_in_book),
        None => file_name(path),
    }
}

/// The sheets of a workbook to try: the ones `--sheet` names (each must exist), else all of them.
fn chosen_sheets(path: &Path, names: &[String], asked: &[String]) -> Result<Vec<String>> {
    if names.is_empty() {
        return Err(Error::Input(format!(
            "{}: the workbook has no sheet",
            path.display()
        )));
    }
    if asked.is_empty() {
        return Ok(names.to_vec());
    }
    let chosen: Vec<String> = names
        .iter()
        .filter(|n| asked.contains(n))
        .cloned()
        .collect();
    if chosen.is_empty() {
        return Err(Error::Input(format!(
            "{}: no sheet named {}; its sheets are {}",
            path.display(),
            asked.join(", "),
            names.join(", ")
        )));
    }
    Ok(chosen)
}

/// A file's first bytes, enough for its header (whole lines only, so no letter is cut in two), and its
/// size. Parquet, Excel and gzip files are read whole: their header is not at the start.
fn read_head(path: &Path) -> Result<(Vec<u8>, u64)> {
    use std::io::Read;
    const HEAD: u64 = 1 << 20;
    let err = |e| Error::read(path, e);
    let mut file = std::fs::File::open(path).map_err(err)?;
    let size = file.metadata().map_err(err)?.len();
    let mut head = Vec::new();
    file.by_ref()
        .take(HEAD)
        .read_to_end(&mut head)
        .map_err(err)?;
    let binary = source::is_binary(&head);
    let cut = head.iter().rposition(|b| *b == b'\n');
    match cut {
        _ if (head.len() as u64) < HEAD => {}
        Some(at) if !binary => head.truncate(at + 1),
        _ => {
            file.read_to_end(&mut head).map_err(err)?;
        }
    }
    Ok((head, size))
}

/// The source columns no canonical column takes, with their headers (trimmed; unnamed columns and
/// a header's repeats left out).
fn extra_columns(headers: &[String], mapped: &BTreeMap<Field, usize>) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim();
        let taken = mapped.values().any(|&c| c == i);
        if !taken && !name.is_empty() && !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), i));
        }
    }
    out
}

fn single_carrier(b: &TableBuilder, first: usize) -> Option<String> {
    let codes = &b.carrier_codes()[first..];
    let c = *codes.first()?;
    if codes.iter().all(|x| *x == c) {
        b.carrier_value(c).map(str::to_string)
    } else {
        None
    }
}

fn missing_columns(path: &Path, p: &Profile, missing: &[Field], headers: &[String]) -> Error {
    let names: Vec<&str> = missing.iter().map(|f| f.name()).collect();
    let hint = if missing.contains(&Field::Carrier) {
        " (or pass --carrier CODE)"
    } else {
        ""
    };
    Error::Input(format!(
        "{}: required column {} not found with profile \"{}\"{hint}. Headers seen: {}. Use --profile FILE with aliases for these headers.",
        path.display(),
        names.join(", "),
        p.name,
        headers.join(" | ")
    ))
}

const DATE_FIELDS: [Field; 3] = [
    Field::DateOfBirth,
    Field::IdIssueDate,
    Field::ActivationTime,
];

/// The day/month order of each date column of a file: the profile's, or decided from a sample.
fn date_orders(
    src: &Source,
    columns: &BTreeMap<Field, usize>,
    profile: &Profile,
) -> ([DateOrder; 3], Vec<DateOrderChoice>) {
    let code = |o: DateOrder| if o == DateOrder::Mdy { "mdy" } else { "dmy" };
    let present_fields = || DATE_FIELDS.iter().filter(|f| columns.contains_key(f));
    if let Some(order) = profile.date_order {
        let choices = present_fields()
            .map(|f| DateOrderChoice {
                column: *f,
                order: code(order),
                decided_by: "profile",
                example: None,
            })
            .collect();
        return ([order; 3], choices);
    }
    // One sampling pass for all three columns; a column the file lacks keeps the Vietnamese default.
    let present: Vec<usize> = DATE_FIELDS
        .iter()
        .map(|f| columns.get(f).copied().unwrap_or(usize::MAX))
        .collect();
    let samples = src.sample_columns(&present, 200_000);
    let mut orders = [DateOrder::Dmy; 3];
    let mut choices = Vec::new();
    for ((order, values), field) in orders.iter_mut().zip(&samples).zip(DATE_FIELDS) {
        let (found, example) = date::detect_order_with_evidence(values.iter().map(String::as_str));
        *order = found;
        if columns.contains_key(&field) {
            choices.push(DateOrderChoice {
                column: field,
                order: code(found),
                decided_by: if example.is_some() {
                    "values"
                } else {
                    "default"
                },
                example: example.map(str::to_string),
            });
        }
    }
    (orders, choices)
}

/// Each distinct spelling of a coded field, read once: Err when it is not a known value.
type CodeCache = FxHashMap<Box<str>, std::result::Result<Option<Coded>, ()>>;

/// Maps the records of one file onto the canonical columns, column by column in parallel.
struct ColumnMapper<'a> {
    file: u16,
    profile: &'a Profile,
    /// Source column of each canonical field (None: the file lacks it, read as empty).
    carrier: Option<usize>,
    nationality: Option<usize>,
    text: [(Field, Option<usize>); 7],
    coded: [(Field, Option<usize>); 5],
    dates: [(Field, Option<usize>, DateOrder); 3],
    fixed_carrier: Option<String>,
    /// Carrier and nationality spellings, read once each per file: raw → canonical.
    carrier_spellings: FxHashMap<Box<str>, String>,
    nationality_spellings: FxHashMap<Box<str>, String>,
    /// Coded values are few: each distinct one is read once per file (one cache per coded field).
    coded_cache: [CodeCache; 5],
    /// Source column of each of the table's extra columns (None: this file lacks it).
    extra: Vec<Option<usize>>,
}

/// The cached value of `key` in `cache`, computed by `make` the first time (no allocation on a hit).
fn cached<'c, V>(
    cache: &'c mut FxHashMap<Box<str>, V>,
    key: &str,
    make: impl FnOnce() -> V,
) -> &'c V {
    if !cache.contains_key(key) {
        let v = make();
        cache.insert(key.into(), v);
    }
    &cache[key]
}

/// The raw field of every record of `batch`, or empty ones when the file lacks the column; a value
/// the profile lists as a missing marker reads as empty.
fn raw_values<'b>(
    batch: &'b Batch,
    column: Option<usize>,
    profile: &'b Profile,
) -> impl Iterator<Item = &'b str> {
    (0..batch.len()).map(move |r| {
        let v = column.map_or("", |c| batch.field(r, c));
        if profile.missing.is_empty() || !profile.is_missing_marker(v.trim()) {
            v
        } else {
            ""
        }
    })
}

impl<'a> ColumnMapper<'a> {
    fn new(
        file: u16,
        profile: &'a Profile,
        columns: &BTreeMap<Field, usize>,
        fixed_carrier: Option<String>,
        orders: [DateOrder; 3],
    ) -> Self {
        let col = |f: Field| (f, columns.get(&f).copied());
        ColumnMapper {
            file,
            profile,
            carrier: columns.get(&Field::Carrier).copied(),
            nationality: columns.get(&Field::Nationality).copied(),
            text: [
                col(Field::Msisdn),
                col(Field::FullName),
                col(Field::IdNumber),
                col(Field::IdIssuePlace),
                col(Field::PointId),
                col(Field::PointName),
                col(Field::District),
            ],
            coded: [
                col(Field::SubscriberType),
                col(Field::Gender),
                col(Field::IdType),
                col(Field::Status),
                col(Field::PointType),
            ],
            dates: [0, 1, 2].map(|i| {
                let (f, c) = col(DATE_FIELDS[i]);
                (f, c, orders[i])
            }),
            fixed_carrier,
            carrier_spellings: FxHashMap::default(),
            nationality_spellings: FxHashMap::default(),
            coded_cache: Default::default(),
            extra: Vec::new(),
        }
    }

    /// Appends the accepted records of `batch` to the table, and its unreadable values to `found`.
    fn add(&mut self, b: &mut TableBuilder, batch: &Batch, found: &mut Vec<Unreadable>) {
        let (file, profile, base) = (self.file, self.profile, b.len());
        b.file.extend(std::iter::repeat_n(file, batch.len()));
        b.row.extend_from_slice(&batch.rows);
        let dq = |record: usize, column: Field, raw: &str, kind: UnreadableKind| Unreadable {
            file,
            row: batch.rows[record],
            subject: (base + record) as u32,
            column,
            raw: raw.to_string(),
            kind,
        };
        let Table {
            carrier,
            msisdn,
            full_name,
            id_number,
            id_issue_place,
            nationality,
            point_id,
            point_name,
            district,
            subscriber_type,
            gender,
            id_type,
            status,
            point_type,
            date_of_birth,
            id_issue_date,
            activation_time,
            extra,
            ..
        } = b;
        let extra_sources = &self.extra;
        let text_columns = [
            msisdn,
            full_name,
            id_number,
            id_issue_place,
            point_id,
            point_name,
            district,
        ];
        let [c_sub, c_gender, c_id_type, c_status, c_point_type] = &mut self.coded_cache;
        let mut coded_findings: [Vec<Unreadable>; 5] = Default::default();
        let [f_sub, f_gender, f_id_type, f_status, f_point_type] = &mut coded_findings;
        let mut date_findings: [Vec<Unreadable>; 3] = Default::default();
        let [f_dob, f_issue, f_activation] = &mut date_findings;
        let (carrier_spellings, nationality_spellings) =
            (&mut self.carrier_spellings, &mut self.nationality_spellings);
        let (carrier_col, nationality_col, fixed) = (
            self.carrier,
            self.nationality,
            self.fixed_carrier.as_deref(),
        );
        let [k_sub, k_gender, k_id_type, k_status, k_point_type] = self.coded;
        let [d_dob, d_issue, d_activation] = self.dates;

        rayon::scope(|s| {
            for ((_, column), source) in extra.iter_mut().zip(extra_sources) {
                s.spawn(move |_| {
                    column.reserve(batch.len());
                    raw_values(batch, *source, profile).for_each(|v| column.push(v));
                });
            }
            for (column, (_, source)) in text_columns.into_iter().zip(self.text) {
                s.spawn(move |_| {
                    column.reserve(batch.len());
                    raw_values(batch, source, profile).for_each(|v| column.push(v));
                });
            }
            // A spelling like the row before's (nearly always, within one file) gets its value again
            // without being looked up.
            s.spawn(move |_| {
                let mut last = None;
                for raw in raw_values(batch, carrier_col, profile) {
                    match (raw.is_empty(), fixed) {
                        _ if last == Some(raw) => carrier.push_last(),
                        (true, Some(fixed)) => carrier.push(fixed),
                        _ => carrier.push(
                            cached(carrier_spellings, raw, || canonical_carrier(raw)).as_str(),
                        ),
                    }
                    last = Some(raw);
                }
            });
            s.spawn(move |_| {
                let mut last = None;
                for raw in raw_values(batch, nationality_col, profile) {
                    if last == Some(raw) {
                        nationality.push_last();
                    } else {
                        nationality.push(
                            cached(nationality_spellings, raw, || canonical_nationality(raw))
                                .as_str(),
                        );
                    }
                    last = Some(raw);
                }
            });

            let code = CodeReader {
                profile,
                batch,
                dq: &dq,
            };
            s.spawn(move |_| {
                code.column(k_sub, c_sub, f_sub, subscriber_type, |c| match c {
                    Some(Coded::SubscriberType(t)) => t,
                    _ => SubscriberType::Individual,
                })
            });
            s.spawn(move |_| {
                code.column(k_gender, c_gender, f_gender, gender, |c| match c {
                    Some(Coded::Sex(s)) => Some(s),
                    _ => None::<Sex>,
                })
            });
            s.spawn(move |_| {
                code.column(k_id_type, c_id_type, f_id_type, id_type, |c| match c {
                    Some(Coded::IdKind(k)) => Some(k),
                    _ => None::<IdKind>,
                })
            });
            s.spawn(move |_| {
                code.column(k_status, c_status, f_status, status, |c| match c {
                    Some(Coded::Status(s)) => s,
                    _ => Status::Active,
                })
            });
            s.spawn(move |_| {
                code.column(
                    k_point_type,
                    c_point_type,
                    f_point_type,
                    point_type,
                    |c| match c {
                        Some(Coded::PointType(p)) => p,
                        _ => PointType::Unknown,
                    },
                )
            });

            let date_columns = [
                (d_dob, date_of_birth, f_dob),
                (d_issue, id_issue_date, f_issue),
                (d_activation, activation_time, f_activation),
            ];
            for ((field, source, order), out, found) in date_columns {
                let dq = &dq;
                s.spawn(move |_| {
                    out.reserve(batch.len());
                    for (record, raw) in raw_values(batch, source, profile).enumerate() {
                        out.push(match date::parse(raw, order) {
                            Ok(None) => DateCell::Empty,
                            Ok(Some(w)) => DateCell::Value(w),
                            Err(()) => {
                                found.push(dq(record, field, raw, UnreadableKind::Date));
                                DateCell::Unreadable
                            }
                        });
                    }
                });
            }
        });
        found.extend(coded_findings.into_iter().flatten());
        found.extend(date_findings.into_iter().flatten());
    }
}

/// Reads one coded column of a batch through the file's cache of distinct spellings.
#[derive(Clone, Copy)]
struct CodeReader<'a, D> {
    profile: &'a Profile,
    batch: &'a Batch,
    dq: &'a D,
}

impl<D: Fn(usize, Field, &str, UnreadableKind) -> Unreadable> CodeReader<'_, D> {
    fn column<T>(
        self,
        (field, source): (Field, Option<usize>),
        cache: &mut CodeCache,
        found: &mut Vec<Unreadable>,
        out: &mut Vec<T>,
        pick: impl Fn(Option<Coded>) -> T,
    ) {
        out.reserve(self.batch.len());
        // The value of the row before, reused when its spelling repeats (coded columns have few
        // values, often in runs), instead of looking the spelling up.
        let mut last: Option<(&str, Option<Coded>)> = None;
        for (record, raw) in raw_values(self.batch, source, self.profile).enumerate() {
            let value = if raw.is_empty() {
                None
            } else if let Some((_, v)) = last.filter(|(l, _)| *l == raw) {
                v
            } else {
                match cached(cache, raw, || self.profile.code(field, raw)) {
                    Ok(c) => {
                        // Unknown spellings are not kept: each of their rows is reported unreadable.
                        last = Some((raw, *c));
                        *c
                    }
                    Err(()) => {
                        found.push((self.dq)(record, field, raw, UnreadableKind::Code));
                        None
                    }
                }
            };
            out.push(pick(value));
        }
    }
}

/// The next input looked at ([`Opened::ahead`]) on a thread of its own while the current one is
/// parsed. Dropped without being joined (the run failed or stopped early), it tells the thread to
/// give up, so no file is read for nothing.
struct ReadAhead {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Result<Opened>>>,
}

impl ReadAhead {
    fn start(path: PathBuf, encoding: Option<Encoding>) -> ReadAhead {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let told = stop.clone();
        let thread = std::thread::spawn(move || Opened::ahead(&path, encoding, &told));
        ReadAhead {
            stop,
            thread: Some(thread),
        }
    }

    fn join(mut self) -> Result<Opened> {
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(opened)) => opened,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Err(Error::Input("an input was looked at twice".into())),
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

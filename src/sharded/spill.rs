//! The spill: the scan pass's parsed records, written shard by shard under a folder of the user's
//! choosing, so that each shard pass reads back only its own records instead of parsing every input
//! again.
//!
//! Each shard has a file of blocks; a block is `[compressed length u32][raw length u32][zstd
//! frame]`, and its raw bytes are some of one batch's records of the shard, column by column (see
//! [`encode`]): a text column is the block's distinct values once and a small code per row, so
//! reading it back builds the column without looking any value up. Records of a shard keep the
//! scan's order, which is (file, row) order. The files are unlinked as soon as they are opened (only
//! the run's descriptors reach them): whichever way the run ends, a kill included, the system
//! reclaims them, and no other process can find the personal data they hold.

use crate::error::{Error, Result};
use crate::ident::date::{DateTime, Precision, When};
use crate::ident::id::{IdKind, Sex};
use crate::ingest::{
    DateCell, Strings, Table, TableBuilder, TextColumn, Unreadable, UnreadableKind,
};
use crate::schema::{Field, PointType, Status, SubscriberType};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Records of one batch and shard per block, at most: a shard's share of a batch is written as it
/// comes, in blocks small enough to decode many side by side.
const BLOCK_ROWS: usize = 16_384;
/// zstd's fastest level: the spill is read back once, so compressing harder only costs time.
const LEVEL: i32 = 1;

/// The spill of one run.
pub struct Spill {
    shards: Vec<ShardFile>,
}

struct ShardFile {
    /// Where the file was made (for messages: it is unlinked at once).
    path: PathBuf,
    file: BufWriter<File>,
    /// Compressed bytes and records written.
    bytes: u64,
    records: u64,
}

/// An error writing the spill; running out of space says what to do.
fn write_error(path: &Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::StorageFull {
        Error::Input(format!(
            "cannot write {}: {e}. The spill holds every record, compressed (the manifest of a \
             sharded run gives its bytes per row); free space there or spill elsewhere with \
             --spill DIR",
            path.display()
        ))
    } else {
        Error::write(path, e)
    }
}

impl Spill {
    /// A spill of `shards` files in `parent` (created if missing): made in a new owner-only folder,
    /// unlinked at once, and the folder removed.
    pub fn create(parent: &Path, shards: usize) -> Result<Spill> {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        let suffix = getrandom::u64()
            .map_err(|e| Error::Input(format!("no random name for a spill folder: {e}")))?;
        let dir = parent.join(format!("simaudit-spill-{suffix:016x}"));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        // Not recursive: an existing path is an error, never reused.
        builder.create(&dir).map_err(|e| Error::write(&dir, e))?;
        let opened: std::io::Result<Vec<ShardFile>> = (0..shards)
            .map(|k| {
                let path = dir.join(format!("shard-{k}.bin"));
                let file = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&path)?;
                std::fs::remove_file(&path)?;
                Ok(ShardFile {
                    path,
                    file: BufWriter::with_capacity(1 << 20, file),
                    bytes: 0,
                    records: 0,
                })
            })
            .collect();
        let removed = std::fs::remove_dir_all(&dir);
        let shards = opened.map_err(|e| write_error(&dir, e))?;
        removed.map_err(|e| Error::write(&dir, e))?;
        Ok(Spill { shards })
    }

    /// Appends the rows of `t` to the shards `shard_of` gives them (one per row), each with the
    /// values of `unreadable` that name it (numbered by `t`'s rows): blocks encoded and compressed
    /// side by side, then written in order.
    pub fn add(&mut self, t: &Table, unreadable: &[Unreadable], shard_of: &[u8]) -> Result<()> {
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); self.shards.len()];
        for (i, &shard) in shard_of.iter().enumerate().take(t.len()) {
            rows[shard as usize].push(i as u32);
        }
        // By row (a stable sort: a row's values keep their order).
        let mut by_row: Vec<&Unreadable> = unreadable.iter().collect();
        by_row.sort_by_key(|u| u.subject);
        let blocks: Vec<(usize, &[u32])> = rows
            .iter()
            .enumerate()
            .flat_map(|(k, rows)| rows.chunks(BLOCK_ROWS).map(move |r| (k, r)))
            .collect();
        let compressed: Vec<std::io::Result<(usize, usize, Vec<u8>)>> = blocks
            .par_iter()
            .map(|&(k, rows)| {
                let raw = encode(t, rows, &by_row);
                Ok((k, raw.len(), zstd::bulk::compress(&raw, LEVEL)?))
            })
            .collect();
        for ((k, rows), block) in blocks.iter().zip(compressed) {
            let s = &mut self.shards[*k];
            let (_, raw_len, bytes) = block.map_err(|e| write_error(&s.path, e))?;
            s.write_block(&bytes, raw_len, rows.len())?;
        }
        Ok(())
    }

    /// Finishes writing.
    pub fn finish_writing(&mut self) -> Result<()> {
        for s in &mut self.shards {
            s.file.flush().map_err(|e| write_error(&s.path, e))?;
        }
        Ok(())
    }

    /// The compressed bytes spilled.
    pub fn bytes(&self) -> u64 {
        self.shards.iter().map(|s| s.bytes).sum()
    }

    /// Reads shard `k` back into a table (whose extra columns are `extra`) and its unreadable
    /// values (numbered by the table's rows), then empties the shard's file. An error unless every
    /// block and record written is read back.
    pub fn read(&mut self, k: usize, extra: &[String]) -> Result<(Table, Vec<Unreadable>)> {
        let s = &mut self.shards[k];
        let path = s.path.clone();
        let bad = |why: String| {
            Error::read(
                &path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, why),
            )
        };
        let mut builder = TableBuilder::with_extra(extra);
        let mut unreadable = Vec::new();
        let file = s.file.get_mut();
        file.rewind().map_err(|e| Error::read(&path, e))?;
        let mut reader = std::io::BufReader::with_capacity(1 << 20, &*file);
        crate::usage::PROGRESS.start(s.bytes);
        let mut read = 0u64;
        // Blocks are read a window at a time; a window's blocks are decoded side by side, each into
        // a small table of its own, while the window before is appended in order (each distinct
        // text of a block looked up once).
        const WINDOW: usize = 8;
        let mut decoded: Vec<Result<(Table, Vec<Unreadable>)>> = Vec::new();
        let append = |decoded: Vec<Result<(Table, Vec<Unreadable>)>>,
                      builder: &mut TableBuilder,
                      unreadable: &mut Vec<Unreadable>|
         -> Result<()> {
            for block in decoded {
                let (small, small_unreadable) = block?;
                let offset = builder.len() as u32;
                unreadable.extend(small_unreadable.into_iter().map(|mut u| {
                    u.subject += offset;
                    u
                }));
                builder.append(small);
            }
            Ok(())
        };
        while read < s.bytes {
            let mut window: Vec<(Vec<u8>, usize)> = Vec::with_capacity(WINDOW);
            while read < s.bytes && window.len() < WINDOW {
                let mut head = [0u8; 8];
                reader
                    .read_exact(&mut head)
                    .map_err(|e| Error::read(&path, e))?;
                let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
                let raw_len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
                if len as u64 > s.bytes.saturating_sub(read + 8) {
                    return Err(bad(format!("a block of {len} bytes runs past the end")));
                }
                let mut compressed = vec![0; len];
                reader
                    .read_exact(&mut compressed)
                    .map_err(|e| Error::read(&path, e))?;
                read += 8 + len as u64;
                window.push((compressed, raw_len));
            }
            let before = std::mem::take(&mut decoded);
            let (next, appended) = rayon::join(
                || {
                    window
                        .par_iter()
                        .map(|(compressed, raw_len)| {
                            // The frame says its size: a damaged length is an error, not an
                            // allocation.
                            let size = zstd::zstd_safe::get_frame_content_size(compressed);
                            if !matches!(size, Ok(Some(size)) if size == *raw_len as u64) {
                                return Err(bad("a spilled block's length is damaged".into()));
                            }
                            let raw = zstd::bulk::decompress(compressed, *raw_len)
                                .map_err(|e| Error::read(&path, e))?;
                            decode(&raw, extra)
                                .ok_or_else(|| bad("a spilled block does not decode".into()))
                        })
                        .collect()
                },
                || append(before, &mut builder, &mut unreadable),
            );
            appended?;
            decoded = next;
            crate::usage::PROGRESS.set(read);
        }
        append(decoded, &mut builder, &mut unreadable)?;
        if read != s.bytes || builder.len() as u64 != s.records {
            return Err(bad(format!(
                "{} records in {read} bytes read back, {} records in {} bytes written",
                builder.len(),
                s.records,
                s.bytes
            )));
        }
        drop(reader);
        // Its disk space is not needed any more.
        let _ = file.set_len(0);
        Ok((builder.finish(), unreadable))
    }
}

impl ShardFile {
    /// Writes one block of `records` records: `compressed` holds `raw_len` bytes.
    fn write_block(&mut self, compressed: &[u8], raw_len: usize, records: usize) -> Result<()> {
        let mut head = [0u8; 8];
        head[..4].copy_from_slice(&(compressed.len() as u32).to_le_bytes());
        head[4..].copy_from_slice(&(raw_len as u32).to_le_bytes());
        let written = 8 + compressed.len() as u64;
        self.file
            .write_all(&head)
            .and_then(|_| self.file.write_all(compressed))
            .and_then(|_| test_spill_limit(self.bytes + written))
            .map_err(|e| write_error(&self.path, e))?;
        self.bytes += written;
        self.records += records as u64;
        Ok(())
    }
}

/// A test hook: with `SIMAUDIT_TEST_SPILL_LIMIT=N`, a shard's file "runs out of space" past N
/// bytes, as a full disk would make it.
fn test_spill_limit(bytes: u64) -> std::io::Result<()> {
    static LIMIT: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let limit = LIMIT.get_or_init(|| {
        std::env::var("SIMAUDIT_TEST_SPILL_LIMIT")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    match *limit {
        Some(limit) if bytes > limit => Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "No space left on device",
        )),
        _ => Ok(()),
    }
}

/// LEB128: one byte for a number under 128, as nearly all lengths and counts are.
fn put_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_date(out: &mut Vec<u8>, d: DateCell) {
    match d {
        DateCell::Empty => out.push(0),
        DateCell::Unreadable => out.push(1),
        DateCell::Value(w) => {
            out.push(2 + w.precision as u8);
            let utc = w.at.and_utc();
            out.extend_from_slice(&utc.timestamp().to_le_bytes());
            out.extend_from_slice(&utc.timestamp_subsec_nanos().to_le_bytes());
        }
    }
}

/// The values of `c` at `rows`: the distinct values other than the empty one, in order of first
/// use (their count, their lengths, then their bytes back to back), then a byte giving the width of
/// the codes that follow, one per row (0: the empty value, k: the k-th value) — or 0 and no codes
/// when each row has the next value (phone and ID numbers, nearly always).
fn put_column(out: &mut Vec<u8>, c: &TextColumn, rows: &[u32]) {
    thread_local! {
        /// The column's code → its code in the block (0: not used yet). Codes are dense, so a
        /// vector; kept from block to block, and cleared after each by the codes it took.
        static LOCAL: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut used: Vec<u32> = Vec::new();
    let codes: Vec<u32> = LOCAL.with_borrow_mut(|local| {
        if local.len() < c.values.len() {
            local.resize(c.values.len(), 0);
        }
        let codes = rows
            .iter()
            .map(|&i| {
                let code = c.codes[i as usize];
                if code == 0 {
                    return 0;
                }
                let slot = &mut local[code as usize];
                if *slot == 0 {
                    used.push(code);
                    *slot = used.len() as u32;
                }
                *slot
            })
            .collect();
        for &code in &used {
            local[code as usize] = 0;
        }
        codes
    });
    put_varint(out, used.len());
    for &code in &used {
        put_varint(out, c.value(code).len());
    }
    for &code in &used {
        out.extend_from_slice(c.value(code).as_bytes());
    }
    let each_new = codes.iter().zip(1u32..).all(|(&code, next)| code == next);
    let width: u8 = match used.len() {
        _ if each_new => 0,
        0..=0xff => 1,
        0x100..=0xffff => 2,
        _ => 4,
    };
    out.push(width);
    if width > 0 {
        for code in codes {
            out.extend_from_slice(&code.to_le_bytes()[..usize::from(width)]);
        }
    }
}

/// The raw bytes of a block: rows `rows` of `t` (in order) and their values in `unreadable`
/// (sorted by row), column by column — the row count, each row's file (2 bytes) and row number (4),
/// the five coded columns a byte a row, the three date columns, the nine text columns and the extra
/// ones (see [`put_column`]), then the unreadable values: their count, each with its row in the
/// block, column, kind and text.
fn encode(t: &Table, rows: &[u32], unreadable: &[&Unreadable]) -> Vec<u8> {
    let at = |i: &u32| *i as usize;
    let mut out = Vec::with_capacity(rows.len() * 96);
    put_varint(&mut out, rows.len());
    for i in rows.iter().map(at) {
        out.extend_from_slice(&t.file[i].to_le_bytes());
    }
    for i in rows.iter().map(at) {
        out.extend_from_slice(&t.row[i].to_le_bytes());
    }
    out.extend(rows.iter().map(at).map(|i| t.subscriber_type[i] as u8));
    out.extend(
        rows.iter()
            .map(at)
            .map(|i| t.gender[i].map_or(0, |s| 1 + s as u8)),
    );
    out.extend(
        rows.iter()
            .map(at)
            .map(|i| t.id_type[i].map_or(0, |k| 1 + k as u8)),
    );
    out.extend(rows.iter().map(at).map(|i| t.status[i] as u8));
    out.extend(rows.iter().map(at).map(|i| t.point_type[i] as u8));
    for dates in [&t.date_of_birth, &t.id_issue_date, &t.activation_time] {
        for i in rows.iter().map(at) {
            put_date(&mut out, dates[i]);
        }
    }
    for c in t.texts() {
        put_column(&mut out, c, rows);
    }
    for (_, c) in &t.extra {
        put_column(&mut out, c, rows);
    }
    let mut values = Vec::new();
    if !unreadable.is_empty() {
        for (j, &i) in rows.iter().enumerate() {
            let from = unreadable.partition_point(|u| u.subject < i);
            values.extend(
                unreadable[from..]
                    .iter()
                    .take_while(|u| u.subject == i)
                    .map(|u| (j, u)),
            );
        }
    }
    put_varint(&mut out, values.len());
    for (j, u) in values {
        put_varint(&mut out, j);
        out.push(u.column as u8);
        out.push(u.kind as u8);
        put_text(&mut out, &u.raw);
    }
    out
}

fn take<'a>(at: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if at.len() < n {
        return None;
    }
    let (head, rest) = at.split_at(n);
    *at = rest;
    Some(head)
}

fn byte(at: &mut &[u8]) -> Option<u8> {
    take(at, 1).map(|b| b[0])
}

fn varint(at: &mut &[u8]) -> Option<usize> {
    let mut n = 0usize;
    let mut shift = 0;
    loop {
        let b = byte(at)?;
        n |= usize::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(n);
        }
        shift += 7;
        if shift > 35 {
            return None;
        }
    }
}

fn text<'a>(at: &mut &'a [u8]) -> Option<&'a str> {
    let n = varint(at)?;
    std::str::from_utf8(take(at, n)?).ok()
}

fn date(at: &mut &[u8]) -> Option<DateCell> {
    Some(match byte(at)? {
        0 => DateCell::Empty,
        1 => DateCell::Unreadable,
        tag => {
            let precision = *Precision::ALL.get(usize::from(tag - 2))?;
            let secs = i64::from_le_bytes(take(at, 8)?.try_into().ok()?);
            let nanos = u32::from_le_bytes(take(at, 4)?.try_into().ok()?);
            let at: DateTime = chrono::DateTime::from_timestamp(secs, nanos)?.naive_utc();
            DateCell::Value(When { at, precision })
        }
    })
}

/// A column of `rows` rows as [`put_column`] wrote it. Its texts are checked to be UTF-8 as one
/// piece, and each cut between two of them to fall between characters.
fn column(at: &mut &[u8], rows: usize) -> Option<TextColumn> {
    let distinct = varint(at)?;
    // A block holds no value that none of its rows has.
    if distinct > rows {
        return None;
    }
    let mut ends = Vec::with_capacity(distinct.min(rows) + 1);
    // The empty value: code 0.
    ends.push(0usize);
    let mut end = 0usize;
    for _ in 0..distinct {
        end = end.checked_add(varint(at)?)?;
        ends.push(end);
    }
    let text = simdutf8::basic::from_utf8(take(at, end)?).ok()?;
    let values = Strings::from_ends(text.to_string(), ends)?;
    let codes: Vec<u32> = match byte(at)? {
        0 if distinct == rows => (1..=u32::try_from(rows).ok()?).collect(),
        1 => take(at, rows)?.iter().map(|&b| u32::from(b)).collect(),
        2 => take(at, rows.checked_mul(2)?)?
            .chunks_exact(2)
            .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
            .collect(),
        4 => take(at, rows.checked_mul(4)?)?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        _ => return None,
    };
    codes
        .iter()
        .all(|&c| c as usize <= distinct)
        .then_some(TextColumn { codes, values })
}

/// Reads a block's records (with `extra` extra columns) into a table and their unreadable values
/// (numbered by the table's rows). None: the bytes are not a block (the spill was damaged).
fn decode(raw: &[u8], extra: &[String]) -> Option<(Table, Vec<Unreadable>)> {
    let at = &mut &raw[..];
    let n = varint(at)?;
    /// A coded column: a byte a row, read by `of`.
    fn coded<V>(at: &mut &[u8], n: usize, of: impl Fn(usize) -> Option<V>) -> Option<Vec<V>> {
        take(at, n)?.iter().map(|&b| of(usize::from(b))).collect()
    }
    /// `all[b - 1]`, and None for 0.
    fn optional<T: Copy>(all: &[T], b: usize) -> Option<Option<T>> {
        match b {
            0 => Some(None),
            b => all.get(b - 1).map(|v| Some(*v)),
        }
    }
    // Columns in the order `encode` wrote them, whatever order the table lists them in.
    let mut table = TableBuilder::with_extra(extra).finish();
    table.file = take(at, n.checked_mul(2)?)?
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    table.row = take(at, n.checked_mul(4)?)?
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    table.subscriber_type = coded(at, n, |b| SubscriberType::ALL.get(b).copied())?;
    table.gender = coded(at, n, |b| optional(&Sex::ALL, b))?;
    table.id_type = coded(at, n, |b| optional(&IdKind::ALL, b))?;
    table.status = coded(at, n, |b| Status::ALL.get(b).copied())?;
    table.point_type = coded(at, n, |b| PointType::ALL.get(b).copied())?;
    for dates in [
        &mut table.date_of_birth,
        &mut table.id_issue_date,
        &mut table.activation_time,
    ] {
        *dates = (0..n).map(|_| date(at)).collect::<Option<_>>()?;
    }
    for c in table.texts_mut() {
        *c = column(at, n)?;
    }
    for (_, c) in &mut table.extra {
        *c = column(at, n)?;
    }
    let values = varint(at)?;
    // At most one per coded or date column of each row.
    if values > n.checked_mul(Field::ALL.len())? {
        return None;
    }
    let mut unreadable = Vec::with_capacity(values);
    for _ in 0..values {
        let subject = varint(at)?;
        let column = *Field::ALL.get(usize::from(byte(at)?))?;
        let kind = *UnreadableKind::ALL.get(usize::from(byte(at)?))?;
        unreadable.push(Unreadable {
            file: *table.file.get(subject)?,
            row: *table.row.get(subject)?,
            subject: subject as u32,
            column,
            raw: text(at)?.to_string(),
            kind,
        });
    }
    at.is_empty().then_some((table, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value of row `i`, as text.
    fn row_text(t: &Table, i: usize) -> String {
        let texts: Vec<&str> = [
            &t.carrier,
            &t.msisdn,
            &t.full_name,
            &t.id_number,
            &t.id_issue_place,
            &t.nationality,
            &t.point_id,
            &t.point_name,
            &t.district,
        ]
        .iter()
        .map(|c| c.get(i))
        .chain(t.extra.iter().map(|(_, c)| c.get(i)))
        .collect();
        format!(
            "{} {} {texts:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            t.file[i],
            t.row[i],
            t.subscriber_type[i],
            t.gender[i],
            t.id_type[i],
            t.status[i],
            t.point_type[i],
            t.date_of_birth[i],
            t.id_issue_date[i],
            t.activation_time[i]
        )
    }

    /// The sample extracts, loaded.
    fn sample() -> crate::ingest::Loaded {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/extracts");
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        crate::ingest::load(&inputs, &Default::default()).unwrap()
    }

    #[test]
    fn the_sample_comes_back_from_the_spill_shard_by_shard() {
        let loaded = sample();
        let t = &loaded.table;
        assert!(!t.extra.is_empty() && !loaded.unreadable.is_empty());
        let shards = 3;
        let shard_of: Vec<u8> = (0..t.len()).map(|i| (i * 7 % shards) as u8).collect();
        let tmp = tempfile::tempdir().unwrap();
        let mut spill = Spill::create(tmp.path(), shards).unwrap();
        // Nothing of the spill is left to find on disk.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
        // Added many times, each time written out: more blocks per shard than one window decodes, so
        // rows and their values are renumbered across blocks and windows.
        const TIMES: usize = 11;
        for _ in 0..TIMES {
            spill.add(t, &loaded.unreadable, &shard_of).unwrap();
        }
        spill.finish_writing().unwrap();
        assert!(spill.bytes() > 0);
        let names: Vec<String> = t.extra.iter().map(|(n, _)| n.clone()).collect();
        for k in 0..shards {
            let (back, unreadable) = spill.read(k, &names).unwrap();
            let rows: Vec<usize> = (0..t.len()).filter(|&i| shard_of[i] == k as u8).collect();
            let expected: Vec<String> = (0..TIMES)
                .flat_map(|_| rows.iter().map(|&i| row_text(t, i)))
                .collect();
            let got: Vec<String> = (0..back.len()).map(|i| row_text(&back, i)).collect();
            assert_eq!(got, expected, "shard {k}");
            let mut want: Vec<String> = (0..TIMES)
                .flat_map(|_| loaded.unreadable.iter())
                .filter(|u| shard_of[u.subject as usize] == k as u8)
                .map(|u| format!("{} {} {:?} {:?} {}", u.file, u.row, u.column, u.kind, u.raw))
                .collect();
            let mut have: Vec<String> = unreadable
                .iter()
                .map(|u| {
                    // Numbered by the shard's rows.
                    assert_eq!(
                        (back.file[u.subject as usize], back.row[u.subject as usize]),
                        (u.file, u.row)
                    );
                    format!("{} {} {:?} {:?} {}", u.file, u.row, u.column, u.kind, u.raw)
                })
                .collect();
            want.sort();
            have.sort();
            assert_eq!(have, want, "shard {k}");
        }
    }

    /// A column of `values` (code 0: empty), one code per row.
    fn text_column(values: &[&str], codes: Vec<u32>) -> TextColumn {
        let mut strings = Strings::default();
        strings.push("");
        for v in values {
            strings.push(v);
        }
        TextColumn {
            codes,
            values: strings,
        }
    }

    #[test]
    fn columns_of_every_code_width_come_back() {
        let many: Vec<String> = (0..70_000).map(|i| format!("Nguyễn {i}")).collect();
        let many: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
        let n = 140_000u32;
        let cases: Vec<(&str, Vec<u32>)> = vec![
            ("all empty", vec![0; 50]),
            ("few, repeated", (0..n).map(|i| i % 7).collect()),
            ("hundreds", (0..n).map(|i| i % 300).collect()),
            (
                "tens of thousands",
                (0..n).map(|i| (i * 7919) % 70_001).collect(),
            ),
            ("each row new", (1..=70_000).collect()),
            ("each row new but one empty", (0..70_000).collect()),
            // A code other than 0 may hold the empty value too.
            (
                "an empty value of its own",
                (0..n).map(|i| [0, 70_001, 5][i as usize % 3]).collect(),
            ),
        ];
        let mut many = many;
        many.push("");
        for (what, codes) in cases {
            let c = text_column(&many, codes);
            // All rows, every third row, and none.
            let all: Vec<u32> = (0..c.codes.len() as u32).collect();
            let thirds: Vec<u32> = all.iter().copied().filter(|i| i % 3 == 1).collect();
            for rows in [all, thirds, Vec::new()] {
                let mut out = Vec::new();
                put_column(&mut out, &c, &rows);
                let mut at = &out[..];
                let back = column(&mut at, rows.len()).expect(what);
                assert!(at.is_empty(), "{what}");
                let want: Vec<&str> = rows.iter().map(|&i| c.get(i as usize)).collect();
                let got: Vec<&str> = (0..rows.len()).map(|i| back.get(i)).collect();
                assert_eq!(got, want, "{what}");
                // Only the values the rows use, each once.
                let mut used: Vec<u32> = rows
                    .iter()
                    .map(|&i| c.codes[i as usize])
                    .filter(|&k| k != 0)
                    .collect();
                used.sort();
                used.dedup();
                assert_eq!(back.distinct(), used.len() + 1, "{what}");
            }
        }
    }

    /// Many more rows of one shard in one batch than a block holds: several blocks from one `add`,
    /// each row's unreadable values numbered by the rows read back.
    #[test]
    fn a_batch_bigger_than_a_block_comes_back_whole() {
        let n = 2 * BLOCK_ROWS + 123;
        let texts = |every: usize, name: &str| {
            let values: Vec<String> = (0..every).map(|v| format!("{name} {v}")).collect();
            let values: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
            text_column(
                &values,
                (0..n as u32).map(|i| i % (every as u32 + 1)).collect(),
            )
        };
        let when = |i: usize| match i % 4 {
            0 => DateCell::Empty,
            1 => DateCell::Unreadable,
            _ => DateCell::Value(When {
                at: chrono::DateTime::from_timestamp(i as i64 * 997, 0)
                    .unwrap()
                    .naive_utc(),
                precision: Precision::ALL[i % Precision::ALL.len()],
            }),
        };
        let t = Table {
            file: (0..n).map(|i| (i / 30_000) as u16).collect(),
            row: (0..n).map(|i| (i % 30_000) as u32 + 1).collect(),
            carrier: texts(3, "MẠNG"),
            msisdn: texts(n, "09"),
            full_name: texts(5_000, "Nguyễn Thị"),
            id_number: texts(n - 7, "0010"),
            id_issue_place: texts(60, "Cục"),
            nationality: texts(2, "VN"),
            point_id: texts(300, "P"),
            point_name: texts(300, "Điểm"),
            district: texts(70_000, "Quận"),
            subscriber_type: (0..n)
                .map(|i| SubscriberType::ALL[i % SubscriberType::ALL.len()])
                .collect(),
            gender: (0..n).map(|i| Sex::ALL.get(i % 3).copied()).collect(),
            id_type: (0..n).map(|i| IdKind::ALL.get(i % 6).copied()).collect(),
            status: (0..n).map(|i| Status::ALL[i % Status::ALL.len()]).collect(),
            point_type: (0..n)
                .map(|i| PointType::ALL[i % PointType::ALL.len()])
                .collect(),
            date_of_birth: (0..n).map(when).collect(),
            id_issue_date: (0..n).map(|i| when(i + 1)).collect(),
            activation_time: (0..n).map(|i| when(i + 2)).collect(),
            extra: vec![("ghi chú".into(), texts(10, "chú"))],
        };
        let unreadable: Vec<Unreadable> = (0..n)
            .filter(|i| i % 4 == 1)
            .map(|i| Unreadable {
                file: t.file[i],
                row: t.row[i],
                subject: i as u32,
                column: Field::DateOfBirth,
                raw: format!("ngày {i}"),
                kind: UnreadableKind::Date,
            })
            .collect();
        let tmp = tempfile::tempdir().unwrap();
        let mut spill = Spill::create(tmp.path(), 2).unwrap();
        // Nearly all rows in shard 1.
        let shard_of: Vec<u8> = (0..n).map(|i| u8::from(i % 50 != 0)).collect();
        spill.add(&t, &unreadable, &shard_of).unwrap();
        spill.finish_writing().unwrap();
        let names = vec!["ghi chú".to_string()];
        for k in 0..2u8 {
            let (back, back_unreadable) = spill.read(k as usize, &names).unwrap();
            let rows: Vec<usize> = (0..n).filter(|&i| shard_of[i] == k).collect();
            let want: Vec<String> = rows.iter().map(|&i| row_text(&t, i)).collect();
            let got: Vec<String> = (0..back.len()).map(|i| row_text(&back, i)).collect();
            assert_eq!(got, want, "shard {k}");
            let want: Vec<(u32, String)> = rows
                .iter()
                .enumerate()
                .filter(|(_, &i)| i % 4 == 1)
                .map(|(j, &i)| (j as u32, format!("ngày {i}")))
                .collect();
            let got: Vec<(u32, String)> = back_unreadable
                .iter()
                .map(|u| {
                    assert_eq!(
                        (u.file, u.row),
                        (back.file[u.subject as usize], back.row[u.subject as usize])
                    );
                    (u.subject, u.raw.clone())
                })
                .collect();
            assert_eq!(got, want, "shard {k}");
        }
    }

    /// A damaged block anywhere in a shard's file (in the first window read, or the last) makes
    /// reading it back an error: decoding runs a window ahead of appending, and no error is lost.
    #[test]
    fn a_damaged_spill_is_an_error_wherever_the_damage_is() {
        use std::os::unix::fs::FileExt;
        let loaded = sample();
        let t = &loaded.table;
        let names: Vec<String> = t.extra.iter().map(|(n, _)| n.clone()).collect();
        let shard_of = vec![0u8; t.len()];
        let tmp = tempfile::tempdir().unwrap();
        // 11 blocks: more than one window of 8.
        for damaged in [0usize, 10] {
            let mut spill = Spill::create(tmp.path(), 1).unwrap();
            for _ in 0..11 {
                spill.add(t, &loaded.unreadable, &shard_of).unwrap();
            }
            spill.finish_writing().unwrap();
            let file = spill.shards[0].file.get_mut();
            // Walks the blocks' headers to the damaged one, and makes its raw length one more.
            let mut at = 0u64;
            for _ in 0..damaged {
                let mut head = [0u8; 8];
                file.read_exact_at(&mut head, at).unwrap();
                at += 8 + u64::from(u32::from_le_bytes([head[0], head[1], head[2], head[3]]));
            }
            let mut head = [0u8; 8];
            file.read_exact_at(&mut head, at).unwrap();
            let raw_len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) + 1;
            file.write_all_at(&raw_len.to_le_bytes(), at + 4).unwrap();
            let read = spill.read(0, &names);
            assert!(read.is_err(), "block {damaged} damaged, yet read back");
        }
    }

    #[test]
    fn a_damaged_block_is_an_error_never_a_panic() {
        let loaded = sample();
        let t = &loaded.table;
        let names: Vec<String> = t.extra.iter().map(|(n, _)| n.clone()).collect();
        let rows: Vec<u32> = (0..t.len().min(40) as u32).collect();
        let mut by_row: Vec<&Unreadable> = loaded.unreadable.iter().collect();
        by_row.sort_by_key(|u| u.subject);
        let raw = encode(t, &rows, &by_row);
        let (back, _) = decode(&raw, &names).unwrap();
        assert_eq!(back.len(), rows.len());
        // Cut anywhere: never a block.
        for cut in 0..raw.len() {
            assert!(decode(&raw[..cut], &names).is_none(), "cut at {cut}");
        }
        // Any byte changed: read or refused, without a panic.
        for at in 0..raw.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = raw.clone();
                bad[at] ^= flip;
                let _ = decode(&bad, &names);
            }
        }
    }

    #[test]
    fn texts_and_dates_of_every_kind_come_back() {
        for n in [0usize, 1, 127, 128, 300, 16_383, 16_384, 70_000] {
            let text = "ắ".repeat(n / 3) + &"x".repeat(n % 3);
            let mut out = Vec::new();
            put_text(&mut out, &text);
            let mut at = &out[..];
            assert_eq!(super::text(&mut at), Some(text.as_str()));
            assert!(at.is_empty());
        }
        let at = chrono::NaiveDate::from_ymd_opt(1899, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 58, 123_000_000)
            .unwrap();
        let mut cells = vec![DateCell::Empty, DateCell::Unreadable];
        for precision in Precision::ALL {
            cells.push(DateCell::Value(When { at, precision }));
        }
        for cell in cells {
            let mut out = Vec::new();
            put_date(&mut out, cell);
            let mut read = &out[..];
            assert_eq!(date(&mut read), Some(cell));
        }
        // Damaged bytes are an error, never a panic.
        let mut short = &[5u8, b'a'][..];
        assert_eq!(super::text(&mut short), None);
    }

    #[test]
    fn every_variant_is_where_its_code_says() {
        // The codec writes `v as u8` and reads `ALL[code]`.
        fn in_order(codes: impl Iterator<Item = usize>) {
            assert!(codes.enumerate().all(|(i, code)| i == code));
        }
        in_order(SubscriberType::ALL.iter().map(|v| *v as usize));
        in_order(Status::ALL.iter().map(|v| *v as usize));
        in_order(PointType::ALL.iter().map(|v| *v as usize));
        in_order(Sex::ALL.iter().map(|v| *v as usize));
        in_order(IdKind::ALL.iter().map(|v| *v as usize));
        in_order(Precision::ALL.iter().map(|v| *v as usize));
        in_order(UnreadableKind::ALL.iter().map(|v| *v as usize));
        in_order(Field::ALL.iter().map(|v| *v as usize));
        assert!(Field::ALL.len() < 256);
    }
}

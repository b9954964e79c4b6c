//! The spill: the scan pass's parsed records, written shard by shard under a folder of the user's
//! choosing, so that each shard pass reads back only its own records instead of parsing every input
//! again.
//!
//! Each shard has a file of blocks; a block is `[compressed length u32][raw length u32][zstd
//! frame]`, and its raw bytes are whole records (see [`encode`]). Records of a shard keep the
//! scan's order, which is (file, row) order. The files are unlinked as soon as they are opened (only
//! the run's descriptors reach them): whichever way the run ends, a kill included, the system
//! reclaims them, and no other process can find the personal data they hold.

use crate::error::{Error, Result};
use crate::ident::date::{DateTime, Precision, When};
use crate::ident::id::{IdKind, Sex};
use crate::ingest::{DateCell, Table, TableBuilder, Unreadable, UnreadableKind};
use crate::schema::{Field, PointType, Status, SubscriberType};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Raw bytes a shard gathers before they are compressed and written as one block.
const BLOCK: usize = 1 << 20;
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
    pending: Vec<u8>,
    /// Records in `pending`.
    pending_records: u64,
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
                    pending: Vec::new(),
                    pending_records: 0,
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
    /// values of `unreadable` that name it (numbered by `t`'s rows).
    pub fn add(&mut self, t: &Table, unreadable: &[Unreadable], shard_of: &[u8]) -> Result<()> {
        // By row (a stable sort: a row's values keep their order).
        let mut by_row: Vec<&Unreadable> = unreadable.iter().collect();
        by_row.sort_by_key(|u| u.subject);
        let mut next = 0;
        for (i, &shard) in shard_of.iter().enumerate().take(t.len()) {
            let from = next;
            while by_row.get(next).is_some_and(|u| u.subject as usize == i) {
                next += 1;
            }
            let out = &mut self.shards[shard as usize];
            encode(&mut out.pending, t, i, &by_row[from..next]);
            out.pending_records += 1;
        }
        self.flush(false)
    }

    /// Compresses and writes every shard's pending records (with `all` false, only those holding a
    /// block's worth), shards side by side.
    fn flush(&mut self, all: bool) -> Result<()> {
        self.shards
            .par_iter_mut()
            .filter(|s| !s.pending.is_empty() && (all || s.pending.len() >= BLOCK))
            .try_for_each(|s| s.write_block())
    }

    /// Finishes writing.
    pub fn finish_writing(&mut self) -> Result<()> {
        self.flush(true)?;
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
        // a small table of its own, which are then appended in order.
        const WINDOW: usize = 8;
        while read < s.bytes {
            let mut window: Vec<(Vec<u8>, usize)> = Vec::with_capacity(WINDOW);
            while read < s.bytes && window.len() < WINDOW {
                let mut head = [0u8; 8];
                reader
                    .read_exact(&mut head)
                    .map_err(|e| Error::read(&path, e))?;
                let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
                let raw_len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
                let mut compressed = vec![0; len];
                reader
                    .read_exact(&mut compressed)
                    .map_err(|e| Error::read(&path, e))?;
                read += 8 + len as u64;
                window.push((compressed, raw_len));
            }
            let decoded: Vec<Result<(Table, Vec<Unreadable>)>> = window
                .par_iter()
                .map(|(compressed, raw_len)| {
                    let raw = zstd::bulk::decompress(compressed, *raw_len)
                        .map_err(|e| Error::read(&path, e))?;
                    let mut small = TableBuilder::with_extra(extra);
                    let mut small_unreadable = Vec::new();
                    let mut at = &raw[..];
                    while !at.is_empty() {
                        decode(&mut at, &mut small, &mut small_unreadable)
                            .ok_or_else(|| bad("a spilled record does not decode".into()))?;
                    }
                    Ok((small.finish(), small_unreadable))
                })
                .collect();
            for block in decoded {
                let (small, small_unreadable) = block?;
                let offset = builder.len() as u32;
                unreadable.extend(small_unreadable.into_iter().map(|mut u| {
                    u.subject += offset;
                    u
                }));
                builder.append(small);
            }
            crate::usage::PROGRESS.set(read);
        }
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
    fn write_block(&mut self) -> Result<()> {
        let compressed =
            zstd::bulk::compress(&self.pending, LEVEL).map_err(|e| Error::write(&self.path, e))?;
        let mut head = [0u8; 8];
        head[..4].copy_from_slice(&(compressed.len() as u32).to_le_bytes());
        head[4..].copy_from_slice(&(self.pending.len() as u32).to_le_bytes());
        let written = 8 + compressed.len() as u64;
        self.file
            .write_all(&head)
            .and_then(|_| self.file.write_all(&compressed))
            .and_then(|_| test_spill_limit(self.bytes + written))
            .map_err(|e| write_error(&self.path, e))?;
        self.bytes += written;
        self.records += self.pending_records;
        self.pending.clear();
        self.pending_records = 0;
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

fn put_text(out: &mut Vec<u8>, s: &str) {
    let mut n = s.len();
    // LEB128 length: one byte for a text under 128 bytes, as nearly all are.
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
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

/// Appends row `i` of `t` and its unreadable values to `out`.
fn encode(out: &mut Vec<u8>, t: &Table, i: usize, unreadable: &[&Unreadable]) {
    out.extend_from_slice(&t.file[i].to_le_bytes());
    out.extend_from_slice(&t.row[i].to_le_bytes());
    for c in t.texts() {
        put_text(out, c.get(i));
    }
    out.push(t.subscriber_type[i] as u8);
    out.push(t.gender[i].map_or(0, |s| 1 + s as u8));
    out.push(t.id_type[i].map_or(0, |k| 1 + k as u8));
    out.push(t.status[i] as u8);
    out.push(t.point_type[i] as u8);
    for d in [t.date_of_birth[i], t.id_issue_date[i], t.activation_time[i]] {
        put_date(out, d);
    }
    for (_, c) in &t.extra {
        put_text(out, c.get(i));
    }
    // A row has at most one unreadable value per coded or date column, far fewer than 255.
    out.push(unreadable.len().min(255) as u8);
    for u in unreadable.iter().take(255) {
        out.push(u.column as u8);
        out.push(u.kind as u8);
        put_text(out, &u.raw);
    }
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

fn text<'a>(at: &mut &'a [u8]) -> Option<&'a str> {
    let mut n = 0usize;
    let mut shift = 0;
    loop {
        let b = byte(at)?;
        n |= usize::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 35 {
            return None;
        }
    }
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

/// Reads one record from `at` onto the end of `b`, its unreadable values into `unreadable`. None:
/// the bytes are not a record (the spill was damaged).
fn decode(at: &mut &[u8], b: &mut TableBuilder, unreadable: &mut Vec<Unreadable>) -> Option<()> {
    let subject = b.len() as u32;
    let file = u16::from_le_bytes(take(at, 2)?.try_into().ok()?);
    let row = u32::from_le_bytes(take(at, 4)?.try_into().ok()?);
    for c in b.texts_mut() {
        c.push(text(at)?);
    }
    let subscriber_type = *SubscriberType::ALL.get(usize::from(byte(at)?))?;
    let gender = match byte(at)? {
        0 => None,
        s => Some(*Sex::ALL.get(usize::from(s - 1))?),
    };
    let id_type = match byte(at)? {
        0 => None,
        k => Some(*IdKind::ALL.get(usize::from(k - 1))?),
    };
    let status = *Status::ALL.get(usize::from(byte(at)?))?;
    let point_type = *PointType::ALL.get(usize::from(byte(at)?))?;
    let dates = [date(at)?, date(at)?, date(at)?];
    for (_, c) in &mut b.extra {
        c.push(text(at)?);
    }
    for _ in 0..byte(at)? {
        let column = *Field::ALL.get(usize::from(byte(at)?))?;
        let kind = *UnreadableKind::ALL.get(usize::from(byte(at)?))?;
        unreadable.push(Unreadable {
            file,
            row,
            subject,
            column,
            raw: text(at)?.to_string(),
            kind,
        });
    }
    b.file.push(file);
    b.row.push(row);
    b.subscriber_type.push(subscriber_type);
    b.gender.push(gender);
    b.id_type.push(id_type);
    b.status.push(status);
    b.point_type.push(point_type);
    b.date_of_birth.push(dates[0]);
    b.id_issue_date.push(dates[1]);
    b.activation_time.push(dates[2]);
    Some(())
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

    #[test]
    fn the_sample_comes_back_from_the_spill_shard_by_shard() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/extracts");
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        let loaded = crate::ingest::load(&inputs, &Default::default()).unwrap();
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
            spill.flush(true).unwrap();
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

//! The spill: the scan pass's parsed records, written shard by shard to a folder of the user's
//! choosing, so that each shard pass reads back only its own records instead of parsing every input
//! again.
//!
//! Each shard has a file of blocks; a block is `[compressed length u32][raw length u32][zstd
//! frame]`, and its raw bytes are whole records (see [`encode`]). Records of a shard keep the
//! scan's order, which is (file, row) order. The folder is owner-only, locked while its run lives,
//! and removed when the [`Spill`] is dropped (at the end of the run, on error too); a folder left by
//! a killed run is removed by the next run that spills into the same place.

use crate::error::{Error, Result};
use crate::ident::date::{DateTime, Precision, When};
use crate::ident::id::{IdKind, Sex};
use crate::ingest::{DateCell, Table, TableBuilder, Unreadable, UnreadableKind};
use crate::schema::{Field, PointType, Status, SubscriberType};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Raw bytes a shard gathers before they are compressed and written as one block.
const BLOCK: usize = 4 << 20;
/// zstd's fastest level: the spill is read back once, so compressing harder only costs time.
const LEVEL: i32 = 1;
/// The prefix of a spill folder's name.
const PREFIX: &str = "simaudit-spill-";
const LOCK: &str = ".lock";

/// The spill of one run.
pub struct Spill {
    dir: PathBuf,
    /// Held (flocked) while the run lives: tells a later run this folder is not stale.
    _lock: File,
    shards: Vec<ShardFile>,
}

struct ShardFile {
    path: PathBuf,
    file: Option<BufWriter<File>>,
    pending: Vec<u8>,
    /// Compressed bytes written.
    bytes: u64,
}

impl Spill {
    /// A new spill folder in `parent` (created if missing) for `shards` shards, after removing the
    /// folders of earlier runs there that no process holds any more.
    pub fn create(parent: &Path, shards: usize) -> Result<Spill> {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        remove_stale(parent);
        let suffix = getrandom::u64()
            .map_err(|e| Error::Input(format!("no random name for a spill folder: {e}")))?;
        let dir = parent.join(format!("{PREFIX}{suffix:016x}"));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        // Not recursive: an existing path is an error, never reused.
        builder.create(&dir).map_err(|e| Error::write(&dir, e))?;
        let lock = match lock(&dir.join(LOCK)) {
            Ok(Some(file)) => file,
            Ok(None) => return Err(Error::Input(format!("{} is in use", dir.display()))),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(Error::write(&dir, e));
            }
        };
        let shards = (0..shards)
            .map(|k| ShardFile {
                path: dir.join(format!("shard-{k}.bin")),
                file: None,
                pending: Vec::new(),
                bytes: 0,
            })
            .collect();
        Ok(Spill {
            dir,
            _lock: lock,
            shards,
        })
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
            let out = &mut self.shards[shard as usize].pending;
            encode(out, t, i, &by_row[from..next]);
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
            if let Some(mut f) = s.file.take() {
                f.flush().map_err(|e| Error::write(&s.path, e))?;
            }
        }
        Ok(())
    }

    /// The compressed bytes spilled.
    pub fn bytes(&self) -> u64 {
        self.shards.iter().map(|s| s.bytes).sum()
    }

    /// Reads shard `k` back into a table (whose extra columns are `extra`) and its unreadable
    /// values (numbered by the table's rows); the shard's file is removed once read.
    pub fn read(&self, k: usize, extra: &[String]) -> Result<(Table, Vec<Unreadable>)> {
        let s = &self.shards[k];
        let mut builder = TableBuilder::with_extra(extra);
        let mut unreadable = Vec::new();
        if s.bytes > 0 {
            let bad = |why: &str| {
                Error::read(
                    &s.path,
                    std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string()),
                )
            };
            let mut file = std::io::BufReader::with_capacity(
                1 << 20,
                File::open(&s.path).map_err(|e| Error::read(&s.path, e))?,
            );
            let mut compressed = Vec::new();
            let mut head = [0u8; 8];
            crate::usage::PROGRESS.start(s.bytes);
            let mut read = 0u64;
            loop {
                match file.read_exact(&mut head) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(Error::read(&s.path, e)),
                }
                let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
                let raw_len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
                compressed.resize(len, 0);
                file.read_exact(&mut compressed)
                    .map_err(|e| Error::read(&s.path, e))?;
                read += 8 + len as u64;
                crate::usage::PROGRESS.set(read);
                let raw = zstd::bulk::decompress(&compressed, raw_len)
                    .map_err(|e| Error::read(&s.path, e))?;
                let mut at = &raw[..];
                while !at.is_empty() {
                    decode(&mut at, &mut builder, &mut unreadable)
                        .ok_or_else(|| bad("a spilled record does not decode"))?;
                }
            }
        }
        let _ = std::fs::remove_file(&s.path);
        Ok((builder.finish(), unreadable))
    }
}

impl ShardFile {
    fn write_block(&mut self) -> Result<()> {
        let io = |e| Error::write(&self.path, e);
        let compressed =
            zstd::bulk::compress(&self.pending, LEVEL).map_err(|e| Error::write(&self.path, e))?;
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                let f = File::create(&self.path).map_err(|e| Error::write(&self.path, e))?;
                self.file.insert(BufWriter::with_capacity(1 << 20, f))
            }
        };
        let mut head = [0u8; 8];
        head[..4].copy_from_slice(&(compressed.len() as u32).to_le_bytes());
        head[4..].copy_from_slice(&(self.pending.len() as u32).to_le_bytes());
        let written = file
            .write_all(&head)
            .and_then(|_| file.write_all(&compressed))
            .and_then(|_| test_spill_limit(self.bytes + 8 + compressed.len() as u64));
        written.map_err(|e| {
            if e.kind() == std::io::ErrorKind::StorageFull {
                Error::Input(format!(
                    "cannot write {}: {e}. The spill holds every record, compressed (the manifest of \
                     a sharded run gives its bytes per row); free space there or spill elsewhere \
                     with --spill DIR",
                    self.path.display()
                ))
            } else {
                io(e)
            }
        })?;
        self.bytes += 8 + compressed.len() as u64;
        self.pending.clear();
        Ok(())
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A test hook: with `SIMAUDIT_TEST_SPILL_LIMIT=N`, a shard's file "runs out of space" past N
/// bytes, as a full disk would make it.
fn test_spill_limit(bytes: u64) -> std::io::Result<()> {
    match std::env::var("SIMAUDIT_TEST_SPILL_LIMIT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        Some(limit) if bytes > limit => Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "No space left on device",
        )),
        _ => Ok(()),
    }
}

/// Takes an exclusive lock on `path` without waiting: None when another process holds it.
fn lock(path: &Path) -> std::io::Result<Option<File>> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Ok(None);
        }
    }
    Ok(Some(file))
}

/// Removes the spill folders in `parent` that belong to this user and that no live run holds (the
/// spills of killed runs).
fn remove_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let path = entry.path();
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Another user's folder is theirs to clean.
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() && m.uid() == unsafe { libc::geteuid() } => {}
                _ => continue,
            }
        }
        // A folder without its lock file is one being created this instant: left alone.
        if path.join(LOCK).exists() {
            if let Ok(Some(held)) = lock(&path.join(LOCK)) {
                let _ = std::fs::remove_dir_all(&path);
                drop(held);
            }
        }
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
    for c in [
        &t.carrier,
        &t.msisdn,
        &t.full_name,
        &t.id_number,
        &t.id_issue_place,
        &t.nationality,
        &t.point_id,
        &t.point_name,
        &t.district,
    ] {
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
    out.push(unreadable.len().min(255) as u8);
    for u in unreadable.iter().take(255) {
        out.push(Field::ALL.iter().position(|f| *f == u.column).unwrap_or(0) as u8);
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
    for c in [
        &mut b.carrier,
        &mut b.msisdn,
        &mut b.full_name,
        &mut b.id_number,
        &mut b.id_issue_place,
        &mut b.nationality,
        &mut b.point_id,
        &mut b.point_name,
        &mut b.district,
    ] {
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

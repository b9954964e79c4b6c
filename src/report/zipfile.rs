//! A zip archive written entry by entry into a seekable file, for report.xlsx: entries copied as they
//! are (compressed already) from another archive, and one entry at a time whose deflate stream comes
//! in pieces compressed apart, side by side (as `pigz -i` does for gzip: each piece starts with an
//! empty window, so no piece waits for the one before).
//!
//! Only what a workbook needs: no zip64, no encryption. An archive that would need zip64 (an entry or
//! offset of 4 GiB or more, 65,535 entries or more) is refused with an error rather than written wrong.

use std::io::{Read, Seek, SeekFrom, Write};

/// Version needed to extract: 2.0 (deflate).
const VERSION: u16 = 20;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// Where the CRC-32 and the two sizes sit in a local file header.
const CRC_AT: u64 = 14;
/// General purpose flags: bit 11, the name is UTF-8.
const UTF8_NAME: u16 = 1 << 11;

/// The MS-DOS time and date of a part (its time of day, its date), 1980-01-01 00:00 when it has none.
pub fn part_time<R: Read>(part: &zip::read::ZipFile<'_, R>) -> (u16, u16) {
    part.last_modified()
        .map(|t| (t.timepart(), t.datepart()))
        .unwrap_or((0, 0x21))
}

/// A piece of a deflate stream and what the entry's header needs to know of its input.
pub struct Piece {
    deflated: Vec<u8>,
    crc: flate2::Crc,
    size: u64,
}

impl Piece {
    /// `data` as raw deflate, at the fastest level. A piece that is not `last` ends on a byte boundary
    /// with a sync flush (an empty stored block) and no final block, so pieces compressed apart, each
    /// with an empty window, concatenate into one valid stream; the `last` piece ends the stream.
    pub fn deflate(data: &[u8], last: bool) -> std::io::Result<Piece> {
        use flate2::{Compress, Compression, FlushCompress, Status};
        let mut c = Compress::new(Compression::fast(), false);
        let flush = if last {
            FlushCompress::Finish
        } else {
            FlushCompress::Sync
        };
        let mut deflated = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let used = c.total_in() as usize;
            let status = c
                .compress_vec(&data[used..], &mut deflated, flush)
                .map_err(std::io::Error::other)?;
            let all_in = c.total_in() as usize == data.len();
            // A flush is complete once the compressor stops with room left in the output.
            let done = if last {
                status == Status::StreamEnd
            } else {
                all_in && deflated.len() < deflated.capacity()
            };
            if done {
                break;
            }
            deflated.reserve(deflated.capacity().max(4096));
        }
        let mut crc = flate2::Crc::new();
        crc.update(data);
        Ok(Piece {
            deflated,
            crc,
            size: data.len() as u64,
        })
    }
}

/// An entry's central directory record, kept until the archive ends.
struct Entry {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

impl Entry {
    /// The fields a local header and a directory record share, in their order: version needed, flags,
    /// method, time, date, CRC-32, compressed and uncompressed sizes, name length.
    fn shared_fields(&self, h: &mut Vec<u8>) -> std::io::Result<()> {
        h.extend_from_slice(&VERSION.to_le_bytes());
        h.extend_from_slice(&self.flags.to_le_bytes());
        h.extend_from_slice(&self.method.to_le_bytes());
        h.extend_from_slice(&self.time.to_le_bytes());
        h.extend_from_slice(&self.date.to_le_bytes());
        h.extend_from_slice(&self.crc.to_le_bytes());
        h.extend_from_slice(&u32_of(self.compressed, "an entry")?.to_le_bytes());
        h.extend_from_slice(&u32_of(self.size, "an entry")?.to_le_bytes());
        h.extend_from_slice(&name_length(&self.name)?.to_le_bytes());
        Ok(())
    }
}

/// The entry being written piece by piece.
struct Open {
    entry: Entry,
    crc: flate2::Crc,
}

pub struct ZipOut<W: Write + Seek> {
    out: W,
    /// Bytes written so far: the next entry's offset.
    at: u64,
    entries: Vec<Entry>,
    open: Option<Open>,
}

/// `n` as a 32-bit field; the field's largest value is refused too, since it tells readers to look
/// for a zip64 field.
fn u32_of(n: u64, what: &str) -> std::io::Result<u32> {
    u32::try_from(n)
        .ok()
        .filter(|&n| n != u32::MAX)
        .ok_or_else(|| {
            std::io::Error::other(format!(
                "{what} is larger than a zip archive without zip64 holds (4 GiB)"
            ))
        })
}

fn order_error(what: &str) -> std::io::Error {
    std::io::Error::other(format!("zip archive written out of order: {what}"))
}

/// The general purpose flags of an entry named `name`: only whether the name is UTF-8 beyond ASCII.
fn flags_of(name: &[u8]) -> u16 {
    if std::str::from_utf8(name).is_ok_and(|n| !n.is_ascii()) {
        UTF8_NAME
    } else {
        0
    }
}

fn name_length(name: &[u8]) -> std::io::Result<u16> {
    u16::try_from(name.len()).map_err(|_| std::io::Error::other("a zip entry's name is too long"))
}

impl<W: Write + Seek> ZipOut<W> {
    pub fn new(out: W) -> ZipOut<W> {
        ZipOut {
            out,
            at: 0,
            entries: Vec::new(),
            open: None,
        }
    }

    /// A local file header for `e`.
    fn local_header(&mut self, e: &Entry) -> std::io::Result<()> {
        let mut h = Vec::with_capacity(30 + e.name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        e.shared_fields(&mut h)?;
        // No extra field.
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(&e.name);
        self.write(&h)
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// Copies `part` from another archive without decompressing it (its CRC-32 and sizes from that
    /// archive's directory).
    pub fn copy_raw<R: Read>(
        &mut self,
        mut part: zip::read::ZipFile<'_, R>,
    ) -> std::io::Result<()> {
        if self.open.is_some() {
            return Err(order_error("a part copied into an open entry"));
        }
        if part.encrypted() {
            return Err(std::io::Error::other("a workbook part is encrypted"));
        }
        let method = match part.compression() {
            zip::CompressionMethod::Stored => STORED,
            zip::CompressionMethod::Deflated => DEFLATED,
            other => {
                return Err(std::io::Error::other(format!(
                    "a workbook part is compressed with {other:?}"
                )))
            }
        };
        let (time, date) = part_time(&part);
        let name = part.name_raw().to_vec();
        let entry = Entry {
            flags: flags_of(&name),
            name,
            method,
            time,
            date,
            crc: part.crc32(),
            compressed: part.compressed_size(),
            size: part.size(),
            offset: self.at,
        };
        self.local_header(&entry)?;
        let copied = std::io::copy(&mut part, &mut self.out)?;
        if copied != entry.compressed {
            return Err(std::io::Error::other("a workbook part ended early"));
        }
        self.at += copied;
        self.entries.push(entry);
        Ok(())
    }

    /// Starts a deflated entry named `name` whose stream the next [`ZipOut::piece`]s make; its
    /// CRC-32 and sizes are written into its header when it ends.
    pub fn begin(&mut self, name: &str, time: u16, date: u16) -> std::io::Result<()> {
        if self.open.is_some() {
            return Err(order_error("an entry begun while another is open"));
        }
        let entry = Entry {
            name: name.as_bytes().to_vec(),
            flags: flags_of(name.as_bytes()),
            method: DEFLATED,
            time,
            date,
            crc: 0,
            compressed: 0,
            size: 0,
            offset: self.at,
        };
        self.local_header(&entry)?;
        self.open = Some(Open {
            entry,
            crc: flate2::Crc::new(),
        });
        Ok(())
    }

    /// Appends `piece` to the open entry's stream.
    pub fn piece(&mut self, piece: Piece) -> std::io::Result<()> {
        let Some(open) = self.open.as_mut() else {
            return Err(order_error("a piece with no entry open"));
        };
        open.crc.combine(&piece.crc);
        open.entry.compressed += piece.deflated.len() as u64;
        open.entry.size += piece.size;
        self.write(&piece.deflated)
    }

    /// Ends the open entry (its last piece given) and writes its CRC-32 and sizes into its header.
    pub fn end(&mut self) -> std::io::Result<()> {
        let Open { mut entry, crc } = self
            .open
            .take()
            .ok_or_else(|| order_error("an entry ended that was not begun"))?;
        entry.crc = crc.sum();
        let mut fields = Vec::with_capacity(12);
        fields.extend_from_slice(&entry.crc.to_le_bytes());
        fields.extend_from_slice(&u32_of(entry.compressed, "the findings sheet")?.to_le_bytes());
        fields.extend_from_slice(&u32_of(entry.size, "the findings sheet")?.to_le_bytes());
        self.out.seek(SeekFrom::Start(entry.offset + CRC_AT))?;
        self.out.write_all(&fields)?;
        self.out.seek(SeekFrom::Start(self.at))?;
        self.entries.push(entry);
        Ok(())
    }

    /// Writes the central directory and returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.open.is_some() {
            return Err(order_error("an entry left open"));
        }
        let start = self.at;
        let entries = std::mem::take(&mut self.entries);
        let count = u16::try_from(entries.len())
            .ok()
            .filter(|&n| n != u16::MAX)
            .ok_or_else(|| {
                std::io::Error::other("the workbook has more parts than a zip without zip64 holds")
            })?;
        for e in &entries {
            let mut h = Vec::with_capacity(46 + e.name.len());
            h.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            // Version made by.
            h.extend_from_slice(&VERSION.to_le_bytes());
            e.shared_fields(&mut h)?;
            // Extra field, comment, disk number, internal and external attributes.
            h.extend_from_slice(&[0; 12]);
            h.extend_from_slice(&u32_of(e.offset, "the workbook")?.to_le_bytes());
            h.extend_from_slice(&e.name);
            self.write(&h)?;
        }
        let size = u32_of(self.at - start, "the workbook")?;
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0; 4]);
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&size.to_le_bytes());
        end.extend_from_slice(&u32_of(start, "the workbook")?.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.write(&end)?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An archive with one entry, `texts` concatenated, each text deflated as a piece of its own.
    fn archive(texts: &[&[u8]]) -> Vec<u8> {
        let mut z = ZipOut::new(std::io::Cursor::new(Vec::new()));
        z.begin("a/b.xml", 0, 0x21).unwrap();
        for (i, t) in texts.iter().enumerate() {
            z.piece(Piece::deflate(t, i + 1 == texts.len()).unwrap())
                .unwrap();
        }
        z.end().unwrap();
        z.finish().unwrap().into_inner()
    }

    fn read_back(bytes: Vec<u8>) -> Vec<u8> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), 1);
        let mut f = zip.by_name("a/b.xml").unwrap();
        let mut out = Vec::new();
        // The reader checks the CRC-32 and size in the header against the stream.
        f.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn pieces_make_one_stream_with_empty_and_long_pieces() {
        let long: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let texts: [&[u8]; 4] = [b"<head>", b"", &long, b"</tail>"];
        assert_eq!(read_back(archive(&texts)), texts.concat());
    }

    proptest! {
        #[test]
        fn any_cut_reads_back(data in proptest::collection::vec(any::<u8>(), 0..20_000),
                              cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
            let mut at: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
            at.push(0);
            at.push(data.len());
            at.sort_unstable();
            let texts: Vec<&[u8]> = at.windows(2).map(|w| &data[w[0]..w[1]]).collect();
            prop_assert_eq!(read_back(archive(&texts)), data);
        }
    }

    #[test]
    fn order_mistakes_are_errors_not_broken_archives() {
        let mut z = ZipOut::new(std::io::Cursor::new(Vec::new()));
        assert!(z.piece(Piece::deflate(b"x", true).unwrap()).is_err());
        assert!(z.end().is_err());
        z.begin("a", 0, 0x21).unwrap();
        assert!(z.begin("b", 0, 0x21).is_err());
        assert!(ZipOut::finish(z).is_err());
        assert!(u32_of(u64::from(u32::MAX), "x").is_err());
        assert_eq!(u32_of(u64::from(u32::MAX) - 1, "x").unwrap(), u32::MAX - 1);
    }

    /// Every part of the archive `source` copied raw into a new archive, opened.
    fn copied(source: Vec<u8>) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
        let mut from = zip::ZipArchive::new(std::io::Cursor::new(source)).unwrap();
        let mut z = ZipOut::new(std::io::Cursor::new(Vec::new()));
        for k in 0..from.len() {
            z.copy_raw(from.by_index_raw(k).unwrap()).unwrap();
        }
        let out = z.finish().unwrap().into_inner();
        zip::ZipArchive::new(std::io::Cursor::new(out)).unwrap()
    }

    /// Part `name` of `archive`, read (its CRC-32 and size checked by the reader).
    fn text_of(archive: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> String {
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn parts_written_with_data_descriptors_are_copied_whole() {
        // A streamed archive has its CRC-32 and sizes after each part's data, not in its header.
        let mut w = zip::ZipWriter::new_stream(Vec::new());
        w.start_file("streamed.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&b"<row/>".repeat(5000)).unwrap();
        let mut to = copied(w.finish().unwrap().into_inner());
        assert_eq!(text_of(&mut to, "streamed.xml"), "<row/>".repeat(5000));
    }

    #[test]
    fn copied_entries_keep_their_bytes() {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let deflated = zip::write::SimpleFileOptions::default();
        let stored = deflated.compression_method(zip::CompressionMethod::Stored);
        w.start_file("one.xml", deflated).unwrap();
        w.write_all(&b"one ".repeat(1000)).unwrap();
        w.start_file("two.bin", stored).unwrap();
        w.write_all(b"two").unwrap();
        let source = w.finish().unwrap().into_inner();
        let mut to = copied(source.clone());
        assert_eq!(text_of(&mut to, "one.xml"), "one ".repeat(1000));
        assert_eq!(text_of(&mut to, "two.bin"), "two");
        // A part copied while an entry is open would land inside that entry's stream.
        let mut from = zip::ZipArchive::new(std::io::Cursor::new(source)).unwrap();
        let mut z = ZipOut::new(std::io::Cursor::new(Vec::new()));
        z.begin("open.xml", 0, 0x21).unwrap();
        assert!(z.copy_raw(from.by_index_raw(0).unwrap()).is_err());
    }
}

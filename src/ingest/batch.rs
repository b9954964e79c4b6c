//! A batch of records read from one file: the unit handed from the reader to the column mappers, so that
//! reading the next batch and mapping this one's columns can run at the same time.

/// A record that could not be read: it goes to `rejects.csv`.
#[derive(Debug, Clone)]
pub struct BadRecord {
    pub row: u32,
    pub line: u64,
    pub reason: String,
    pub raw: String,
}

/// Up to a few hundred thousand records of one file, each with exactly `width` fields (one per header).
/// Fields are stored column by column, each column's texts back to back in one string: the column
/// mappers then read each column sequentially (stored record by record, every field read was a cache
/// miss), and a batch costs two allocations per column, not one per field.
#[derive(Debug, Default)]
pub struct Batch {
    columns: Vec<ColumnText>,
    /// Field bytes of all columns so far (the batch ends before offsets could overflow).
    bytes: usize,
    /// 1-based record number of each accepted record.
    pub rows: Vec<u32>,
    /// Records that could not be read, in file order.
    pub bad: Vec<BadRecord>,
    /// Lines that are not records (title, column numbers, repeated headers, footer), in file order.
    pub skipped: Vec<super::layout::SkippedLine>,
    /// Some field bytes were not UTF-8 when sealed, though the file was found to be UTF-8 when
    /// opened: it changed while it was being read. The batch's fields are then empty.
    pub changed: bool,
    /// How far the source is read through the end of this batch, in its units (`Source::units`),
    /// for a progress display.
    pub read: usize,
}

#[derive(Debug, Default)]
struct ColumnText {
    /// Field bytes while the batch is being filled; moved into `text` by [`Batch::seal`].
    bytes: Vec<u8>,
    text: String,
    /// End offset in `text` of every record's field.
    ends: Vec<u32>,
}

/// Batches end at this many records or this much text (offsets are u32).
pub const BATCH_RECORDS: usize = 256 * 1024;
const BATCH_TEXT: usize = 1 << 30;

impl Batch {
    pub fn new(width: usize) -> Batch {
        Batch {
            columns: (0..width).map(|_| ColumnText::default()).collect(),
            ..Default::default()
        }
    }

    /// An empty batch sized like this full one: each column's buffers are allocated once at about
    /// the size they will need, instead of growing by doubling (at the size of a batch column, the
    /// allocator keeps the memory freed by growth, which adds to the run's peak memory).
    pub fn next_like(&self) -> Batch {
        let slack = |n: usize| n + n / 8;
        Batch {
            columns: self
                .columns
                .iter()
                .map(|c| ColumnText {
                    bytes: Vec::with_capacity(slack(c.bytes.len())),
                    text: String::new(),
                    ends: Vec::with_capacity(slack(c.ends.len())),
                })
                .collect(),
            ..Default::default()
        }
    }

    /// This batch, read, emptied to be filled again: its columns and row numbers keep their memory.
    /// A new batch's columns are faulted in on the reader's thread, the ingest's serial part; a reused
    /// one's are not.
    pub fn emptied(self) -> Batch {
        // Before sealing the bytes are in `bytes`, after it in `text`: keep whichever holds them.
        let kept = |bytes: Vec<u8>, text: String| {
            let mut kept = if bytes.capacity() >= text.capacity() {
                bytes
            } else {
                text.into_bytes()
            };
            kept.clear();
            kept
        };
        let mut rows = self.rows;
        rows.clear();
        Batch {
            columns: self
                .columns
                .into_iter()
                .map(|c| {
                    let mut ends = c.ends;
                    ends.clear();
                    ColumnText {
                        bytes: kept(c.bytes, c.text),
                        text: String::new(),
                        ends,
                    }
                })
                .collect(),
            rows,
            ..Default::default()
        }
    }

    /// Fields per record.
    pub fn width(&self) -> usize {
        self.columns.len()
    }

    /// Accepted records in the batch.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.bad.is_empty() && self.skipped.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.rows.len() + self.bad.len() >= BATCH_RECORDS || self.bytes >= BATCH_TEXT
    }

    /// Adds one accepted record; missing fields are empty and extra ones are dropped.
    pub fn push<'a>(&mut self, row: u32, fields: impl IntoIterator<Item = &'a str>) {
        self.push_bytes(row, fields.into_iter().map(str::as_bytes))
    }

    /// Adds one accepted record given as byte slices, checked to be UTF-8 when the batch is sealed.
    pub fn push_bytes<'a>(&mut self, row: u32, fields: impl IntoIterator<Item = &'a [u8]>) {
        let mut fields = fields.into_iter();
        for column in &mut self.columns {
            if let Some(f) = fields.next() {
                column.bytes.extend_from_slice(f);
                self.bytes += f.len();
            }
            column.ends.push(column.bytes.len() as u32);
        }
        self.rows.push(row);
    }

    /// Ends filling: the field bytes become text, each column checked to be UTF-8 (a batch that is not
    /// is marked [`Batch::changed`], its fields left empty).
    pub fn seal(mut self) -> Batch {
        crate::usage::abort_for_test("ingest");
        for column in &mut self.columns {
            let bytes = std::mem::take(&mut column.bytes);
            match super::decode::utf8(bytes) {
                // Each field must be whole characters too, not only the column they make together.
                Ok(text)
                    if column
                        .ends
                        .iter()
                        .all(|&e| text.is_char_boundary(e as usize)) =>
                {
                    column.text = text
                }
                _ => self.changed = true,
            }
        }
        if self.changed {
            for column in &mut self.columns {
                column.text.clear();
                column.ends.iter_mut().for_each(|e| *e = 0);
            }
        }
        self
    }

    /// Field `column` of accepted record `record`, trimmed of ASCII white space only: a trailing U+00A0
    /// may be half of a mis-decoded letter (Ã + U+00A0 = à). Out-of-range positions read as empty.
    pub fn field(&self, record: usize, column: usize) -> &str {
        let Some(c) = self.columns.get(column) else {
            return "";
        };
        let Some(&end) = c.ends.get(record) else {
            return "";
        };
        let start = if record == 0 { 0 } else { c.ends[record - 1] };
        c.text
            .get(start as usize..end as usize)
            .unwrap_or("")
            .trim_ascii()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_with_padding_and_trimming() {
        let mut b = Batch::new(3);
        b.push(1, ["a", " Hoà\u{a0} ", ""]);
        b.push(2, ["x"]);
        b.push(4, ["1", "2", "3", "4"]);
        let b = b.seal();
        assert_eq!(b.len(), 3);
        assert_eq!(b.field(0, 1), "Hoà\u{a0}");
        assert_eq!(b.field(0, 2), "");
        assert_eq!((b.field(1, 0), b.field(1, 1), b.field(1, 2)), ("x", "", ""));
        assert_eq!(b.field(2, 2), "3");
        assert_eq!(b.field(2, 3), "");
        assert_eq!(b.field(9, 0), "");
        assert_eq!(b.rows, vec![1, 2, 4]);
        assert!(!b.changed);
    }

    #[test]
    fn an_emptied_batch_holds_nothing_of_its_records_and_fills_again() {
        let mut b = Batch::new(2);
        b.push(1, ["Nguyễn", "x"]);
        b.push(3, ["Lê", "y"]);
        b.bad.push(BadRecord {
            row: 2,
            line: 3,
            reason: "r".into(),
            raw: "raw".into(),
        });
        b.read = 99;
        let sealed = b.seal();
        // Emptied after sealing (the reader's case) and twice over: nothing of the records stays.
        for mut e in [sealed.emptied(), Batch::new(2).emptied().emptied()] {
            assert!(e.is_empty() && e.rows.is_empty() && e.read == 0 && !e.changed);
            assert_eq!((e.width(), e.field(0, 0)), (2, ""));
            e.push(7, ["Hoa", "z"]);
            let e = e.seal();
            assert_eq!(
                (e.rows.clone(), e.field(0, 0), e.field(0, 1)),
                (vec![7], "Hoa", "z")
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_mark_the_batch_changed() {
        let mut b = Batch::new(2);
        b.push_bytes(1, [&b"ok"[..], b"Ho\xE0"]);
        let b = b.seal();
        assert!(b.changed);
        assert_eq!((b.field(0, 0), b.field(0, 1)), ("", ""));
    }
}

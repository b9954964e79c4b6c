//! A batch of records read from one file: the unit handed from the reader to the column mappers, so that
//! reading the next batch and mapping this one's columns can run at the same time.

/// A record that could not be read: it goes to `rejects.csv` with a DQ001 finding.
#[derive(Debug, Clone)]
pub struct BadRecord {
    pub row: u32,
    pub line: u64,
    pub reason: String,
    pub raw: String,
}

/// Up to a few hundred thousand records of one file, each with exactly `width` fields (one per header).
/// Field texts are stored back to back in one string, so a batch costs two allocations, not one per field.
#[derive(Debug, Default)]
pub struct Batch {
    width: usize,
    /// Field bytes while the batch is being filled; moved into `text` by [`Batch::seal`].
    bytes: Vec<u8>,
    text: String,
    /// End offset in `text` of every field, record after record.
    ends: Vec<u32>,
    /// 1-based record number of each accepted record.
    pub rows: Vec<u32>,
    /// Records that could not be read, in file order.
    pub bad: Vec<BadRecord>,
}

/// Batches end at this many records or this much text (offsets are u32).
pub const BATCH_RECORDS: usize = 256 * 1024;
const BATCH_TEXT: usize = 1 << 30;

impl Batch {
    pub fn new(width: usize) -> Batch {
        Batch {
            width,
            ..Default::default()
        }
    }

    /// Accepted records in the batch.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.bad.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.rows.len() + self.bad.len() >= BATCH_RECORDS || self.bytes.len() >= BATCH_TEXT
    }

    /// Adds one accepted record; missing fields are empty and extra ones are dropped.
    pub fn push<'a>(&mut self, row: u32, fields: impl IntoIterator<Item = &'a str>) {
        // SAFETY: each field is a `&str`.
        unsafe { self.push_bytes(row, fields.into_iter().map(str::as_bytes)) }
    }

    /// Adds one accepted record given as byte slices of UTF-8 text split at ASCII bytes (delimiters,
    /// quotes, line ends), so that each is UTF-8 too.
    ///
    /// # Safety
    /// Every slice must be UTF-8: [`Batch::seal`] turns the bytes into text without checking them again
    /// (checking every batch cost 4% of a run, for text already checked whole).
    pub unsafe fn push_bytes<'a>(&mut self, row: u32, fields: impl IntoIterator<Item = &'a [u8]>) {
        let mut n = 0;
        for f in fields.into_iter().take(self.width) {
            self.bytes.extend_from_slice(f);
            self.ends.push(self.bytes.len() as u32);
            n += 1;
        }
        for _ in n..self.width {
            self.ends.push(self.bytes.len() as u32);
        }
        self.rows.push(row);
    }

    /// Ends filling: the field bytes become text.
    pub fn seal(mut self) -> Batch {
        let bytes = std::mem::take(&mut self.bytes);
        debug_assert!(std::str::from_utf8(&bytes).is_ok());
        // SAFETY: only `push` and `push_bytes` add bytes, and both take UTF-8 fields only.
        self.text = unsafe { String::from_utf8_unchecked(bytes) };
        self
    }

    /// Field `column` of accepted record `record`, trimmed of ASCII white space only: a trailing U+00A0
    /// may be half of a mis-decoded letter (Ã + U+00A0 = à). Out-of-range positions read as empty.
    pub fn field(&self, record: usize, column: usize) -> &str {
        if column >= self.width {
            return "";
        }
        let i = record * self.width + column;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text
            .get(start as usize..end as usize)
            .unwrap_or("")
            .trim_matches(|c: char| c.is_ascii_whitespace())
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
    }
}

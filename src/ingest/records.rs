//! Splitting delimited text into records, as the `csv` crate reads it (RFC 4180 quotes, `""` inside
//! quotes, quoted delimiters and line breaks, stray quotes inside an unquoted field kept as text,
//! `\n`, `\r\n` or a lone `\r` ending a record, blank lines skipped), but on the text itself: a field
//! without doubled quotes is a slice of the text, and a line without quotes or a lone `\r` is split
//! with SIMD searches. The csv crate's state machine copies every byte into a record buffer of its
//! own first; its reading stays the oracle of the property tests below.

use memchr::{memchr, memchr3, memchr_iter};

/// Where a field's bytes are: in the text, or (unescaped) in the reader's scratch buffer.
#[derive(Clone, Copy, Debug)]
enum Span {
    Text(usize, usize),
    Scratch(usize, usize),
}

/// One record: where it starts and ends in the text; its fields are [`Records::field`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset just past its last field (before its line break).
    pub end: usize,
}

/// Reads the records of `text` one after another, the first (the header) included.
pub struct Records<'t> {
    text: &'t [u8],
    delimiter: u8,
    at: usize,
    /// A byte offset and its 1-based line, from which [`Records::line_of`] counts on.
    counted: (usize, u64),
    fields: Vec<Span>,
    scratch: Vec<u8>,
}

impl<'t> Records<'t> {
    pub fn new(text: &'t [u8], delimiter: u8) -> Records<'t> {
        Records {
            text,
            delimiter,
            // A byte-order mark is not part of the first field (as the crate reads it).
            at: if text.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            },
            counted: (0, 1),
            fields: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The 1-based physical line `record` starts on, counting line feeds (as the `csv` crate does; a
    /// file whose lines end in a lone carriage return is one line). Lines are counted only when asked (for a
    /// rejected record), from the last record asked about, so records must be asked about in order.
    pub fn line_of(&mut self, record: &Record) -> u64 {
        let (from, line) = self.counted;
        debug_assert!(record.start >= from, "records asked about out of order");
        let at = record.start.max(from);
        let line = line + memchr_iter(b'\n', &self.text[from..at]).count() as u64;
        self.counted = (at, line);
        line
    }

    /// Fields of the last record read.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `k` of the last record read. Fields are cut at ASCII bytes only (delimiters, quotes,
    /// line breaks), so each is UTF-8 as the text is.
    pub fn field(&self, k: usize) -> &[u8] {
        match self.fields.get(k) {
            Some(Span::Text(a, b)) => &self.text[*a..*b],
            Some(Span::Scratch(a, b)) => &self.scratch[*a..*b],
            None => b"",
        }
    }

    /// The fields of the last record read, in order.
    pub fn fields(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.fields.len()).map(|k| self.field(k))
    }

    /// The next record, or None at the end of the text.
    pub fn next_record(&mut self) -> Option<Record> {
        let text = self.text;
        // Blank lines (and the rest of the last record's line break) hold no record.
        while matches!(text.get(self.at), Some(b'\n' | b'\r')) {
            self.at += 1;
        }
        if self.at >= text.len() {
            return None;
        }
        self.fields.clear();
        self.scratch.clear();
        let start = self.at;
        let end = match memchr3(b'"', b'\r', b'\n', &text[start..]) {
            // The common line: no quote and no carriage return before its line feed (or the end), or
            // one carriage return right before it.
            Some(k) if text[start + k] == b'\n' => self.plain(start, start + k),
            Some(k) if text[start + k] == b'\r' && text.get(start + k + 1) == Some(&b'\n') => {
                self.plain(start, start + k)
            }
            None => self.plain(start, text.len()),
            _ => self.general(start),
        };
        self.at = end;
        Some(Record { start, end })
    }

    /// Fields of a line free of quotes and line breaks: cut at every delimiter.
    fn plain(&mut self, start: usize, end: usize) -> usize {
        let mut from = start;
        for d in memchr_iter(self.delimiter, &self.text[start..end]) {
            self.fields.push(Span::Text(from, start + d));
            from = start + d + 1;
        }
        self.fields.push(Span::Text(from, end));
        end
    }

    /// Fields of any record, following the `csv` crate's states; returns the offset just past its
    /// last field (at its line break, or the end of the text).
    fn general(&mut self, start: usize) -> usize {
        let text = self.text;
        let delimiter = self.delimiter;
        let mut at = start;
        loop {
            // At the start of a field.
            if text.get(at) == Some(&b'"') {
                at = self.quoted(at + 1);
            } else {
                let end = unquoted_end(text, at, delimiter);
                self.fields.push(Span::Text(at, end));
                at = end;
            }
            // At a delimiter, a line break or the end.
            match text.get(at) {
                Some(&b) if b == delimiter => at += 1,
                _ => return at,
            }
        }
    }

    /// A quoted field starting at `at` (just past its opening quote); returns the offset past it.
    /// `""` is one quote; after the closing quote the field goes on unquoted up to a delimiter or a
    /// line break, as the crate reads `"a"b` as `ab`.
    fn quoted(&mut self, mut at: usize) -> usize {
        let text = self.text;
        let mut pieces: Option<usize> = None; // start of this field in `scratch`, once unescaped
        let mut field = |s: &mut Self, a: usize, b: usize, more: bool| match (pieces, more) {
            (None, false) => s.fields.push(Span::Text(a, b)),
            _ => {
                let begin = *pieces.get_or_insert(s.scratch.len());
                s.scratch.extend_from_slice(&text[a..b]);
                if !more {
                    s.fields.push(Span::Scratch(begin, s.scratch.len()));
                }
            }
        };
        loop {
            let Some(q) = memchr(b'"', &text[at..]).map(|k| at + k) else {
                // No closing quote: the field runs to the end of the text.
                field(self, at, text.len(), false);
                return text.len();
            };
            if text.get(q + 1) == Some(&b'"') {
                // A doubled quote: keep one.
                field(self, at, q + 1, true);
                at = q + 2;
                continue;
            }
            match text.get(q + 1) {
                None => {
                    field(self, at, q, false);
                    return q + 1;
                }
                Some(&b) if b == self.delimiter || b == b'\n' || b == b'\r' => {
                    field(self, at, q, false);
                    return q + 1;
                }
                Some(_) => {
                    // Text after the closing quote: kept, up to a delimiter or a line break.
                    field(self, at, q, true);
                    let end = unquoted_end(text, q + 1, self.delimiter);
                    field(self, q + 1, end, false);
                    return end;
                }
            }
        }
    }
}

/// The end of an unquoted field starting at `at`: the next delimiter or line break, or the end of
/// the text (quotes inside are text).
fn unquoted_end(text: &[u8], at: usize, delimiter: u8) -> usize {
    memchr3(delimiter, b'\n', b'\r', &text[at..]).map_or(text.len(), |k| at + k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        let mut r = Records::new(text.as_bytes(), delimiter);
        let mut out = Vec::new();
        while r.next_record().is_some() {
            out.push(
                r.fields()
                    .map(|f| String::from_utf8(f.to_vec()).unwrap())
                    .collect(),
            );
        }
        out
    }

    /// The `csv` crate's reading, the oracle.
    fn by_the_crate(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            out.push(
                rec.iter()
                    .map(|f| String::from_utf8(f.to_vec()).unwrap())
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn quotes_line_breaks_and_stray_quotes() {
        let text = "a,b\r\n\"x,\"\"y\"\"\nz\",2\n\n3,Nguyen \"Ti\" Van\r\"a\"b,\"\"\n4,\"open";
        assert_eq!(split(text, b','), by_the_crate(text, b','));
        assert_eq!(
            split(text, b','),
            [
                vec!["a", "b"],
                vec!["x,\"y\"\nz", "2"],
                vec!["3", "Nguyen \"Ti\" Van"],
                vec!["ab", ""],
                vec!["4", "open"],
            ]
        );
    }

    #[test]
    fn records_know_their_line_and_raw_text() {
        let text = "h1;h2\r\n\r\nx;\"multi\nline\"\r\ny;z\nlast;row";
        let mut r = Records::new(text.as_bytes(), b';');
        let mut seen = Vec::new();
        while let Some(rec) = r.next_record() {
            seen.push((r.line_of(&rec), &text[rec.start..rec.end]));
        }
        assert_eq!(
            seen,
            [
                (1, "h1;h2"),
                (3, "x;\"multi\nline\""),
                (5, "y;z"),
                (6, "last;row")
            ]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn fields_are_the_csv_crates(text in "[a,;\"\r\n é]{0,40}") {
            prop_assert_eq!(split(&text, b','), by_the_crate(&text, b','));
            prop_assert_eq!(split(&text, b';'), by_the_crate(&text, b';'));
        }

        #[test]
        fn fields_are_the_csv_crates_on_any_text(text in "\\PC{0,60}") {
            prop_assert_eq!(split(&text, b','), by_the_crate(&text, b','));
        }
    }
}

//! Where a table starts and ends inside a file or sheet made by people: the header row found among
//! the first rows (a title block above it is skipped), a row that only numbers the columns, header
//! lines repeated inside the data (concatenated exports), and a trailing footer (totals, signatures,
//! notes). Nothing is dropped silently: every line skipped is reported with its kind.

/// How many non-empty rows at the top of a file may hold its header.
pub const HEADER_SEARCH_ROWS: usize = 50;

/// Why a line of a file is not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipKind {
    /// Above the header: national motto, agency, title, "Kèm theo công văn…".
    Title,
    /// Right under the header, numbering the columns: `1 2 3…`, `(1) (2) (3)…`, `A B C…`.
    ColumnNumbers,
    /// The header again, inside the data (exports pasted one under another).
    RepeatedHeader,
    /// After the last record: totals, signature blocks, notes.
    Footer,
}

impl SkipKind {
    pub const ALL: [SkipKind; 4] = [
        SkipKind::Title,
        SkipKind::ColumnNumbers,
        SkipKind::RepeatedHeader,
        SkipKind::Footer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SkipKind::Title => "title",
            SkipKind::ColumnNumbers => "column_numbers",
            SkipKind::RepeatedHeader => "repeated_header",
            SkipKind::Footer => "footer",
        }
    }
}

/// A line that is not a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// The line of a text file (1-based, counting line feeds), or the row of a sheet.
    pub line: u64,
    pub kind: SkipKind,
    /// Its first characters.
    pub text: String,
}

/// How many characters of a skipped line are kept to show it.
const SHOWN: usize = 60;

/// The first characters of a line, to show it.
pub fn shown(line: &str) -> String {
    line.trim().chars().take(SHOWN).collect()
}

/// Where the table of one file or sheet starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Index of the header among the file's records (or the sheet's non-empty rows).
    pub header: usize,
    /// The header's cells, trimmed: a record equal to them is a repeated header.
    pub header_cells: Vec<String>,
    /// The record right under the header only numbers the columns.
    pub column_numbers: bool,
    /// The columns that hold the phone and ID numbers (for the footer rule).
    pub number_columns: Vec<usize>,
}

impl Layout {
    /// Index of the first record: under the header, and under the column numbers if any.
    pub fn first_record(&self) -> usize {
        self.header + 1 + usize::from(self.column_numbers)
    }

    /// Why the line at `index` (not the header itself) is not a record, if it is not: a title above
    /// the header, the column numbers under it, or the header repeated. `fields` gives its fields.
    pub fn skipped<'a, I: Iterator<Item = &'a [u8]>>(
        &self,
        index: usize,
        fields: impl FnOnce() -> I,
    ) -> Option<SkipKind> {
        if index < self.header {
            Some(SkipKind::Title)
        } else if index == self.header + 1 && self.column_numbers {
            Some(SkipKind::ColumnNumbers)
        } else if is_header(fields(), &self.header_cells) {
            Some(SkipKind::RepeatedHeader)
        } else {
            None
        }
    }
}

fn trim(field: &[u8]) -> &[u8] {
    field.trim_ascii()
}

/// Whether the fields only number the columns: at least two non-empty cells, each a small number
/// (`1`, `(2)`) or a single letter (`A`), counting up from the first.
pub fn is_column_numbers<'a>(fields: impl Iterator<Item = &'a [u8]>) -> bool {
    let cells: Vec<&[u8]> = fields.map(trim).filter(|f| !f.is_empty()).collect();
    if cells.len() < 2 {
        return false;
    }
    let value = |cell: &[u8]| -> Option<u32> {
        let inner = cell
            .strip_prefix(b"(")
            .and_then(|c| c.strip_suffix(b")"))
            .unwrap_or(cell);
        match inner {
            [letter] if letter.is_ascii_alphabetic() => {
                Some(u32::from(letter.to_ascii_uppercase() - b'A') + 1)
            }
            digits if !digits.is_empty() && digits.len() <= 3 => {
                std::str::from_utf8(digits).ok()?.parse().ok()
            }
            _ => None,
        }
    };
    let values: Option<Vec<u32>> = cells.iter().map(|c| value(c)).collect();
    values.is_some_and(|v| v.windows(2).all(|w| w[1] == w[0] + 1))
}

/// Whether the fields are the header's cells again (a byte-order mark before the first, as a second
/// export pasted under the first keeps it, is ignored).
pub fn is_header<'a>(mut fields: impl Iterator<Item = &'a [u8]>, header: &[String]) -> bool {
    let mut first = true;
    header.iter().all(|h| {
        let field = fields.next().map(|f| {
            let f = if first {
                f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f)
            } else {
                f
            };
            trim(f)
        });
        first = false;
        field == Some(h.as_bytes())
    }) && {
        // Any further fields must be empty.
        fields.all(|f| trim(f).is_empty())
    }
}

/// Whether a line of a table `width` columns wide may belong to a footer: at most 3 non-empty fields
/// (and fewer than half the columns), and nothing number-like — 7 digits or more, making at least half
/// the field (a phone or ID number, even written `0912.345.678`) — in the number and ID columns
/// (`number_columns`; every field when none are given). A date or a phone number written elsewhere
/// in a footer line (`Ngày 30/9/2024`, `ĐT: 0912345678`) does not make it a record. The footer is the
/// trailing run of such lines after the last record.
pub fn may_be_footer<'a, I: Iterator<Item = &'a [u8]>>(
    fields: impl Fn() -> I,
    width: usize,
    number_columns: &[usize],
) -> bool {
    let most = 3.min(width.saturating_sub(1) / 2);
    let checked = |k: usize| number_columns.is_empty() || number_columns.contains(&k);
    fields()
        .filter(|f| !trim(f).is_empty())
        .take(most + 1)
        .count()
        <= most
        && !fields()
            .enumerate()
            .any(|(k, f)| checked(k) && is_number_like(f))
}

/// 7 digits or more, making at least half of the field's characters other than spaces.
fn is_number_like(field: &[u8]) -> bool {
    let digits = field.iter().filter(|b| b.is_ascii_digit()).count();
    let chars = String::from_utf8_lossy(field)
        .chars()
        .filter(|c| !c.is_whitespace())
        .count();
    digits >= 7 && digits * 2 >= chars
}

/// Whether every field is empty (a blank line, or a row of empty cells).
pub fn is_blank<'a>(mut fields: impl Iterator<Item = &'a [u8]>) -> bool {
    fields.all(|f| trim(f).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(s: &str) -> Vec<&[u8]> {
        s.split(',').map(str::as_bytes).collect()
    }

    #[test]
    fn column_number_rows() {
        for yes in ["1,2,3,4", "(1),(2),(3)", "A,B,C,D", " 1 ,2,,3", "a,b,c"] {
            assert!(is_column_numbers(cells(yes).into_iter()), "{yes}");
        }
        for no in [
            "1",
            "1,3,4",
            "0912345678,Nguyễn Văn A,1985",
            "A,B,D",
            ",,",
            "1,2,x",
        ] {
            assert!(!is_column_numbers(cells(no).into_iter()), "{no}");
        }
    }

    #[test]
    fn repeated_headers() {
        let header = vec!["Số thuê bao".to_string(), "Họ và tên".to_string()];
        assert!(is_header(
            cells(" Số thuê bao,Họ và tên").into_iter(),
            &header
        ));
        assert!(is_header(
            cells("Số thuê bao,Họ và tên,,").into_iter(),
            &header
        ));
        assert!(!is_header(cells("Số thuê bao,Họ tên").into_iter(), &header));
        assert!(!is_header(cells("Số thuê bao").into_iter(), &header));
        assert!(!is_header(
            cells("Số thuê bao,Họ và tên,x").into_iter(),
            &header
        ));
    }

    #[test]
    fn footer_lines() {
        for yes in [
            "Tổng cộng,,,,1234",
            "Người lập biểu,,,,Giám đốc",
            "(Ký, ghi rõ họ tên)",
            "Ghi chú: số liệu đến ngày 30/9/2024",
            ",,,",
        ] {
            assert!(may_be_footer(|| cells(yes).into_iter(), 17, &[]), "{yes}");
        }
        for no in [
            "VIETTEL,0912345678,,",
            "Tổng cộng,,,,1234567",
            "VIETTEL,,Nguyễn Văn A,1985,x",
        ] {
            assert!(!may_be_footer(|| cells(no).into_iter(), 17, &[]), "{no}");
        }
        // A narrow table has no footer but blank lines: its records have few fields.
        assert!(!may_be_footer(|| cells("3,Nguyen Van").into_iter(), 2, &[]));
        assert!(may_be_footer(|| cells(",").into_iter(), 2, &[]));
        for no in ["VIETTEL,0912.345.678", "x,033 085 012 345"] {
            assert!(!may_be_footer(|| cells(no).into_iter(), 17, &[]), "{no}");
        }
        // With the number and ID columns known, only they decide.
        for yes in ["Ngày 30/9/2024,,", "ĐT: 0912345678,,"] {
            assert!(
                may_be_footer(|| cells(yes).into_iter(), 17, &[1, 2]),
                "{yes}"
            );
        }
        for no in [",0912345678,", ",,033085012345"] {
            assert!(
                !may_be_footer(|| cells(no).into_iter(), 17, &[1, 2]),
                "{no}"
            );
        }
    }
}

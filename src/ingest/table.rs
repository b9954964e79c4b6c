//! The canonical table: one entry per accepted row, column by column. Free-text columns are
//! dictionary-encoded (a code per row, each distinct value stored once), so later stages normalise
//! every distinct value once and group by integer codes; coded and date columns are already typed.

use crate::ident::{IdKind, Sex, When};
use crate::schema::{PointType, Status, SubscriberType};
use rustc_hash::FxHashMap;

/// Many strings stored back to back in one buffer: at tens of millions of distinct values, a separate
/// allocation per string would cost more than the text itself.
#[derive(Debug, Default, Clone)]
pub struct Strings {
    text: String,
    /// End offset of every string in `text`.
    ends: Vec<usize>,
}

impl Strings {
    pub fn with_capacity(strings: usize) -> Strings {
        Strings {
            text: String::new(),
            ends: Vec::with_capacity(strings),
        }
    }

    pub fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    /// The strings `text` holds back to back, given each one's end: None unless the ends are in
    /// order, on character boundaries, and the last one is the end of `text`.
    pub fn from_ends(text: String, ends: Vec<usize>) -> Option<Strings> {
        let ordered = ends.windows(2).all(|w| w[0] <= w[1]);
        let bounded = ends.iter().all(|&e| text.is_char_boundary(e));
        let whole = ends.last().map_or(text.is_empty(), |&e| e == text.len());
        (ordered && bounded && whole).then_some(Strings { text, ends })
    }

    /// Empty, its room kept for the next strings.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// String `i`; out of range reads as empty.
    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..end]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    pub fn par_iter(&self) -> impl rayon::iter::IndexedParallelIterator<Item = &str> + '_ {
        use rayon::prelude::*;
        (0..self.len()).into_par_iter().map(|i| self.get(i))
    }

    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// A dictionary-encoded text column. Code 0 is the empty value.
#[derive(Debug, Default, Clone)]
pub struct TextColumn {
    pub codes: Vec<u32>,
    pub values: Strings,
}

impl TextColumn {
    pub fn get(&self, row: usize) -> &str {
        self.values.get(self.codes[row] as usize)
    }
    /// The value of a code.
    pub fn value(&self, code: u32) -> &str {
        self.values.get(code as usize)
    }
    pub fn distinct(&self) -> usize {
        self.values.len()
    }
}

/// Builds a [`TextColumn`], interning each distinct value once. Values go straight into the column's
/// [`Strings`]; the index maps a value's 64-bit hash to its code, so it holds no strings of its own
/// (tens of millions of distinct numbers would otherwise cost an allocation each).
/// A [`Interner::verbatim`] one gives every non-empty value a code of its own, for columns whose
/// values are nearly all distinct (see [`TableBuilder`]).
#[derive(Debug)]
pub struct Interner {
    /// Whether equal values share a code (else only empty values do: code 0).
    dedupe: bool,
    values: Strings,
    /// Hash → the first code with that hash. FxHash: interning hashes every cell of every text
    /// column, and SipHash's DoS resistance buys nothing for a batch tool reading the user's own files.
    index: FxHashMap<u64, u32>,
    /// Values whose hash was already taken by another value (rare; kept exact all the same).
    collided: FxHashMap<Box<str>, u32>,
    codes: Vec<u32>,
}

fn hash_of(value: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(value)
}

impl Default for Interner {
    fn default() -> Self {
        let mut values = Strings::default();
        values.push("");
        let mut index = FxHashMap::default();
        index.insert(hash_of(""), 0);
        Interner {
            dedupe: true,
            values,
            index,
            collided: FxHashMap::default(),
            codes: Vec::new(),
        }
    }
}

impl Interner {
    /// An interner that does not look values up: every non-empty value gets the next code. For a
    /// column whose values are nearly all distinct, looking each up in a table of millions (a cache
    /// miss or two per row) only to find it new cost more than normalising the rare repeat twice.
    pub fn verbatim() -> Interner {
        Interner {
            dedupe: false,
            ..Interner::default()
        }
    }

    pub fn reserve(&mut self, additional: usize) {
        self.codes.reserve(additional);
    }

    pub fn push(&mut self, value: &str) {
        // A value equal to the row before's (a name or a point repeated on consecutive rows) is not
        // looked up.
        if self.dedupe {
            if let Some(&last) = self.codes.last() {
                if self.values.get(last as usize) == value {
                    self.codes.push(last);
                    return;
                }
            }
        }
        let code = self.code_of(value);
        self.codes.push(code);
    }

    /// The code of `value`, added to the values when new (always, for a verbatim interner), without
    /// adding a row.
    fn code_of(&mut self, value: &str) -> u32 {
        let next = self.values.len() as u32;
        if value.is_empty() {
            return 0;
        }
        if !self.dedupe {
            self.values.push(value);
            return next;
        }
        match self.index.entry(hash_of(value)) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(next);
                self.values.push(value);
                next
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                let code = *e.get();
                if self.values.get(code as usize) == value {
                    code
                } else {
                    *self.collided.entry(value.into()).or_insert_with(|| {
                        self.values.push(value);
                        next
                    })
                }
            }
        }
    }

    /// Appends every row of `column`: each of its distinct values is looked up here once, then its
    /// rows take the codes found.
    fn append(&mut self, column: &TextColumn) {
        let map: Vec<u32> = (0..column.values.len())
            .map(|c| self.code_of(column.values.get(c)))
            .collect();
        self.codes
            .extend(column.codes.iter().map(|&c| map[c as usize]));
    }

    /// Gives the next row the value of the row before (which there must be).
    pub fn push_last(&mut self) {
        let last = self.codes.last().copied().unwrap_or(0);
        self.codes.push(last);
    }

    pub fn finish(self) -> TextColumn {
        let mut values = self.values;
        values.shrink_to_fit();
        TextColumn {
            codes: self.codes,
            values,
        }
    }
}

/// A date cell: empty, present but unreadable (reported as an `Unreadable` value), or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DateCell {
    #[default]
    Empty,
    Unreadable,
    Value(When),
}

impl DateCell {
    pub fn value(self) -> Option<When> {
        match self {
            DateCell::Value(w) => Some(w),
            _ => None,
        }
    }
}

/// One input file as the manifest describes it.
#[derive(Debug, Clone, Default)]
pub struct SourceFile {
    /// File name without folder (the `file` column of every output); a sheet of a workbook with
    /// several is `file.xlsx[Sheet]`.
    pub name: String,
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub format: String,
    pub encoding: String,
    pub profile: String,
    pub delimiter: Option<char>,
    /// Lines read under the header: accepted + rejected + skipped (the title block above the header
    /// counts as skipped too).
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    pub rows_skipped: usize,
    /// The lines that are not records, in file order.
    pub skipped: Vec<super::layout::SkippedLine>,
    /// The header's line (row of a sheet), 1-based.
    pub header_line: u64,
    /// The header's cells as matched (repaired from a legacy encoding where needed).
    pub header: Vec<String>,
    /// The header's cells as read, when a legacy repair changed them.
    pub header_as_read: Option<Vec<String>>,
    /// The canonical column each header cell was mapped to (None: carried as an extra column).
    pub mapping: Vec<(String, Option<crate::schema::Field>)>,
    /// How each date column's day/month order was decided.
    pub date_orders: Vec<DateOrderChoice>,
    /// The carrier every row of this file had (or was given), for attributing rejected rows.
    pub carrier: Option<String>,
}

/// How a file's date column was read: day or month first, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateOrderChoice {
    pub column: crate::schema::Field,
    /// `dmy` or `mdy`.
    pub order: &'static str,
    /// `profile` (the profile fixes it), `values` (a value showed it), or `default` (no value did:
    /// day first, the Vietnamese way).
    pub decided_by: &'static str,
    /// The value that showed it.
    pub example: Option<String>,
}

/// A record that could not be read.
#[derive(Debug, Clone)]
pub struct Reject {
    pub file: u16,
    pub row: u32,
    pub line: u64,
    pub reason: String,
    pub raw: String,
}

/// A value present in an accepted record that could not be read: the column is left empty (a date
/// cell [`DateCell::Unreadable`]) and the rules report the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub file: u16,
    pub row: u32,
    /// The record's index in the table.
    pub subject: u32,
    pub column: crate::schema::Field,
    pub raw: String,
    pub kind: UnreadableKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreadableKind {
    /// Not a date or date-time in any accepted form.
    Date,
    /// A coded column's value that the profile does not map.
    Code,
}

impl UnreadableKind {
    /// Every variant, in declaration order (`ALL[v as usize] == v`).
    pub const ALL: [UnreadableKind; 2] = [UnreadableKind::Date, UnreadableKind::Code];
}

/// The accepted rows, column by column. `T` is the text-column type: [`TextColumn`] for the finished
/// table, [`Interner`] while rows are being added ([`TableBuilder`]), so the columns are listed once.
#[derive(Debug)]
pub struct Table<T = TextColumn> {
    pub file: Vec<u16>,
    pub row: Vec<u32>,
    pub carrier: T,
    pub msisdn: T,
    pub full_name: T,
    pub id_number: T,
    pub id_issue_place: T,
    pub nationality: T,
    pub point_id: T,
    pub point_name: T,
    pub district: T,
    pub subscriber_type: Vec<SubscriberType>,
    pub gender: Vec<Option<Sex>>,
    /// Declared document type (None: empty or unmapped; inferred later from the number's shape).
    pub id_type: Vec<Option<IdKind>>,
    pub status: Vec<Status>,
    pub point_type: Vec<PointType>,
    pub date_of_birth: Vec<DateCell>,
    pub id_issue_date: Vec<DateCell>,
    pub activation_time: Vec<DateCell>,
    /// Source columns no canonical column takes, carried through to subscriptions.parquet: each
    /// with its header (columns of one header in several files are one column; empty in files
    /// without it).
    pub extra: Vec<(String, T)>,
}

/// The nine text columns of a table reached through `$table` (a shared or a mutable reference: the
/// pattern binds as the reference does).
macro_rules! text_columns {
    ($table:expr) => {{
        let Table {
            file: _,
            row: _,
            carrier,
            msisdn,
            full_name,
            id_number,
            id_issue_place,
            nationality,
            point_id,
            point_name,
            district,
            subscriber_type: _,
            gender: _,
            id_type: _,
            status: _,
            point_type: _,
            date_of_birth: _,
            id_issue_date: _,
            activation_time: _,
            extra: _,
        } = $table;
        [
            carrier,
            msisdn,
            full_name,
            id_number,
            id_issue_place,
            nationality,
            point_id,
            point_name,
            district,
        ]
    }};
}

impl<T> Table<T> {
    pub fn len(&self) -> usize {
        self.row.len()
    }
    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    /// The nine canonical text columns, in schema order (extra columns apart). Every field is named
    /// in `text_columns!`: a column added to the table does not build until it is placed among these or not — and
    /// then in whatever copies rows column by column (`TableBuilder::append`, the spill's codec).
    pub fn texts(&self) -> [&T; 9] {
        text_columns!(self)
    }

    /// [`Table::texts`], to change.
    pub fn texts_mut(&mut self) -> [&mut T; 9] {
        text_columns!(self)
    }
}

impl Table {
    /// The rows where `keep` is true, in order. Text columns keep their whole dictionaries, so every
    /// code (and whatever was computed per code, such as the normalised values) stays valid.
    pub fn retain(self, keep: &[bool]) -> Table {
        fn rows<V: Copy>(v: Vec<V>, keep: &[bool]) -> Vec<V> {
            v.into_iter()
                .zip(keep)
                .filter_map(|(x, &k)| k.then_some(x))
                .collect()
        }
        let text = |c: TextColumn| TextColumn {
            codes: rows(c.codes, keep),
            values: c.values,
        };
        Table {
            file: rows(self.file, keep),
            row: rows(self.row, keep),
            carrier: text(self.carrier),
            msisdn: text(self.msisdn),
            full_name: text(self.full_name),
            id_number: text(self.id_number),
            id_issue_place: text(self.id_issue_place),
            nationality: text(self.nationality),
            point_id: text(self.point_id),
            point_name: text(self.point_name),
            district: text(self.district),
            subscriber_type: rows(self.subscriber_type, keep),
            gender: rows(self.gender, keep),
            id_type: rows(self.id_type, keep),
            status: rows(self.status, keep),
            point_type: rows(self.point_type, keep),
            date_of_birth: rows(self.date_of_birth, keep),
            id_issue_date: rows(self.id_issue_date, keep),
            activation_time: rows(self.activation_time, keep),
            extra: self
                .extra
                .into_iter()
                .map(|(name, column)| (name, text(column)))
                .collect(),
        }
    }
}

/// Accumulates accepted rows from every file.
pub type TableBuilder = Table<Interner>;

impl Default for TableBuilder {
    /// Phone and ID numbers are kept verbatim: nearly every row has its own (a number repeats only
    /// by error, an ID number once per extra SIM), so interning them would buy little and cost a
    /// lookup per row. Names and point fields repeat and are interned.
    fn default() -> Self {
        Table {
            file: Vec::new(),
            row: Vec::new(),
            carrier: Interner::default(),
            msisdn: Interner::verbatim(),
            full_name: Interner::default(),
            id_number: Interner::verbatim(),
            id_issue_place: Interner::default(),
            nationality: Interner::default(),
            point_id: Interner::default(),
            point_name: Interner::default(),
            district: Interner::default(),
            subscriber_type: Vec::new(),
            gender: Vec::new(),
            id_type: Vec::new(),
            status: Vec::new(),
            point_type: Vec::new(),
            date_of_birth: Vec::new(),
            id_issue_date: Vec::new(),
            activation_time: Vec::new(),
            extra: Vec::new(),
        }
    }
}

impl TableBuilder {
    /// An empty builder with the extra columns `names`.
    pub fn with_extra(names: &[String]) -> TableBuilder {
        TableBuilder {
            extra: names
                .iter()
                .map(|n| (n.clone(), Interner::default()))
                .collect(),
            ..TableBuilder::default()
        }
    }

    /// Appends every row of `t` (whose extra columns are this builder's, in the same order): each
    /// distinct text of `t` is looked up here once, not once per row.
    pub fn append(&mut self, t: Table) {
        for (to, from) in self.texts_mut().into_iter().zip(t.texts()) {
            to.append(from);
        }
        debug_assert!(self
            .extra
            .iter()
            .map(|e| &e.0)
            .eq(t.extra.iter().map(|e| &e.0)));
        for ((_, to), (_, from)) in self.extra.iter_mut().zip(&t.extra) {
            to.append(from);
        }
        self.file.extend(t.file);
        self.row.extend(t.row);
        self.subscriber_type.extend(t.subscriber_type);
        self.gender.extend(t.gender);
        self.id_type.extend(t.id_type);
        self.status.extend(t.status);
        self.point_type.extend(t.point_type);
        self.date_of_birth.extend(t.date_of_birth);
        self.id_issue_date.extend(t.id_issue_date);
        self.activation_time.extend(t.activation_time);
    }

    pub fn finish(self) -> Table {
        Table {
            file: self.file,
            row: self.row,
            carrier: self.carrier.finish(),
            msisdn: self.msisdn.finish(),
            full_name: self.full_name.finish(),
            id_number: self.id_number.finish(),
            id_issue_place: self.id_issue_place.finish(),
            nationality: self.nationality.finish(),
            point_id: self.point_id.finish(),
            point_name: self.point_name.finish(),
            district: self.district.finish(),
            subscriber_type: self.subscriber_type,
            gender: self.gender,
            id_type: self.id_type,
            status: self.status,
            point_type: self.point_type,
            date_of_birth: self.date_of_birth,
            id_issue_date: self.id_issue_date,
            activation_time: self.activation_time,
            extra: self
                .extra
                .into_iter()
                .map(|(name, column)| (name, column.finish()))
                .collect(),
        }
    }

    pub fn carrier_codes(&self) -> &[u32] {
        self.carrier.codes()
    }
    pub fn carrier_value(&self, code: u32) -> Option<&str> {
        self.carrier.value_of(code)
    }
}

impl Interner {
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }
    /// The value of a code.
    pub fn value_of(&self, code: u32) -> Option<&str> {
        (code < self.values.len() as u32).then(|| self.values.get(code as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_gives_one_code_per_distinct_value() {
        let mut i = Interner::default();
        for v in ["b", "", "a", "b", "a", "c", ""] {
            i.push(v);
        }
        assert_eq!(i.value_of(3), Some("c"));
        assert_eq!(i.value_of(4), None);
        let col = i.finish();
        assert_eq!(col.codes, vec![1, 0, 2, 1, 2, 3, 0]);
        let got: Vec<&str> = (0..col.codes.len()).map(|r| col.get(r)).collect();
        assert_eq!(got, ["b", "", "a", "b", "a", "c", ""]);
        assert_eq!(col.distinct(), 4);
    }

    #[test]
    fn a_verbatim_column_codes_every_value_but_the_empty_one() {
        let mut i = Interner::verbatim();
        for v in ["b", "", "a", "b", ""] {
            i.push(v);
        }
        let col = i.finish();
        assert_eq!(col.codes, vec![1, 0, 2, 3, 0]);
        let got: Vec<&str> = (0..col.codes.len()).map(|r| col.get(r)).collect();
        assert_eq!(got, ["b", "", "a", "b", ""]);
        assert_eq!(col.value(0), "");
    }

    #[test]
    fn a_hash_collision_keeps_values_apart() {
        let mut i = Interner::default();
        i.push("x");
        // Pretend "y" hashes like "x": the index points at "x", so "y" must go to the collision map.
        let hx = hash_of("x");
        let code_x = i.index[&hx];
        i.index.insert(hash_of("y"), code_x);
        i.push("y");
        i.push("y");
        i.push("x");
        let col = i.finish();
        assert_eq!(col.codes, vec![1, 2, 2, 1]);
        assert_eq!((col.value(1), col.value(2)), ("x", "y"));
    }
}

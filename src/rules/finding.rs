//! A finding: one rule firing on one input record, and the store of the findings' details.

use super::cross::{Figures, OnRow};
use super::registry::Scope;
use super::row::{Context, Row};
use super::{RuleCode, RuleSet, Severity};
use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::Mutex;

/// A finding in a fixed 16 bytes, whatever its detail: a run holds millions of them at once, up to
/// several per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    /// Index of the input file.
    pub file: u16,
    pub rule: RuleCode,
    /// 1-based record number in that file after the header (rejected records counted).
    pub row: u32,
    /// The accepted row in the table; none for a rejected record (DQ001).
    pub subject: Subject,
    /// Plain words with the numbers that made the rule fire; never a name, and ID numbers only
    /// through the report's masking. Kept in the run's [`Details`], or as the figures of a holder
    /// rule's words, or not at all for a rule whose words quote the row (they are made again).
    pub detail: Detail,
}

impl Finding {
    pub fn on(table_row: usize, file: u16, row: u32, rule: RuleCode, detail: Detail) -> Finding {
        Finding {
            file,
            rule,
            row,
            subject: Subject::at(table_row as u32),
            detail,
        }
    }
}

/// The index of a finding's row in the table, or none (a rejected record has no row there), in 4
/// bytes instead of an `Option<u32>`'s 8: a table's rows are indexed by `u32`, and `u32::MAX` is
/// never a row (the table would hold 2^32 rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject(u32);

impl Subject {
    /// A rejected record's finding.
    pub const NONE: Subject = Subject(u32::MAX);

    /// A finding on the table's row `table_row`.
    pub fn at(table_row: u32) -> Subject {
        debug_assert_ne!(table_row, u32::MAX, "a table holds fewer than 2^32 rows");
        Subject(table_row)
    }

    /// The row's index in the table (not its record number in the file), when the finding has one.
    pub fn index(self) -> Option<u32> {
        (self != Subject::NONE).then_some(self.0)
    }
}

/// A finding's detail: a text in a [`Details`] store (its part of the store and its place there), or
/// (the top bit set) a holder rule's figures, each below [`FIGURE_LIMIT`], in 10 bits each, or
/// [`Detail::FROM_ROW`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Detail(u32);

const FIGURES_BIT: u32 = 1 << 31;
/// Beside the top bit, in no figures' bits: [`Detail::FROM_ROW`].
const FROM_ROW_BIT: u32 = 1 << 30;
const FIGURE_BITS: u32 = 10;
/// The figures a [`Detail`] can keep are below this; a finding with a larger one keeps its words.
pub const FIGURE_LIMIT: u32 = 1 << FIGURE_BITS;

impl Detail {
    /// The detail of a finding of a rule whose words quote its row ([`Scope::RowQuoting`]): no text
    /// is kept, the rule's check is run on the row again to word it.
    pub const FROM_ROW: Detail = Detail(FIGURES_BIT | FROM_ROW_BIT);

    /// The detail keeping `figures`, when each fits.
    pub fn of_figures([a, b, c]: Figures) -> Option<Detail> {
        (a < FIGURE_LIMIT && b < FIGURE_LIMIT && c < FIGURE_LIMIT).then_some(Detail(
            FIGURES_BIT | c << (2 * FIGURE_BITS) | b << FIGURE_BITS | a,
        ))
    }

    fn figures(self) -> Option<Figures> {
        (self.0 & (FIGURES_BIT | FROM_ROW_BIT) == FIGURES_BIT).then(|| {
            let mask = FIGURE_LIMIT - 1;
            [0, 1, 2].map(|k| self.0 >> (FIGURE_BITS * k) & mask)
        })
    }
}

/// Parts of a store, so that the rules' threads seldom wait for each other.
const PARTS: usize = 16;
const PART_BITS: u32 = PARTS.trailing_zeros();

/// The details of a run's findings while the rules run: each distinct text kept once, whichever
/// thread brings it. Many findings share a text ("the full name is empty"), and a text kept once in
/// one buffer costs its bytes and about 16 more (its end, its index in the table), instead of an
/// allocation per finding.
#[derive(Default)]
pub struct Details {
    parts: [Mutex<Part>; PARTS],
}

#[derive(Default)]
struct Part {
    texts: Texts,
    /// Indices into `texts`, hashed by their text.
    index: hashbrown::HashTable<u32>,
}

/// Texts back to back in one buffer; text `i` ends at `ends[i]`.
#[derive(Default)]
struct Texts {
    buffer: String,
    ends: Vec<u64>,
}

impl Texts {
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.buffer[start..self.ends[i] as usize]
    }
}

fn hash(text: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(text)
}

impl Details {
    /// The detail for `text`, kept once however many findings bring it.
    pub fn intern(&self, text: &str) -> Detail {
        let h = hash(text);
        // Bits the part's table uses for neither its bucket (the low bits) nor its tag (the top 7).
        let part = (h >> 32) as usize & (PARTS - 1);
        let mut guard = match self.parts[part].lock() {
            Ok(g) => g,
            // A thread that panicked while holding the lock left a whole part behind: the only steps
            // that can fail (growing the buffers) come before anything is changed.
            Err(poisoned) => poisoned.into_inner(),
        };
        let Part { texts, index } = &mut *guard;
        let found = index.find(h, |&i| texts.get(i as usize) == text).copied();
        let i = match found {
            Some(i) => i,
            None => {
                // 2^27 texts in one part would take tens of gigabytes of distinct details.
                let i = u32::try_from(texts.ends.len())
                    .ok()
                    .filter(|i| *i < FIGURES_BIT >> PART_BITS)
                    .expect("fewer than 2^27 distinct details in a part of the store");
                texts.buffer.reserve(text.len());
                texts.ends.reserve(1);
                index.reserve(1, |&j| hash(texts.get(j as usize)));
                texts.buffer.push_str(text);
                texts.ends.push(texts.buffer.len() as u64);
                index.insert_unique(h, i, |&j| hash(texts.get(j as usize)));
                i
            }
        };
        Detail(i << PART_BITS | part as u32)
    }

    /// The texts, read without locks once no more are added (the lookup tables are dropped).
    pub fn freeze(self) -> DetailTexts {
        DetailTexts {
            parts: self.parts.map(|p| {
                let part = p
                    .into_inner()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let mut texts = part.texts;
                texts.buffer.shrink_to_fit();
                texts.ends.shrink_to_fit();
                texts
            }),
        }
    }
}

/// The details of a run's findings, once the rules are done.
pub struct DetailTexts {
    parts: [Texts; PARTS],
}

/// A detail as it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kept<'a> {
    Text(&'a str),
    /// A holder rule's figures.
    Figures(Figures),
    /// Nothing: the words are made from the row again.
    FromRow,
}

impl DetailTexts {
    pub fn kept(&self, d: Detail) -> Kept<'_> {
        if d == Detail::FROM_ROW {
            return Kept::FromRow;
        }
        match d.figures() {
            Some(figures) => Kept::Figures(figures),
            None => Kept::Text(
                self.parts[(d.0 & (PARTS as u32 - 1)) as usize].get((d.0 >> PART_BITS) as usize),
            ),
        }
    }

    /// A finding's detail as written: its text, or its rule's words made from its figures or its
    /// row. `cx` holds the table the finding was made on (or one holding the same rows); a context
    /// [`Context::for_wording`] is enough.
    pub fn of<'a>(&'a self, f: &Finding, cx: &Context) -> Cow<'a, str> {
        let kept = self.kept(f.detail);
        if let Kept::Text(text) = kept {
            return Cow::Borrowed(text);
        }
        let words = f.subject.index().and_then(|i| {
            let i = i as usize;
            match (kept, f.rule.info().scope) {
                (Kept::Figures(figures), Scope::Holder(holder)) => {
                    let on = OnRow::of(cx, i);
                    Some((holder.words)(figures, &on))
                }
                (Kept::FromRow, Scope::RowQuoting(check)) => check(&Row::new(cx, i)),
                _ => None,
            }
        });
        // Only holder rules keep figures and only quoting rules keep nothing, both on rows of the
        // table, and a check run again on the same row fires again. Were that ever broken, the
        // rule's own plain-words reason stands in rather than an empty detail.
        debug_assert!(words.is_some(), "no words for a finding of {:?}", f.rule);
        words.map_or(Cow::Borrowed(f.rule.info().en), Cow::Owned)
    }

    /// Bytes held (texts and their ends).
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.parts
            .iter()
            .map(|p| p.buffer.len() + 8 * p.ends.len())
            .sum()
    }
}

/// How many findings there are of each effective severity: violation, warning, info.
pub fn by_severity(findings: &[Finding], rules: &RuleSet) -> [usize; 3] {
    let mut n = [0; 3];
    for f in findings {
        n[match rules.severity(f.rule) {
            Severity::Violation => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }] += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Finding>(), 16);
    }

    #[test]
    fn a_subject_is_a_row_or_none() {
        for row in [0, 1, 130_000_000, u32::MAX - 1] {
            assert_eq!(Subject::at(row).index(), Some(row));
        }
        assert_eq!(Subject::NONE.index(), None);
        let on = Finding::on(7, 0, 8, RuleCode::PS001, Detail::FROM_ROW);
        assert_eq!(on.subject.index(), Some(7));
    }

    #[test]
    fn each_text_is_kept_once_and_read_back_from_any_thread() {
        let details = Details::default();
        let texts: Vec<String> = (0..5000).map(|i| format!("detail {}", i % 1234)).collect();
        let ids: Vec<Detail> = std::thread::scope(|s| {
            let halves: Vec<_> = texts
                .chunks(2500)
                .map(|half| s.spawn(|| half.iter().map(|t| details.intern(t)).collect::<Vec<_>>()))
                .collect();
            halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(details.intern("detail 7"), ids[7]);
        assert_eq!(ids[7], ids[7 + 1234]);
        assert_ne!(ids[7], ids[8]);
        let empty = details.intern("");
        let frozen = details.freeze();
        for (t, d) in texts.iter().zip(&ids) {
            assert_eq!(frozen.kept(*d), Kept::Text(t));
        }
        assert_eq!(frozen.kept(empty), Kept::Text(""));
        let distinct: usize = (0..1234).map(|i| format!("detail {i}").len()).sum();
        assert_eq!(frozen.bytes(), distinct + 8 * 1235);
    }

    #[test]
    fn figures_below_the_limit_are_kept_as_they_were_given() {
        let details = Details::default();
        let text = details.intern("a text");
        let frozen = details.freeze();
        let top = FIGURE_LIMIT - 1;
        for figures in [[0, 0, 0], [4, 5, 0], [top, 1, top], [2, top, 7]] {
            let d = Detail::of_figures(figures).unwrap();
            assert_eq!(frozen.kept(d), Kept::Figures(figures));
        }
        for figures in [[FIGURE_LIMIT, 0, 0], [0, FIGURE_LIMIT, 0], [1, 1, u32::MAX]] {
            assert_eq!(Detail::of_figures(figures), None);
        }
        assert_eq!(frozen.kept(text), Kept::Text("a text"));
        assert_eq!(frozen.kept(Detail::FROM_ROW), Kept::FromRow);
    }
}

//! Applies `text/` and `ident/` to whole columns: each value of a column's dictionary is normalised
//! once, in parallel, and rows refer to the result by their code. Names are interned, so each distinct
//! name is normalised once; phone and ID numbers are kept verbatim (nearly all are distinct), so each
//! row's is.

use crate::ident::{id, phone, IdFacts, IdKind};
use crate::ingest::Table;
use crate::text::{self, LegacyEncoding, ToneStyle};
use rayon::prelude::*;
use std::borrow::Cow;

/// One distinct name, normalised.
#[derive(Debug, Clone, Default)]
pub struct NameFacts {
    pub canonical: String,
    pub key: String,
    /// The legacy encoding the name was repaired from, if any.
    pub repaired: Option<LegacyEncoding>,
}

/// What the rules need of one raw number; its normalised text is made from `value` where it is
/// needed ([`NumberText`]).
pub type NumberFacts = phone::Number;

pub struct Normalised {
    /// Per raw number of the table's msisdn column (one per row with a number: kept verbatim).
    pub msisdn: Vec<NumberFacts>,
    /// Per raw ID number of the table's id_number column (kept verbatim), kind inferred from the shape.
    pub ids: Vec<IdFacts>,
    /// Per distinct raw name.
    pub names: Vec<NameFacts>,
    /// Codes of the normalised values, for grouping by integer ([`Keys`]).
    pub msisdn_keys: Keys,
    pub id_keys: Keys,
    pub name_keys: Keys,
}

/// Per raw code, the code of its normalised value: codes follow the values' string order, equal
/// values share one, and 0 is the empty value's. The values' texts are not kept: numbers' are made
/// from their integers ([`NumberText`]), ID and name keys' read from each raw value's own facts.
#[derive(Debug)]
pub struct Keys {
    pub of_raw: Vec<u32>,
    /// Codes given: one per distinct normalised value, and 0 for the empty one.
    pub codes: u32,
}

impl Keys {
    /// One parallel sort of the raw codes by their normalised value (`text(i)` for raw code `i`, of
    /// `raws`), then one pass assigning codes (rather than a binary search per value). Each code is
    /// sorted with the first 16 bytes of its value as two integers, which settle most comparisons
    /// without a `memcmp` (8 bytes did not: ID numbers sharing province, century and birth year share
    /// their first 6). The texts are read in place: gathering references to them first would add a
    /// block the size of the column.
    fn build<'a>(raws: usize, text: impl Fn(usize) -> &'a str + Sync) -> Keys {
        // (first 8 bytes, next 8 bytes, length up to 17 << 32 | raw code): three `u64`s, as a
        // `u128` field would raise the entry's alignment to 16 bytes.
        let mut order: Vec<(u64, u64, u64)> = (0..raws)
            .into_par_iter()
            .map(|i| {
                let v = text(i);
                let (head, tail) = prefix(v);
                (head, tail, short_len(v) << 32 | i as u64)
            })
            .collect();
        // Equal prefixes: a value of at most 16 bytes is the prefix cut at its length, so the shorter
        // of two such values comes first (and equal lengths are equal values); only two longer ones
        // need their texts compared (which, at millions of repeated ID numbers, were cache misses).
        let text_of = |x: u64| text((x & u64::from(u32::MAX)) as usize);
        order.par_sort_unstable_by(|a, b| {
            (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| {
                let (la, lb) = (a.2 >> 32, b.2 >> 32);
                if la > 16 && lb > 16 {
                    text_of(a.2).cmp(text_of(b.2))
                } else {
                    la.cmp(&lb)
                }
            })
        });
        let sorted = order.into_iter().map(|(_, _, x)| (text_of(x), x as u32));
        Keys::from_sorted(sorted, raws, "")
    }

    /// Keys of 10-digit numbers given as integers (0: not a number): an integer sort. Every number
    /// has 10 digits, so integer order is string order.
    fn of_numbers(numbers: impl Iterator<Item = u64>) -> Keys {
        let mut order: Vec<(u64, u32)> = numbers.enumerate().map(|(i, n)| (n, i as u32)).collect();
        order.par_sort_unstable();
        let raws = order.len();
        Keys::from_sorted(order.into_iter(), raws, 0)
    }

    /// Codes for raw values given in the order of their normalised value `K`: equal neighbours share a
    /// code, `empty` keeps code 0.
    fn from_sorted<K: PartialEq + Copy>(
        sorted: impl Iterator<Item = (K, u32)>,
        raws: usize,
        empty: K,
    ) -> Keys {
        let (mut last, mut code) = (empty, 0u32);
        let mut of_raw = vec![0u32; raws];
        for (key, i) in sorted {
            if key == empty {
                continue;
            }
            if key != last {
                last = key;
                code += 1;
            }
            of_raw[i as usize] = code;
        }
        Keys {
            of_raw,
            codes: code + 1,
        }
    }
}

/// A normalised number's text, made from its integer without allocating.
#[derive(Debug, Clone, Copy)]
pub struct NumberText {
    digits: [u8; 10],
    len: u8,
}

impl NumberText {
    /// `n`'s 10 digits (the leading 0 included); empty for 0 (not a mobile number).
    pub fn of(mut n: u64) -> NumberText {
        let mut digits = [b'0'; 10];
        let len = if n == 0 { 0 } else { 10 };
        for d in digits.iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
        NumberText { digits, len }
    }

    /// A row number's digits (up to 10), without allocating.
    pub fn of_u32(mut n: u32) -> NumberText {
        let mut digits = [b'0'; 10];
        let mut len = 0;
        loop {
            digits[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        digits[..len].reverse();
        NumberText {
            digits,
            len: len as u8,
        }
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: only ASCII digits are ever stored (a number's text is made for every finding and
        // row written, so it is not checked again).
        unsafe { std::str::from_utf8_unchecked(&self.digits[..self.len as usize]) }
    }
}

impl std::ops::Deref for NumberText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for NumberText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value's length for sorting by [`prefix`]: exact up to 16 bytes, 17 for anything longer.
fn short_len(v: &str) -> u64 {
    v.len().min(17) as u64
}

/// The first 16 bytes of `v` as two big-endian integers, zero-padded: `prefix(a) < prefix(b)` implies
/// `a < b`, and equal prefixes leave the order to the whole strings.
fn prefix(v: &str) -> (u64, u64) {
    let mut head = [0u8; 16];
    let n = v.len().min(16);
    head[..n].copy_from_slice(&v.as_bytes()[..n]);
    let whole = u128::from_be_bytes(head);
    ((whole >> 64) as u64, whole as u64)
}

pub fn name_facts(raw: &str, style: ToneStyle) -> NameFacts {
    let (canonical, repaired) = text::canonical_name_with_repair(raw, style);
    let key = text::name_key(&canonical);
    NameFacts {
        canonical,
        key,
        repaired,
    }
}

impl Normalised {
    /// Normalises the table's numbers, ID numbers and names (canonical names in `style`).
    pub fn compute(table: &Table, style: ToneStyle) -> Normalised {
        let (numbers, (ids, names)) = rayon::join(
            || {
                table
                    .msisdn
                    .values
                    .par_iter()
                    .map(phone::read)
                    .collect::<Vec<_>>()
            },
            || {
                rayon::join(
                    || {
                        table
                            .id_number
                            .values
                            .par_iter()
                            .map(|v| id::analyse(v, None))
                            .collect()
                    },
                    || {
                        table
                            .full_name
                            .values
                            .par_iter()
                            .map(|v| name_facts(v, style))
                            .collect()
                    },
                )
            },
        );
        let (ids, names): (Vec<IdFacts>, Vec<NameFacts>) = (ids, names);
        let (msisdn_keys, (id_keys, name_keys)) = rayon::join(
            || Keys::of_numbers(numbers.iter().map(|f| f.value)),
            || {
                rayon::join(
                    || Keys::build(ids.len(), |i| ids[i].key.as_str()),
                    || Keys::build(names.len(), |i| names[i].key.as_str()),
                )
            },
        );
        Normalised {
            msisdn: numbers,
            ids,
            names,
            msisdn_keys,
            id_keys,
            name_keys,
        }
    }

    /// The row's ID kind, as [`Normalised::id_facts`] gives it, without analysing the number again
    /// when the declared type differs from the shape (outputs need only the kind, for every row).
    pub fn id_kind(&self, table: &Table, row: usize) -> Option<IdKind> {
        id::declared_kind(
            self.ids[table.id_number.codes[row] as usize].kind,
            table.id_type[row],
        )
    }

    /// ID facts of one row: the shared per-value facts, unless the declared type differs from the shape.
    pub fn id_facts<'a>(&'a self, table: &Table, row: usize) -> Cow<'a, IdFacts> {
        let code = table.id_number.codes[row] as usize;
        let shared = &self.ids[code];
        match table.id_type[row] {
            Some(declared) if shared.kind != Some(declared) => Cow::Owned(id::analyse(
                table.id_number.values.get(code),
                Some(declared),
            )),
            _ => Cow::Borrowed(shared),
        }
    }

    pub fn msisdn_of(&self, table: &Table, row: usize) -> &NumberFacts {
        &self.msisdn[table.msisdn.codes[row] as usize]
    }

    /// The row's normalised number (`0…`, 10 digits), empty when it is not a mobile number, made from
    /// its integer.
    pub fn msisdn_digits(&self, table: &Table, row: usize) -> NumberText {
        NumberText::of(self.msisdn_of(table, row).value)
    }

    /// Code of the row's normalised number (0: not a mobile number).
    pub fn msisdn_key(&self, table: &Table, row: usize) -> u32 {
        self.msisdn_keys.of_raw[table.msisdn.codes[row] as usize]
    }

    /// The row's ID key (the normalised ID number), empty when there is none.
    pub fn id_text(&self, table: &Table, row: usize) -> &str {
        // The key's text is the raw value's own facts' (`id_keys` keeps codes only).
        &self.ids[table.id_number.codes[row] as usize].key
    }

    /// Code of the row's ID key (0: empty).
    pub fn id_key(&self, table: &Table, row: usize) -> u32 {
        self.id_keys.of_raw[table.id_number.codes[row] as usize]
    }

    /// Code of the row's name key (0: empty).
    pub fn name_key(&self, table: &Table, row: usize) -> u32 {
        self.name_keys.of_raw[table.full_name.codes[row] as usize]
    }

    pub fn name_of(&self, table: &Table, row: usize) -> &NameFacts {
        self.name_facts(table.full_name.codes[row])
    }

    /// The facts of the raw name with this code (of the table's `full_name` column).
    pub fn name_facts(&self, code: u32) -> &NameFacts {
        &self.names[code as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_numbers_as_text() {
        for n in [0, 7, 10, 99, 1_000_000, u32::MAX] {
            assert_eq!(NumberText::of_u32(n).as_str(), n.to_string());
        }
    }

    #[test]
    fn number_keys_round_trip_as_ten_digits() {
        let raw = [
            "0912345678",
            "",
            "0312345678",
            "0912345678",
            "84912345678",
            "abc",
        ];
        let numbers: Vec<u64> = raw.iter().map(|v| phone::read(v).value).collect();
        assert_eq!(numbers[1], 0);
        assert_eq!(numbers[5], 0);
        let keys = Keys::of_numbers(numbers.iter().copied());
        // Equal numbers share a code, the empty one is 0, and codes follow the numbers' order.
        assert_eq!(keys.of_raw, [2, 0, 1, 2, 2, 0]);
        assert_eq!(keys.codes, 3);
        assert_eq!(NumberText::of(numbers[4]).as_str(), "0912345678");
        assert_eq!(NumberText::of(numbers[2]).as_str(), "0312345678");
    }

    proptest::proptest! {
        #[test]
        fn an_id_kind_follows_from_the_undeclared_one(raw in "[0-9A-Za-z .-]{0,14}") {
            let undeclared = id::analyse(&raw, None).kind;
            let kinds = [None, Some(IdKind::Cccd), Some(IdKind::Cmnd), Some(IdKind::Passport), Some(IdKind::Mst), Some(IdKind::Unknown)];
            for declared in kinds {
                proptest::prop_assert_eq!(id::declared_kind(undeclared, declared), id::analyse(&raw, declared).kind);
            }
        }
    }

    proptest::proptest! {
        /// Codes follow string order whatever the values share: prefixes, zero bytes, lengths
        /// around 16.
        #[test]
        fn key_codes_follow_string_order(raw in proptest::collection::vec("[ab\\x00]{0,3}|a{14,18}[ab\\x00]{0,2}", 0..40)) {
            let keys = Keys::build(raw.len(), |i| raw[i].as_str());
            for (i, a) in raw.iter().enumerate() {
                proptest::prop_assert_eq!(keys.of_raw[i] == 0, a.is_empty());
                for (j, b) in raw.iter().enumerate() {
                    proptest::prop_assert_eq!(keys.of_raw[i].cmp(&keys.of_raw[j]), a.cmp(b));
                }
            }
            let distinct: std::collections::BTreeSet<&String> = raw.iter().filter(|v| !v.is_empty()).collect();
            proptest::prop_assert_eq!(keys.codes as usize, distinct.len() + 1);
        }
    }

    #[test]
    fn keys_are_sorted_distinct_values() {
        let raw = [
            "b",
            "",
            "ab\0",
            "ab",
            "abcdefghij",
            "abcdefghi",
            "ab",
            "zz",
            "abcdefgh",
            "abcdefghijklmnopq",
            "abcdefghijklmnop",
            "abcdefghijklmnop\0",
            "abcdefghijklmnopa",
        ];
        let keys = Keys::build(raw.len(), |i| raw[i]);
        let mut expected: Vec<&str> = raw.iter().copied().filter(|v| !v.is_empty()).collect();
        expected.sort();
        expected.dedup();
        // Each value's code is its place among the sorted distinct values, after the empty one's 0.
        for (i, v) in raw.iter().enumerate() {
            let code = expected.iter().position(|e| e == v).map_or(0, |p| p + 1);
            assert_eq!(keys.of_raw[i] as usize, code, "{v:?}");
        }
        assert_eq!(keys.codes as usize, expected.len() + 1);
    }
}

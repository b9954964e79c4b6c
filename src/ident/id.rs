//! Vietnamese ID documents: 12-digit personal number (CCCD), 9/12-digit CMND, passport, tax code (MST).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    Cccd,
    Cmnd,
    Passport,
    Mst,
    Unknown,
}

impl IdKind {
    /// Every variant, in declaration order (`ALL[v as usize] == v`).
    pub const ALL: [IdKind; 5] = [
        IdKind::Cccd,
        IdKind::Cmnd,
        IdKind::Passport,
        IdKind::Mst,
        IdKind::Unknown,
    ];

    pub fn code(self) -> &'static str {
        match self {
            IdKind::Cccd => "CCCD",
            IdKind::Cmnd => "CMND",
            IdKind::Passport => "PASSPORT",
            IdKind::Mst => "MST",
            IdKind::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// Every variant, in declaration order (`ALL[v as usize] == v`).
    pub const ALL: [Sex; 2] = [Sex::Male, Sex::Female];

    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// The ID key: spaces, dots, dashes and slashes removed, letters upper-cased. This is every ID
/// number's `compact` form.
pub fn id_key(raw: &str) -> String {
    IdKey::of(raw).as_str().to_string()
}

/// An ID key (see [`id_key`]), held inline up to 22 bytes, which every well-formed number fits: an
/// extract holds millions of distinct ID numbers, and a heap string each would cost an allocation per
/// number (and the allocator's contention across threads).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct IdKey(Stored);

#[derive(Clone, PartialEq, Eq)]
enum Stored {
    /// `bytes[..len]` is UTF-8: only whole characters are ever stored (see [`IdKey::of`]).
    Inline {
        len: u8,
        bytes: [u8; 22],
    },
    Long(Box<str>),
}

impl Default for Stored {
    fn default() -> Self {
        Stored::Inline {
            len: 0,
            bytes: [0; 22],
        }
    }
}

impl IdKey {
    /// The key of a raw number. ASCII input (nearly all) is read byte by byte; anything else goes
    /// through Unicode white space and upper-casing.
    pub fn of(raw: &str) -> IdKey {
        if raw.is_ascii() {
            let mut bytes = [0u8; 22];
            let mut len = 0;
            for b in raw.bytes() {
                // `char::is_whitespace` on ASCII: tab, line feed, vertical tab, form feed, CR, space.
                if matches!(
                    b,
                    b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | b'.' | b'-' | b'/'
                ) {
                    continue;
                }
                if len == bytes.len() {
                    return IdKey::long(raw);
                }
                bytes[len] = b.to_ascii_uppercase();
                len += 1;
            }
            return IdKey(Stored::Inline {
                len: len as u8,
                bytes,
            });
        }
        IdKey::long(raw)
    }

    fn long(raw: &str) -> IdKey {
        let key: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/'))
            .flat_map(char::to_uppercase)
            .collect();
        IdKey(match key.len() {
            n if n <= 22 => {
                let mut bytes = [0u8; 22];
                bytes[..n].copy_from_slice(key.as_bytes());
                Stored::Inline {
                    len: n as u8,
                    bytes,
                }
            }
            _ => Stored::Long(key.into_boxed_str()),
        })
    }

    /// Whether the key is held inline (for tests).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Stored::Inline { .. })
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // SAFETY: `IdKey::of` stores only ASCII bytes or a whole `String` inline, so the bytes
            // are UTF-8 (the key is read for every row several times, so it is not checked again).
            Stored::Inline { len, bytes } => unsafe {
                std::str::from_utf8_unchecked(&bytes[..usize::from(*len)])
            },
            Stored::Long(s) => s,
        }
    }
}

impl std::ops::Deref for IdKey {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// One letter followed by 7 digits: the usual Vietnamese passport form.
pub(crate) fn is_standard_passport(key: &str) -> bool {
    let b = key.as_bytes();
    b.len() == 8 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

/// The kind a number's shape suggests: 12 digits CCCD, 9 CMND, 10 or 13 MST, a letter + 7 digits a
/// passport.
pub fn infer_kind(key: &str) -> IdKind {
    if all_digits(key) {
        match key.len() {
            12 => IdKind::Cccd,
            9 => IdKind::Cmnd,
            10 | 13 => IdKind::Mst,
            _ => IdKind::Unknown,
        }
    } else if is_standard_passport(key) {
        IdKind::Passport
    } else {
        IdKind::Unknown
    }
}

/// All digits equal, or one ascending/descending run (wrapping 9→0, as in `012345678901`).
pub fn is_placeholder(key: &str) -> bool {
    if !all_digits(key) || key.len() < 2 {
        return false;
    }
    let b = key.as_bytes();
    let step = |w: &[u8]| (w[1] + 10 - w[0]) % 10;
    let first = step(&b[..2]);
    matches!(first, 0 | 1 | 9) && b.windows(2).all(|w| step(w) == first)
}

/// Why an ID number is not a valid document number. `Format`, `Component` and `Checksum` follow
/// python-stdnum's shared errors; `PlaceCode` is a component of the 12-digit number; `Placeholder` and
/// `Unverified` are this country's own signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Problem {
    /// Length or characters fit no pattern of the number's kind.
    Format,
    /// A 12-digit number whose place code is neither a province nor a code for births abroad.
    PlaceCode,
    /// All digits equal, or one run up or down: a stand-in, not a number.
    Placeholder,
    /// A tax code whose digits 3–9 are all zero, or whose branch suffix is 000.
    Component,
    /// A tax code whose check digit is wrong.
    Checksum,
    /// A passport number of 8–9 letters and digits that is not one letter + 7 digits: possible, but
    /// not the usual form.
    Unverified,
}

impl Problem {
    pub const ALL: [Problem; 6] = [
        Problem::Format,
        Problem::PlaceCode,
        Problem::Placeholder,
        Problem::Component,
        Problem::Checksum,
        Problem::Unverified,
    ];
}

/// A set of [`Problem`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Problems(u8);

// Every problem needs a bit of its own.
const _: () = assert!(Problem::ALL.len() <= u8::BITS as usize);

impl Problems {
    pub fn insert(&mut self, p: Problem) {
        self.0 |= 1 << p as u8;
    }
    pub fn contains(self, p: Problem) -> bool {
        self.0 & (1 << p as u8) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The problems in [`Problem::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Problem> {
        Problem::ALL.into_iter().filter(move |p| self.contains(*p))
    }
}

/// Decoded `PPP G YY RRRRRR` structure of a 12-digit personal number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonalNumber {
    pub place: u16,
    pub birth_year: i32,
    pub sex: Sex,
}

/// Everything the per-row ID rules need to know about one (key, declared kind) pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdFacts {
    /// The normalised number (ID key).
    pub key: IdKey,
    /// Declared kind when given, else the inferred one.
    pub kind: Option<IdKind>,
    pub problems: Problems,
    pub personal: Option<PersonalNumber>,
}

impl IdFacts {
    pub fn has(&self, p: Problem) -> bool {
        self.problems.contains(p)
    }

    /// The tax-code problem, if any: a wrong component or a wrong check digit.
    pub fn mst_problem(&self) -> Option<Problem> {
        [Problem::Component, Problem::Checksum]
            .into_iter()
            .find(|p| self.has(*p))
    }
}

/// The kind of a number declared as `declared`, given the kind its shape gives it (None when it is
/// empty): a declared kind wins, unless it is Unknown.
pub fn declared_kind(shape: Option<IdKind>, declared: Option<IdKind>) -> Option<IdKind> {
    match declared {
        Some(k) if k != IdKind::Unknown => Some(k),
        _ => shape,
    }
}

/// Analyse one raw ID number with its declared kind (None or Unknown: infer from shape).
pub fn analyse(raw: &str, declared: Option<IdKind>) -> IdFacts {
    let key = IdKey::of(raw);
    if key.is_empty() {
        return IdFacts {
            key,
            kind: declared_kind(None, declared),
            ..Default::default()
        };
    }
    let digits = all_digits(&key);
    let inferred = infer_kind(&key);
    let kind = declared_kind(Some(inferred), declared).unwrap_or(inferred);
    let mut problems = Problems::default();
    let mut personal = None;
    // A number of a checked kind has its shape unless the check says Format; other problems are
    // kept.
    let mut shaped = |checked: Result<(), Problem>| match checked {
        Err(Problem::Format) => false,
        Err(p) => {
            problems.insert(p);
            true
        }
        Ok(()) => true,
    };
    let format_ok = match kind {
        IdKind::Cccd => digits && key.len() == 12,
        IdKind::Cmnd => digits && (key.len() == 9 || key.len() == 12),
        IdKind::Mst => shaped(super::mst::check(&key)),
        IdKind::Passport => shaped(super::passport::check(&key)),
        IdKind::Unknown => false,
    };
    if !format_ok {
        problems.insert(Problem::Format);
    }
    if matches!(kind, IdKind::Cccd | IdKind::Cmnd) && format_ok {
        personal = super::cccd::decode(&key);
        if personal.is_some_and(|p| !super::cccd::is_known_place(p.place)) {
            problems.insert(Problem::PlaceCode);
        }
    }
    if is_placeholder(&key) {
        problems.insert(Problem::Placeholder);
    }
    IdFacts {
        problems,
        personal,
        kind: Some(kind),
        key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn key_strips_separators() {
        assert_eq!(id_key("\u{b}033\u{c}085\t"), "033085");
        assert_eq!(id_key("ß-1"), "SS1");
        let long = "x".repeat(23);
        assert!(!IdKey::of(&long).is_inline());
        assert_eq!(IdKey::of(&long).as_str(), "X".repeat(23));
        assert!(IdKey::of(&"x".repeat(22)).is_inline());
        assert!(IdKey::of(&"ư".repeat(11)).is_inline());
        assert_eq!(IdKey::of(&"ư".repeat(11)).as_str(), "Ư".repeat(11));
        assert_eq!(id_key(" 033.085-012/345 "), "033085012345");
        assert_eq!(id_key("b 1234567"), "B1234567");
        assert_eq!(id_key("0314409058-002"), "0314409058002");
    }

    #[test]
    fn kinds_from_shape() {
        assert_eq!(infer_kind("033085012345"), IdKind::Cccd);
        assert_eq!(infer_kind("123456780"), IdKind::Cmnd);
        assert_eq!(infer_kind("0314409058"), IdKind::Mst);
        assert_eq!(infer_kind("0314409058002"), IdKind::Mst);
        assert_eq!(infer_kind("B1234567"), IdKind::Passport);
        assert_eq!(infer_kind("AB123456"), IdKind::Unknown);
        assert_eq!(infer_kind("12345"), IdKind::Unknown);
    }

    #[test]
    fn placeholders() {
        for p in [
            "000000000",
            "111111111111",
            "123456789",
            "012345678901",
            "987654321",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for p in ["033085012345", "123456780", "B1234567"] {
            assert!(!is_placeholder(p), "{p}");
        }
    }

    #[test]
    fn analyse_declared_and_inferred() {
        let problems = |raw: &str, declared| -> Vec<Problem> {
            analyse(raw, declared).problems.iter().collect()
        };
        let f = analyse("033085012345", None);
        assert_eq!(f.kind, Some(IdKind::Cccd));
        assert!(f.problems.is_empty());
        assert_eq!(problems("12345670", Some(IdKind::Cccd)), [Problem::Format]);
        assert_eq!(
            problems("AB1234567", Some(IdKind::Passport)),
            [Problem::Unverified]
        );
        assert_eq!(problems("AB1234567", None), [Problem::Format]);
        assert_eq!(problems("003085012345", None), [Problem::PlaceCode]);
        assert_eq!(problems("0314409057", None), [Problem::Checksum]);
        assert_eq!(problems("0100000000", None), [Problem::Component]);
        assert_eq!(problems("0314409058000", None), [Problem::Component]);
        assert_eq!(
            problems("123456789012", Some(IdKind::Cmnd)),
            [Problem::Placeholder]
        );
        assert!(analyse("  ", None).kind.is_none());
    }

    proptest! {
        #[test]
        fn analyse_never_panics(s in "\\PC{0,30}") {
            let f = analyse(&s, None);
            let _ = f.problems.iter().count();
            prop_assert_eq!(id_key(&f.key), f.key.as_str());
        }

        /// The byte-wise ASCII reading and the inline storage give the Unicode definition's key.
        #[test]
        fn the_key_is_the_unicode_definition(s in "[ -~\t\n\u{b}\u{c}\r]{0,30}|\\PC{0,30}") {
            let want: String = s
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/'))
                .flat_map(char::to_uppercase)
                .collect();
            let key = IdKey::of(&s);
            prop_assert_eq!(key.as_str(), want.as_str());
        }

        /// Placeholders are all-equal digits or one run up or down (wrapping 9→0).
        #[test]
        fn placeholders_are_runs(start in 0u8..10, step in 0u8..10, len in 2usize..14) {
            let key: String = (0..len).map(|i| char::from(b'0' + ((start as usize + i * step as usize) % 10) as u8)).collect();
            prop_assert_eq!(is_placeholder(&key), matches!(step, 0 | 1 | 9));
        }
    }
}

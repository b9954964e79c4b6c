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
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// rules.md "ID key": spaces, dots, dashes and slashes removed, letters upper-cased.
pub fn id_key(raw: &str) -> String {
    IdKey::of(raw).as_str().to_string()
}

/// An ID key (see [`id_key`]), held inline up to 22 bytes, which every well-formed number fits: an
/// extract holds millions of distinct ID numbers, and a heap string each cost a run an allocation per
/// number (and the allocator's contention on both cores).
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
            // are UTF-8 (the key is read for every row several times: checking it again cost 3%).
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

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// One letter followed by 7 digits: the usual Vietnamese passport form.
fn is_standard_passport(key: &str) -> bool {
    let b = key.as_bytes();
    b.len() == 8 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

/// 8–9 letters/digits with at least one letter, but not the standard form (ID010).
fn is_other_passport(key: &str) -> bool {
    let b = key.as_bytes();
    (8..=9).contains(&b.len())
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b.iter().any(u8::is_ascii_alphabetic)
        && !is_standard_passport(key)
}

/// The kind a number's shape suggests (rules.md ID002).
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

/// MST check (python-stdnum vn/mst): 10 digits, or 13 with a branch suffix.
/// Returns true when the number is a well-formed but invalid tax code (ID009).
pub fn mst_checksum_bad(key: &str) -> bool {
    const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];
    if !all_digits(key) || !(key.len() == 10 || key.len() == 13) {
        return false;
    }
    let mut d = [0u32; 13];
    for (x, b) in d.iter_mut().zip(key.bytes()) {
        *x = u32::from(b - b'0');
    }
    if d[2..9].iter().all(|&x| x == 0) {
        return true;
    }
    if key.len() == 13 && &key[10..] == "000" {
        return true;
    }
    let sum: u32 = WEIGHTS.iter().zip(&d).map(|(w, x)| w * x).sum();
    let rem = sum % 11;
    // check = 10 − (Σ mod 11); Σ mod 11 = 0 would need check 10: never valid.
    rem == 0 || 10 - rem != d[9]
}

/// Decoded `PPP G YY RRRRRR` structure of a 12-digit personal number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonalNumber {
    pub place: u16,
    pub birth_year: i32,
    pub sex: Sex,
}

pub fn decode_personal(key: &str) -> Option<PersonalNumber> {
    if key.len() != 12 || !all_digits(key) {
        return None;
    }
    let b = key.as_bytes();
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter()
            .fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'))
    };
    let g = num(3..4);
    let yy = num(4..6);
    Some(PersonalNumber {
        place: num(0..3) as u16,
        birth_year: 1900 + 100 * (g / 2) as i32 + yy as i32,
        sex: if g % 2 == 0 { Sex::Male } else { Sex::Female },
    })
}

/// Place codes of births registered in Vietnam (provinces-2024.csv).
static PROVINCES: &str = include_str!("../../rules/reference/provinces-2024.csv");

/// `PPP` codes that are assigned: a province, or 101–295 for births registered abroad.
pub fn is_known_place(place: u16) -> bool {
    static KNOWN: std::sync::OnceLock<[bool; 1000]> = std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        let mut k = [false; 1000];
        for code in PROVINCES
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next()?.parse::<usize>().ok())
        {
            if code < 1000 {
                k[code] = true;
            }
        }
        k[101..=295].iter_mut().for_each(|x| *x = true);
        k
    });
    known.get(usize::from(place)).copied().unwrap_or(false)
}

/// Everything the per-row ID rules need to know about one (key, declared kind) pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdFacts {
    /// The normalised number (ID key).
    pub key: IdKey,
    /// Declared kind when given, else the inferred one.
    pub kind: Option<IdKind>,
    pub format_bad: bool,
    pub place_bad: bool,
    pub placeholder: bool,
    pub mst_bad: bool,
    pub passport_unverified: bool,
    pub personal: Option<PersonalNumber>,
}

impl IdFacts {
    /// Problem codes among ID002 ID003 ID006 ID009 ID010, in code order.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut p = Vec::new();
        for (on, code) in [
            (self.format_bad, "ID002"),
            (self.place_bad, "ID003"),
            (self.placeholder, "ID006"),
            (self.mst_bad, "ID009"),
            (self.passport_unverified, "ID010"),
        ] {
            if on {
                p.push(code);
            }
        }
        p
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
    let (format_ok, passport_unverified) = match kind {
        IdKind::Cccd => (digits && key.len() == 12, false),
        IdKind::Cmnd => (digits && (key.len() == 9 || key.len() == 12), false),
        IdKind::Mst => (digits && (key.len() == 10 || key.len() == 13), false),
        IdKind::Passport => {
            let other = is_other_passport(&key);
            (is_standard_passport(&key) || other, other)
        }
        IdKind::Unknown => (false, false),
    };
    let personal = match kind {
        IdKind::Cccd | IdKind::Cmnd if format_ok => decode_personal(&key),
        _ => None,
    };
    IdFacts {
        place_bad: personal.is_some_and(|p| !is_known_place(p.place)),
        placeholder: is_placeholder(&key),
        mst_bad: kind == IdKind::Mst && format_ok && mst_checksum_bad(&key),
        format_bad: !format_ok,
        passport_unverified,
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
    fn mst_check_digit() {
        assert!(!mst_checksum_bad("0314409058"));
        assert!(!mst_checksum_bad("0314409058002"));
        assert!(mst_checksum_bad("0314409057"));
        assert!(mst_checksum_bad("0314409058000"));
        assert!(mst_checksum_bad("0100000000"));
        assert!(!mst_checksum_bad("0100109106")); // Viettel group
    }

    #[test]
    fn personal_number_structure() {
        let p = decode_personal("033085012345").unwrap();
        assert_eq!((p.place, p.birth_year, p.sex), (33, 1985, Sex::Male));
        let p = decode_personal("034301012345").unwrap();
        assert_eq!((p.birth_year, p.sex), (2001, Sex::Female));
        let p = decode_personal("001499012345").unwrap();
        assert_eq!(p.birth_year, 2199);
        assert!(is_known_place(33) && is_known_place(101) && is_known_place(295));
        assert!(!is_known_place(3) && !is_known_place(97) && !is_known_place(296));
    }

    #[test]
    fn analyse_declared_and_inferred() {
        let f = analyse("033085012345", None);
        assert_eq!(f.kind, Some(IdKind::Cccd));
        assert!(f.problems().is_empty());
        let f = analyse("12345670", Some(IdKind::Cccd));
        assert_eq!(f.problems(), ["ID002"]);
        let f = analyse("AB1234567", Some(IdKind::Passport));
        assert_eq!(f.problems(), ["ID010"]);
        let f = analyse("AB1234567", None);
        assert_eq!(f.problems(), ["ID002"]);
        let f = analyse("003085012345", None);
        assert_eq!(f.problems(), ["ID003"]);
        let f = analyse("0314409057", None);
        assert_eq!(f.problems(), ["ID009"]);
        let f = analyse("123456789012", Some(IdKind::Cmnd));
        assert_eq!(f.problems(), ["ID006"]);
        assert!(analyse("  ", None).kind.is_none());
    }

    proptest! {
        #[test]
        fn analyse_never_panics(s in "\\PC{0,30}") {
            let f = analyse(&s, None);
            let _ = f.problems();
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

//! A small model of Vietnamese spelling: letters split into base + modifier + tone, and a
//! syllable checker. Tone placement and the repair confidence rule both rely on it.

use unicode_normalization::char::{compose, decompose_canonical};

/// The five tone marks as combining characters, indexed by `tone - 1`
/// (1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng).
pub(crate) const TONE_MARKS: [char; 5] = ['\u{301}', '\u{300}', '\u{309}', '\u{303}', '\u{323}'];

/// The vowel modifiers of the Vietnamese alphabet, plus the stroke of đ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Modifier {
    None,
    Circumflex,
    Breve,
    Horn,
    Stroke,
}

/// One letter of the Vietnamese alphabet (or a plain ASCII letter), taken apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Letter {
    /// ASCII lower-case base letter.
    pub base: u8,
    pub modifier: Modifier,
    /// 0 = no tone, else 1..=5 as in [`TONE_MARKS`].
    pub tone: u8,
    pub upper: bool,
}

impl Letter {
    /// The letter without its tone, lower-case: `a ă â e ê i o ô ơ u ư y đ` or another ASCII letter.
    pub fn plain(self) -> char {
        match (self.base, self.modifier) {
            (b'a', Modifier::Breve) => 'ă',
            (b'a', Modifier::Circumflex) => 'â',
            (b'e', Modifier::Circumflex) => 'ê',
            (b'o', Modifier::Circumflex) => 'ô',
            (b'o', Modifier::Horn) => 'ơ',
            (b'u', Modifier::Horn) => 'ư',
            (b'd', Modifier::Stroke) => 'đ',
            (b, _) => b as char,
        }
    }

    pub fn is_vowel(self) -> bool {
        matches!(self.base, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
    }

    /// Rebuilds the precomposed (NFC) character.
    pub fn to_char(self) -> char {
        if self.modifier == Modifier::Stroke {
            return if self.upper { 'Đ' } else { 'đ' };
        }
        let base = if self.upper {
            self.base.to_ascii_uppercase() as char
        } else {
            self.base as char
        };
        let with_mod = match self.modifier {
            Modifier::Circumflex => compose(base, '\u{302}'),
            Modifier::Breve => compose(base, '\u{306}'),
            Modifier::Horn => compose(base, '\u{31B}'),
            Modifier::None | Modifier::Stroke => Some(base),
        }
        .unwrap_or(base);
        let Some(&mark) = self
            .tone
            .checked_sub(1)
            .and_then(|t| TONE_MARKS.get(usize::from(t)))
        else {
            return with_mod;
        };
        // ặ, ậ, ệ, ộ… compose as (vowel + dot below) + modifier, so try both orders.
        compose(with_mod, mark)
            .or_else(|| {
                let toned = compose(base, mark)?;
                match self.modifier {
                    Modifier::Circumflex => compose(toned, '\u{302}'),
                    Modifier::Breve => compose(toned, '\u{306}'),
                    Modifier::Horn => compose(toned, '\u{31B}'),
                    Modifier::None | Modifier::Stroke => Some(toned),
                }
            })
            .unwrap_or(with_mod)
    }
}

/// Takes a character apart when it is a letter of the Vietnamese alphabet (any case, any tone),
/// an ASCII letter, or the Icelandic Ð/ð that stands in for Đ/đ. Anything else gives `None`
/// (ö, ç, ñ, ß… are not Vietnamese letters).
pub(crate) fn analyse(c: char) -> Option<Letter> {
    if c.is_ascii_alphabetic() {
        return Some(Letter {
            base: c.to_ascii_lowercase() as u8,
            modifier: Modifier::None,
            tone: 0,
            upper: c.is_ascii_uppercase(),
        });
    }
    match c {
        'đ' | 'ð' => {
            return Some(Letter {
                base: b'd',
                modifier: Modifier::Stroke,
                tone: 0,
                upper: false,
            })
        }
        'Đ' | 'Ð' => {
            return Some(Letter {
                base: b'd',
                modifier: Modifier::Stroke,
                tone: 0,
                upper: true,
            })
        }
        _ => {}
    }
    // Only Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional hold
    // Vietnamese letters; skip decomposition for everything else.
    let cp = u32::from(c);
    if !(0xC0..=0x1B0).contains(&cp) && !(0x1EA0..=0x1EF9).contains(&cp) {
        return None;
    }
    let mut parts = ['\0'; 4];
    let mut n = 0usize;
    decompose_canonical(c, |d| {
        if n < parts.len() {
            parts[n] = d;
        }
        n += 1;
    });
    if !(2..=3).contains(&n) || !parts[0].is_ascii_alphabetic() {
        return None;
    }
    let base = parts[0].to_ascii_lowercase() as u8;
    let mut letter = Letter {
        base,
        modifier: Modifier::None,
        tone: 0,
        upper: parts[0].is_ascii_uppercase(),
    };
    for &m in &parts[1..n] {
        match m {
            '\u{302}'
                if matches!(base, b'a' | b'e' | b'o') && letter.modifier == Modifier::None =>
            {
                letter.modifier = Modifier::Circumflex
            }
            '\u{306}' if base == b'a' && letter.modifier == Modifier::None => {
                letter.modifier = Modifier::Breve
            }
            '\u{31B}' if matches!(base, b'o' | b'u') && letter.modifier == Modifier::None => {
                letter.modifier = Modifier::Horn
            }
            _ => {
                let t = TONE_MARKS.iter().position(|&x| x == m)?;
                if letter.tone != 0 || !letter.is_vowel() {
                    return None;
                }
                letter.tone = t as u8 + 1;
            }
        }
    }
    Some(letter)
}

/// Longest syllable we bother to check (nghiêng = 7 letters).
const MAX_SYLLABLE: usize = 8;

const INITIALS: &[&str] = &[
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
];

/// (vowel nucleus, may end the syllable, may take a final consonant)
const NUCLEI: &[(&str, bool, bool)] = &[
    ("a", true, true),
    ("e", true, true),
    ("ê", true, true),
    ("i", true, true),
    ("o", true, true),
    ("ô", true, true),
    ("ơ", true, true),
    ("u", true, true),
    ("ư", true, true),
    ("y", true, true),
    ("oa", true, true),
    ("oe", true, true),
    ("uê", true, true),
    ("uy", true, true),
    ("oo", false, true),
    ("ă", false, true),
    ("â", false, true),
    ("oă", false, true),
    ("uâ", false, true),
    ("iê", false, true),
    ("yê", false, true),
    ("uô", false, true),
    ("ươ", false, true),
    ("uyê", false, true),
    ("ia", true, false),
    ("ua", true, false),
    ("ưa", true, false),
    ("uơ", true, false),
    ("uya", true, false),
    ("ai", true, false),
    ("ao", true, false),
    ("au", true, false),
    ("ay", true, false),
    ("âu", true, false),
    ("ây", true, false),
    ("eo", true, false),
    ("êu", true, false),
    ("iu", true, false),
    ("oi", true, false),
    ("ôi", true, false),
    ("ơi", true, false),
    ("ui", true, false),
    ("ưi", true, false),
    ("ưu", true, false),
    ("iêu", true, false),
    ("yêu", true, false),
    ("oai", true, false),
    ("oay", true, false),
    ("oao", true, false),
    ("oeo", true, false),
    ("uây", true, false),
    ("uôi", true, false),
    ("ươi", true, false),
    ("ươu", true, false),
    ("uyu", true, false),
];

const CODAS: &[&str] = &["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];

/// How a valid syllable splits: `initial` letters, then `nucleus` letters, then the final consonant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Split {
    pub initial: usize,
    pub nucleus: usize,
    pub coda: usize,
}

/// The letter with its vowel modifier dropped (ê → e), for toneless unaccented text.
fn loosen(c: char) -> char {
    match c {
        'ă' | 'â' => 'a',
        'ê' => 'e',
        'ô' | 'ơ' => 'o',
        'ư' => 'u',
        _ => c,
    }
}

fn starts_with(hay: &[char], needle: &str) -> bool {
    starts_with_as(hay, needle, false)
}

fn starts_with_as(hay: &[char], needle: &str, loose: bool) -> bool {
    needle.chars().enumerate().all(|(i, c)| {
        let c = if loose { loosen(c) } else { c };
        hay.get(i) == Some(&c)
    })
}

fn equals(hay: &[char], needle: &str) -> bool {
    starts_with(hay, needle) && hay.len() == needle.chars().count()
}

/// Checks a sequence of letters (one word, no punctuation) against Vietnamese spelling rules:
/// initial consonant, vowel nucleus, final consonant, at most one tone, and only sắc/nặng before
/// a final c/ch/p/t. Toneless text (`Nguyen`) passes. Case is not looked at.
pub(crate) fn syllable(letters: &[Letter]) -> Option<Split> {
    split(letters, true)
}

/// [`syllable`], whatever vowel the tone mark sits on (a mark typed on the wrong vowel, `Tòan`).
pub(crate) fn syllable_any_tone(letters: &[Letter]) -> Option<Split> {
    split(letters, false)
}

/// Splits a syllable; with `strict_tone`, its tone mark must sit where it belongs.
fn split(letters: &[Letter], strict_tone: bool) -> Option<Split> {
    if letters.is_empty() || letters.len() > MAX_SYLLABLE {
        return None;
    }
    let mut plain = ['\0'; MAX_SYLLABLE];
    let mut toned = 0usize;
    let mut tone = 0u8;
    for (slot, l) in plain.iter_mut().zip(letters) {
        *slot = l.plain();
        if l.tone != 0 {
            toned += 1;
            tone = l.tone;
        }
    }
    if toned > 1 {
        return None;
    }
    let plain = &plain[..letters.len()];
    // Unaccented text ("Nguyen") may match a nucleus whose modifiers were dropped.
    let loose = tone == 0
        && letters
            .iter()
            .all(|l| matches!(l.modifier, Modifier::None | Modifier::Stroke));
    for init in INITIALS {
        if !starts_with(plain, init) {
            continue;
        }
        let ilen = init.chars().count();
        let rest = &plain[ilen..];
        for &(nuc, open, closed) in NUCLEI {
            if !starts_with_as(rest, nuc, loose) {
                continue;
            }
            let nlen = nuc.chars().count();
            let coda = &rest[nlen..];
            let Some(coda_str) = CODAS.iter().find(|c| equals(coda, c)) else {
                continue;
            };
            if !spelling_ok(init, nuc, coda_str, open, closed, tone) {
                continue;
            }
            // The tone must sit on the nucleus's main vowel; on the u of qu and the i of gi
            // it is tolerated (common misspellings like "qúy").
            if let Some(at) = letters
                .iter()
                .position(|l| l.tone != 0)
                .filter(|_| strict_tone)
            {
                let ok = if at < ilen {
                    matches!(*init, "qu" | "gi") && at == 1
                } else {
                    at < ilen + nlen && tone_position_ok(&rest[..nlen], at - ilen, !coda.is_empty())
                };
                if !ok {
                    continue;
                }
            }
            return Some(Split {
                initial: ilen,
                nucleus: nlen,
                coda: coda.len(),
            });
        }
    }
    None
}

/// Where the tone mark goes in a nucleus: on the (last) vowel carrying a modifier; else on the
/// last vowel of a closed syllable; else on the first of two vowels (either for oa/oe/uy: both
/// styles) or the middle of three.
fn tone_position_ok(nuc: &[char], at: usize, closed: bool) -> bool {
    if let Some(m) = nuc
        .iter()
        .rposition(|c| matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư'))
    {
        return at == m;
    }
    if closed {
        return at + 1 == nuc.len();
    }
    match nuc {
        [_] => at == 0,
        ['o', 'a'] | ['o', 'e'] | ['u', 'y'] => true,
        [_, _] => at == 0,
        _ => at == 1,
    }
}

fn spelling_ok(init: &str, nuc: &str, coda: &str, open: bool, closed: bool, tone: u8) -> bool {
    if coda.is_empty() && !open || !coda.is_empty() && !closed {
        return false;
    }
    let first = nuc.chars().next().unwrap_or('a');
    let last = nuc.chars().last().unwrap_or('a');
    let front = matches!(first, 'e' | 'ê' | 'i' | 'y');
    // k, gh, ngh only before front vowels; c and ng/g (but not gi) never before e/ê.
    if matches!(init, "k" | "gh" | "ngh") && !front {
        return false;
    }
    if matches!(init, "c" | "q") && front {
        return false;
    }
    if init == "qu" && first == 'u' {
        return false;
    }
    match coda {
        "ch" | "nh" if !matches!(last, 'a' | 'ê' | 'i' | 'y') => return false,
        "c" | "ng" if matches!(nuc, "i" | "y" | "uy" | "ê" | "uê") => return false,
        _ => {}
    }
    // Syllables closed by a stop take only sắc or nặng (toneless is tolerated: unaccented text).
    if matches!(coda, "c" | "ch" | "p" | "t") && matches!(tone, 2..=4) {
        return false;
    }
    true
}

/// Letters of a word, or `None` when the word holds anything that is not a Vietnamese/ASCII letter.
pub(crate) fn letters_of(word: &str, buf: &mut Vec<Letter>) -> bool {
    buf.clear();
    for c in word.chars() {
        match analyse(c) {
            Some(l) => buf.push(l),
            None => return false,
        }
        if buf.len() > MAX_SYLLABLE {
            return false;
        }
    }
    !buf.is_empty()
}

/// Letters of a short word into a stack buffer (no allocation on the hot path).
fn letters_array(word: &str) -> Option<([Letter; MAX_SYLLABLE], usize)> {
    let blank = Letter {
        base: b'a',
        modifier: Modifier::None,
        tone: 0,
        upper: false,
    };
    let mut buf = [blank; MAX_SYLLABLE];
    let mut n = 0;
    for c in word.chars() {
        *buf.get_mut(n)? = analyse(c)?;
        n += 1;
    }
    (n > 0).then_some((buf, n))
}

/// True when `word` is one Vietnamese syllable, case ignored.
pub(crate) fn is_syllable(word: &str) -> bool {
    letters_array(word).is_some_and(|(buf, n)| syllable(&buf[..n]).is_some())
}

/// True when `word` is one Vietnamese syllable written in a sane case pattern
/// (`hoa`, `Hoa`, `HOA`); used to judge whether raw text already looks right.
pub(crate) fn is_plausible_syllable(word: &str) -> bool {
    let Some((buf, n)) = letters_array(word) else {
        return false;
    };
    let buf = &buf[..n];
    if syllable(buf).is_none() {
        return false;
    }
    let all_upper = buf.iter().all(|l| l.upper);
    let rest_lower = buf.iter().skip(1).all(|l| !l.upper);
    all_upper || rest_lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyse_round_trips_every_vietnamese_letter() {
        for base in ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"] {
            for tone in 0..=5u8 {
                let mut s = String::from(base);
                if tone > 0 {
                    s.push(TONE_MARKS[usize::from(tone - 1)]);
                }
                let c: String =
                    unicode_normalization::UnicodeNormalization::nfc(s.as_str()).collect();
                let ch = c.chars().next().unwrap();
                assert_eq!(c.chars().count(), 1, "{c}");
                let l = analyse(ch).unwrap();
                assert_eq!(l.tone, tone);
                assert_eq!(l.to_char(), ch);
                let up = ch.to_uppercase().next().unwrap();
                let lu = analyse(up).unwrap();
                assert!(lu.upper);
                assert_eq!(lu.to_char(), up);
            }
        }
        assert_eq!(analyse('Ð').unwrap().plain(), 'đ');
        assert_eq!(analyse('ö'), None);
        assert_eq!(analyse('ç'), None);
        assert_eq!(analyse('µ'), None);
    }

    #[test]
    fn syllables() {
        for w in [
            "nguyễn", "văn", "đức", "trần", "thị", "hoà", "hòa", "thuỷ", "thủy", "quý", "quỳnh",
            "nghiêng", "khuyến", "huỳnh", "giếng", "gì", "thuở", "xoong", "ngoãn", "oanh", "yến",
            "khuya", "hoàng", "toán", "thuyết", "hưng", "yên", "phương", "trương", "nguyen", "y",
            "ích", "khuỷu", "ngoài", "quốc", "tuấn", "xuân", "lộc", "phúc", "bích", "kiều",
            "khánh", "giang", "gia", "quang", "doãn", "hồ", "bùi", "lý", "vũ", "võ", "đặng",
            "dương", "huệ", "ánh", "ngọc", "điệp",
        ] {
            assert!(is_syllable(w), "{w}");
        }
        for w in [
            "nguyôn", "josộ", "lộa", "ksor", "hång", "traàn", "hoaø", "thß", "smith", "kha1",
        ] {
            assert!(!is_syllable(w), "{w}");
        }
        assert!(!is_syllable("hòc"), "stop final needs sắc/nặng");
        assert!(is_plausible_syllable("HOA"));
        assert!(!is_plausible_syllable("hOa"));
    }
}

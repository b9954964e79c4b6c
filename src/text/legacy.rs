//! Value-level repair of Vietnamese text that reached us through the wrong decoder.
//!
//! Each decoder below turns the *displayed* characters back into what the writer meant. A
//! repair is only accepted on evidence (see [`judge`]): the raw text must contain a word that
//! is not plausible as written, and every word the decoder changed must become a valid
//! Vietnamese syllable. Correct Vietnamese and ordinary foreign names therefore pass through.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::tables::{TCVN3_HIGH, VNI};
use super::viet::{analyse, is_plausible_syllable, is_syllable, Letter, Modifier};
use super::LegacyEncoding;

/// Value-level repair of text that is already Unicode but was mis-decoded: TCVN3 read as
/// Latin-1 (`NguyÔn V¨n §øc`), VNI-Windows read as cp1252 (`Nguyeãn Vaên Ñöùc`), VIQR
/// (`Nguye^~n Va(n D9u+'c`), Windows-1258 (base letter + combining tone left un-normalised, or
/// its bytes read as cp1252), UTF-8 read as cp1252 (`Nguyá»…n VÄƒn`). Returns `None` when the
/// text looks right. The repaired text has its words joined by single spaces.
///
/// Correct Vietnamese and ordinary foreign names are never touched: a decoding is only believed
/// when the raw text shows the encoding's signature or words that are implausible as written,
/// and the words it changes come out as Vietnamese syllables (see `judge`). Names whose every
/// word is valid in both readings (VNI `Hoà` = Hồ, cp1258 `Vãn` = Văn) stay as they are.
pub fn repair(raw: &str) -> Option<(String, LegacyEncoding)> {
    if raw.is_ascii() {
        return viqr(raw).map(|s| (s, LegacyEncoding::Viqr));
    }
    // VIQR typed with the Icelandic Ð for Đ (`Ðoa`n`): read as VIQR's `DD`.
    if raw.chars().all(|c| c.is_ascii() || matches!(c, 'Ð' | 'ð')) {
        let ascii = raw.replace('Ð', "DD").replace('ð', "dd");
        if let Some(s) = viqr(&ascii) {
            return Some((s, LegacyEncoding::Viqr));
        }
    }
    let scan = Scan::of(raw);
    if scan.cp1258_combining {
        let nfc: String = raw.nfc().collect();
        if nfc != raw {
            return Some((nfc, LegacyEncoding::Cp1258));
        }
    }
    if scan.byte_view && scan.high && scan.utf8_sequence {
        if let Some(mut s) = utf8_as_cp1252(raw) {
            // Text encoded twice over: keep peeling while it still decodes.
            for _ in 0..2 {
                match utf8_as_cp1252(&s) {
                    Some(t) => s = t,
                    None => break,
                }
            }
            if is_name_like(&s) {
                return Some((s, LegacyEncoding::Utf8AsCp1252));
            }
        }
    }
    if !scan.byte_view || !scan.high {
        return None;
    }
    // `judge` believes a decoding only with an evidence word: one that shows an encoding's
    // signature or is not plausible as written. Correct names (`LÊ MINH LAN`) have none, and
    // checking that is much cheaper than decoding three ways.
    if !raw.split_whitespace().any(could_be_evidence) {
        return None;
    }
    // Several single-byte readings may fit; keep the one that fixes the most words,
    // earlier (more common) encodings winning ties.
    let mut best: Option<(Score, String, LegacyEncoding)> = None;
    type Strong = fn(&str) -> bool;
    for (enc, decoded, strong) in [
        (LegacyEncoding::Vni, vni_decode(raw), vni_strong as Strong),
        (LegacyEncoding::Tcvn3, tcvn3_decode(raw), tcvn3_strong),
        (LegacyEncoding::Cp1258, cp1258_decode(raw), cp1258_strong),
    ] {
        if let Some((score, text)) = judge(raw, &decoded, strong) {
            if best.as_ref().is_none_or(|b| score.beats(b.0)) {
                best = Some((score, text, enc));
            }
        }
    }
    best.map(|(_, s, e)| (s, e))
}

/// One pass over the input deciding which decoders are worth trying.
struct Scan {
    /// Every char is a byte as a Latin-1 or cp1252 decoder shows it (or U+FFFD for a lost byte).
    byte_view: bool,
    /// Some char is outside ASCII.
    high: bool,
    /// A combining tone mark follows a precomposed â ê ô ơ ư ă: the cp1258 way of writing,
    /// which NFD text never shows.
    cp1258_combining: bool,
    /// Some char shows a UTF-8 lead byte and the next a continuation byte (or a lost byte):
    /// without such a pair the text cannot be UTF-8 read as cp1252.
    utf8_sequence: bool,
}

impl Scan {
    fn of(raw: &str) -> Scan {
        let mut s = Scan {
            byte_view: true,
            high: false,
            cp1258_combining: false,
            utf8_sequence: false,
        };
        let mut prev = '\0';
        for c in raw.chars() {
            if !c.is_ascii() {
                s.high = true;
                let cp = u32::from(c);
                let special = cp > 0xFF && c != '\u{FFFD}' && cp1252_special(c).is_none();
                if special {
                    s.byte_view = false;
                } else if (0xC2..=0xF4).contains(&u32::from(prev))
                    && ((0x80..=0xBF).contains(&cp) || cp > 0xFF)
                {
                    // Past 0xFF only U+FFFD (a lost byte) and cp1252's 0x80..=0x9F remain.
                    s.utf8_sequence = true;
                }
            }
            if matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}')
                && matches!(
                    prev,
                    'â' | 'ê' | 'ô' | 'ơ' | 'ư' | 'ă' | 'Â' | 'Ê' | 'Ô' | 'Ơ' | 'Ư' | 'Ă'
                )
            {
                s.cp1258_combining = true;
            }
            prev = c;
        }
        s
    }
}

/// Whether `judge` could count `word` as evidence for some single-byte decoding: it shows the
/// signature of VNI, TCVN3 or cp1258, or is not a plausible syllable as written.
fn could_be_evidence(word: &str) -> bool {
    !is_plausible_syllable(core(word))
        || vni_strong(word)
        || tcvn3_strong(word)
        || cp1258_strong(word)
}

/// Trims ASCII punctuation around a word so `Hoà,` or `(Văn)` are judged on their letters.
fn core(word: &str) -> &str {
    word.trim_matches(|c: char| c.is_ascii_punctuation())
}

/// A word of Vietnamese letters joined by apostrophes or hyphens whose parts are syllables or
/// carry no tone: ethnic-minority names such as `H'Yâm`, `Niê`, `Kđăm` are not standard
/// syllables, but a toned non-syllable (`Nguyờịn`, `ÓBrien`) is a wrong decoding.
fn is_vietnamese_letters(word: &str) -> bool {
    let mut any = false;
    for part in word.split(['\'', '’', 'ʼ', '-']) {
        if part.is_empty() {
            continue;
        }
        any = true;
        let letters: Option<Vec<_>> = part.chars().map(analyse).collect();
        let Some(letters) = letters else { return false };
        if letters.iter().any(|l| l.tone != 0) && !is_syllable(part) {
            return false;
        }
    }
    any
}

/// Decides whether a candidate decoding is believed, word by word:
/// - an *evidence* word is one the decoder changed that shows the encoding's signature
///   (`strong`) or is not a plausible word as written; its decoding must be a Vietnamese
///   syllable (or a word of Vietnamese letters, see below);
/// - a changed word that looked fine as written is decoded only when the result is a
///   syllable too (`Thò` → `Thị` in a VNI name), else kept;
/// - the whole is believed with a strong signature, with two evidence words, or when a name
///   of two or more words comes out entirely as Vietnamese syllables.
///
/// Returns how convincing it is and the text (words joined by single spaces). Words of
/// Vietnamese letters that are not syllables (ethnic-minority names) are only accepted when
/// some word carries the strong signature.
fn judge(raw: &str, decoded: &str, strong: fn(&str) -> bool) -> Option<(Score, String)> {
    if raw == decoded {
        return None;
    }
    let mut out = String::with_capacity(decoded.len());
    let mut score = Score::default();
    let (mut words, mut all_syllables, mut lenient) = (0usize, true, false);
    let mut raw_words = raw.split_whitespace();
    let mut dec_words = decoded.split_whitespace();
    loop {
        let (r, d) = match (raw_words.next(), dec_words.next()) {
            (None, None) => break,
            (Some(r), Some(d)) => (r, d),
            // A decoder that changes the word count is not a plain re-reading.
            _ => return None,
        };
        words += 1;
        if !out.is_empty() {
            out.push(' ');
        }
        let d_ok = is_syllable(core(d));
        if r == d {
            all_syllables &= d_ok;
            out.push_str(r);
            continue;
        }
        let is_strong = strong(r);
        if is_strong || !is_plausible_syllable(core(r)) {
            score.evidence += 1;
            score.strong += usize::from(is_strong);
            if !d_ok {
                if !is_vietnamese_letters(core(d)) {
                    return None;
                }
                lenient = true;
            }
            all_syllables &= d_ok;
            score.valid += usize::from(d_ok);
            out.push_str(d);
        } else if d_ok {
            // Looked fine as written and decodes fine too: follow the rest of the name,
            // but prefer decoders that need fewer such guesses.
            score.guesses += 1;
            out.push_str(d);
        } else {
            out.push_str(r);
        }
    }
    let any_strong = score.strong > 0;
    let believed = score.evidence > 0
        && (any_strong || score.evidence >= 2 || words >= 2 && all_syllables)
        && (!lenient || any_strong);
    believed.then_some((score, out))
}

/// How convincing a decoding is; compared field by field (more strong signatures, then more
/// words decoded into syllables, more evidence words, then fewer guesses).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Score {
    strong: usize,
    /// evidence words decoded into standard syllables
    valid: usize,
    evidence: usize,
    guesses: usize,
}

impl Score {
    fn beats(self, other: Score) -> bool {
        let key = |s: Score| (s.strong, s.valid, s.evidence, std::cmp::Reverse(s.guesses));
        key(self) > key(other)
    }
}

fn is_vowel(c: char) -> bool {
    analyse(c).is_some_and(|l| l.is_vowel())
}

/// An upper-case non-ASCII letter right after a lower-case letter (`NguyÔn`, `TrÇn`):
/// how lower-case legacy codes look when read as Latin-1.
fn upper_after_lower(word: &str) -> bool {
    let mut prev_lower = false;
    for c in word.chars() {
        if prev_lower && !c.is_ascii() && c.is_uppercase() {
            return true;
        }
        prev_lower = c.is_lowercase();
    }
    false
}

/// TCVN3 signature: Latin-1 symbols (¨ © ª « ¬ soft hyphen ® § µ ¶ · ¸ ¹ …) inside a word.
fn tcvn3_strong(word: &str) -> bool {
    word.chars()
        .any(|c| matches!(u32::from(c), 0xA1..=0xBF | 0xD7 | 0xF7))
        || upper_after_lower(word)
}

/// VNI signature: a vowel followed by a VNI tone byte (ø ù û õ ï) or a bare circumflex/breve
/// byte (â ê), `a` doubled by an â-with-tone byte (`aá` = ấ), or ơ/ư (ô ö) followed by a tone
/// byte: sequences no European name has. (`eá` = ế is left out: Irish Seán.)
fn vni_strong(word: &str) -> bool {
    let tone = |c: char| matches!(c, 'ø' | 'ù' | 'û' | 'õ' | 'ï' | 'Ø' | 'Ù' | 'Û' | 'Õ' | 'Ï');
    let mut prev = '\0';
    for c in word.chars() {
        let pl = prev.to_ascii_lowercase();
        if matches!(pl, 'a' | 'e' | 'i' | 'o' | 'u' | 'y') && tone(c)
            || matches!(pl, 'a' | 'e' | 'o') && matches!(c, 'â' | 'Â')
            || pl == 'a' && matches!(c, 'á' | 'à' | 'å' | 'ã' | 'ä' | 'Á' | 'À' | 'Å' | 'Ã' | 'Ä')
            || pl == 'a' && matches!(c, 'ê' | 'Ê')
            || matches!(prev, 'ô' | 'ö' | 'Ô' | 'Ö') && tone(c)
        {
            return true;
        }
        prev = c;
    }
    false
}

/// cp1258-as-cp1252 signature: a tone byte (Ì ì Ò Þ ò) right after a vowel.
fn cp1258_strong(word: &str) -> bool {
    let mut prev = '\0';
    for c in word.chars() {
        if matches!(c, 'Ì' | 'ì' | 'Ò' | 'Þ' | 'ò')
            && (is_vowel(prev) || matches!(prev, 'õ' | 'ý' | 'ã' | 'Õ' | 'Ý' | 'Ã'))
        {
            return true;
        }
        prev = c;
    }
    false
}

/// VIQR signature: ^ ( + ` ? ~ after a vowel, or ' . after a vowel with more letters following.
fn viqr_strong(word: &str) -> bool {
    let b = word.as_bytes();
    b.windows(2).enumerate().any(|(i, w)| {
        let vowel = matches!(
            w[0].to_ascii_lowercase(),
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
        );
        vowel
            && (matches!(w[1], b'^' | b'(' | b'+' | b'`' | b'?' | b'~')
                || matches!(w[1], b'\'' | b'.')
                    && b.get(i + 2).is_some_and(|n| n.is_ascii_alphabetic()))
    })
}

// ---------------------------------------------------------------- TCVN3

fn tcvn3_decode(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            let cp = u32::from(c);
            match cp
                .checked_sub(0xA0)
                .and_then(|i| TCVN3_HIGH.get(i as usize))
            {
                Some(&m) if m != '\0' => m,
                _ => c,
            }
        })
        .collect()
}

// ---------------------------------------------------------------- VNI

fn vni_decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        // Two-character codes first (base + modifier/tone byte), then single-byte ones.
        if let Some(&next) = chars.peek() {
            if u32::from(next) >= 0xC0 && u32::from(next) <= 0xFF {
                if let Some(m) = vni_lookup(&[c, next]) {
                    out.push(m);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(vni_lookup(&[c]).unwrap_or(c));
    }
    out
}

fn vni_lookup(seq: &[char]) -> Option<char> {
    if seq.iter().all(|c| c.is_ascii()) {
        return None;
    }
    VNI.iter()
        .find(|(s, _)| s.chars().eq(seq.iter().copied()))
        .map(|&(_, u)| u)
}

// ---------------------------------------------------------------- Windows-1258

/// cp1258 bytes shown by a cp1252 decoder: only these positions differ between the two.
fn cp1258_decode(raw: &str) -> String {
    let mapped: String = raw
        .chars()
        .map(|c| match c {
            'Ã' => 'Ă',
            'ã' => 'ă',
            'Õ' => 'Ơ',
            'õ' => 'ơ',
            'Ý' => 'Ư',
            'ý' => 'ư',
            'Ð' => 'Đ',
            'ð' => 'đ',
            'Ì' => '\u{300}',
            'ì' => '\u{301}',
            'Ò' => '\u{309}',
            'Þ' => '\u{303}',
            'ò' => '\u{323}',
            'þ' => '₫',
            _ => c,
        })
        .collect();
    mapped.nfc().collect()
}

// ---------------------------------------------------------------- UTF-8 read as cp1252

/// cp1252's characters for bytes 0x80..=0x9F.
const CP1252_SPECIALS: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

/// Bytes cp1252 leaves undefined: a decoder shows them as U+FFFD (lost) or as C1 controls.
const CP1252_UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

/// When a lost byte leaves several letters that all spell a valid word, the one more frequent
/// in names wins (ọ Ngọc, ờ Trường, ề Hiền, Á Ánh, Đ Đức).
const LOST_BYTE_PREFERENCE: [char; 9] = ['ọ', 'ờ', 'ề', 'Á', 'Đ', 'ỏ', 'Ý', 'Í', 'Ố'];

fn cp1252_special(c: char) -> Option<u8> {
    CP1252_SPECIALS
        .iter()
        .find(|&&(s, _)| s == c)
        .map(|&(_, b)| b)
}

/// The byte a cp1252/Latin-1 decoder turned into `c`; `Some(None)` for U+FFFD (byte lost).
fn byte_of(c: char) -> Option<Option<u8>> {
    let cp = u32::from(c);
    if cp <= 0xFF {
        return Some(Some(cp as u8));
    }
    if c == '\u{FFFD}' {
        return Some(None);
    }
    cp1252_special(c).map(Some)
}

/// One decoded character, or the alternatives when a lost byte leaves a choice.
type Slot = Vec<char>;

fn utf8_as_cp1252(raw: &str) -> Option<String> {
    let bytes: Vec<Option<u8>> = raw.chars().map(byte_of).collect::<Option<_>>()?;
    let mut slots: Vec<Slot> = Vec::with_capacity(bytes.len());
    let mut multibyte = false;
    let mut i = 0;
    while i < bytes.len() {
        let lead = bytes[i]?;
        let len = match lead {
            0x00..=0x7F => 1,
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return None,
        };
        if len == 1 {
            slots.push(vec![lead as char]);
            i += 1;
            continue;
        }
        let tail = bytes.get(i + 1..i + len)?;
        let options = utf8_options(lead, tail);
        if options.is_empty() {
            return None;
        }
        multibyte = true;
        slots.push(options);
        i += len;
    }
    if !multibyte {
        return None;
    }
    let out = resolve(&slots);
    (out != raw).then_some(out)
}

/// A real name decodes to letters, marks, spaces and ordinary punctuation only.
fn is_name_like(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_alphabetic()
            || is_combining_mark(c)
            || c.is_ascii_graphic()
            || ('\u{2010}'..='\u{2027}').contains(&c)
            || (c.is_whitespace() && !c.is_control())
    })
}

/// Every character the sequence `lead, tail…` can be, lost bytes tried as each undefined
/// cp1252 byte. Vietnamese letters are listed first.
fn utf8_options(lead: u8, tail: &[Option<u8>]) -> Slot {
    let lost: Vec<usize> = (0..tail.len()).filter(|&k| tail[k].is_none()).collect();
    let combos = CP1252_UNDEFINED.len().pow(lost.len() as u32);
    let mut out: Slot = Vec::new();
    for n in 0..combos {
        let mut buf = [0u8; 4];
        buf[0] = lead;
        let mut rest = n;
        for (k, b) in tail.iter().enumerate() {
            buf[k + 1] = match b {
                Some(b) => *b,
                None => {
                    let pick = CP1252_UNDEFINED[rest % CP1252_UNDEFINED.len()];
                    rest /= CP1252_UNDEFINED.len();
                    pick
                }
            };
        }
        if let Ok(s) = std::str::from_utf8(&buf[..=tail.len()]) {
            if let Some(c) = s.chars().next() {
                out.push(c);
            }
        }
    }
    // Prefer letters of the Vietnamese alphabet over other scripts' letters.
    out.sort_by_key(|&c| {
        let rank = LOST_BYTE_PREFERENCE
            .iter()
            .position(|&p| p == c)
            .unwrap_or(usize::MAX);
        (analyse(c).is_none(), rank)
    });
    out
}

/// Builds the text, choosing for ambiguous slots the alternative that makes its word a
/// plausible Vietnamese syllable.
fn resolve(slots: &[Slot]) -> String {
    let mut out = String::with_capacity(slots.len() * 2);
    let mut word: Vec<&Slot> = Vec::new();
    let sentinel: Slot = vec![' '];
    for slot in slots.iter().chain(std::iter::once(&sentinel)) {
        let c = slot.first().copied().unwrap_or(' ');
        if slot.len() == 1 && c.is_whitespace() {
            push_word(&mut out, &word);
            word.clear();
            out.push(c);
        } else {
            word.push(slot);
        }
    }
    out.pop(); // the sentinel space
    out
}

fn push_word(out: &mut String, word: &[&Slot]) {
    // Saturating: a long run of ambiguous bytes must not overflow (only 256 are tried).
    let total = word
        .iter()
        .fold(1usize, |a, s| a.saturating_mul(s.len().max(1)));
    let pick = |mut n: usize| -> String {
        word.iter()
            .filter_map(|s| {
                let len = s.len().max(1);
                let c = s.get(n % len).copied();
                n /= len;
                c
            })
            .collect()
    };
    if total > 1 {
        for n in 0..total.min(256) {
            let w = pick(n);
            if is_plausible_syllable(core(&w)) {
                out.push_str(&w);
                return;
            }
        }
    }
    out.push_str(&pick(0));
}

// ---------------------------------------------------------------- VIQR

/// VIQR (RFC 1456): ASCII with ^ ( + after a vowel for â/ê/ô, ă, ơ/ư, then ' ` ? ~ . for the
/// tone; dd (also the d9 typing habit) for đ; a backslash keeps a mark literal.
fn viqr(raw: &str) -> Option<String> {
    const MARKS: &[u8] = b"^(+'`?~.\\";
    if !raw.bytes().any(|b| MARKS.contains(&b)) {
        return None;
    }
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        // dd / d9 for đ: at the start of a word or after a consonant (Kdda(m = Kđăm), never
        // after a vowel (Eddie, Maddox).
        let at_word_start = i == 0
            || !b[i - 1].is_ascii_alphabetic()
            || !matches!(
                b[i - 1].to_ascii_lowercase(),
                b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
            );
        if c == b'\\' && i + 1 < b.len() && MARKS.contains(&b[i + 1]) {
            out.push(b[i + 1] as char);
            i += 2;
            continue;
        }
        if at_word_start
            && matches!(c, b'd' | b'D')
            && matches!(b.get(i + 1), Some(b'd' | b'D' | b'9'))
            && b.get(i + 2).is_some_and(|n| n.is_ascii_alphabetic())
        {
            out.push(if c == b'D' { 'Đ' } else { 'đ' });
            i += 2;
            continue;
        }
        let lower = c.to_ascii_lowercase();
        if !matches!(lower, b'a' | b'e' | b'i' | b'o' | b'u' | b'y') {
            out.push(c as char);
            i += 1;
            continue;
        }
        let mut letter = Letter {
            base: lower,
            modifier: Modifier::None,
            tone: 0,
            upper: c.is_ascii_uppercase(),
        };
        let mut j = i + 1;
        while let Some(&m) = b.get(j) {
            let applied = match m {
                b'^' if matches!(lower, b'a' | b'e' | b'o')
                    && letter.modifier == Modifier::None =>
                {
                    letter.modifier = Modifier::Circumflex;
                    true
                }
                b'(' if lower == b'a' && letter.modifier == Modifier::None => {
                    letter.modifier = Modifier::Breve;
                    true
                }
                b'+' if matches!(lower, b'o' | b'u') && letter.modifier == Modifier::None => {
                    letter.modifier = Modifier::Horn;
                    true
                }
                b'\'' | b'`' | b'?' | b'~' | b'.' if letter.tone == 0 => {
                    letter.tone = match m {
                        b'\'' => 1,
                        b'`' => 2,
                        b'?' => 3,
                        b'~' => 4,
                        _ => 5,
                    };
                    true
                }
                _ => false,
            };
            if !applied {
                break;
            }
            j += 1;
        }
        out.push(letter.to_char());
        i = j;
    }
    judge(raw, &out, viqr_strong).map(|(_, text)| text)
}

#[cfg(test)]
mod tests;

//! Encoders that mangle correct Vietnamese text the way broken pipelines do: TCVN3 bytes seen as
//! Latin-1, VNI-Windows seen as cp1252, UTF-8 read as cp1252, VIQR, Windows-1258 seen as cp1252.
//! The inverse of `repair`: used by the generator to plant DQ003 and by the round-trip tests.

use super::tables::{TCVN3_HIGH, VNI};
use super::viet::{analyse, Letter, Modifier, TONE_MARKS};
use super::LegacyEncoding;
use unicode_normalization::UnicodeNormalization;

/// `s` as it arrives after a trip through `enc`.
pub fn mangle(s: &str, enc: LegacyEncoding) -> String {
    match enc {
        LegacyEncoding::Tcvn3 => tcvn3_view(s),
        LegacyEncoding::Vni => vni_view(s),
        LegacyEncoding::Viqr => viqr_view(s),
        LegacyEncoding::Cp1258 => cp1258_view(s),
        LegacyEncoding::Utf8AsCp1252 => utf8_view(s),
    }
}

/// TCVN3 bytes as Latin-1 shows them. Upper-case toned letters have no code of their own:
/// they are written with the lower-case code (as the TCVN3 "H" fonts did).
pub fn tcvn3_view(s: &str) -> String {
    let s: String = s.nfc().collect();
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                return c;
            }
            let find = |x: char| TCVN3_HIGH.iter().position(|&t| t == x);
            let i = find(c).or_else(|| c.to_lowercase().next().and_then(find));
            match i {
                Some(i) => char::from_u32(0xA0 + i as u32).unwrap_or(c),
                None => c,
            }
        })
        .collect()
}

/// VNI-Windows bytes as cp1252 shows them.
pub fn vni_view(s: &str) -> String {
    let s: String = s.nfc().collect();
    let mut out = String::new();
    for c in s.chars() {
        match VNI.iter().find(|(_, u)| *u == c) {
            Some((seq, _)) => out.push_str(seq),
            None => out.push(c),
        }
    }
    out
}

const CP1252_HIGH: [char; 32] = [
    '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
    '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}',
    'ž', 'Ÿ',
];

/// UTF-8 bytes decoded as cp1252; undefined bytes become U+FFFD (lossy, like most tools).
pub fn utf8_view(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// UTF-8 bytes decoded as Latin-1 (C1 controls kept: lossless).
pub fn utf8_latin1_view(s: &str) -> String {
    s.bytes().map(char::from).collect()
}

/// VIQR mnemonics.
pub fn viqr_view(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfc() {
        match c {
            'đ' => out.push_str("dd"),
            'Đ' => out.push_str("DD"),
            _ => match analyse(c) {
                Some(l) if !c.is_ascii() => {
                    out.push(if l.upper {
                        l.base.to_ascii_uppercase()
                    } else {
                        l.base
                    } as char);
                    match l.modifier {
                        Modifier::Circumflex => out.push('^'),
                        Modifier::Breve => out.push('('),
                        Modifier::Horn => out.push('+'),
                        _ => {}
                    }
                    if l.tone > 0 {
                        out.push(['\'', '`', '?', '~', '.'][usize::from(l.tone - 1)]);
                    }
                }
                _ => out.push(c),
            },
        }
    }
    out
}

/// Windows-1258 bytes (base letter + tone byte) as cp1252 shows them.
pub fn cp1258_view(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfc() {
        let Some(l) = analyse(c).filter(|_| !c.is_ascii()) else {
            out.push(c);
            continue;
        };
        let base = Letter { tone: 0, ..l }.to_char();
        out.push(match base {
            'ă' => 'ã',
            'Ă' => 'Ã',
            'ơ' => 'õ',
            'Ơ' => 'Õ',
            'ư' => 'ý',
            'Ư' => 'Ý',
            'đ' => 'ð',
            'Đ' => 'Ð',
            other => other,
        });
        if l.tone > 0 {
            out.push(['ì', 'Ì', 'Ò', 'Þ', 'ò'][usize::from(l.tone - 1)]);
        }
    }
    out
}

/// Windows-1258 decoded correctly but not normalised: base letter + combining tone mark.
pub fn cp1258_combining(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfc() {
        match analyse(c).filter(|l| !c.is_ascii() && l.tone > 0) {
            Some(l) => {
                out.push(Letter { tone: 0, ..l }.to_char());
                out.push(TONE_MARKS[usize::from(l.tone - 1)]);
            }
            None => out.push(c),
        }
    }
    out
}

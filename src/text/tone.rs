//! Tone-mark placement: every Vietnamese syllable's tone mark is put where it belongs, so a mark
//! typed on the wrong vowel (`Tòan`, `Chòang`, `Giừơng`, `Baỷ`) reads as written correctly
//! (`Toàn`, `Choàng`, `Giường`, `Bảy`).
//!
//! Only open syllables ending in oa / oe / uy have two correct places: old style puts the tone on the
//! first vowel of the pair (hòa, khỏe, thủy), new style on the second (hoà, khoẻ, thuỷ). With a final
//! consonant (hoàng, toán, thuyết, huỳnh) or a third vowel (ngoài, khuya) the place is fixed and both
//! styles agree. In `quy`, `qua` the u belongs to the initial `qu`, so the tone goes on the vowel
//! after it in both styles; a misspelt `qúy` is moved to `quý`. Words that are not Vietnamese
//! syllables (foreign names, ethnic-minority syllables) are left alone.

use super::viet::{letters_of, syllable_any_tone, Letter, Modifier};
use super::ToneStyle;

/// Rewrites every word of `s` whose tone sits in the other style. Words that are not
/// Vietnamese syllables (foreign names, ethnic-minority syllables) are left alone.
pub(crate) fn apply(s: &str, style: ToneStyle) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut buf: Vec<Letter> = Vec::with_capacity(8);
    let mut start: Option<usize> = None;
    // Walk maximal runs of letters; a run is one candidate syllable.
    for (i, c) in s.char_indices() {
        if c.is_alphabetic() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(st) = start.take() {
            changed |= push_word(&mut out, &s[st..i], style, &mut buf);
        }
        out.push(c);
    }
    if let Some(st) = start {
        changed |= push_word(&mut out, &s[st..], style, &mut buf);
    }
    changed.then_some(out)
}

fn push_word(out: &mut String, word: &str, style: ToneStyle, buf: &mut Vec<Letter>) -> bool {
    match retone(word, style, buf) {
        Some(fixed) => {
            out.push_str(&fixed);
            true
        }
        None => {
            out.push_str(word);
            false
        }
    }
}

/// Returns the re-toned word when it changes.
fn retone(word: &str, style: ToneStyle, buf: &mut Vec<Letter>) -> Option<String> {
    // An ASCII word carries no tone mark: nothing to move.
    if word.is_ascii() || !letters_of(word, buf) {
        return None;
    }
    let split = syllable_any_tone(buf)?;
    let tone_at = buf.iter().position(|l| l.tone != 0)?;
    let tone = buf[tone_at].tone;
    let target = tone_position(buf, split.initial, split.nucleus, split.coda, style);
    if target == tone_at {
        return None;
    }
    buf[tone_at].tone = 0;
    buf[target].tone = tone;
    Some(buf.iter().map(|l| l.to_char()).collect())
}

/// Where a syllable's tone mark belongs: on the vowel with a modifier (the second of `ươ`); else,
/// with a final consonant, on the nucleus's last vowel (`toàn`, `huỳnh`); else on its only vowel,
/// the middle one of three (`ngoài`), or the first of two (`bảy`, `mía`) — except the pairs `oa`,
/// `oe`, `uy`, whose place is the style's (`hòa` old, `hoà` new). The `u` of `qu` and the `i` of
/// `gi` belong to the initial and never carry it.
fn tone_position(
    letters: &[Letter],
    initial: usize,
    nucleus: usize,
    coda: usize,
    style: ToneStyle,
) -> usize {
    let nuc = initial..initial + nucleus;
    let modified = nuc
        .clone()
        .rev()
        .find(|&i| !matches!(letters[i].modifier, Modifier::None | Modifier::Stroke));
    if let Some(i) = modified {
        return i;
    }
    if coda > 0 {
        return nuc.end - 1;
    }
    match nucleus {
        2 => {
            let pair: String = letters[nuc.clone()].iter().map(|l| l.plain()).collect();
            if matches!(pair.as_str(), "oa" | "oe" | "uy") && style == ToneStyle::New {
                nuc.start + 1
            } else {
                nuc.start
            }
        }
        3 => nuc.start + 1,
        _ => nuc.start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::viet::TONE_MARKS;
    use unicode_normalization::UnicodeNormalization;

    fn toned(c: char, tone: u8) -> char {
        let s: String = [c, TONE_MARKS[usize::from(tone - 1)]].iter().collect();
        s.nfc().next().unwrap()
    }

    fn fix(s: &str, style: ToneStyle) -> String {
        apply(s, style).unwrap_or_else(|| s.to_string())
    }

    /// Every tone × {oa, oe, uy} × case variant × initial, both styles, from both positions.
    #[test]
    fn exhaustive_pairs() {
        let pairs = [('o', 'a'), ('o', 'e'), ('u', 'y')];
        let initials = ["", "h", "kh", "th", "ng", "x", "l", "t", "s", "d", "đ"];
        for (a, b) in pairs {
            for tone in 1..=5u8 {
                for init in initials {
                    // 4 case variants: lower, Title, UPPER, and upper pair only
                    for case in 0..4 {
                        let (ia, ib, init_s) = match case {
                            0 => (a, b, init.to_string()),
                            1 if !init.is_empty() => (a, b, title(init)),
                            1 => (a.to_ascii_uppercase(), b, String::new()),
                            2 => (
                                a.to_ascii_uppercase(),
                                b.to_ascii_uppercase(),
                                init.to_uppercase(),
                            ),
                            _ => (
                                a.to_ascii_uppercase(),
                                b.to_ascii_uppercase(),
                                init.to_string(),
                            ),
                        };
                        let old = format!("{init_s}{}{}", toned(ia, tone), ib);
                        let new = format!("{init_s}{}{}", ia, toned(ib, tone));
                        assert_eq!(fix(&old, ToneStyle::Old), old, "{old}");
                        assert_eq!(fix(&new, ToneStyle::Old), old, "{new}");
                        assert_eq!(fix(&old, ToneStyle::New), new, "{old}");
                        assert_eq!(fix(&new, ToneStyle::New), new, "{new}");
                        // NFD input gives the same answer after NFC.
                        let nfd: String = new.nfd().collect();
                        let back: String = fix(&nfd.nfc().collect::<String>(), ToneStyle::Old);
                        assert_eq!(back, old);
                    }
                }
            }
        }
    }

    fn title(s: &str) -> String {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    }

    #[test]
    fn named_examples() {
        let cases = [
            ("hòa", "hoà"),
            ("hòe", "hoè"),
            ("thủy", "thuỷ"),
            ("thúy", "thuý"),
            ("khỏe", "khoẻ"),
            ("Hòa Bình", "Hoà Bình"),
            ("Nguyễn Thị Thúy", "Nguyễn Thị Thuý"),
            ("Lê Văn Thụy", "Lê Văn Thuỵ"),
            ("Đỗ Huy Họa", "Đỗ Huy Hoạ"),
            ("HÒA", "HOÀ"),
            ("Họa Sĩ", "Hoạ Sĩ"),
            ("Xòe", "Xoè"),
            ("Ngõa", "Ngoã"),
        ];
        for (old, new) in cases {
            assert_eq!(fix(old, ToneStyle::New), new);
            assert_eq!(fix(new, ToneStyle::Old), old);
            assert_eq!(fix(old, ToneStyle::Old), old);
            assert_eq!(fix(new, ToneStyle::New), new);
        }
    }

    #[test]
    fn fixed_position_syllables_untouched() {
        for w in [
            "hoàng", "toán", "thuyết", "quý", "quỳnh", "huỳnh", "ngoài", "khuya", "khuỷu", "thuận",
            "Quý", "QUÝ", "hoạch", "khoắn", "xoáy", "Nguyễn", "Huy", "hoa", "Chloé", "José",
            "quyền", "tuyển",
        ] {
            assert_eq!(apply(w, ToneStyle::Old), None, "{w}");
            assert_eq!(apply(w, ToneStyle::New), None, "{w}");
        }
    }

    #[test]
    fn tones_typed_on_the_wrong_vowel() {
        for (typed, old, new) in [
            ("Tòan", "Toàn", "Toàn"),
            ("Chòang", "Choàng", "Choàng"),
            ("Giừơng", "Giường", "Giường"),
            ("Baỷ", "Bảy", "Bảy"),
            ("Nguỹên", "Nguyễn", "Nguyễn"),
            ("ngòai", "ngoài", "ngoài"),
            ("Huỳnh", "Huỳnh", "Huỳnh"),
            ("mìa", "mìa", "mìa"),
            ("miá", "mía", "mía"),
        ] {
            let typed: String = typed.nfc().collect();
            assert_eq!(fix(&typed, ToneStyle::Old), old, "{typed}");
            assert_eq!(fix(&typed, ToneStyle::New), new, "{typed}");
        }
    }

    #[test]
    fn qu_tone_moves_to_vowel() {
        assert_eq!(fix("Qúy", ToneStyle::Old), "Quý");
        assert_eq!(fix("Qúy", ToneStyle::New), "Quý");
        assert_eq!(fix("qủa", ToneStyle::New), "quả");
    }

    #[test]
    fn punctuation_and_spacing_kept() {
        assert_eq!(
            fix("  Hòa-Thủy, (khỏe)! ", ToneStyle::New),
            "  Hoà-Thuỷ, (khoẻ)! "
        );
        assert_eq!(fix("Ksor H'Hòa", ToneStyle::New), "Ksor H'Hoà");
    }
}

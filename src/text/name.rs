//! Canonical names (what `simaudit normalize --field name` prints first) and name keys (what the
//! rules group names by).

use std::borrow::Cow;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use super::{legacy, tone, LegacyEncoding, ToneStyle};

/// Invisible characters that only get in the way (zero-width space/joiners, word joiner, BOM,
/// soft hyphen): dropped from canonical names and keys alike so the two stay consistent.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Characters after which a letter keeps the case it was written in ("H'Yâm", "Marie-Claire").
fn is_apostrophe_or_hyphen(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '-' | '\u{2010}' | '\u{2011}')
}

/// The canonical name: repair (if any) → NFC → Icelandic Ð/ð read as Đ/đ → invisible
/// characters dropped → whitespace collapsed and trimmed → each word's first letter upper-case,
/// the rest lower-case (a letter right after an apostrophe or hyphen keeps its case:
/// "Ksor H'Yâm", "Marie-Claire") → tone marks on open oa/oe/uy syllables placed in `style`.
pub fn canonical_name(raw: &str, style: ToneStyle) -> String {
    canonical_name_with_repair(raw, style).0
}

/// [`canonical_name`], also telling which legacy encoding was repaired (DQ003, normalize's
/// `repaired_from`).
pub fn canonical_name_with_repair(raw: &str, style: ToneStyle) -> (String, Option<LegacyEncoding>) {
    let (mut out, mut enc) = canonical_step(raw, style);
    // Re-casing can itself produce something that reads as mis-decoded (`ã…` → `Ã…`, UTF-8
    // for Å); run again until nothing changes so canonical names are idempotent. The check
    // costs one scan for ordinary Vietnamese text.
    for _ in 0..3 {
        if legacy::repair(&out).is_none() {
            break;
        }
        let (next, e) = canonical_step(&out, style);
        enc = enc.or(e);
        if next == out {
            break;
        }
        out = next;
    }
    (out, enc)
}

fn canonical_step(raw: &str, style: ToneStyle) -> (String, Option<LegacyEncoding>) {
    let (text, enc) = match legacy::repair(raw) {
        Some((s, e)) => (Cow::Owned(s), Some(e)),
        None => (Cow::Borrowed(raw), None),
    };
    let nfc: Cow<str> = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        Cow::Owned(text.nfc().collect())
    };
    let mut out = String::with_capacity(nfc.len());
    for word in nfc.split_whitespace() {
        let mut wrote_any = false;
        let mut first_letter = true;
        let mut prev = ' ';
        for c in word.chars() {
            if is_invisible(c) {
                continue;
            }
            if !wrote_any {
                if !out.is_empty() {
                    out.push(' ');
                }
                wrote_any = true;
            }
            // Icelandic Eth is a common stand-in for Đ.
            let c = match c {
                'Ð' => 'Đ',
                'ð' => 'đ',
                _ => c,
            };
            let cased = if is_apostrophe_or_hyphen(prev) {
                c
            } else if c.is_alphabetic() && first_letter {
                single(c.to_uppercase(), c)
            } else if c.is_alphabetic() {
                single(c.to_lowercase(), c)
            } else {
                c
            };
            if c.is_alphabetic() {
                first_letter = false;
            }
            out.push(cased);
            prev = c;
        }
    }
    let out = tone::apply(&out, style).unwrap_or(out);
    // Dropping an invisible character can bring two combining marks together out of canonical
    // order (found by proptest: U+0303 U+00AD U+0323), so normalise once more when needed.
    let out = if is_nfc_quick(out.chars()) == IsNormalized::Yes {
        out
    } else {
        out.nfc().collect()
    };
    (out, enc)
}

/// The one-character case mapping, or `c` itself when the mapping would change the length
/// (ß → SS, İ → i̇): keeps canonical names idempotent.
fn single(mut mapped: impl Iterator<Item = char>, c: char) -> char {
    match (mapped.next(), mapped.next()) {
        (Some(m), None) => m,
        _ => c,
    }
}

/// VIQR mark characters: only ASCII text holding one of them can need repair.
const VIQR_MARKS: &[u8] = b"^(+'`?~.\\";

/// The name key: legacy encoding repaired, lower-cased, đ/Đ/Ð → d, combining marks
/// removed, anything but letters and digits turned into a space (invisible characters such as
/// zero-width space and soft hyphen are dropped), whitespace collapsed. `"NGUYỄN  văn Hoà"`,
/// `"Nguyen Van Hoa"`, `"NguyÔn V¨n Hoµ"` all give `nguyen van hoa`. Invariant under NFC/NFD,
/// case, tone style and encoding round trips; plain ASCII takes a fast path.
pub fn name_key(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    if raw.is_ascii() {
        if raw.bytes().any(|b| VIQR_MARKS.contains(&b)) {
            if let Some((fixed, _)) = legacy::repair(raw) {
                key_into(&fixed, &mut out);
                return out;
            }
        }
        // Fast path: plain ASCII needs no repair, normalisation or folding.
        let mut space = false;
        for b in raw.bytes() {
            if b.is_ascii_alphanumeric() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(b.to_ascii_lowercase() as char);
            } else {
                space = true;
            }
        }
        return out;
    }
    match legacy::repair(raw) {
        Some((fixed, _)) => key_into(&fixed, &mut out),
        None => key_into(raw, &mut out),
    }
    out
}

/// Folds `text` into `out`: decomposed, marks dropped, lower-cased, đ→d, separators collapsed.
/// Decomposing char by char gives the same result for NFC and NFD input, so no NFC pass.
fn key_into(text: &str, out: &mut String) {
    let mut space = false;
    let mut emit = |c: char, out: &mut String| {
        if c.is_alphanumeric() && !matches!(c, 'ʼ' | 'ʻ' | 'ʹ') {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            emit(c.to_ascii_lowercase(), out);
        } else if let Some(folded) = LATIN_FOLDS.get(c) {
            for f in folded.chars() {
                emit(f, out);
            }
        } else {
            fold(c, &mut |f| emit(f, out));
        }
    }
}

/// What a character other than ASCII gives the name key, before separators are collapsed: nothing
/// (an invisible character or a mark), `d` for đ/Đ/ð/Ð, else its decomposition's letters without
/// marks, lower-cased.
fn fold(c: char, each: &mut dyn FnMut(char)) {
    if is_invisible(c) || is_combining_mark(c) {
        return;
    }
    if matches!(c, 'đ' | 'Đ' | 'ð' | 'Ð') {
        each('d');
        return;
    }
    decompose_canonical(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        for l in d.to_lowercase() {
            if !is_combining_mark(l) {
                each(l);
            }
        }
    });
}

/// [`fold`] of every letter of the Latin blocks Vietnamese names are written in (Latin-1 letters,
/// Latin Extended-A and -B, Latin Extended Additional), worked out once: looking one up costs less
/// than decomposing and lower-casing it again for each of millions of names.
struct LatinFolds {
    ranges: [(u32, Vec<String>); 2],
}

static LATIN_FOLDS: std::sync::LazyLock<LatinFolds> = std::sync::LazyLock::new(|| {
    let range = |from: u32, to: u32| {
        let folds = (from..=to)
            .map(|u| {
                let mut s = String::new();
                if let Some(c) = char::from_u32(u) {
                    fold(c, &mut |f| s.push(f));
                }
                s
            })
            .collect();
        (from, folds)
    };
    LatinFolds {
        ranges: [range(0xC0, 0x24F), range(0x1E00, 0x1EFF)],
    }
});

impl LatinFolds {
    fn get(&self, c: char) -> Option<&str> {
        let u = c as u32;
        self.ranges.iter().find_map(|(from, folds)| {
            u.checked_sub(*from)
                .and_then(|i| folds.get(i as usize))
                .map(String::as_str)
        })
    }
}

/// True when the text has any Vietnamese diacritic: a Latin letter outside ASCII carrying a
/// mark (precomposed or as a combining mark), or đ/Đ (and the Icelandic Ð/ð stand-ins).
pub fn has_diacritics(s: &str) -> bool {
    s.chars().any(|c| {
        if c.is_ascii() {
            return false;
        }
        if matches!(c, 'đ' | 'Đ' | 'ð' | 'Ð') {
            return true;
        }
        // A bare combining mark (NFD text) sits on the letter before it.
        if matches!(u32::from(c), 0x300..=0x36F) {
            return true;
        }
        let mut first = None;
        let mut marked = false;
        decompose_canonical(c, |d| {
            if first.is_none() {
                first = Some(d);
            } else if is_combining_mark(d) {
                marked = true;
            }
        });
        marked && first.is_some_and(is_latin_letter)
    })
}

fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic() && (u32::from(c) < 0x250 || (0x1E00..=0x1EFF).contains(&u32::from(c)))
}

#[cfg(test)]
mod tests;

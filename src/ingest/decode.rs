//! File encodings: UTF-8 with or without BOM, UTF-16 LE/BE with BOM, Windows-1258,
//! and single-byte files holding TCVN3 or VNI bytes (read as Windows-1252; the value-level repair of
//! `text::repair` then restores the Vietnamese letters).

use unicode_normalization::UnicodeNormalization;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1258,
    Windows1252,
}

impl Encoding {
    pub fn code(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1258 => "windows-1258",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// `--encoding` names, with the usual aliases.
    pub fn parse(name: &str) -> Option<Encoding> {
        Some(
            match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
                "utf-8" | "utf8" => Encoding::Utf8,
                "utf-8-bom" | "utf-8-sig" => Encoding::Utf8Bom,
                "utf-16le" | "utf-16" => Encoding::Utf16Le,
                "utf-16be" => Encoding::Utf16Be,
                "windows-1258" | "cp1258" => Encoding::Windows1258,
                "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" | "tcvn3"
                | "vni" => Encoding::Windows1252,
                _ => return None,
            },
        )
    }
}

/// Decoded text of a whole file.
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    /// Some bytes were not valid in the detected encoding: records holding U+FFFD are rejected.
    pub lossy: bool,
}

/// cp1258 writes tones as separate combining bytes (0xCC grave, 0xEC acute, 0xD2 hook, 0xDE tilde,
/// 0xF2 dot below) right after a vowel; in TCVN3/VNI those bytes are letters that rarely follow a vowel.
fn looks_like_cp1258(bytes: &[u8]) -> bool {
    let is_vowel = |b: u8| {
        b"aeiouyAEIOUY".contains(&b)
            || matches!(
                b,
                0xE2 | 0xEA | 0xF4 | 0xF5 | 0xFD | 0xE3 | 0xC2 | 0xCA | 0xD4 | 0xD5 | 0xDD | 0xC3
            )
    };
    let (mut after_vowel, mut total) = (0usize, 0usize);
    for w in bytes.windows(2) {
        if matches!(w[1], 0xCC | 0xEC | 0xD2 | 0xDE | 0xF2) {
            total += 1;
            if is_vowel(w[0]) {
                after_vowel += 1;
            }
        }
    }
    total > 0 && after_vowel * 10 >= total * 8
}

fn with(enc: &'static encoding_rs::Encoding, bytes: &[u8], nfc: bool) -> (String, bool) {
    let (text, _, had_errors) = enc.decode(bytes);
    let text = if nfc {
        text.nfc().collect()
    } else {
        text.into_owned()
    };
    (text, had_errors)
}

/// Whether `bytes` is UTF-8, checked in parallel pieces with SIMD: a file is read as text once or
/// twice per run, and the standard library's check runs on one thread without SIMD.
pub fn is_utf8(bytes: &[u8]) -> bool {
    use rayon::prelude::*;
    const PIECE: usize = 16 << 20;
    // Pieces start at bytes that are not UTF-8 continuation bytes (0b10xx_xxxx), so the whole is valid
    // exactly when every piece is.
    let mut starts = vec![0];
    let mut at = PIECE;
    while at < bytes.len() {
        while at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
            at += 1;
        }
        starts.push(at);
        at += PIECE;
    }
    starts.push(bytes.len());
    starts
        .par_windows(2)
        .all(|w| simdutf8::basic::from_utf8(&bytes[w[0]..w[1]]).is_ok())
}

/// `bytes` as a String when it is UTF-8, else the bytes back; checked on the calling thread (for
/// pieces of a file that are parsed while the pool maps others).
pub fn utf8(bytes: Vec<u8>) -> std::result::Result<String, Vec<u8>> {
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just checked every byte.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    } else {
        Err(bytes)
    }
}

/// `bytes` as a String when it is UTF-8, else the bytes back.
fn into_utf8(bytes: Vec<u8>) -> std::result::Result<String, Vec<u8>> {
    if is_utf8(&bytes) {
        // SAFETY: `is_utf8` has just checked every byte, piece by piece.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    } else {
        Err(bytes)
    }
}

pub fn decode(bytes: Vec<u8>, forced: Option<Encoding>) -> Decoded {
    let (encoding, checked) = match forced {
        Some(e) => (e, false),
        None => detect_checked(&bytes),
    };
    let (text, lossy) = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").map_or(0, |_| 3);
            let text = if checked {
                // SAFETY: `detect_checked` found every byte to be UTF-8.
                Ok(unsafe { String::from_utf8_unchecked(bytes) })
            } else {
                into_utf8(bytes)
            };
            match text {
                Ok(mut s) => {
                    s.drain(..body);
                    (s, false)
                }
                Err(bytes) => (String::from_utf8_lossy(&bytes[body..]).into_owned(), true),
            }
        }
        Encoding::Utf16Le => with(
            encoding_rs::UTF_16LE,
            bytes.strip_prefix(b"\xFF\xFE").unwrap_or(&bytes),
            false,
        ),
        Encoding::Utf16Be => with(
            encoding_rs::UTF_16BE,
            bytes.strip_prefix(b"\xFE\xFF").unwrap_or(&bytes),
            false,
        ),
        Encoding::Windows1258 => with(encoding_rs::WINDOWS_1258, &bytes, true),
        Encoding::Windows1252 => with(encoding_rs::WINDOWS_1252, &bytes, false),
    };
    Decoded {
        text,
        encoding,
        lossy,
    }
}

/// BOMs first; then valid UTF-8 (also when only a few records are broken); else a single-byte code page.
pub fn detect(bytes: &[u8]) -> Encoding {
    detect_checked(bytes).0
}

/// [`detect`], and whether the bytes were found to be UTF-8 throughout (so decoding needn't check again).
fn detect_checked(bytes: &[u8]) -> (Encoding, bool) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return (Encoding::Utf8Bom, false);
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return (Encoding::Utf16Le, false);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return (Encoding::Utf16Be, false);
    }
    if is_utf8(bytes) {
        return (Encoding::Utf8, true);
    }
    (detect_broken(bytes), false)
}

/// The encoding of bytes that are not UTF-8 throughout.
fn detect_broken(bytes: &[u8]) -> Encoding {
    // Mostly UTF-8 with a few broken records: keep UTF-8 and reject those records.
    let lossy = String::from_utf8_lossy(bytes);
    let bad = lossy.matches('\u{FFFD}').count();
    let multibyte = lossy
        .chars()
        .filter(|c| (*c as u32) > 0x7F && *c != '\u{FFFD}')
        .count();
    if multibyte > 0 && bad * 20 <= multibyte {
        return Encoding::Utf8;
    }
    if looks_like_cp1258(bytes) {
        Encoding::Windows1258
    } else {
        Encoding::Windows1252
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_code_pages() {
        let d = decode(b"\xEF\xBB\xBFa,b".to_vec(), None);
        assert_eq!((d.text.as_str(), d.encoding), ("a,b", Encoding::Utf8Bom));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Hà".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let d = decode(utf16, None);
        assert_eq!((d.text.as_str(), d.encoding), ("Hà", Encoding::Utf16Le));
        // "Hoà" in cp1258: o, a, combining grave 0xCC.
        let d = decode(b"Ho\xE0 Hoa\xCC Nguy\xEA\xDEn".to_vec(), None);
        assert_eq!(d.encoding, Encoding::Windows1258);
        assert_eq!(d.text, "Hoà Hoà Nguyễn");
        // TCVN3 "NguyÔn" as bytes: 0xD4 is not a cp1258 tone byte.
        let d = decode(b"Nguy\xD4n V\xA8n".to_vec(), None);
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("NguyÔn V¨n", Encoding::Windows1252)
        );
    }

    #[test]
    fn utf8_check_in_pieces_agrees_with_std() {
        // Long enough for several pieces, with a multi-byte letter across the piece boundary.
        let mut text = "a".repeat((16 << 20) - 1).into_bytes();
        text.extend_from_slice("ễ Đức".as_bytes());
        text.extend_from_slice(&"Nguyễn ".repeat(3 << 20).into_bytes());
        assert!(is_utf8(&text));
        let at = 16 << 20; // inside ễ
        let mut broken = text.clone();
        broken[at] = 0xFF;
        assert!(!is_utf8(&broken));
        let mut cut = text.clone();
        cut.truncate(at);
        assert_eq!(is_utf8(&cut), std::str::from_utf8(&cut).is_ok());
        assert!(is_utf8(b"") && !is_utf8(b"\xC3"));
    }

    #[test]
    fn mostly_utf8_keeps_utf8() {
        let mut bytes = "Nguyễn Văn Đức\n".repeat(10).into_bytes();
        bytes.extend_from_slice(b"bad \xFF row\n");
        let d = decode(bytes, None);
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(d.lossy && d.text.contains('\u{FFFD}'));
    }
}

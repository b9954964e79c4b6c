//! Name checks of rules PS002 (name-junk) and PS007 (name-without-diacritics).
//! Details never quote the name: names are personal data.

use super::name::{has_diacritics, name_key};

/// Apostrophes accepted inside names (Ksor H'Yâm) besides the ASCII one.
fn is_allowed_punct(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '-' | '.')
}

/// A list entry matches when it equals the key, or (for entries not written as keys,
/// e.g. "Khách hàng") when its own key does.
fn listed(key: &str, list: &[String]) -> bool {
    list.iter().any(|p| {
        p == key || {
            let plain = p
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ');
            !plain && name_key(p) == key
        }
    })
}

/// PS002 name-junk. `name` is the canonical name, `key` its name key. Returns a short
/// plain-English detail when the name is junk, else `None`. The detail never contains the name
/// (names are personal data); a symbol found is shown.
///
/// Any subscriber type: the key is in `placeholders` ("name is a placeholder"). Individuals
/// only: a digit, a symbol other than space, apostrophe (also ’ ʼ), hyphen or period, fewer
/// than 2 words, or a letter repeated 3+ times in a row (case-insensitive). An empty name is
/// left to PS001. Ethnic-minority, Chinese-Vietnamese and foreign names are not junk.
pub fn junk_reason(
    name: &str,
    key: &str,
    individual: bool,
    placeholders: &[String],
) -> Option<String> {
    // An empty name is PS001's business, not junk.
    if name.trim().is_empty() {
        return None;
    }
    if listed(key, placeholders) {
        return Some("name is a placeholder".to_string());
    }
    if !individual {
        // Organisation names may hold digits and symbols.
        return None;
    }
    if name.chars().any(char::is_numeric) {
        return Some("name contains a digit".to_string());
    }
    if let Some(sym) = name.chars().find(|&c| {
        !(c.is_alphabetic()
            || c.is_whitespace()
            || is_allowed_punct(c)
            || unicode_normalization::char::is_combining_mark(c))
    }) {
        // Show invisible or control characters by code point, not raw.
        return Some(
            if sym.is_control() || sym.is_whitespace() || sym == '\u{AD}' {
                format!("name contains the symbol U+{:04X}", u32::from(sym))
            } else {
                format!("name contains the symbol '{sym}'")
            },
        );
    }
    let words = name
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    if words < 2 {
        return Some("name has fewer than 2 words".to_string());
    }
    let run = longest_letter_run(name);
    if run >= 3 {
        return Some(format!("name repeats a letter {run} times in a row"));
    }
    None
}

/// Longest run of one letter repeated (case-insensitive, diacritics count as different letters).
fn longest_letter_run(name: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if !c.is_alphabetic() {
            prev = None;
            run = 0;
            continue;
        }
        let l = c.to_lowercase().next().unwrap_or(c);
        if prev == Some(l) {
            run += 1;
        } else {
            run = 1;
            prev = Some(l);
        }
        best = best.max(run);
    }
    best
}

/// PS007: true when the name has no diacritic at all and the first word of its key is in
/// `surnames` ("Nguyen Van Hung" → true; "Phan Trung Huy", "Siu H'Mai" → false with
/// the rule set's `diacritic_surnames`).
pub fn lacks_expected_diacritics(name: &str, key: &str, surnames: &[String]) -> bool {
    if has_diacritics(name) {
        return false;
    }
    match key.split(' ').next() {
        Some(first) if !first.is_empty() => listed(first, surnames),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{canonical_name, ToneStyle};

    /// A list of the shipped rule set, read here without the rules layer (which sits above `text`).
    pub(super) fn shipped_list(name: &str) -> Vec<String> {
        let file: toml::Table = toml::from_str(include_str!("../../rules/vn-2024.toml")).unwrap();
        file["lists"][name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| name_key(v.as_str().unwrap()))
            .collect()
    }

    fn defaults() -> Vec<String> {
        shipped_list("placeholder_names")
    }

    fn junk(raw: &str, individual: bool) -> Option<String> {
        let name = canonical_name(raw, ToneStyle::Old);
        let key = name_key(&name);
        junk_reason(&name, &key, individual, &defaults())
    }

    #[test]
    fn placeholders_any_type() {
        for raw in [
            "Khách hàng",
            "KHACH HANG",
            "khách lẻ",
            "KH",
            "Test",
            "Thử nghiệm",
            "abc",
            "XYZ",
            "Chưa có tên",
            "Không rõ",
            "unknown",
            "NA",
            "NULL",
            "none",
            "SIM",
            "Sim số đẹp",
            "Đại lý",
            "Cửa hàng",
            "Nguyễn Văn A",
            "Nguyen Thi B",
            "Trần Văn A",
            "Lê Văn A",
            "chua co",
            "khong co",
            "khong ten",
        ] {
            assert_eq!(
                junk(raw, true).as_deref(),
                Some("name is a placeholder"),
                "{raw}"
            );
            assert_eq!(
                junk(raw, false).as_deref(),
                Some("name is a placeholder"),
                "{raw}"
            );
        }
    }

    #[test]
    fn individual_conditions() {
        assert_eq!(
            junk("Nguyễn Văn 2", true).as_deref(),
            Some("name contains a digit")
        );
        assert_eq!(
            junk("Nguyen@ Van", true).as_deref(),
            Some("name contains the symbol '@'")
        );
        assert_eq!(
            junk("Trần_Thị Hoa", true).as_deref(),
            Some("name contains the symbol '_'")
        );
        assert_eq!(
            junk("Nguyễn", true).as_deref(),
            Some("name has fewer than 2 words")
        );
        assert_eq!(
            junk("Lê   .", true).as_deref(),
            Some("name has fewer than 2 words")
        );
        assert_eq!(
            junk("Nguyễn Văn Aaa", true).as_deref(),
            Some("name repeats a letter 3 times in a row")
        );
        assert_eq!(
            junk("Hoàng Thị Hoaaaa", true).as_deref(),
            Some("name repeats a letter 4 times in a row")
        );
        // organisations: digits, symbols, one word are fine
        assert_eq!(junk("Công ty TNHH 3A & Co", false), None);
        assert_eq!(junk("Viettel", false), None);
        assert_eq!(junk("", true), None);
        assert_eq!(junk("   ", true), None);
    }

    #[test]
    fn detail_never_contains_the_name() {
        for raw in [
            "Hoàng1 Minh",
            "Lan#Anh Vũ",
            "Thuỳ",
            "Bảo Ngọc Xxx",
            "khach hang",
        ] {
            let d = junk(raw, true).unwrap();
            for w in canonical_name(raw, ToneStyle::Old).split_whitespace() {
                if w.chars().count() > 1 {
                    assert!(!d.contains(w), "{d} contains {w}");
                }
            }
        }
    }

    #[test]
    fn real_names_are_not_junk() {
        for raw in [
            "Ksor H'Yâm",
            "Hơ Niê Thị Lan",
            "Rơ Mah",
            "Siu H'Mai",
            "Lý Tiểu Long",
            "John Smith",
            "Marie-Claire O'Neil",
            "Nguyễn Văn Đức",
            "Y Moan Ênuôl",
            "Rơ Châm Bloanh",
            "Ksor Y’Thu",
            "Đinh Thị Hoà",
            "Trần T. Mai",
            "H’Hen Niê",
            "Kpă Thị Tuyết",
            "Nông Văn Dền",
            "Lò Văn Pọm",
            "Ma Seo Chứ",
            "Giàng A Páo",
            "Thào Thị Mỷ",
            "Vàng Thị Sùng",
            "Châu Văn Kiệt",
            "Dương Quá",
            "Mã Ngọc Anh",
            "Tăng Thanh Hà",
            "Lưu Bị",
            "Ông Ích Khiêm",
            "Jean-Pierre Dupont",
            "Anna Müller",
            "José García",
            "Nguyễn Thị Ngọc Ánh",
        ] {
            assert_eq!(junk(raw, true), None, "{raw}");
        }
    }

    #[test]
    fn custom_placeholder_lists() {
        let list = vec!["Khách VIP".to_string(), "khach vang lai".to_string()];
        assert!(junk_reason("Khách Vip", "khach vip", true, &list).is_some());
        assert!(junk_reason("Khach Vang Lai", "khach vang lai", false, &list).is_some());
        assert!(junk_reason("Khách Hàng", "khach hang", false, &list).is_none());
    }

    #[test]
    fn ps007() {
        let surnames = shipped_list("diacritic_surnames");
        let check = |raw: &str| {
            let name = canonical_name(raw, ToneStyle::Old);
            lacks_expected_diacritics(&name, &name_key(&name), &surnames)
        };
        assert!(check("Nguyen Van Hung"));
        assert!(check("TRAN THI MAI"));
        assert!(check("Do Minh Quan"));
        assert!(check("Dang Van Lam"));
        assert!(!check("Phan Trung Huy"));
        assert!(!check("Siu H'Mai"));
        assert!(!check("Nguyễn Van Hung"));
        assert!(!check("Nguyen Van Hùng"));
        assert!(!check("Ðinh Van Hung"), "Icelandic Eth counts as Đ");
        assert!(!check("John Smith"));
        assert!(!check(""));
        assert!(!check("Nguye\u{302}\u{303}n Van"), "NFD marks count");
        // the repaired TCVN3 text has diacritics
        assert!(!check("NguyÔn V¨n Hïng"));
    }
}

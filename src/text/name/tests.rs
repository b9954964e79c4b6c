use super::*;
use crate::text::{repair, LegacyEncoding as E};
use proptest::prelude::*;

fn canon(s: &str) -> String {
    canonical_name(s, ToneStyle::Old)
}

#[test]
fn canonical_examples() {
    let cases = [
        ("  nguyễn   VĂN  đức ", "Nguyễn Văn Đức"),
        (
            "Nguye\u{302}\u{303}n Va\u{306}n \u{110}u\u{31B}\u{301}c",
            "Nguyễn Văn Đức",
        ),
        ("Ðinh công tráng", "Đinh Công Tráng"),
        ("ðỗ thị hà", "Đỗ Thị Hà"),
        ("Ksor H'Yâm", "Ksor H'Yâm"),
        ("ksor h'yâm", "Ksor H'yâm"),
        ("KSOR H'YÂM", "Ksor H'Yâm"),
        ("HƠ NIÊ THỊ LAN", "Hơ Niê Thị Lan"),
        ("MARIE-CLAIRE O'NEIL", "Marie-Claire O'Neil"),
        ("marie-claire o'neil", "Marie-claire O'neil"),
        ("Jean-Pierre DUPONT", "Jean-Pierre Dupont"),
        ("O’BRIEN", "O’Brien"),
        ("lý tiểu long", "Lý Tiểu Long"),
        ("\tTrần\u{A0}Thị\u{3000}Mai\n", "Trần Thị Mai"),
        ("Nguy\u{200B}ễn Văn\u{FEFF} A", "Nguyễn Văn A"),
        ("", ""),
        ("   ", ""),
        ("\u{200B}", ""),
        ("nguyễn văn 2", "Nguyễn Văn 2"),
        ("(nguyễn) văn", "(Nguyễn) Văn"),
        ("STRAßE", "Straße"),
    ];
    for (raw, want) in cases {
        assert_eq!(canon(raw), want, "{raw:?}");
    }
}

#[test]
fn canonical_tone_styles() {
    let cases = [
        ("hoà bình", "Hòa Bình", "Hoà Bình"),
        ("HÒA BÌNH", "Hòa Bình", "Hoà Bình"),
        ("nguyễn thị thuý", "Nguyễn Thị Thúy", "Nguyễn Thị Thuý"),
        ("Lê Văn Thủy", "Lê Văn Thủy", "Lê Văn Thuỷ"),
        ("Vũ Thị Khoẻ", "Vũ Thị Khỏe", "Vũ Thị Khoẻ"),
        ("Trần Văn Quý", "Trần Văn Quý", "Trần Văn Quý"),
        ("Hoàng Văn Toán", "Hoàng Văn Toán", "Hoàng Văn Toán"),
        ("Lê Thị Thuyết", "Lê Thị Thuyết", "Lê Thị Thuyết"),
        ("Qúy", "Quý", "Quý"),
    ];
    for (raw, old, new) in cases {
        assert_eq!(canonical_name(raw, ToneStyle::Old), old, "{raw}");
        assert_eq!(canonical_name(raw, ToneStyle::New), new, "{raw}");
    }
}

#[test]
fn canonical_with_repair() {
    let cases: [(&str, &str, &str, Option<E>); 8] = [
        (
            "NguyÔn V¨n §øc",
            "Nguyễn Văn Đức",
            "Nguyễn Văn Đức",
            Some(E::Tcvn3),
        ),
        (
            "TrÇn ThÞ Hoµ",
            "Trần Thị Hòa",
            "Trần Thị Hoà",
            Some(E::Tcvn3),
        ),
        (
            "NGUYÔN V¡N §øC",
            "Nguyễn Văn Đức",
            "Nguyễn Văn Đức",
            Some(E::Tcvn3),
        ),
        (
            "Traàn Thò Hoaø",
            "Trần Thị Hòa",
            "Trần Thị Hoà",
            Some(E::Vni),
        ),
        ("Höng Yeân", "Hưng Yên", "Hưng Yên", Some(E::Vni)),
        (
            "Nguyá»…n VÄƒn Ä\u{FFFD}á»©c",
            "Nguyễn Văn Đức",
            "Nguyễn Văn Đức",
            Some(E::Utf8AsCp1252),
        ),
        (
            "nguye^~n thi. tuye^'t",
            "Nguyễn Thị Tuyết",
            "Nguyễn Thị Tuyết",
            Some(E::Viqr),
        ),
        ("Nguyễn Văn Đức", "Nguyễn Văn Đức", "Nguyễn Văn Đức", None),
    ];
    for (raw, old, new, enc) in cases {
        assert_eq!(
            canonical_name_with_repair(raw, ToneStyle::Old),
            (old.to_string(), enc),
            "{raw}"
        );
        assert_eq!(
            canonical_name_with_repair(raw, ToneStyle::New),
            (new.to_string(), enc),
            "{raw}"
        );
    }
}

#[test]
fn name_key_examples() {
    let cases = [
        ("NGUYỄN  văn Hoà", "nguyen van hoa"),
        ("Nguyen Van Hoa", "nguyen van hoa"),
        ("NguyÔn V¨n Hoµ", "nguyen van hoa"),
        ("Nguyễn Văn Hòa", "nguyen van hoa"),
        (
            "Nguye\u{302}\u{303}n Va\u{306}n Ho\u{300}a",
            "nguyen van hoa",
        ),
        ("Đặng-Thị  O'Brien", "dang thi o brien"),
        ("Ksor H'Yâm", "ksor h yam"),
        ("Ksor Hʼyâm", "ksor h yam"),
        ("Ðinh ðức", "dinh duc"),
        ("  ", ""),
        ("", ""),
        ("...", ""),
        ("Nguyễn Văn 2", "nguyen van 2"),
        ("Nguye^~n Va(n D9u+'c", "nguyen van duc"),
        ("Nguyeãn Vaên Ñöùc", "nguyen van duc"),
        ("H\u{AD}ng Yªn", "hung yen"),
        ("Nguy\u{200B}ễn", "nguyen"),
        ("José Müller-Straße", "jose muller straße"),
        ("O'Brien", "o brien"),
    ];
    for (raw, want) in cases {
        assert_eq!(name_key(raw), want, "{raw:?}");
    }
}

#[test]
fn diacritics() {
    for s in [
        "Nguyễn", "Đinh", "ðinh", "Müller", "José", "e\u{301}", "Hơ", "Lê",
    ] {
        assert!(has_diacritics(s), "{s}");
    }
    for s in [
        "Nguyen Van Hung",
        "",
        "Søren",
        "Smith",
        "O'Brien",
        "ßæ",
        "123",
        "Иван",
    ] {
        assert!(!has_diacritics(s), "{s}");
    }
}

/// Real syllables (lower case, both tone styles) to build plausible names from.
const SYLLABLES: &[&str] = &[
    "nguyễn",
    "trần",
    "lê",
    "phạm",
    "hoàng",
    "huỳnh",
    "phan",
    "vũ",
    "võ",
    "đặng",
    "bùi",
    "đỗ",
    "hồ",
    "ngô",
    "dương",
    "lý",
    "văn",
    "thị",
    "đức",
    "hữu",
    "minh",
    "ngọc",
    "thanh",
    "thu",
    "hà",
    "hòa",
    "hoà",
    "thủy",
    "thuỷ",
    "thúy",
    "thuý",
    "khỏe",
    "khoẻ",
    "hòe",
    "hoè",
    "quý",
    "quỳnh",
    "hương",
    "lan",
    "anh",
    "tuấn",
    "dũng",
    "hùng",
    "mai",
    "linh",
    "trang",
    "nhung",
    "yến",
    "phương",
    "nguyệt",
    "khuyến",
    "oanh",
    "loan",
    "toàn",
    "thoa",
    "xoan",
    "hoạ",
    "họa",
    "tuỵ",
    "tụy",
    "duy",
    "huy",
    "uyên",
    "ánh",
    "ý",
    "ơn",
    "ưng",
    "ân",
    "trường",
    "cường",
    "nghĩa",
    "giang",
    "ksor",
    "h'yâm",
    "niê",
    "siu",
    "rơ",
    "mah",
    "john",
    "smith",
];

fn name_strategy() -> impl Strategy<Value = String> {
    let word = (prop::sample::select(SYLLABLES), 0..3u8).prop_map(|(w, case)| match case {
        0 => w.to_string(),
        1 => w.to_uppercase(),
        _ => {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    });
    (
        prop::collection::vec(word, 1..5),
        prop::sample::select(vec![" ", "  ", "\t", " \u{A0}"]),
    )
        .prop_map(|(ws, sep)| ws.join(sep))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics(s in any::<String>()) {
        let _ = canonical_name_with_repair(&s, ToneStyle::Old);
        let _ = canonical_name_with_repair(&s, ToneStyle::New);
        let k = name_key(&s);
        prop_assert!(!k.starts_with(' ') && !k.ends_with(' ') && !k.contains("  "));
        let _ = has_diacritics(&s);
        let _ = repair(&s);
        let _ = crate::text::junk_reason(&s, &k, true, &["abc".to_string()]);
    }

    #[test]
    fn never_panics_on_byte_views(s in "[\\x00-\\u{FF}€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ\u{FFFD}\u{300}\u{301}\u{303}\u{309}\u{323}]{0,24}") {
        let c = canonical_name(&s, ToneStyle::Old);
        prop_assert_eq!(canonical_name(&c, ToneStyle::Old), c.clone(), "not idempotent");
        let _ = name_key(&s);
    }

    #[test]
    fn canonical_is_idempotent(s in any::<String>()) {
        for style in [ToneStyle::Old, ToneStyle::New] {
            let once = canonical_name(&s, style);
            prop_assert_eq!(canonical_name(&once, style), once.clone());
        }
    }

    #[test]
    fn vietnamese_names_are_stable(name in name_strategy()) {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = name.nfd().collect();
        let key = name_key(&name);
        prop_assert!(key.is_ascii());
        prop_assert_eq!(&name_key(&key), &key);
        prop_assert_eq!(repair(&name), None);
        prop_assert_eq!(&name_key(&nfd), &key);
        prop_assert_eq!(&name_key(&name.to_uppercase()), &key);
        prop_assert_eq!(&name_key(&name.to_lowercase()), &key);
        for style in [ToneStyle::Old, ToneStyle::New] {
            let c = canonical_name(&name, style);
            prop_assert_eq!(&name_key(&c), &key);
            prop_assert_eq!(&canonical_name(&nfd, style), &c);
            // A letter after an apostrophe keeps its case, so only apostrophe-free names
            // are case-invariant.
            if !name.contains('\'') {
                prop_assert_eq!(&canonical_name(&name.to_uppercase(), style), &c);
            }
            let other = match style { ToneStyle::Old => ToneStyle::New, ToneStyle::New => ToneStyle::Old };
            prop_assert_eq!(&canonical_name(&canonical_name(&name, other), style), &c);
        }
    }

    #[test]
    fn keys_are_normalised(s in any::<String>()) {
        let k = name_key(&s);
        prop_assert!(k.chars().all(|c| c == ' ' || c.is_alphanumeric()));
        prop_assert_eq!(k.to_lowercase(), k.clone());
    }
}

/// The table of Latin letters' folds gives each letter exactly what folding it afresh gives, at the
/// first and last letter of each range and everywhere between.
#[test]
fn latin_folds_are_the_folds() {
    for u in (0xC0..=0x24F).chain(0x1E00..=0x1EFF) {
        let c = char::from_u32(u).unwrap();
        let mut fresh = String::new();
        fold(c, &mut |f| fresh.push(f));
        assert_eq!(LATIN_FOLDS.get(c), Some(fresh.as_str()), "U+{u:04X}");
    }
    for c in ['\u{BF}', '\u{250}', '\u{1DFF}', '\u{1F00}', 'A'] {
        assert_eq!(LATIN_FOLDS.get(c), None, "{c:?}");
    }
    assert_eq!(name_key("ĐẶNG Thị Ánh"), "dang thi anh");
}

//! Code tables of the legacy Vietnamese 8-bit encodings, as the characters a Latin-1 / cp1252
//! decoder shows for their bytes. The tables are data files under `rules/reference/` (each names its
//! source: UniKey's `unikey/data.cpp`), embedded at build time and read once.

use std::sync::LazyLock;

static TCVN3_CSV: &str = include_str!("../../rules/reference/tcvn3.csv");
static VNI_CSV: &str = include_str!("../../rules/reference/vni-windows.csv");

/// Data lines of an embedded reference CSV: comments and the header skipped, split at the first comma.
fn rows(csv: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    csv.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| l.split_once(','))
}

/// TCVN3 (ABC, TCVN 5712:1993 VN3) bytes 0xA0..=0xFF → Unicode; `'\0'` = not a letter code.
/// TCVN3 has no codes of its own for upper-case toned letters (they used separate "H" fonts
/// with the lower-case codes), so those decode to lower case.
pub(crate) static TCVN3_HIGH: LazyLock<[char; 96]> = LazyLock::new(|| {
    let mut table = ['\0'; 96];
    for (byte, letter) in rows(TCVN3_CSV) {
        let byte =
            u8::from_str_radix(byte.trim_start_matches("0x"), 16).expect("tcvn3.csv: hex byte");
        table[usize::from(byte - 0xA0)] = letter.chars().next().expect("tcvn3.csv: letter");
    }
    table
});

/// VNI-Windows: every non-ASCII Vietnamese letter as the one or two characters a cp1252
/// decoder shows for its bytes (base letter, then modifier/tone byte). Note ỷ = "yû", ỹ = "yõ".
pub(crate) static VNI: LazyLock<Vec<(&'static str, char)>> = LazyLock::new(|| {
    rows(VNI_CSV)
        .map(|(view, letter)| {
            (
                view,
                letter.chars().next().expect("vni-windows.csv: letter"),
            )
        })
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_tables_are_complete() {
        assert_eq!(VNI.len(), 134);
        assert_eq!(TCVN3_HIGH.iter().filter(|c| **c != '\0').count(), 74);
        assert_eq!(TCVN3_HIGH[0xB5 - 0xA0], 'à');
        assert!(VNI.contains(&("yû", 'ỷ')));
    }
}

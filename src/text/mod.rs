//! Pure `&str` functions for Vietnamese personal names: legacy-encoding repair, canonical
//! names, name keys, and the name checks of rules PS002 (name-junk) and PS007
//! (name-without-diacritics). No I/O, no global state; nothing here panics on any input.
//!
//! Layout: `viet` models Vietnamese letters and syllables, `tone` places tone marks on
//! oa/oe/uy, `legacy` repairs mis-decoded text (tables in `tables`), `name` builds
//! canonical names and keys, `junk` holds the PS002/PS007 checks.

pub mod encode;
mod junk;
mod legacy;
mod name;
mod tables;
mod tone;
mod viet;

pub use junk::{junk_reason, lacks_expected_diacritics};
pub use legacy::repair;
pub use name::{canonical_name, canonical_name_with_repair, has_diacritics, name_key};

/// Where the tone mark goes on open syllables ending in oa / oe / uy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ToneStyle {
    /// hòa, hòe, thủy, thúy (the rule set's default)
    #[default]
    Old,
    /// hoà, hoè, thuỷ, thuý
    New,
}

/// A legacy encoding (or mis-decoding) that [`repair`] can undo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LegacyEncoding {
    /// TCVN3 (ABC) bytes read as Latin-1/cp1252: `NguyÔn V¨n §øc`.
    Tcvn3,
    /// VNI-Windows bytes read as cp1252: `Nguyeãn Vaên Ñöùc`.
    Vni,
    /// VIQR ASCII mnemonics: `Nguye^~n Va(n D9u+'c`.
    Viqr,
    /// Windows-1258: combining tone marks left un-normalised, or its bytes read as cp1252.
    Cp1258,
    /// UTF-8 bytes read as cp1252 (or Latin-1): `Nguyá»…n VÄƒn`.
    Utf8AsCp1252,
}

impl LegacyEncoding {
    /// The code written in `normalize`'s `repaired_from` column and DQ003 details.
    pub fn code(self) -> &'static str {
        match self {
            LegacyEncoding::Tcvn3 => "tcvn3",
            LegacyEncoding::Vni => "vni",
            LegacyEncoding::Viqr => "viqr",
            LegacyEncoding::Cp1258 => "cp1258",
            LegacyEncoding::Utf8AsCp1252 => "utf8-as-cp1252",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(LegacyEncoding::Tcvn3.code(), "tcvn3");
        assert_eq!(LegacyEncoding::Vni.code(), "vni");
        assert_eq!(LegacyEncoding::Viqr.code(), "viqr");
        assert_eq!(LegacyEncoding::Cp1258.code(), "cp1258");
        assert_eq!(LegacyEncoding::Utf8AsCp1252.code(), "utf8-as-cp1252");
        assert_eq!(ToneStyle::default(), ToneStyle::Old);
    }
}

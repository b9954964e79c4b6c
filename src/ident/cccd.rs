//! The 12-digit personal identification number (số định danh cá nhân), printed on the CCCD / căn
//! cước card and, in some provinces, on 12-digit CMND cards.
//!
//! Structure `PPP G YY RRRRRR` (Law on Identification 26/2023/QH15 and its implementing decree): `PPP`
//! the province where the birth was registered (the statistics office's province code with a
//! leading 0, e.g. 001 Hà Nội, 033 Hưng Yên, 079 Hồ Chí Minh City; 101–295 for births registered
//! abroad), `G` century and sex (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s …), `YY` the last
//! two digits of the birth year, `RRRRRR` a random sequence. There is no check digit, so a number can
//! only be checked for its structure. The 2025 merger of provinces changed no existing number.
//!
//! ```
//! use simaudit::ident::{cccd, id::Problem, Sex};
//! let p = cccd::validate("033 085 012345").unwrap();
//! assert_eq!((p.place, p.birth_year, p.sex), (33, 1985, Sex::Male));
//! assert_eq!(cccd::validate("034301012345").unwrap().birth_year, 2001);
//! assert_eq!(cccd::validate("003085012345"), Err(Problem::PlaceCode)); // 003 is unassigned
//! assert_eq!(cccd::validate("03308501234"), Err(Problem::Format));
//! assert!(cccd::is_valid("001499012345")); // born 2199: the structure allows it
//! assert_eq!(cccd::format("033085012345"), "033 0 85 012345");
//! ```

use super::id::{all_digits, PersonalNumber, Problem, Sex};

/// The number without separators (space, `.`, `-`, `/`), letters upper-cased.
pub use super::id::id_key as compact;

/// The structure of a compact 12-digit number; None for anything else.
pub fn decode(key: &str) -> Option<PersonalNumber> {
    if key.len() != 12 || !all_digits(key) {
        return None;
    }
    let b = key.as_bytes();
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter()
            .fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'))
    };
    let g = num(3..4);
    let yy = num(4..6);
    Some(PersonalNumber {
        place: num(0..3) as u16,
        birth_year: 1900 + 100 * (g / 2) as i32 + yy as i32,
        sex: if g % 2 == 0 { Sex::Male } else { Sex::Female },
    })
}

/// Place codes of births registered in Vietnam: the 63 provinces of 2024.
static PROVINCES: &str = include_str!("../../rules/reference/provinces-2024.csv");

/// `PPP` codes that are assigned: a province, or 101–295 for births registered abroad.
pub fn is_known_place(place: u16) -> bool {
    static KNOWN: std::sync::OnceLock<[bool; 1000]> = std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        let mut k = [false; 1000];
        for code in PROVINCES
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next()?.parse::<usize>().ok())
        {
            if code < 1000 {
                k[code] = true;
            }
        }
        k[101..=295].iter_mut().for_each(|x| *x = true);
        k
    });
    known.get(usize::from(place)).copied().unwrap_or(false)
}

/// The number's structure when it is a well-formed 12-digit number with an assigned place code, else
/// why not.
pub fn validate(number: &str) -> Result<PersonalNumber, Problem> {
    let p = decode(&compact(number)).ok_or(Problem::Format)?;
    if is_known_place(p.place) {
        Ok(p)
    } else {
        Err(Problem::PlaceCode)
    }
}

pub fn is_valid(number: &str) -> bool {
    validate(number).is_ok()
}

/// The number with its parts apart: `PPP G YY RRRRRR`.
pub fn format(number: &str) -> String {
    let key = compact(number);
    if key.len() != 12 {
        return key;
    }
    format!("{} {} {} {}", &key[..3], &key[3..4], &key[4..6], &key[6..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_and_places() {
        let p = decode("001499012345").unwrap();
        assert_eq!(p.birth_year, 2199);
        assert!(is_known_place(33) && is_known_place(101) && is_known_place(295));
        assert!(!is_known_place(3) && !is_known_place(97) && !is_known_place(296));
    }
}

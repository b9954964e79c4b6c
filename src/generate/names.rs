//! Names as compact specs (rendered on demand, so stored rows stay small) and
//! the minimal name-key / diacritic logic the oracle needs for the text we generate.

use super::rng::Rng;
use super::tables::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct VietName {
    pub(crate) sur: u8,
    pub(crate) mid1: u8,
    /// `NO_PART` when there is no second middle name.
    pub(crate) mid2: u8,
    pub(crate) given: u8,
    pub(crate) female: bool,
}

pub(crate) const NO_PART: u8 = u8::MAX;

/// Style bits for a rendered Vietnamese name.
pub(crate) const NEW_TONE: u8 = 1;
pub(crate) const UPPER: u8 = 2;
/// Diacritics stripped (PS007 plant).
pub(crate) const ASCII: u8 = 4;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Junk {
    /// Digit appended (with or without a space).
    Digit(u8, bool),
    Symbol(u8),
    OneWord,
    /// Last letter of the given name written three times.
    Triple,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct OrgName {
    pub(crate) form: u8,
    pub(crate) trade: u8,
    pub(crate) brand: u8,
    pub(crate) suffix: u8,
    /// Index into ORG_SPECIAL, or `NO_PART`.
    pub(crate) special: u8,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NameSpec {
    Empty,
    Viet(VietName, u8),
    Junk(VietName, Junk),
    Ethnic(u8),
    PlainOk(u8),
    Foreign(u8),
    Placeholder(u8),
    Org(OrgName),
}

fn weights(parts: &[Part]) -> Vec<u32> {
    parts.iter().map(|p| p.2).collect()
}

/// Pre-computed weight vectors for the name tables.
pub(crate) struct NameWeights {
    sur: Vec<u32>,
    mid_m: Vec<u32>,
    mid_f: Vec<u32>,
    /// Surname is on PS007's list.
    sur_listed: Vec<bool>,
}

impl NameWeights {
    pub(crate) fn new() -> NameWeights {
        NameWeights {
            sur: SURNAMES.iter().map(|s| s.1).collect(),
            mid_m: weights(MIDDLE_M),
            mid_f: weights(MIDDLE_F),
            sur_listed: SURNAMES
                .iter()
                .map(|s| {
                    let mut key = String::new();
                    name_key(s.0, &mut key);
                    super::rule_set::lists().diacritic_surnames.contains(&key)
                })
                .collect(),
        }
    }
}

impl NameWeights {
    /// The surname is on PS007's list.
    pub(crate) fn listed(&self, sur: u8) -> bool {
        self.sur_listed[sur as usize]
    }
}

pub(crate) fn middles(female: bool) -> &'static [Part] {
    if female {
        MIDDLE_F
    } else {
        MIDDLE_M
    }
}

pub(crate) fn givens(female: bool) -> &'static [Part] {
    if female {
        GIVEN_F
    } else {
        GIVEN_M
    }
}

/// A random Vietnamese name whose middle name agrees with the sex. Names whose
/// surname is on PS007's list always carry a real diacritic (not only `đ`), so
/// no reading of "without diacritics" can flag a clean row.
pub(crate) fn random_viet(rng: &mut Rng, w: &NameWeights, female: bool) -> VietName {
    loop {
        let sur = rng.weighted(&w.sur) as u8;
        let mid1 = rng.weighted(if female { &w.mid_f } else { &w.mid_m }) as u8;
        let mid2 = if rng.chance(0.12) {
            // a second middle name, never the same as the first nor Văn/Thị
            let m = 1 + rng.below(middles(female).len() as u64 - 1) as u8;
            if m == mid1 {
                NO_PART
            } else {
                m
            }
        } else {
            NO_PART
        };
        let given = rng.below(givens(female).len() as u64) as u8;
        let name = VietName {
            sur,
            mid1,
            mid2,
            given,
            female,
        };
        if !w.sur_listed[sur as usize] {
            return name;
        }
        let marked = has_mark(SURNAMES[sur as usize].0)
            || has_mark(middles(female)[mid1 as usize].0)
            || (mid2 != NO_PART && has_mark(middles(female)[mid2 as usize].0))
            || has_mark(givens(female)[given as usize].0);
        if marked {
            return name;
        }
    }
}

pub(crate) fn render_viet(n: &VietName, style: u8, out: &mut String) {
    let pick = |p: &Part| if style & NEW_TONE != 0 { p.1 } else { p.0 };
    push_part(out, SURNAMES[n.sur as usize].0, style);
    out.push(' ');
    push_part(out, pick(&middles(n.female)[n.mid1 as usize]), style);
    if n.mid2 != NO_PART {
        out.push(' ');
        push_part(out, pick(&middles(n.female)[n.mid2 as usize]), style);
    }
    out.push(' ');
    push_part(out, pick(&givens(n.female)[n.given as usize]), style);
}

fn push_part(out: &mut String, part: &str, style: u8) {
    if style & (UPPER | ASCII) == 0 {
        out.push_str(part);
        return;
    }
    for ch in part.chars() {
        if style & ASCII != 0 {
            let base = fold(lower(ch)).unwrap_or(ch);
            if ch.is_uppercase() {
                out.push(base.to_ascii_uppercase());
            } else {
                out.push(base);
            }
        } else {
            out.extend(ch.to_uppercase());
        }
    }
}

pub(crate) fn render_org(o: &OrgName, out: &mut String) {
    if o.special != NO_PART {
        out.push_str(ORG_SPECIAL[o.special as usize]);
        return;
    }
    out.push_str(ORG_FORMS[o.form as usize]);
    out.push(' ');
    out.push_str(ORG_TRADES[o.trade as usize]);
    out.push(' ');
    out.push_str(ORG_BRANDS[o.brand as usize]);
    out.push_str(ORG_SUFFIXES[o.suffix as usize]);
}

pub(crate) fn random_org(rng: &mut Rng) -> OrgName {
    OrgName {
        form: rng.below(ORG_FORMS.len() as u64) as u8,
        trade: rng.below(ORG_TRADES.len() as u64) as u8,
        brand: rng.below(ORG_BRANDS.len() as u64) as u8,
        suffix: rng.below(ORG_SUFFIXES.len() as u64) as u8,
        special: if rng.chance(0.05) {
            rng.below(ORG_SPECIAL.len() as u64) as u8
        } else {
            NO_PART
        },
    }
}

pub(crate) fn render_name(n: &NameSpec, out: &mut String) {
    match n {
        NameSpec::Empty => {}
        NameSpec::Viet(v, style) => render_viet(v, *style, out),
        NameSpec::Junk(v, junk) => match junk {
            Junk::Digit(d, space) => {
                render_viet(v, 0, out);
                if *space {
                    out.push(' ');
                }
                out.push((b'0' + d % 10) as char);
            }
            Junk::Symbol(i) => {
                render_viet(v, 0, out);
                out.push_str(JUNK_SYMBOLS[*i as usize % JUNK_SYMBOLS.len()]);
            }
            Junk::OneWord => out.push_str(givens(v.female)[v.given as usize].0),
            Junk::Triple => {
                render_viet(v, 0, out);
                if let Some(last) = out.chars().last() {
                    out.push(last);
                    out.push(last);
                }
            }
        },
        NameSpec::Ethnic(i) => out.push_str(ETHNIC[*i as usize].0),
        NameSpec::PlainOk(i) => out.push_str(PLAIN_OK[*i as usize].0),
        NameSpec::Foreign(i) => out.push_str(FOREIGN[*i as usize].0),
        NameSpec::Placeholder(i) => out.push_str(PLACEHOLDER_NAMES[*i as usize]),
        NameSpec::Org(o) => render_org(o, out),
    }
}

/// Base letter of a lower-case Vietnamese letter carrying marks (`đ` included),
/// or None for anything else.
pub(crate) fn fold(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    Some(match c {
        'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ' | 'ấ' | 'ẩ'
        | 'ẫ' | 'ậ' => 'a',
        'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' => 'e',
        'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' => 'i',
        'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ' | 'ớ' | 'ở'
        | 'ỡ' | 'ợ' => 'o',
        'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' => 'u',
        'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' => 'y',
        'đ' => 'd',
        _ => return None,
    })
}

/// Lower case without the Unicode tables for the letters we write.
pub(crate) fn lower(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else if fold(c).is_some() {
        c
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// True when the text has a letter with a combining-type diacritic (tone, breve,
/// circumflex, horn). `đ` alone does not count: implementations may disagree on it,
/// so the generator never relies on it.
pub(crate) fn has_mark(s: &str) -> bool {
    s.chars()
        .any(|c| !c.is_ascii() && matches!(fold(lower(c)), Some(b) if b != 'd'))
}

/// The name key for NFC text: lower-case, marks removed, đ→d, anything but
/// letters and digits → space, whitespace collapsed.
pub(crate) fn name_key(s: &str, out: &mut String) {
    out.clear();
    let mut pending_space = false;
    for c in s.chars() {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        let l = lower(c);
        let l = if l == 'ð' { 'đ' } else { l };
        let b = fold(l).unwrap_or(l);
        {
            if b.is_ascii_alphanumeric() || (!b.is_ascii() && b.is_alphanumeric()) {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(b);
            } else {
                pending_space = true;
            }
        }
    }
}

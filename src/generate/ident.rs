//! Identifier and number allocation (unique by construction) and the
//! normalisation the oracle applies to what was written.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::model::{IdSpec, MsisdnSpec};
use super::rng::scatter;
use super::tables::{Tables, LEGACY_BLOCK, MOBILE_BLOCKS, MST_HEADS};

/// Allocation counters are split into this many interleaved partitions: one per
/// carrier file (generated on its own thread) plus one for the planner, so no
/// two rows ever receive the same ID or number without sharing state.
pub(crate) const PARTS: u64 = 8;
pub(crate) const PLANNER_PART: u64 = 7;

const CMND_HEADS: [u64; 8] = [14, 15, 16, 17, 1, 3, 12, 13];
const PASSPORT_LETTERS: &[u8; 8] = b"BCEGKMNP";

/// A fast non-cryptographic hasher (FxHash) for the integer-keyed maps of the
/// hot path; SipHash showed up in profiles.
#[derive(Default)]
pub(crate) struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

pub(crate) struct Alloc {
    part: u64,
    cccd: FxMap<u32, u32>,
    cmnd: u64,
    passport: u64,
    mst: u64,
    junk: u64,
    mobile: [u64; 7],
    legacy: [u64; 7],
}

/// True for the ID006 patterns: all digits equal, or one ascending/descending run
/// (wrapping 9→0 as in `012345678901`).
pub(crate) fn is_placeholder(digits: &[u8]) -> bool {
    if digits.len() < 2 {
        return false;
    }
    let step = |d: i32| {
        digits
            .windows(2)
            .all(|w| (w[1] as i32 - w[0] as i32 - d).rem_euclid(10) == 0)
    };
    step(0) || step(1) || step(-1)
}

/// Digits of `v` zero-padded to `len`.
pub(crate) fn digits_of(mut v: u64, len: usize) -> [u8; 20] {
    let mut d = [0u8; 20];
    for i in (0..len).rev() {
        d[i] = (v % 10) as u8;
        v /= 10;
    }
    d
}

fn placeholder_value(v: u64, len: usize) -> bool {
    is_placeholder(&digits_of(v, len)[..len])
}

/// MST check digit per python-stdnum, or None when no digit can be valid.
pub(crate) fn mst_check(d: &[u8]) -> Option<u8> {
    const W: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];
    let s: u32 = d.iter().zip(W).map(|(&x, w)| x as u32 * w).sum();
    match s % 11 {
        0 => None,
        r => Some((10 - r) as u8),
    }
}

impl Alloc {
    pub(crate) fn new(part: u64) -> Alloc {
        Alloc {
            part,
            cccd: FxMap::default(),
            cmnd: 0,
            passport: 0,
            mst: 0,
            junk: 0,
            mobile: [0; 7],
            legacy: [0; 7],
        }
    }

    fn take(counter: &mut u64, part: u64) -> u64 {
        let x = *counter * PARTS + part;
        *counter += 1;
        x
    }

    /// A fresh 12-digit number `PPP G YY RRRRRR` (None when that combination is used up).
    pub(crate) fn cccd(&mut self, ppp: u16, g: u8, yy: u8) -> Option<u64> {
        let key = ppp as u32 * 1000 + g as u32 * 100 + yy as u32;
        loop {
            let k = self.cccd.entry(key).or_insert(0);
            let x = *k as u64 * PARTS + self.part;
            if x >= 1_000_000 {
                return None;
            }
            *k += 1;
            let r = scatter(x, 1_000_000, key as u64);
            let v = ppp as u64 * 1_000_000_000 + g as u64 * 100_000_000 + yy as u64 * 1_000_000 + r;
            // only a place code that is itself a run can start a placeholder
            if !placeholder_value(ppp as u64, 3) || !placeholder_value(v, 12) {
                return Some(v);
            }
        }
    }

    /// A fresh 9-digit CMND.
    pub(crate) fn cmnd(&mut self) -> u64 {
        loop {
            let x = Self::take(&mut self.cmnd, self.part);
            let v = scatter(x, 8 * 10_000_000, 77);
            let n = CMND_HEADS[(v / 10_000_000) as usize] * 10_000_000 + v % 10_000_000;
            if !placeholder_value(n, 9) {
                return n;
            }
        }
    }

    /// A fresh passport number: one letter + 7 digits.
    pub(crate) fn passport(&mut self) -> (u8, u64) {
        loop {
            let x = Self::take(&mut self.passport, self.part);
            let v = scatter(x, 8 * 10_000_000, 91);
            let digits = v % 10_000_000;
            if !placeholder_value(digits, 7) {
                return (PASSPORT_LETTERS[(v / 10_000_000) as usize], digits);
            }
        }
    }

    /// A fresh valid 10-digit tax code.
    pub(crate) fn mst(&mut self) -> u64 {
        loop {
            let x = Self::take(&mut self.mst, self.part);
            let v = scatter(x, MST_HEADS.len() as u64 * 100_000, 5);
            let head = MST_HEADS[(v / 100_000) as usize];
            let body = head * 100_000 + v % 100_000;
            let d = digits_of(body, 9);
            if d[2..9].iter().all(|&x| x == 0) {
                continue;
            }
            if let Some(c) = mst_check(&d[..9]) {
                let n = body * 10 + c as u64;
                if !placeholder_value(n, 10) {
                    return n;
                }
            }
        }
    }

    /// A value below `modulus` (≥ 10^7, far above the number of draws), never
    /// handed out twice for the same modulus: junk IDs must stay unique or they
    /// would form ID-key groups and fire cross-record rules.
    pub(crate) fn junk(&mut self, modulus: u64, len: usize) -> u64 {
        loop {
            let x = Self::take(&mut self.junk, self.part);
            let v = scatter(x % modulus, modulus, 13);
            if !placeholder_value(v, len) {
                return v;
            }
        }
    }

    /// A fresh ordinary number of `carrier` (9 digits after the trunk 0). Nearly all of a carrier's
    /// numbers go to its own file (part `carrier`), so the first seven eighths of its ranges are that
    /// file's alone; the last eighth is shared by every part, interleaved. (An even split among the
    /// eight parts ran a national-size carrier file out of numbers at an eighth of its ranges.)
    pub(crate) fn mobile(&mut self, carrier: usize) -> Option<u64> {
        let blocks = MOBILE_BLOCKS[carrier];
        let total: u64 = blocks.iter().map(|b| 10u64.pow(b.1)).sum();
        let own = total - total / PARTS;
        let counter = &mut self.mobile[carrier];
        let x = if self.part == carrier as u64 && *counter < own {
            *counter
        } else {
            let shared = if self.part == carrier as u64 {
                *counter - own
            } else {
                *counter
            };
            own + shared * PARTS + self.part
        };
        *counter += 1;
        if x >= total {
            return None;
        }
        let mut v = scatter(x, total, 1234 + carrier as u64);
        for &(lead, rest) in blocks {
            let size = 10u64.pow(rest);
            if v < size {
                return Some(lead * size + v);
            }
            v -= size;
        }
        None
    }

    /// A fresh pre-2018 11-digit number of `carrier`: (old prefix, 7 digits).
    pub(crate) fn legacy(&mut self, carrier: usize) -> Option<(u16, u32)> {
        let (old, _) = LEGACY_BLOCK[carrier]?;
        let x = Self::take(&mut self.legacy[carrier], self.part);
        if x >= 10_000_000 {
            return None;
        }
        Some((old as u16, scatter(x, 10_000_000, 4321) as u32))
    }
}

/// `v` in decimal, zero-padded to `width` (the hot path avoids core::fmt).
pub(crate) fn push_num(out: &mut String, mut v: u64, width: usize) {
    const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
    if v < 100 && width <= 2 {
        // dates and times: one or two digits
        let i = v as usize * 2;
        out.push_str(if v < 10 && width < 2 {
            &PAIRS[i + 1..i + 2]
        } else {
            &PAIRS[i..i + 2]
        });
        return;
    }
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let start = i.min(buf.len() - width.min(buf.len()));
    for &b in &buf[start..] {
        out.push(b as char);
    }
}

pub(crate) fn render_id(id: &IdSpec, out: &mut String) {
    match *id {
        IdSpec::Empty => {}
        IdSpec::Dash => out.push('-'),
        IdSpec::Digits(v, len) => push_num(out, v, len as usize),
        IdSpec::DigitsLetter(v, len, l) => {
            push_num(out, v, len as usize);
            out.push(l as char);
        }
        IdSpec::Mst(v, branch) => {
            push_num(out, v, 10);
            if let Some(b) = branch {
                out.push('-');
                push_num(out, b as u64, 3);
            }
        }
        IdSpec::Passport(letters, nl, v, nd) => {
            for &l in &letters[..nl as usize] {
                out.push(l as char);
            }
            push_num(out, v, nd as usize);
        }
    }
}

/// The ID key: spaces, dots, dashes and slashes removed, letters upper-cased.
pub(crate) fn id_key(raw: &str, out: &mut String) {
    out.clear();
    for c in raw.chars() {
        if c.is_ascii() {
            if !matches!(c, ' ' | '.' | '-' | '/') {
                out.push(c.to_ascii_uppercase());
            }
        } else {
            out.extend(c.to_uppercase());
        }
    }
}

/// The libphonenumber 9.0.35 national mobile pattern (9 digits after the trunk 0).
pub(crate) fn mobile_pattern(d: &[u8]) -> bool {
    if d.len() != 9 {
        return false;
    }
    if d[..3] == [1, 2, 1] && d[3] <= 3 {
        return true;
    }
    match (d[0], d[1], d[2]) {
        (1, 6, 0) | (3, _, _) => true,
        (7, b, _) => matches!(b, 0 | 6..=9),
        (5, b, c) => {
            matches!(b, 1 | 6 | 8 | 9) || (b == 2 && matches!(c, 2 | 3 | 8)) || (b == 5 && c == 9)
        }
        (8, b, c) => (1..=8).contains(&b) || (b == 9 && (6..=9).contains(&c)),
        (9, b, c) => b <= 8 || (b == 9 && c != 2),
        _ => false,
    }
}

pub(crate) struct MsisdnNorm {
    /// 9-digit national number when valid
    pub(crate) national: Option<u64>,
    /// the 11-digit pre-2018 form was converted (SB003)
    pub(crate) legacy: bool,
    /// carrier of original allocation when valid (None = unknown)
    pub(crate) carrier: Option<usize>,
}

/// The documented msisdn reading: keep digits; drop 0084, or 84 when ≥ 11 digits;
/// prepend 0; convert the 11-digit pre-2018 form; valid when 10 digits match.
pub(crate) fn normalize_msisdn(raw: &str, t: &Tables) -> MsisdnNorm {
    let invalid = MsisdnNorm {
        national: None,
        legacy: false,
        carrier: None,
    };
    let mut buf = [0u8; 32];
    let mut n = 0;
    for b in raw.bytes().filter(u8::is_ascii_digit) {
        if n == buf.len() {
            return invalid;
        }
        buf[n] = b;
        n += 1;
    }
    let mut s: &[u8] = &buf[..n];
    if s.starts_with(b"0084") {
        s = &s[4..];
    } else if s.starts_with(b"84") && s.len() >= 11 {
        s = &s[2..];
    }
    let mut num = [0u8; 33];
    let mut len = 0;
    if !s.starts_with(b"0") {
        num[0] = b'0';
        len = 1;
    }
    num[len..len + s.len()].copy_from_slice(s);
    len += s.len();
    let mut legacy = false;
    if len == 11 {
        for (old, new) in &t.legacy {
            if num[..4] == *old.as_bytes() {
                let mut conv = [0u8; 33];
                conv[..3].copy_from_slice(new.as_bytes());
                conv[3..10].copy_from_slice(&num[4..11]);
                num = conv;
                len = 10;
                legacy = true;
                break;
            }
        }
    }
    let mut digits = [0u8; 9];
    if len != 10 || num[0] != b'0' {
        return MsisdnNorm { legacy, ..invalid };
    }
    for i in 0..9 {
        digits[i] = num[i + 1] - b'0';
    }
    if !mobile_pattern(&digits) {
        return MsisdnNorm { legacy, ..invalid };
    }
    let text = std::str::from_utf8(&num[..10]).unwrap_or("");
    let national = digits.iter().fold(0u64, |a, &d| a * 10 + d as u64);
    MsisdnNorm {
        national: Some(national),
        legacy,
        carrier: t.carrier_of(text).flatten(),
    }
}

/// Writes the number the way a layout's source system would.
pub(crate) fn render_msisdn(m: &MsisdnSpec, layout: super::model::Layout, out: &mut String) {
    use super::model::Layout;
    match *m {
        MsisdnSpec::Mobile(n) => {
            let d = digits_of(n, 9);
            let s = |r: std::ops::Range<usize>, out: &mut String| {
                for &x in &d[r] {
                    out.push((b'0' + x) as char);
                }
            };
            match layout {
                Layout::A => {
                    out.push('0');
                    s(0..9, out);
                }
                Layout::B if n % 2 == 0 => {
                    out.push_str("84");
                    s(0..9, out);
                }
                Layout::B => {
                    out.push('0');
                    s(0..3, out);
                    out.push('.');
                    s(3..6, out);
                    out.push('.');
                    s(6..9, out);
                }
                Layout::C => {
                    out.push_str("+84 ");
                    s(0..3, out);
                    out.push(' ');
                    s(3..6, out);
                    out.push(' ');
                    s(6..9, out);
                }
            }
        }
        MsisdnSpec::Legacy(old, rest) => {
            if layout == Layout::C {
                let _ = write!(out, "0{} {:03} {:04}", old, rest / 10_000, rest % 10_000);
            } else {
                let _ = write!(out, "0{}{:07}", old, rest);
            }
        }
        MsisdnSpec::Raw(v, len) => push_num(out, v, len as usize),
        MsisdnSpec::Empty => {}
    }
}

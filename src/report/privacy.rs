//! `--mask`: personal data in every output replaced by what a reader of that level may see.
//!
//! Both levels replace an ID number by a keyed pseudonym (HMAC-SHA-256 of the normalised number, its
//! first 6 bytes in hex after `#`). The same `SIMAUDIT_MASK_KEY` gives the same pseudonyms at both
//! levels, so masked runs stay joinable; without it the key is random and written nowhere.
//! - `standard` (for the inspection team): the first 3 and last 2 characters of the ID stay visible
//!   (`033*******45#4f1c0a9b2e7d`), names become initials, dates of birth and sex stay.
//! - `strict` (for anyone outside it): no character of the ID (`************#4f1c0a9b2e7d`), no name,
//!   the year of birth only, no sex, no ID issue date, activation times to the day, phone numbers as
//!   pseudonyms too (keyed apart from IDs, so a number and an ID with the same digits differ); a
//!   finding's detail is its rule's plain-words reason, since a detail quotes the row's values.

use crate::ident::{Precision, When};
use crate::rules::RuleCode;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::borrow::Cow;

/// How much `--mask` hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Standard,
    Strict,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Level::Standard => "standard",
            Level::Strict => "strict",
        }
    }
}

pub enum Privacy {
    Clear,
    Masked(Box<Keyed>),
}

/// The masking key, prepared once (the hasher state after the key block), and the level.
pub struct Keyed {
    mac: Hmac<Sha256>,
    level: Level,
}

impl Keyed {
    /// The pseudonym's hex digits: the first 6 bytes of HMAC-SHA-256(key, domain + value).
    fn pseudonym(&self, domain: &[u8], value: &str) -> [u8; 12] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut mac = self.mac.clone();
        mac.update(domain);
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = [0u8; 12];
        for (pair, b) in out.chunks_exact_mut(2).zip(&digest[..6]) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 0xf)];
        }
        out
    }
}

/// A per-run random key from the operating system; it is never written anywhere.
fn random_key() -> std::io::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| {
        std::io::Error::other(format!("no random key from the operating system: {e}"))
    })?;
    Ok(key)
}

impl Privacy {
    /// Masking at `level`: the key from `SIMAUDIT_MASK_KEY`, else a random one.
    pub fn masked_from_env(level: Level) -> std::io::Result<Privacy> {
        match std::env::var("SIMAUDIT_MASK_KEY")
            .ok()
            .filter(|k| !k.is_empty())
        {
            Some(key) => Ok(Privacy::masked(key.as_bytes(), level)),
            None => Ok(Privacy::masked(&random_key()?, level)),
        }
    }

    /// Masking at `level` with the given key.
    pub fn masked(key: &[u8], level: Level) -> Privacy {
        // HMAC accepts a key of any length (a long one is hashed first, RFC 2104).
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        Privacy::Masked(Box::new(Keyed { mac, level }))
    }

    pub fn is_masked(&self) -> bool {
        matches!(self, Privacy::Masked(_))
    }

    /// The masking level, None when outputs are in clear.
    pub fn level(&self) -> Option<Level> {
        match self {
            Privacy::Clear => None,
            Privacy::Masked(k) => Some(k.level),
        }
    }

    /// An ID number as outputs show it.
    pub fn id<'a>(&self, id: &'a str) -> Cow<'a, str> {
        // IDs are keyed without a domain prefix: the pseudonyms of earlier versions stay valid.
        self.pseudonymised(id, b"")
    }

    /// `value` with its pseudonym: the first 3 and last 2 characters kept at the standard level
    /// (values of 8 characters or more), the rest as `*`, then `#` and the pseudonym's 12 hex digits.
    fn pseudonymised<'a>(&self, value: &'a str, domain: &[u8]) -> Cow<'a, str> {
        match self {
            Privacy::Clear => Cow::Borrowed(value),
            Privacy::Masked(_) if value.is_empty() => Cow::Borrowed(""),
            Privacy::Masked(keyed) => {
                let n = value.chars().count();
                let mut out = String::with_capacity(value.len() + 13);
                if n >= 8 && keyed.level == Level::Standard {
                    out.extend(value.chars().take(3));
                    out.extend(std::iter::repeat_n('*', n - 5));
                    out.extend(value.chars().skip(n - 2));
                } else {
                    out.extend(std::iter::repeat_n('*', n));
                }
                out.push('#');
                out.extend(
                    keyed
                        .pseudonym(domain, value)
                        .iter()
                        .map(|&b| char::from(b)),
                );
                Cow::Owned(out)
            }
        }
    }

    /// The pseudonym of a fixed label: equal for two runs exactly when they were masked with the same
    /// key; None in clear.
    pub fn key_check(&self) -> Option<String> {
        match self {
            Privacy::Clear => None,
            Privacy::Masked(keyed) => Some(
                keyed
                    .pseudonym(b"key-check:", "simaudit")
                    .iter()
                    .map(|&b| char::from(b))
                    .collect(),
            ),
        }
    }

    /// A phone number as outputs show it: in clear, but for its pseudonym at the strict level (a
    /// number names its subscriber as surely as an ID).
    pub fn msisdn<'a>(&self, number: &'a str) -> Cow<'a, str> {
        match self {
            Privacy::Masked(k) if k.level == Level::Strict => {
                self.pseudonymised(number, b"msisdn:")
            }
            _ => Cow::Borrowed(number),
        }
    }

    /// The raw ID as written in the input: masked like any ID.
    pub fn raw_id<'a>(&self, raw: &'a str) -> Cow<'a, str> {
        self.id(raw)
    }

    /// A name as outputs show it: initials when masked (`Nguyễn Văn Đức` → `N. V. Đ.`), nothing at
    /// the strict level.
    pub fn name<'a>(&self, name: &'a str) -> Cow<'a, str> {
        match self {
            Privacy::Clear => Cow::Borrowed(name),
            Privacy::Masked(k) if k.level == Level::Strict => Cow::Borrowed(""),
            Privacy::Masked(_) => {
                let mut out = String::with_capacity(name.len());
                for c in name.split_whitespace().filter_map(|w| w.chars().next()) {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push(c);
                    out.push('.');
                }
                Cow::Owned(out)
            }
        }
    }

    /// A date of birth as outputs show it: the year alone at the strict level.
    pub fn birth(&self, when: When) -> When {
        match self.level() {
            Some(Level::Strict) => When {
                at: crate::ident::Date::from_ymd_opt(when.year(), 1, 1)
                    .map_or(when.at, |d| d.and_time(chrono::NaiveTime::MIN)),
                precision: Precision::Year,
            },
            _ => when,
        }
    }

    /// An ID's issue date as outputs show it: none at the strict level.
    pub fn issue_date(&self, when: When) -> Option<When> {
        (self.level() != Some(Level::Strict)).then_some(when)
    }

    /// An activation time as outputs show it: the day alone at the strict level.
    pub fn activation(&self, when: When) -> When {
        match self.level() {
            Some(Level::Strict) => When {
                at: when.date().and_time(chrono::NaiveTime::MIN),
                precision: Precision::Day,
            },
            _ => when,
        }
    }

    /// Whether a subscriber's sex may be shown (not at the strict level).
    pub fn shows_sex(&self) -> bool {
        self.level() != Some(Level::Strict)
    }

    /// A finding's detail, from `words` (called only when it is shown): the row's ID key replaced by
    /// its masked form; at the strict level, the rule's own plain-words reason instead (a detail
    /// quotes the row's values: dates, sex, text as read, parts of numbers).
    pub fn detail<'a>(
        &self,
        words: impl FnOnce() -> Cow<'a, str>,
        id_key: &str,
        rule: RuleCode,
    ) -> Cow<'a, str> {
        match self {
            Privacy::Clear => words(),
            Privacy::Masked(k) if k.level == Level::Strict => Cow::Borrowed(rule.info().en),
            Privacy::Masked(_) => {
                let detail = words();
                if !id_key.is_empty() && detail.contains(id_key) {
                    Cow::Owned(detail.replace(id_key, &self.id(id_key)))
                } else {
                    detail
                }
            }
        }
    }

    /// A rejected record's raw text: withheld when masked (it holds names and ID numbers).
    pub fn raw_record<'a>(&self, raw: &'a str) -> Cow<'a, str> {
        match self {
            Privacy::Clear => Cow::Borrowed(raw),
            Privacy::Masked(_) => {
                Cow::Owned(format!("[masked: {} characters]", raw.chars().count()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(p: &Privacy, id: &str) -> String {
        let masked = p.id(id);
        masked
            .split_once('#')
            .map(|(_, h)| h.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn hmac_matches_rfc4231_cases_2_and_6() {
        // Case 2: a short key; case 6: a key longer than the block, hashed first.
        let p = Privacy::masked(b"Jefe", Level::Standard);
        assert_eq!(hex(&p, "what do ya want for nothing?"), "5bdcc146bf60");
        let p = Privacy::masked(&[0xaa; 131], Level::Strict);
        assert_eq!(
            hex(&p, "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0"
        );
    }

    #[test]
    fn same_pseudonyms_as_before_for_the_same_key() {
        // The value Python's `hmac.new(b"k", b"033085012345", hashlib.sha256)` gives: pseudonyms are
        // plain HMAC-SHA-256, so runs masked with the same key by any version stay joinable.
        let p = Privacy::masked(b"k", Level::Standard);
        assert_eq!(p.id("033085012345"), "033*******45#b26d440e967f");
    }

    #[test]
    fn standard_masks_ids_and_names() {
        let p = Privacy::masked(b"k", Level::Standard);
        let m = p.id("033085012345");
        assert!(m.starts_with("033*******45#"), "{m}");
        assert_eq!(m, p.id("033085012345"));
        assert_ne!(m, p.id("033085012346"));
        assert_eq!(p.name("Nguyễn Văn Đức"), "N. V. Đ.");
        assert_eq!(
            p.detail(
                || "ID 033085012345 holds 5".into(),
                "033085012345",
                RuleCode::XR001
            ),
            format!("ID {m} holds 5")
        );
        assert_eq!(Privacy::Clear.id("033085012345"), "033085012345");
        assert!(p.shows_sex());
    }

    #[test]
    fn strict_leaves_only_the_pseudonym_and_the_year() {
        let standard = Privacy::masked(b"k", Level::Standard);
        let strict = Privacy::masked(b"k", Level::Strict);
        let m = strict.id("033085012345");
        assert_eq!(m, "************#b26d440e967f");
        assert_eq!(hex(&standard, "033085012345"), hex(&strict, "033085012345"));
        assert_eq!(strict.name("Nguyễn Văn Đức"), "");
        assert_eq!(standard.msisdn("0912345678"), "0912345678");
        assert!(strict.msisdn("0912345678").starts_with("**********#"));
        assert!(!strict.shows_sex());
        let born = crate::ident::date::parse("05/03/1985", crate::ident::DateOrder::Dmy)
            .ok()
            .flatten()
            .unwrap();
        assert_eq!(strict.birth(born).iso(), "1985");
        assert_eq!(standard.birth(born).iso(), "1985-03-05");
        assert_eq!(
            strict.detail(
                || "CCCD says female, gender says male".into(),
                "",
                RuleCode::ID005
            ),
            RuleCode::ID005.info().en
        );
        assert_eq!(strict.issue_date(born), None);
        let at = crate::ident::date::parse("2024-05-10 23:10", crate::ident::DateOrder::Dmy)
            .ok()
            .flatten()
            .unwrap();
        assert_eq!(strict.activation(at).iso(), "2024-05-10");
        assert_eq!(standard.activation(at), at);
        // Numbers are keyed apart from IDs with the same digits.
        assert_ne!(
            hex(&strict, "0912345678"),
            strict.msisdn("0912345678").split_once('#').unwrap().1
        );
    }
}

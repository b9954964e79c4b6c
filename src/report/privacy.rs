//! `--mask`: ID numbers become keyed pseudonyms (HMAC-SHA-256) with the first 3 and last 2 characters
//! visible for humans (`033*******45#4f1c0a9b2e7d`); names are reduced to initials. Masked runs with the
//! same `SIMAUDIT_MASK_KEY` give the same pseudonyms; without it the key is random and written nowhere.

use sha2::{Digest, Sha256};
use std::borrow::Cow;

pub enum Privacy {
    Clear,
    Masked { key: Vec<u8> },
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(move |x| x ^ b);
    let inner = Sha256::new()
        .chain_update(pad(0x36).collect::<Vec<u8>>())
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c).collect::<Vec<u8>>())
        .chain_update(inner)
        .finalize()
        .into()
}

/// A per-run random key from the OS-seeded hasher keys (no key is ever written out).
fn random_key() -> Vec<u8> {
    use std::hash::{BuildHasher, Hasher};
    (0..4)
        .flat_map(|i: u64| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(i);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            h.finish().to_le_bytes()
        })
        .collect()
}

impl Privacy {
    /// Masking on: the key from `SIMAUDIT_MASK_KEY`, else a random one.
    pub fn masked_from_env() -> Privacy {
        let key = std::env::var("SIMAUDIT_MASK_KEY")
            .ok()
            .filter(|k| !k.is_empty())
            .map(String::into_bytes)
            .unwrap_or_else(random_key);
        Privacy::Masked { key }
    }

    pub fn is_masked(&self) -> bool {
        matches!(self, Privacy::Masked { .. })
    }

    /// An ID number as outputs show it.
    pub fn id<'a>(&self, id: &'a str) -> Cow<'a, str> {
        match self {
            Privacy::Clear => Cow::Borrowed(id),
            Privacy::Masked { .. } if id.is_empty() => Cow::Borrowed(""),
            Privacy::Masked { key } => {
                let chars: Vec<char> = id.chars().collect();
                let shown = if chars.len() >= 8 {
                    let mut s: String = chars[..3].iter().collect();
                    s.extend(std::iter::repeat_n('*', chars.len() - 5));
                    s.extend(&chars[chars.len() - 2..]);
                    s
                } else {
                    "*".repeat(chars.len())
                };
                let mac = hmac_sha256(key, id.as_bytes());
                let hex: String = mac[..6].iter().map(|b| format!("{b:02x}")).collect();
                Cow::Owned(format!("{shown}#{hex}"))
            }
        }
    }

    /// The raw ID as written in the input: masked like any ID.
    pub fn raw_id<'a>(&self, raw: &'a str) -> Cow<'a, str> {
        self.id(raw)
    }

    /// A name as outputs show it: initials when masked (`Nguyễn Văn Đức` → `N. V. Đ.`).
    pub fn name<'a>(&self, name: &'a str) -> Cow<'a, str> {
        match self {
            Privacy::Clear => Cow::Borrowed(name),
            Privacy::Masked { .. } => Cow::Owned(
                name.split_whitespace()
                    .filter_map(|w| w.chars().next())
                    .map(|c| format!("{c}."))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }

    /// A finding's detail: the row's ID key replaced by its masked form.
    pub fn detail<'a>(&self, detail: &'a str, id_key: &str) -> Cow<'a, str> {
        match self {
            Privacy::Masked { .. } if !id_key.is_empty() && detail.contains(id_key) => {
                Cow::Owned(detail.replace(id_key, &self.id(id_key)))
            }
            _ => Cow::Borrowed(detail),
        }
    }

    /// A rejected record's raw text: withheld when masked (it holds names and ID numbers).
    pub fn raw_record<'a>(&self, raw: &'a str) -> Cow<'a, str> {
        match self {
            Privacy::Clear => Cow::Borrowed(raw),
            Privacy::Masked { .. } => {
                Cow::Owned(format!("[masked: {} characters]", raw.chars().count()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn masks_ids_and_names() {
        let p = Privacy::Masked { key: b"k".to_vec() };
        let m = p.id("033085012345");
        assert!(m.starts_with("033*******45#"), "{m}");
        assert_eq!(m, p.id("033085012345"));
        assert_ne!(m, p.id("033085012346"));
        assert_eq!(p.name("Nguyễn Văn Đức"), "N. V. Đ.");
        assert_eq!(
            p.detail("ID 033085012345 holds 5", "033085012345"),
            format!("ID {m} holds 5")
        );
        assert_eq!(Privacy::Clear.id("033085012345"), "033085012345");
    }
}

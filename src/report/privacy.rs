//! `--mask`: ID numbers become keyed pseudonyms (HMAC-SHA-256) with the first 3 and last 2 characters
//! visible for humans (`033*******45#4f1c0a9b2e7d`); names are reduced to initials. Masked runs with the
//! same `SIMAUDIT_MASK_KEY` give the same pseudonyms; without it the key is random and written nowhere.

use sha2::{Digest, Sha256};
use std::borrow::Cow;

pub enum Privacy {
    Clear,
    Masked(Box<Hmac>),
}

/// HMAC-SHA-256 with its key schedule done once: the inner and outer hashers already hold the padded
/// key, so each pseudonym costs two compressions, not four plus allocations.
pub struct Hmac {
    inner: Sha256,
    outer: Sha256,
}

impl Hmac {
    fn new(key: &[u8]) -> Hmac {
        const BLOCK: usize = 64;
        let mut k = [0u8; BLOCK];
        if key.len() > BLOCK {
            k[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let padded = |b: u8| Sha256::new().chain_update(k.map(|x| x ^ b));
        Hmac {
            inner: padded(0x36),
            outer: padded(0x5c),
        }
    }

    fn mac(&self, message: &[u8]) -> [u8; 32] {
        let inner = self.inner.clone().chain_update(message).finalize();
        self.outer.clone().chain_update(inner).finalize().into()
    }
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
        Privacy::masked(&key)
    }

    /// Masking on with the given key.
    pub fn masked(key: &[u8]) -> Privacy {
        Privacy::Masked(Box::new(Hmac::new(key)))
    }

    pub fn is_masked(&self) -> bool {
        matches!(self, Privacy::Masked(_))
    }

    /// An ID number as outputs show it.
    pub fn id<'a>(&self, id: &'a str) -> Cow<'a, str> {
        match self {
            Privacy::Clear => Cow::Borrowed(id),
            Privacy::Masked(_) if id.is_empty() => Cow::Borrowed(""),
            Privacy::Masked(hmac) => {
                use std::fmt::Write;
                let n = id.chars().count();
                let mut out = String::with_capacity(id.len() + 13);
                if n >= 8 {
                    out.extend(id.chars().take(3));
                    out.extend(std::iter::repeat_n('*', n - 5));
                    out.extend(id.chars().skip(n - 2));
                } else {
                    out.extend(std::iter::repeat_n('*', n));
                }
                out.push('#');
                for b in &hmac.mac(id.as_bytes())[..6] {
                    let _ = write!(out, "{b:02x}");
                }
                Cow::Owned(out)
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

    /// A finding's detail: the row's ID key replaced by its masked form.
    pub fn detail<'a>(&self, detail: &'a str, id_key: &str) -> Cow<'a, str> {
        match self {
            Privacy::Masked(_) if !id_key.is_empty() && detail.contains(id_key) => {
                Cow::Owned(detail.replace(id_key, &self.id(id_key)))
            }
            _ => Cow::Borrowed(detail),
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

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = Hmac::new(b"Jefe").mac(b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn masks_ids_and_names() {
        let p = Privacy::masked(b"k");
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

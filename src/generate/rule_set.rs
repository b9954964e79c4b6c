//! The lists of the shipped rule set that planted truth depends on, read by the generator itself
//! (its own parsing and name keys), so that a fault in the audit's reading of the rule set cannot hide
//! from truth.csv.

use super::names::name_key;
use serde::Deserialize;
use std::sync::OnceLock;

const SHIPPED: &str = include_str!("../../rules/vn-2024.toml");

/// The rule set's lists, as name keys.
pub(crate) struct Lists {
    /// PS002's placeholder names.
    pub placeholder_names: Vec<String>,
    /// PS007's surnames that are always written with a diacritic.
    pub diacritic_surnames: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    lists: RawLists,
}

#[derive(Deserialize)]
struct RawLists {
    placeholder_names: Vec<String>,
    diacritic_surnames: Vec<String>,
}

pub(crate) fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        // The shipped rule set is part of the binary: a test reads it, so a broken one fails the
        // build's tests rather than a user's run.
        let file: File = toml::from_str(SHIPPED).expect("the shipped rule set parses");
        let keys = |names: Vec<String>| {
            names
                .iter()
                .map(|n| {
                    let mut key = String::new();
                    name_key(n, &mut key);
                    key
                })
                .collect()
        };
        Lists {
            placeholder_names: keys(file.lists.placeholder_names),
            diacritic_surnames: keys(file.lists.diacritic_surnames),
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_lists_are_read() {
        let l = super::lists();
        assert!(l.placeholder_names.iter().any(|n| n == "khach hang"));
        assert!(l.diacritic_surnames.iter().any(|n| n == "nguyen"));
    }
}

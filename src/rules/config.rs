//! The rule set: thresholds, lists and per-rule switches, read from TOML (`rules/vn-2024.toml` is embedded).
//! Its switches take effect in one place, [`Active`]: every stage of evaluation runs the rules the
//! rule set's `Active` lists, and nothing else.

use super::cross::HolderRule;
use super::registry::{RuleCode, RuleMask, Scope, Severity, RULES};
use super::row::RowCheck;
use crate::ident::Date;
use crate::text::ToneStyle;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const DEFAULT_RULE_SET: &str = include_str!("../../rules/vn-2024.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSetFile {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_tone")]
    tone_style: String,
    #[serde(default = "shipped::thresholds")]
    thresholds: Thresholds,
    #[serde(default = "shipped::lists")]
    lists: Lists,
    #[serde(default)]
    rules: BTreeMap<String, RuleSwitch>,
}

fn default_tone() -> String {
    "old".into()
}

/// Defaults for settings a rule-set file leaves out: the shipped rule set's values, so that a file
/// written before a setting existed keeps parsing, and means what it meant.
macro_rules! shipped_defaults {
    ($table:literal: $($name:ident: $t:ty),* $(,)?) => {
        $(pub fn $name() -> $t {
            value($table, stringify!($name))
        })*
    };
}

mod shipped {
    use super::*;

    /// A table of the shipped rule set, read from its TOML text (not through [`RuleSetFile`], whose
    /// defaults these are).
    fn table(name: &str) -> toml::Value {
        static FILE: std::sync::OnceLock<toml::Table> = std::sync::OnceLock::new();
        let file = FILE
            .get_or_init(|| toml::from_str(DEFAULT_RULE_SET).expect("the shipped rule set parses"));
        file.get(name)
            .cloned()
            .unwrap_or_else(|| panic!("the shipped rule set has [{name}]"))
    }

    /// A setting of the shipped rule set.
    pub fn value<T: serde::de::DeserializeOwned>(table_name: &str, name: &str) -> T {
        table(table_name)
            .get(name)
            .cloned()
            .and_then(|v| v.try_into().ok())
            .unwrap_or_else(|| panic!("the shipped rule set has [{table_name}] {name}"))
    }

    pub fn thresholds() -> Thresholds {
        table("thresholds")
            .try_into()
            .expect("the shipped thresholds parse")
    }

    pub fn lists() -> Lists {
        table("lists").try_into().expect("the shipped lists parse")
    }

    pub mod thresholds {
        use super::*;
        shipped_defaults!("thresholds":
            max_per_carrier: usize,
            high_total: usize,
            max_per_point: usize,
            burst_window_minutes: i64,
            burst_max: usize,
            min_age: i32,
            max_age: i32,
            min_birth_year: i32,
            business_hours: [String; 2],
            cmnd_last_valid: String,
            cmnd_validity_years: i32,
            id_milestones: Vec<i32>,
            id_milestone_grace_years: i32,
        );
    }

    pub mod lists {
        use super::*;
        shipped_defaults!("lists": placeholder_names: Vec<String>, diacritic_surnames: Vec<String>);
    }
}

/// The rule set's thresholds; a setting left out of a rule-set file takes the shipped value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    #[serde(default = "shipped::thresholds::max_per_carrier")]
    pub max_per_carrier: usize,
    #[serde(default = "shipped::thresholds::high_total")]
    pub high_total: usize,
    #[serde(default = "shipped::thresholds::max_per_point")]
    pub max_per_point: usize,
    #[serde(default = "shipped::thresholds::burst_window_minutes")]
    pub burst_window_minutes: i64,
    #[serde(default = "shipped::thresholds::burst_max")]
    pub burst_max: usize,
    #[serde(default = "shipped::thresholds::min_age")]
    pub min_age: i32,
    #[serde(default = "shipped::thresholds::max_age")]
    pub max_age: i32,
    #[serde(default = "shipped::thresholds::min_birth_year")]
    pub min_birth_year: i32,
    /// [start, end) of business hours as "HH:MM".
    #[serde(default = "shipped::thresholds::business_hours")]
    pub business_hours: [String; 2],
    #[serde(default = "shipped::thresholds::cmnd_last_valid")]
    pub cmnd_last_valid: String,
    #[serde(default = "shipped::thresholds::cmnd_validity_years")]
    pub cmnd_validity_years: i32,
    #[serde(default = "shipped::thresholds::id_milestones")]
    pub id_milestones: Vec<i32>,
    #[serde(default = "shipped::thresholds::id_milestone_grace_years")]
    pub id_milestone_grace_years: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lists {
    #[serde(default = "shipped::lists::placeholder_names")]
    pub placeholder_names: Vec<String>,
    #[serde(default = "shipped::lists::diacritic_surnames")]
    pub diacritic_surnames: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSwitch {
    enabled: Option<bool>,
    severity: Option<Severity>,
}

/// The rule set as the rules use it: parsed, validated, with per-rule state indexed by `RuleCode`.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub name: String,
    pub description: String,
    pub tone_style: ToneStyle,
    pub thresholds: Thresholds,
    pub lists: Lists,
    pub business_start_minute: u32,
    pub business_end_minute: u32,
    pub cmnd_last_valid: Date,
    severity: Vec<Severity>,
    active: Active,
    /// SHA-256 of the TOML text, for the manifest.
    pub sha256: String,
}

/// The enabled rules, by scope, with the evaluators the registry names for them.
#[derive(Debug, Clone, Default)]
pub struct Active {
    /// Per-row rules, in catalogue order.
    pub row: Vec<(RuleCode, RowCheck)>,
    /// Rules on a holder's rows, in catalogue order.
    pub holder: Vec<(RuleCode, HolderRule)>,
    /// Every enabled rule (bit `i` is `RuleCode::ALL[i]`).
    mask: RuleMask,
}

impl Active {
    fn of(enabled: &[bool]) -> Active {
        let mut active = Active::default();
        for (&rule, rule_info) in RuleCode::ALL.iter().zip(RULES) {
            if !enabled[rule as usize] {
                continue;
            }
            active.mask |= 1 << rule as usize;
            match rule_info.scope {
                Scope::Row(check) | Scope::RowQuoting(check) => active.row.push((rule, check)),
                Scope::Holder(holder) => active.holder.push((rule, holder)),
                Scope::Ingest | Scope::Number | Scope::Point => {}
            }
        }
        active
    }

    pub fn has(&self, rule: RuleCode) -> bool {
        self.mask & (1 << rule as usize) != 0
    }
}

fn hhmm(s: &str) -> Result<u32, String> {
    let (h, m) = s
        .split_once(':')
        .ok_or_else(|| format!("'{s}' is not HH:MM"))?;
    let (h, m): (u32, u32) = (
        h.parse().map_err(|_| format!("'{s}' is not HH:MM"))?,
        m.parse().map_err(|_| format!("'{s}' is not HH:MM"))?,
    );
    if h > 24 || m > 59 {
        return Err(format!("'{s}' is not a time of day"));
    }
    Ok(h * 60 + m)
}

/// The shipped rule set, parsed once: its lists are the single source of the placeholder names and
/// diacritic surnames (the generator's oracle reads them too).
pub fn shipped() -> &'static RuleSet {
    static SHIPPED: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    SHIPPED.get_or_init(RuleSet::default_set)
}

impl RuleSet {
    pub fn default_set() -> RuleSet {
        RuleSet::parse(DEFAULT_RULE_SET).expect("the shipped rule set is valid")
    }

    /// Parse and validate a rule-set TOML text; the error says what is wrong in plain words.
    pub fn parse(text: &str) -> Result<RuleSet, String> {
        let file: RuleSetFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let tone_style = match file.tone_style.as_str() {
            "old" => ToneStyle::Old,
            "new" => ToneStyle::New,
            other => {
                return Err(format!(
                    "tone_style must be \"old\" or \"new\", not \"{other}\""
                ))
            }
        };
        let mut enabled = vec![true; RULES.len()];
        let mut severity: Vec<Severity> = RULES.iter().map(|r| r.severity).collect();
        for (code, switch) in &file.rules {
            let rule = RuleCode::parse(code)
                .ok_or_else(|| format!("[rules] names an unknown rule code \"{code}\""))?;
            if let Some(e) = switch.enabled {
                enabled[rule as usize] = e;
            }
            if let Some(s) = switch.severity {
                severity[rule as usize] = s;
            }
        }
        let t = &file.thresholds;
        let cmnd_last_valid =
            Date::parse_from_str(&t.cmnd_last_valid, "%Y-%m-%d").map_err(|_| {
                format!(
                    "cmnd_last_valid must be YYYY-MM-DD, not \"{}\"",
                    t.cmnd_last_valid
                )
            })?;
        use sha2::Digest;
        Ok(RuleSet {
            business_start_minute: hhmm(&t.business_hours[0])?,
            business_end_minute: hhmm(&t.business_hours[1])?,
            cmnd_last_valid,
            name: file.name,
            description: file.description,
            tone_style,
            thresholds: file.thresholds,
            lists: Lists {
                placeholder_names: file
                    .lists
                    .placeholder_names
                    .iter()
                    .map(|n| crate::text::name_key(n))
                    .collect(),
                diacritic_surnames: file
                    .lists
                    .diacritic_surnames
                    .iter()
                    .map(|n| crate::text::name_key(n))
                    .collect(),
            },
            active: Active::of(&enabled),
            severity,
            sha256: format!("{:x}", sha2::Sha256::digest(text.as_bytes())),
        })
    }

    /// The enabled rules and their evaluators.
    pub fn active(&self) -> &Active {
        &self.active
    }

    pub fn severity(&self, rule: RuleCode) -> Severity {
        self.severity[rule as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rule_set_parses() {
        let r = RuleSet::default_set();
        assert_eq!(r.name, "vn-2024");
        assert_eq!(r.thresholds.max_per_carrier, 3);
        assert_eq!(
            (r.business_start_minute, r.business_end_minute),
            (360, 1320)
        );
        assert!(r.active().has(RuleCode::ID010));
        assert_eq!(r.severity(RuleCode::XR002), Severity::Violation);
    }

    #[test]
    fn settings_left_out_take_the_shipped_values() {
        let shipped = RuleSet::default_set();
        let bare = RuleSet::parse("name = \"bare\"\n[thresholds]\nmax_per_carrier = 5\n").unwrap();
        assert_eq!(bare.thresholds.max_per_carrier, 5);
        assert_eq!(bare.thresholds.high_total, shipped.thresholds.high_total);
        assert_eq!(
            bare.thresholds.id_milestones,
            shipped.thresholds.id_milestones
        );
        assert_eq!(bare.cmnd_last_valid, shipped.cmnd_last_valid);
        assert_eq!(
            bare.lists.placeholder_names,
            shipped.lists.placeholder_names
        );
        let none = RuleSet::parse("name = \"none\"\n").unwrap();
        assert_eq!(none.thresholds.burst_max, shipped.thresholds.burst_max);
        assert_eq!(
            none.lists.diacritic_surnames,
            shipped.lists.diacritic_surnames
        );
    }

    #[test]
    fn switches_and_errors() {
        let text = DEFAULT_RULE_SET.to_string()
            + "\n[rules.PT002]\nenabled = false\n[rules.SB004]\nseverity = \"warning\"\n";
        let r = RuleSet::parse(&text).unwrap();
        assert!(!r.active().has(RuleCode::PT002));
        assert_eq!(r.severity(RuleCode::SB004), Severity::Warning);
        let bad = DEFAULT_RULE_SET.to_string() + "\n[rules.ZZ999]\nenabled = false\n";
        assert!(RuleSet::parse(&bad).unwrap_err().contains("ZZ999"));
    }
}

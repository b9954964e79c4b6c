//! The rule set: thresholds, lists and per-rule switches, read from TOML (`rules/vn-2024.toml` is embedded).

use super::registry::{RuleCode, Severity, RULES};
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
    thresholds: Thresholds,
    lists: Lists,
    #[serde(default)]
    rules: BTreeMap<String, RuleSwitch>,
}

fn default_tone() -> String {
    "old".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub max_per_carrier: usize,
    pub high_total: usize,
    pub max_per_point: usize,
    pub burst_window_minutes: i64,
    pub burst_max: usize,
    pub min_age: i32,
    pub max_age: i32,
    pub min_birth_year: i32,
    /// [start, end) of business hours as "HH:MM".
    pub business_hours: [String; 2],
    pub cmnd_last_valid: String,
    pub cmnd_validity_years: i32,
    pub id_milestones: Vec<i32>,
    pub id_milestone_grace_years: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lists {
    pub placeholder_names: Vec<String>,
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
    enabled: Vec<bool>,
    severity: Vec<Severity>,
    /// SHA-256 of the TOML text, for the manifest.
    pub sha256: String,
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
            enabled,
            severity,
            sha256: format!("{:x}", sha2::Sha256::digest(text.as_bytes())),
        })
    }

    pub fn enabled(&self, rule: RuleCode) -> bool {
        self.enabled[rule as usize]
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
        assert!(r.enabled(RuleCode::ID010));
        assert_eq!(r.severity(RuleCode::XR002), Severity::Violation);
    }

    #[test]
    fn switches_and_errors() {
        let text = DEFAULT_RULE_SET.to_string()
            + "\n[rules.PT002]\nenabled = false\n[rules.SB004]\nseverity = \"warning\"\n";
        let r = RuleSet::parse(&text).unwrap();
        assert!(!r.enabled(RuleCode::PT002));
        assert_eq!(r.severity(RuleCode::SB004), Severity::Warning);
        let bad = DEFAULT_RULE_SET.to_string() + "\n[rules.ZZ999]\nenabled = false\n";
        assert!(RuleSet::parse(&bad).unwrap_err().contains("ZZ999"));
    }
}

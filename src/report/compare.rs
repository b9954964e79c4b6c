//! `simaudit compare OLD_OUT NEW_OUT`: what changed between two audits of the same carriers (a
//! follow-up audit). Subscriptions are matched by (carrier, normalised number), since row numbers
//! change between extracts; findings by (subscription, rule). Each finding of either audit is
//! `new` (only now), `persisting` (then and now) or `resolved` (only then); a resolved one says how:
//! `fixed` (the subscription is still listed and the rule no longer fires on it), `cancelled` (listed
//! as cancelled now: whatever it had is resolved, and nothing on it is new) or `absent` (no longer in
//! the extract). A subscription cancelled in both extracts is left out.
//!
//! Both audits are read from their output folders (manifest.json, subscriptions.parquet, by_rule.csv),
//! so masked audits compare too when both were masked with the same key: numbers then match on their
//! pseudonyms.

use super::summary::{Cell, Sheet};
use crate::error::{Error, Result};
use crate::rules::registry::RuleMask;
use crate::rules::RuleCode;
use polars::prelude::*;
use polars_arrow::array::Array;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The outputs of `compare`, in the order they are listed.
pub const OUTPUTS: [&str; 6] = [
    "changes.csv",
    "by_point_changes.csv",
    "by_carrier_changes.csv",
    "compare.xlsx",
    "compare.html",
    "manifest.json",
];

/// The columns of subscriptions.parquet that `compare` reads.
const COLUMNS: [&str; 8] = [
    "file",
    "row",
    "carrier",
    "msisdn",
    "msisdn_raw",
    "status",
    "point_id",
    "rules",
];

/// One subscription of an audit: where it is, its status, the rules that fired on it.
#[derive(Debug, Clone)]
struct Subscription {
    file: String,
    row: u32,
    status: String,
    point_id: String,
    rules: RuleMask,
}

/// Subscriptions by carrier, then number. Two levels, so that a lookup needs no key of its own.
type ByNumber = FxHashMap<String, FxHashMap<String, Subscription>>;

/// What `compare` reads of one audit's output folder.
pub struct AuditFolder {
    pub path: PathBuf,
    pub rule_set: String,
    pub rule_set_sha256: String,
    pub mask_level: Option<String>,
    /// The area the audit was restricted to (`--district`, `--point`): its key (see
    /// [`crate::area::area_key`]) and its options as given; None: the whole extract.
    pub area: Option<(String, String)>,
    /// The pseudonym of a fixed label (equal for two runs masked with the same key); older audits
    /// do not have it.
    mask_key_check: Option<String>,
    /// subscriptions.parquet's columns that `compare` reads.
    frame: DataFrame,
    /// The subscriptions with at least one finding; a number on several rows counts once, with the
    /// rules of every row and the first row's place and status.
    with_findings: ByNumber,
    /// Rows without a number, which cannot be followed from one extract to the next.
    unnumbered: usize,
    /// Rule code → severity, as that audit's rule set gave it (its manifest, else its by_rule.csv).
    severities: BTreeMap<String, String>,
}

fn unreadable(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::Input(format!("{}: {why}", path.display()))
}

impl AuditFolder {
    /// Reads an audit's output folder; says precisely what is missing when it cannot.
    pub fn read(path: &Path) -> Result<AuditFolder> {
        let manifest_path = path.join("manifest.json");
        let text = std::fs::read_to_string(&manifest_path).map_err(|e| {
            unreadable(
                &manifest_path,
                format!("{e}; compare reads the output folders of two completed audits"),
            )
        })?;
        let manifest: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| unreadable(&manifest_path, e))?;
        let field = |keys: &[&str]| {
            keys.iter()
                .try_fold(&manifest, |v, k| v.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let version = field(&["version"]);
        let parquet = path.join("subscriptions.parquet");
        if !parquet.exists() {
            return Err(unreadable(
                &parquet,
                "missing: compare needs subscriptions.parquet (audit with a --format that includes parquet)",
            ));
        }
        let file = std::fs::File::open(&parquet).map_err(|e| unreadable(&parquet, e))?;
        let frame = ParquetReader::new(file)
            .with_columns(Some(COLUMNS.iter().map(|c| c.to_string()).collect()))
            .finish()
            .map_err(|e| {
                unreadable(
                    &parquet,
                    format!(
                        "{e} (written by simaudit {version}; compare needs the columns {}: audit \
                         the extract again with this version)",
                        COLUMNS.join(", ")
                    ),
                )
            })?;
        let (with_findings, unnumbered) =
            scan(&frame, &|_, _, rules| rules != 0).map_err(|e| unreadable(&parquet, e))?;
        let mut severities: BTreeMap<String, String> = manifest
            .get("severities")
            .and_then(|v| v.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        if severities.is_empty() {
            // An audit older than the severities in its manifest: its by_rule.csv says them.
            let by_rule = path.join("by_rule.csv");
            let mut rdr = csv::Reader::from_path(&by_rule).map_err(|e| {
                unreadable(
                    &by_rule,
                    format!(
                        "{e}; this audit's manifest does not give its rules' severities either"
                    ),
                )
            })?;
            for rec in rdr.records().flatten() {
                if let (Some(rule), Some(severity)) = (rec.get(0), rec.get(2)) {
                    severities.insert(rule.to_string(), severity.to_string());
                }
            }
        }
        Ok(AuditFolder {
            path: path.to_path_buf(),
            rule_set: field(&["rule_set", "name"]),
            rule_set_sha256: field(&["rule_set", "sha256"]),
            mask_level: manifest
                .get("mask_level")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .or_else(|| {
                    manifest
                        .get("masked")
                        .and_then(|v| v.as_bool())
                        .filter(|m| *m)
                        .map(|_| "standard".to_string())
                }),
            area: manifest.get("area").filter(|a| !a.is_null()).map(|a| {
                let list = |key: &str| -> Vec<String> {
                    a.get(key)
                        .and_then(|v| v.as_array())
                        .map(|v| {
                            v.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (districts, points) = (list("districts_asked"), list("points_asked"));
                let shown: Vec<String> = districts
                    .iter()
                    .map(|d| format!("--district {d:?}"))
                    .chain(points.iter().map(|p| format!("--point {p}")))
                    .collect();
                (crate::area::area_key(&districts, &points), shown.join(" "))
            }),
            mask_key_check: manifest
                .get("mask_key_check")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            frame,
            with_findings,
            unnumbered,
            severities,
        })
    }

    /// The subscriptions among `wanted` (carrier, number) that have no finding here.
    fn without_findings(&self, wanted: &ByNumber) -> Result<ByNumber> {
        let keep = |carrier: &str, number: &str, rules: RuleMask| {
            rules == 0 && wanted.get(carrier).is_some_and(|m| m.contains_key(number))
        };
        scan(&self.frame, &keep)
            .map(|(found, _)| found)
            .map_err(|e| unreadable(&self.path.join("subscriptions.parquet"), e))
    }

    /// A rule's severity in this audit, else as the shipped catalogue gives it.
    fn severity(&self, rule: RuleCode) -> String {
        self.severities
            .get(rule.code())
            .cloned()
            .unwrap_or_else(|| rule.info().severity.code().to_string())
    }
}

/// The subscriptions of `frame` that `keep` (carrier, number, rules) keeps, and the count of rows
/// without a number. Only kept rows are copied out.
fn scan(
    frame: &DataFrame,
    keep: &dyn Fn(&str, &str, RuleMask) -> bool,
) -> PolarsResult<(ByNumber, usize)> {
    let text = |name: &str| -> PolarsResult<StringChunked> {
        Ok(frame.column(name)?.cast(&DataType::String)?.str()?.clone())
    };
    let (file, carrier, msisdn, raw, status, point) = (
        text("file")?,
        text("carrier")?,
        text("msisdn")?,
        text("msisdn_raw")?,
        text("status")?,
        text("point_id")?,
    );
    let row = frame.column("row")?.cast(&DataType::UInt32)?;
    let row = row.u32()?;
    let masks = rule_masks(frame.column("rules")?.list()?)?;
    let mut out: ByNumber = FxHashMap::default();
    let mut unnumbered = 0;
    for (i, &mask) in masks.iter().enumerate() {
        // A number that could not be read (SB001) is followed as it was written.
        let number = match msisdn.get(i).unwrap_or("") {
            "" => raw.get(i).unwrap_or("").trim(),
            number => number,
        };
        if number.is_empty() {
            unnumbered += 1;
            continue;
        }
        let carrier = carrier.get(i).unwrap_or("");
        if !keep(carrier, number, mask) {
            continue;
        }
        let numbers = match out.get_mut(carrier) {
            Some(m) => m,
            None => out.entry(carrier.to_string()).or_default(),
        };
        match numbers.get_mut(number) {
            Some(s) => {
                s.rules |= mask;
                // A number on several rows: a live row says where and how it stands.
                let here = status.get(i).unwrap_or("");
                if s.status == "cancelled" && here != "cancelled" {
                    s.file = file.get(i).unwrap_or("").to_string();
                    s.row = row.get(i).unwrap_or(0);
                    s.status = here.to_string();
                    s.point_id = point.get(i).unwrap_or("").to_string();
                }
            }
            None => {
                numbers.insert(
                    number.to_string(),
                    Subscription {
                        file: file.get(i).unwrap_or("").to_string(),
                        row: row.get(i).unwrap_or(0),
                        status: status.get(i).unwrap_or("").to_string(),
                        point_id: point.get(i).unwrap_or("").to_string(),
                        rules: mask,
                    },
                );
            }
        }
    }
    Ok((out, unnumbered))
}

/// Each row's rule list as a mask: the lists' codes read as one flat column, cut at the lists'
/// offsets (no list is made into a column of its own).
fn rule_masks(rules: &ListChunked) -> PolarsResult<Vec<RuleMask>> {
    let mut masks = Vec::with_capacity(rules.len());
    for list in rules.downcast_iter() {
        let codes =
            Series::from_arrow("codes".into(), list.values().clone())?.cast(&DataType::String)?;
        let codes = codes.str()?;
        // A code's mask bit, looked up once per distinct code.
        let mut bits: FxHashMap<&str, RuleMask> = FxHashMap::default();
        let bit_of: Vec<RuleMask> = codes
            .iter()
            .map(|c| {
                let c = c.unwrap_or("");
                *bits
                    .entry(c)
                    .or_insert_with(|| RuleCode::parse(c).map_or(0, |r| 1 << (r as u32)))
            })
            .collect();
        let offsets = list.offsets();
        for (k, w) in offsets.windows(2).enumerate() {
            let mask = if list.is_null(k) {
                0
            } else {
                bit_of[w[0] as usize..w[1] as usize]
                    .iter()
                    .fold(0, |m, b| m | b)
            };
            masks.push(mask);
        }
    }
    Ok(masks)
}

/// One finding of either audit and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub carrier: String,
    pub msisdn: String,
    pub rule: RuleCode,
    /// `new`, `persisting` or `resolved`.
    pub status: &'static str,
    pub severity: String,
    pub point_id: String,
    old: Option<(String, u32, String)>,
    new: Option<(String, u32, String)>,
    /// For a resolved finding: `fixed`, `cancelled` or `absent`.
    pub resolved_by: &'static str,
}

/// Every finding of either audit, matched, in (carrier, number, rule) order.
pub fn changes(old: &AuditFolder, new: &AuditFolder) -> Result<Vec<Change>> {
    // Each side's subscriptions that had findings on the other side only: their status and place.
    let old_rest = old.without_findings(&new.with_findings)?;
    let new_rest = new.without_findings(&old.with_findings)?;
    let find =
        |a: &'_ ByNumber, b: &'_ ByNumber, carrier: &str, number: &str| -> Option<Subscription> {
            a.get(carrier)
                .and_then(|m| m.get(number))
                .or_else(|| b.get(carrier).and_then(|m| m.get(number)))
                .cloned()
        };
    let mut keys: Vec<(&str, &str)> = old
        .with_findings
        .iter()
        .chain(&new.with_findings)
        .flat_map(|(c, m)| m.keys().map(move |n| (c.as_str(), n.as_str())))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut out = Vec::new();
    for (carrier, number) in keys {
        let then = find(&old.with_findings, &old_rest, carrier, number);
        let now = find(&new.with_findings, &new_rest, carrier, number);
        let place = |s: &Option<Subscription>| {
            s.as_ref()
                .map(|s| (s.file.clone(), s.row, s.status.clone()))
        };
        let cancelled =
            |s: &Option<Subscription>| s.as_ref().is_some_and(|s| s.status == "cancelled");
        // Cancelled then and now: nothing to follow.
        if cancelled(&then) && cancelled(&now) {
            continue;
        }
        // Cancelled now: what it had is resolved by the cancellation, and nothing on it is new.
        let (was_mask, is_mask) = (
            then.as_ref().map_or(0, |s| s.rules),
            if cancelled(&now) {
                0
            } else {
                now.as_ref().map_or(0, |s| s.rules)
            },
        );
        for &rule in RuleCode::ALL {
            let bit = 1 << (rule as u32);
            let (was, is) = (was_mask & bit != 0, is_mask & bit != 0);
            let status = match (was, is) {
                (false, false) => continue,
                (true, true) => "persisting",
                (false, true) => "new",
                (true, false) => "resolved",
            };
            let resolved_by = match (status, &now) {
                ("resolved", None) => "absent",
                ("resolved", Some(s)) if s.status == "cancelled" => "cancelled",
                ("resolved", Some(_)) => "fixed",
                _ => "",
            };
            let (severity, point_id) = match (&now, is) {
                (Some(s), true) => (new.severity(rule), s.point_id.clone()),
                _ => (
                    old.severity(rule),
                    then.as_ref()
                        .map(|s| s.point_id.clone())
                        .unwrap_or_default(),
                ),
            };
            out.push(Change {
                carrier: carrier.to_string(),
                msisdn: number.to_string(),
                rule,
                status,
                severity,
                point_id,
                old: place(&then),
                new: place(&now),
                resolved_by,
            });
        }
    }
    // Rule codes in code order within a subscription, as the CSV outputs sort them.
    out.sort_by(|a, b| {
        (&a.carrier, &a.msisdn, a.rule.code()).cmp(&(&b.carrier, &b.msisdn, b.rule.code()))
    });
    Ok(out)
}

/// changes.csv as a table.
fn changes_sheet(changes: &[Change]) -> Sheet {
    let columns = [
        "carrier",
        "msisdn",
        "rule",
        "status",
        "severity",
        "point_id",
        "resolved_by",
        "old_file",
        "old_row",
        "old_status",
        "new_file",
        "new_row",
        "new_status",
    ];
    let side = |s: &Option<(String, u32, String)>| match s {
        Some((file, row, status)) => (
            Cell::Text(file.clone()),
            Cell::Text(row.to_string()),
            Cell::Text(status.clone()),
        ),
        None => (
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text("absent".into()),
        ),
    };
    Sheet {
        name: "changes",
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows: changes
            .iter()
            .map(|c| {
                let (of, or, os) = side(&c.old);
                let (nf, nr, ns) = side(&c.new);
                vec![
                    Cell::Text(c.carrier.clone()),
                    Cell::Text(c.msisdn.clone()),
                    Cell::Text(c.rule.code().into()),
                    Cell::Text(c.status.into()),
                    Cell::Text(c.severity.clone()),
                    Cell::Text(c.point_id.clone()),
                    Cell::Text(c.resolved_by.into()),
                    of,
                    or,
                    os,
                    nf,
                    nr,
                    ns,
                ]
            })
            .collect(),
    }
}

/// Findings then and now of one carrier or point.
#[derive(Default)]
struct Tally {
    then: u64,
    now: u64,
    resolved: u64,
    resolved_absent: u64,
    new: u64,
    persisting: u64,
    persisting_violations: u64,
}

impl Tally {
    fn add(&mut self, c: &Change) {
        match c.status {
            "persisting" => {
                self.then += 1;
                self.now += 1;
                self.persisting += 1;
                self.persisting_violations += u64::from(c.severity == "violation");
            }
            "new" => {
                self.now += 1;
                self.new += 1;
            }
            _ => {
                self.then += 1;
                self.resolved += 1;
                self.resolved_absent += u64::from(c.resolved_by == "absent");
            }
        }
    }
}

/// Per key (carrier, or carrier and point), ranked worst first: most persisting violations, then
/// most persisting findings, then the key.
fn ranked(
    name: &'static str,
    key_columns: &[&str],
    changes: &[Change],
    key: impl Fn(&Change) -> Vec<String>,
) -> Sheet {
    let mut tallies: BTreeMap<Vec<String>, Tally> = BTreeMap::new();
    for c in changes {
        tallies.entry(key(c)).or_default().add(c);
    }
    let mut rows: Vec<(Vec<String>, Tally)> = tallies.into_iter().collect();
    rows.sort_by(|(ka, a), (kb, b)| {
        b.persisting_violations
            .cmp(&a.persisting_violations)
            .then(b.persisting.cmp(&a.persisting))
            .then_with(|| ka.cmp(kb))
    });
    let mut columns = vec!["rank".to_string()];
    columns.extend(key_columns.iter().map(|c| c.to_string()));
    columns.extend(
        [
            "findings_then",
            "findings_now",
            "resolved",
            "resolved_absent",
            "new",
            "persisting",
            "persisting_violations",
            "resolved_pct",
        ]
        .map(String::from),
    );
    Sheet {
        name,
        columns,
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(i, (k, t))| {
                let mut row = vec![Cell::Int(i as u64 + 1)];
                row.extend(k.into_iter().map(Cell::Text));
                // No earlier findings: nothing to resolve, no share.
                let pct = match t.then {
                    0 => Cell::Text(String::new()),
                    then => Cell::Pct((t.resolved as f64 * 10000.0 / then as f64).round() / 100.0),
                };
                row.extend([
                    Cell::Int(t.then),
                    Cell::Int(t.now),
                    Cell::Int(t.resolved),
                    Cell::Int(t.resolved_absent),
                    Cell::Int(t.new),
                    Cell::Int(t.persisting),
                    Cell::Int(t.persisting_violations),
                    pct,
                ]);
                row
            })
            .collect(),
    }
}

/// What `compare` was asked.
pub struct Options<'a> {
    pub allow_rule_change: bool,
    pub lang: super::i18n::Lang,
    pub started: std::time::SystemTime,
    pub old: &'a Path,
    pub new: &'a Path,
}

/// What `compare` found, for the terminal.
pub struct Compared {
    pub counts: [usize; 3],
    pub by_carrier: Sheet,
    pub unnumbered: [usize; 2],
}

/// Refuses an output folder that is one of the two audits, or that holds an audit's outputs: the
/// compare's outputs would replace them.
pub fn check_out(out: &Path, old: &Path, new: &Path) -> Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(out, old) || same(out, new) {
        return Err(Error::Input(format!(
            "--out {} is one of the audits being compared: choose another folder",
            out.display()
        )));
    }
    let manifest = out.join("manifest.json");
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if doc.get("command").and_then(|c| c.as_str()) != Some("compare") {
            return Err(Error::Input(format!(
                "--out {} holds an audit's outputs: choose another folder",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Compares the two audits and writes every output into `dir` (a staging folder); returns the names
/// written, manifest.json last.
pub fn run(o: &Options, dir: &Path) -> Result<(Compared, Vec<String>)> {
    let old = AuditFolder::read(o.old)?;
    let new = AuditFolder::read(o.new)?;
    if old.rule_set_sha256 != new.rule_set_sha256 && !o.allow_rule_change {
        return Err(Error::Input(format!(
            "the two audits used different rule sets ({} {} and {} {}): a finding that appears or \
             goes may only reflect the change of rules; compare them anyway with --allow-rule-change",
            old.rule_set,
            short(&old.rule_set_sha256),
            new.rule_set,
            short(&new.rule_set_sha256)
        )));
    }
    let key = |a: &AuditFolder| a.area.as_ref().map(|(key, _)| key.clone());
    if key(&old) != key(&new) {
        let area = |a: &AuditFolder| {
            a.area
                .as_ref()
                .map_or_else(|| "the whole extract".into(), |(_, shown)| shown.clone())
        };
        return Err(Error::Input(format!(
            "{} was audited for {} and {} for {}: a subscription outside one of the areas would \
             look resolved or new; audit both for the same area",
            old.path.display(),
            area(&old),
            new.path.display(),
            area(&new),
        )));
    }
    let how = |a: &AuditFolder| {
        a.mask_level
            .clone()
            .map_or("in clear".to_string(), |l| format!("masked ({l})"))
    };
    if old.mask_level != new.mask_level {
        return Err(Error::Input(format!(
            "{} was audited {} and {} {}: numbers cannot be matched; audit both the same way (masked \
             audits at the same level with the same SIMAUDIT_MASK_KEY)",
            old.path.display(),
            how(&old),
            new.path.display(),
            how(&new),
        )));
    }
    if let (Some(a), Some(b)) = (&old.mask_key_check, &new.mask_key_check) {
        if a != b {
            return Err(Error::Input(format!(
                "{} and {} were masked with different keys: their pseudonyms cannot be matched; \
                 audit both with the same SIMAUDIT_MASK_KEY",
                old.path.display(),
                new.path.display()
            )));
        }
    }
    let changes = changes(&old, &new)?;
    let details = changes_sheet(&changes);
    let by_point = ranked(
        "by_point_changes",
        &["carrier", "point_id"],
        &changes,
        |c| vec![c.carrier.clone(), c.point_id.clone()],
    );
    let by_carrier = ranked("by_carrier_changes", &["carrier"], &changes, |c| {
        vec![c.carrier.clone()]
    });
    let count = |status: &str| changes.iter().filter(|c| c.status == status).count();
    let counts = [count("new"), count("persisting"), count("resolved")];
    let lang = o.lang;
    let vi = lang == super::i18n::Lang::Vi;
    let pick = |v: &str, e: &str| lang.pick(v, e).to_string();
    let title = pick("Theo dõi khắc phục", "Follow-up: what was fixed");
    let mut lines = vec![
        (
            pick("Lần kiểm tra trước", "Earlier audit"),
            Cell::Text(old.path.display().to_string()),
        ),
        (
            pick("Lần kiểm tra này", "This audit"),
            Cell::Text(new.path.display().to_string()),
        ),
        (
            pick("Bộ quy tắc", "Rule set"),
            Cell::Text(if old.rule_set_sha256 == new.rule_set_sha256 {
                new.rule_set.clone()
            } else {
                format!("{} → {}", old.rule_set, new.rule_set)
            }),
        ),
        (
            pick("Phát hiện mới", "New findings"),
            Cell::Int(counts[0] as u64),
        ),
        (
            pick("Phát hiện còn tồn tại", "Persisting findings"),
            Cell::Int(counts[1] as u64),
        ),
        (
            pick("Phát hiện đã khắc phục", "Resolved findings"),
            Cell::Int(counts[2] as u64),
        ),
        (
            pick(
                "Dòng không có số thuê bao (không theo dõi được)",
                "Rows without a number (not followed)",
            ),
            Cell::Text(format!("{} → {}", old.unnumbered, new.unnumbered)),
        ),
    ];
    if changes.len() > super::xlsx::FINDINGS_CAP {
        let (cap, all) = (super::xlsx::FINDINGS_CAP, changes.len());
        lines.push((
            pick("Lưu ý", "Note"),
            Cell::Text(if vi {
                format!("Trang chi tiết chỉ có {cap} trong {all} dòng (giới hạn của Excel); xem đầy đủ trong changes.csv")
            } else {
                format!("The details sheet holds the first {cap} of {all} rows (Excel's row limit); changes.csv has them all")
            }),
        ));
    }
    let (point_sheet, carrier_sheet, detail_sheet) = if vi {
        ("Theo dõi khắc phục", "Theo nhà mạng", "Chi tiết")
    } else {
        ("Follow-up by point", "By carrier", "Details")
    };
    let text: Vec<String> = lines
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.csv()))
        .collect();
    // The workbook, the longest to write, beside the others.
    let (book, others) = rayon::join(
        || {
            // Its details stop at Excel's row limit (changes.csv has them all).
            let shown = Sheet {
                rows: details
                    .rows
                    .iter()
                    .take(super::xlsx::FINDINGS_CAP)
                    .cloned()
                    .collect(),
                ..details.clone_empty()
            };
            super::xlsx::write_sheets(
                &dir.join("compare.xlsx"),
                &title,
                &lines,
                &[
                    (point_sheet, &by_point),
                    (carrier_sheet, &by_carrier),
                    (detail_sheet, &shown),
                ],
                lang,
            )
        },
        || -> Result<()> {
            super::write::sheet_csv(&dir.join("changes.csv"), &details)?;
            super::write::sheet_csv(&dir.join("by_point_changes.csv"), &by_point)?;
            super::write::sheet_csv(&dir.join("by_carrier_changes.csv"), &by_carrier)?;
            super::html::write_tables(
                &dir.join("compare.html"),
                &title,
                &text,
                &[
                    ("by-carrier-changes", carrier_sheet, &by_carrier),
                    ("by-point-changes", point_sheet, &by_point),
                ],
                lang,
            )
        },
    );
    book?;
    others?;
    let manifest = serde_json::json!({
        "tool": "simaudit",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "compare",
        "old": {"path": old.path, "rule_set": old.rule_set, "rule_set_sha256": old.rule_set_sha256, "mask_level": old.mask_level, "rows_without_number": old.unnumbered},
        "new": {"path": new.path, "rule_set": new.rule_set, "rule_set_sha256": new.rule_set_sha256, "mask_level": new.mask_level, "rows_without_number": new.unnumbered},
        "findings": {"new": counts[0], "persisting": counts[1], "resolved": counts[2]},
        "started_at": super::manifest::rfc3339(o.started),
        "outputs": OUTPUTS,
    });
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::write(&dir.join("manifest.json"), std::io::Error::other(e)))?;
    super::write::atomic(&dir.join("manifest.json"), |w| {
        std::io::Write::write_all(w, text.as_bytes())
    })?;
    Ok((
        Compared {
            counts,
            by_carrier,
            unnumbered: [old.unnumbered, new.unnumbered],
        },
        OUTPUTS.iter().map(|s| s.to_string()).collect(),
    ))
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

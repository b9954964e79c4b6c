//! The inspector's own area (`audit --point CARRIER:ID`, `--district NAME`): which service points a
//! run reports on, and the restriction of a checked table to their rows.
//!
//! Rules always run on the whole extract, because what makes a row a violation often lies outside the
//! area (an ID's other SIMs, a number registered twice, a burst at the point across the day). Only
//! then are the rows, their findings and the IDs over the limit restricted to the area, so every
//! output tells the same story about the same rows.
//!
//! A point is in the area when it is named with `--point`, or when its district — the most frequent
//! district text on its rows, ties to the smallest, as by_point.csv shows it — names a `--district`.
//! Deciding per point, not per row, keeps a point whole when a few of its rows carry another district.
//! Rejected records cannot be placed (their point was not read), so they stay in every output.

use crate::error::{Error, Result};
use crate::ingest::Table;
use crate::normalize::Normalised;
use crate::rules::cross::IdOverLimit;
use crate::rules::finding::Finding;
use crate::schema::canonical_carrier;
use crate::text::name_key;
use rustc_hash::{FxHashMap, FxHashSet};

/// What `--point` and `--district` asked for.
#[derive(Debug, Clone, Default)]
pub struct Area {
    /// (canonical carrier, point id) as given.
    points: Vec<(String, String)>,
    /// (as given, its key).
    districts: Vec<(String, String)>,
}

/// Words that name a kind of administrative unit before its name ("Huyện Văn Lâm", "TX. Mỹ Hào"),
/// as name keys; the longest first, so "thi xa" is taken whole rather than as "thi".
const UNIT_WORDS: [&str; 14] = [
    "thanh pho",
    "thi tran",
    "thi xa",
    "phuong",
    "huyen",
    "quan",
    "tinh",
    "xa",
    "tp",
    "tx",
    "tt",
    "h",
    "q",
    "p",
];

/// The key a district text is matched on: name key (case, diacritics, encoding and punctuation
/// folded) without a leading word naming the kind of unit. "Huyện Văn Lâm", "H. Văn Lâm" and
/// "van lam" all give `van lam`.
fn district_key(text: &str) -> String {
    let key = name_key(text);
    for word in UNIT_WORDS {
        if let Some(rest) = key.strip_prefix(word).and_then(|r| r.strip_prefix(' ')) {
            return rest.to_string();
        }
    }
    key
}

/// True when a point's district text names the district of `key`: the whole text, or one of its
/// comma-separated parts ("Thôn 3, Văn Lâm"), after [`district_key`].
fn district_matches(text: &str, key: &str) -> bool {
    district_key(text) == key || text.split(',').any(|part| district_key(part) == key)
}

impl Area {
    /// From the command line: each `--point` as CARRIER:ID (the carrier as an extract may spell it),
    /// each `--district` as a name. `None` when neither was given.
    pub fn parse(points: &[String], districts: &[String]) -> Result<Option<Area>> {
        if points.is_empty() && districts.is_empty() {
            return Ok(None);
        }
        let mut area = Area::default();
        for given in points {
            let (carrier, point) = given
                .split_once(':')
                .map(|(c, p)| (c.trim(), p.trim()))
                .filter(|(c, p)| !c.is_empty() && !p.is_empty())
                .ok_or_else(|| {
                    Error::Input(format!(
                        "--point {given}: give the carrier and the point's code as CARRIER:ID, \
                         e.g. --point VIETTEL:HY-1664"
                    ))
                })?;
            area.points
                .push((canonical_carrier(carrier), point.to_string()));
        }
        for given in districts {
            let key = district_key(given);
            if key.is_empty() {
                return Err(Error::Input(format!(
                    "--district {given:?}: give a district's name, e.g. --district \"Văn Lâm\""
                )));
            }
            area.districts.push((given.clone(), key));
        }
        Ok(Some(area))
    }

    /// The points of `census` in the area; an error names each `--point` and `--district` that
    /// matches no point of the extract (a misspelt area would otherwise give a clean report).
    pub fn select(&self, census: &Census) -> Result<Selection> {
        let modal = census.modal_districts();
        let mut chosen = FxHashSet::default();
        let mut unmatched = Vec::new();
        for (carrier, point) in &self.points {
            let found: Vec<&(String, String)> = modal
                .keys()
                .filter(|(c, p)| c == carrier && p.eq_ignore_ascii_case(point))
                .collect();
            if found.is_empty() {
                unmatched.push(format!("--point {carrier}:{point}: no row has this point"));
            }
            chosen.extend(found.into_iter().cloned());
        }
        for (given, key) in &self.districts {
            let mut any = false;
            for (point, district) in &modal {
                if district_matches(district, key) {
                    any = true;
                    chosen.insert(point.clone());
                }
            }
            if !any {
                let mut known: Vec<&str> = modal
                    .values()
                    .map(String::as_str)
                    .filter(|d| !d.is_empty())
                    .collect();
                known.sort_unstable();
                known.dedup();
                let shown = known.len().min(30);
                unmatched.push(format!(
                    "--district {given:?}: no point has this district (districts in the extract: {}{})",
                    known[..shown].join(", "),
                    if known.len() > shown { ", …" } else { "" }
                ));
            }
        }
        if !unmatched.is_empty() {
            return Err(Error::Input(unmatched.join("\n")));
        }
        let mut points: Vec<(String, String)> = chosen.into_iter().collect();
        points.sort_unstable();
        Ok(Selection {
            asked_points: self
                .points
                .iter()
                .map(|(c, p)| format!("{c}:{p}"))
                .collect(),
            asked_districts: self.districts.iter().map(|(g, _)| g.clone()).collect(),
            points,
            rows: 0,
        })
    }
}

/// Per point, how often each district text occurs on its rows: what [`Area::select`] decides on.
/// Filled from whole tables or batch by batch (a sharded run's scan).
#[derive(Debug, Default)]
pub struct Census(FxHashMap<(String, String), FxHashMap<String, u64>>);

impl Census {
    pub fn add(&mut self, t: &Table) {
        // Codes first: one string copy per distinct (carrier, point, district) of the table.
        let mut counts: FxHashMap<(u32, u32, u32), u64> = FxHashMap::default();
        for i in 0..t.len() {
            *counts
                .entry((t.carrier.codes[i], t.point_id.codes[i], t.district.codes[i]))
                .or_default() += 1;
        }
        for ((c, p, d), n) in counts {
            let point = (
                t.carrier.value(c).to_string(),
                t.point_id.value(p).to_string(),
            );
            *self
                .0
                .entry(point)
                .or_default()
                .entry(t.district.value(d).to_string())
                .or_default() += n;
        }
    }

    /// Each point's most frequent district text, ties to the smallest.
    fn modal_districts(&self) -> FxHashMap<(String, String), String> {
        self.0
            .iter()
            .map(|(point, districts)| {
                let modal = districts
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(d, _)| d.clone())
                    .unwrap_or_default();
                (point.clone(), modal)
            })
            .collect()
    }
}

/// The points a run reports on, and what was asked for (for the manifest and the reports).
#[derive(Debug, Clone)]
pub struct Selection {
    /// Each `--point` as CARRIER:ID, as given (carrier in its canonical spelling).
    pub asked_points: Vec<String>,
    /// Each `--district` as given.
    pub asked_districts: Vec<String>,
    /// (carrier, point id) of every point in the area, sorted.
    pub points: Vec<(String, String)>,
    /// Accepted rows in the area, added up by [`Selection::restrict`].
    pub rows: usize,
}

/// A table and what the rules found in it, as [`Selection::restrict`] takes and gives them back.
pub struct Restricted {
    pub table: Table,
    pub findings: Vec<Finding>,
    pub over_limit: Vec<IdOverLimit>,
}

impl Selection {
    /// Keeps the rows of the area's points, their findings (renumbered to the kept rows), the
    /// rejected records' findings, and the IDs over the limit that hold a kept row. The table keeps
    /// its dictionaries, so `norm` stays valid for it.
    pub fn restrict(
        &mut self,
        table: Table,
        norm: &Normalised,
        findings: Vec<Finding>,
        over_limit: Vec<IdOverLimit>,
    ) -> Restricted {
        let chosen: FxHashSet<(&str, &str)> = self
            .points
            .iter()
            .map(|(c, p)| (c.as_str(), p.as_str()))
            .collect();
        let mut in_area: FxHashMap<(u32, u32), bool> = FxHashMap::default();
        let keep: Vec<bool> = (0..table.len())
            .map(|i| {
                let codes = (table.carrier.codes[i], table.point_id.codes[i]);
                *in_area.entry(codes).or_insert_with(|| {
                    chosen.contains(&(table.carrier.value(codes.0), table.point_id.value(codes.1)))
                })
            })
            .collect();
        let over_limit = if over_limit.is_empty() {
            over_limit
        } else {
            let kept_ids: FxHashSet<&str> = (0..table.len())
                .filter(|&i| keep[i])
                .map(|i| norm.id_text(&table, i))
                .collect();
            over_limit
                .into_iter()
                .filter(|o| kept_ids.contains(o.id_number.as_str()))
                .collect()
        };
        // The new index of each kept row.
        let mut renumber = Vec::with_capacity(keep.len());
        let mut next = 0u32;
        for &k in &keep {
            renumber.push(next);
            next += u32::from(k);
        }
        let findings = findings
            .into_iter()
            .filter_map(|mut f| match f.subject {
                None => Some(f),
                Some(i) if keep[i as usize] => {
                    f.subject = Some(renumber[i as usize]);
                    Some(f)
                }
                Some(_) => None,
            })
            .collect();
        let table = table.retain(&keep);
        self.rows += table.len();
        Restricted {
            table,
            findings,
            over_limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_names_match_however_written() {
        let key = district_key("Văn Lâm");
        assert_eq!(key, "van lam");
        for text in [
            "Văn Lâm",
            "Huyện Văn Lâm",
            "H. Văn Lâm",
            "huyen van lam",
            "VĂN LÂM",
            "Thôn 3, Văn Lâm",
            "Văn Lâm, Hưng Yên",
        ] {
            assert!(district_matches(text, &key), "{text}");
        }
        for text in ["Văn Giang", "Lâm", "Văn Lâm Mới", ""] {
            assert!(!district_matches(text, &key), "{text}");
        }
        assert!(district_matches("Thị xã Mỹ Hào", &district_key("Mỹ Hào")));
        assert!(district_matches(
            "TX. Mỹ Hào",
            &district_key("thị xã Mỹ Hào")
        ));
        assert!(district_matches(
            "Thành phố Hưng Yên",
            &district_key("TP Hưng Yên")
        ));
    }

    #[test]
    fn point_arguments_are_checked() {
        assert!(Area::parse(&[], &[]).unwrap().is_none());
        let area = Area::parse(&["vtl: HY-1".into()], &[]).unwrap().unwrap();
        assert_eq!(area.points, [("VIETTEL".to_string(), "HY-1".to_string())]);
        for bad in ["HY-1", ":HY-1", "VIETTEL:", ""] {
            assert!(Area::parse(&[bad.into()], &[]).is_err(), "{bad}");
        }
        assert!(Area::parse(&[], &[" , ".into()]).is_err());
    }
}

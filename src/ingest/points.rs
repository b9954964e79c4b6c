//! The registry of authorised points (`--points FILE`): a CSV with `carrier` and `point_id` columns,
//! as carriers publish their lists of service points to the province.

use crate::error::{Error, Result};
use crate::schema::{canonical_carrier, fold_label};
use std::collections::HashSet;
use std::path::Path;

/// Authorised (carrier, point_id) pairs.
#[derive(Debug, Clone, Default)]
pub struct PointRegistry(HashSet<(String, String)>);

impl PointRegistry {
    pub fn contains(&self, carrier: &str, point_id: &str) -> bool {
        // A borrowed pair cannot look up a set of owned pairs; the registry is consulted once per
        // distinct point, so the two small strings cost nothing that shows.
        self.0
            .contains(&(carrier.to_string(), point_id.to_string()))
    }

    pub fn insert(&mut self, carrier: &str, point_id: &str) {
        self.0
            .insert((canonical_carrier(carrier), point_id.to_string()));
    }

    /// Reads a registry file (any encoding and delimiter an extract may have).
    pub fn read(path: &Path) -> Result<PointRegistry> {
        let bad = |why: String| Error::Input(format!("--points {}: {why}", path.display()));
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        let text = super::decode::decode(bytes, None).text;
        let delimiter = super::sniff_delimiter(text.as_bytes());
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| bad(e.to_string()))?
            .iter()
            .map(fold_label)
            .collect();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| *h == fold_label(name))
                .ok_or_else(|| {
                    bad(format!(
                        "needs the columns carrier and point_id; found {}",
                        headers.join(", ")
                    ))
                })
        };
        let (c, p) = (col("carrier")?, col("point_id")?);
        let mut out = PointRegistry::default();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| bad(format!("record {}: {e}", i + 1)))?;
            let (carrier, point) = (
                rec.get(c).unwrap_or("").trim(),
                rec.get(p).unwrap_or("").trim(),
            );
            if carrier.is_empty() || point.is_empty() {
                return Err(bad(format!(
                    "record {} has an empty carrier or point_id",
                    i + 1
                )));
            }
            out.insert(carrier, point);
        }
        Ok(out)
    }
}

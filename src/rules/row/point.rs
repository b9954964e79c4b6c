//! Service-point rules on one row (PT002, PT004, PT005): one function per rule. PT001 and PT003
//! group rows and live with the cross-record rules.

use super::Row;
use crate::ingest::{PointRegistry, Table};
use crate::schema::PointType;
use chrono::Timelike;
use rustc_hash::FxHashSet;

/// The (carrier, point) code pairs of `t` missing from the registry: decided once per distinct point,
/// not once per row.
pub fn unregistered(t: &Table, registry: &PointRegistry) -> FxHashSet<(u32, u32)> {
    let pairs: FxHashSet<(u32, u32)> = t
        .carrier
        .codes
        .iter()
        .zip(&t.point_id.codes)
        .map(|(c, p)| (*c, *p))
        .collect();
    pairs
        .into_iter()
        .filter(|&(c, p)| !registry.contains(t.carrier.value(c), t.point_id.value(p)))
        .collect()
}

/// PT002: activated outside business hours at a point that is not online (a date alone never fires).
pub fn off_hours(r: &Row) -> Option<String> {
    let w = r.activation.filter(|w| w.has_time())?;
    let rules = r.rules();
    let minute = w.at.hour() * 60 + w.at.minute();
    let outside = minute < rules.business_start_minute || minute >= rules.business_end_minute;
    (outside && r.table().point_type[r.i] != PointType::Online).then(|| {
        let [a, b] = &rules.thresholds.business_hours;
        format!("activated at {}, outside {a}–{b}", w.at.format("%H:%M"))
    })
}

/// PT004: a registry of points was given and the row's point is not in it.
pub fn point_unregistered(r: &Row) -> Option<String> {
    let t = r.table();
    let point = t.point_id.get(r.i);
    let missing = r.cx.unregistered.as_ref()?;
    (!point.is_empty() && missing.contains(&(t.carrier.codes[r.i], t.point_id.codes[r.i]))).then(
        || {
            format!(
                "point {point} of {} is not in the registry of authorised points",
                t.carrier.get(r.i)
            )
        },
    )
}

/// PT005: the point code is empty.
pub fn point_missing(r: &Row) -> Option<String> {
    r.table()
        .point_id
        .get(r.i)
        .is_empty()
        .then(|| "the point code is empty".into())
}

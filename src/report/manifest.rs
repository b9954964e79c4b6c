//! manifest.json: what was run on what — tool version, rule set, every input with its checksum,
//! detected encoding and profile, row counts, and the time each stage took.

use super::RunView;
use crate::error::{Error, Result};
use crate::ingest::layout::SkipKind;
use crate::usage::StageCost;
use serde_json::json;
use std::path::Path;
use std::time::SystemTime;

pub(super) fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    chrono::DateTime::from_timestamp(d.as_secs() as i64, d.subsec_nanos())
        .map_or_else(String::new, |t| {
            t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
        })
}

pub fn write(
    path: &Path,
    run: RunView,
    outputs: &[(String, f64)],
    privacy: &super::Privacy,
    started: SystemTime,
) -> Result<()> {
    let finished = SystemTime::now();
    let mask = privacy.level();
    let masked = mask.is_some();
    let inputs: Vec<_> = run
        .files
        .iter()
        .map(|f| {
            json!({
                "file": f.name, "sheet": f.sheet, "path": f.path, "size": f.size, "sha256": f.sha256, "format": f.format,
                "encoding": f.encoding, "delimiter": f.delimiter.map(|d| d.to_string()), "profile": f.profile,
                "carrier": f.carrier, "header_line": f.header_line, "header": f.header, "header_as_read": f.header_as_read, "rows_read": f.rows_read, "rows_accepted": f.rows_accepted, "rows_rejected": f.rows_rejected,
                "rows_skipped": f.rows_skipped,
                "skipped_by_kind": SkipKind::ALL.iter().map(|k| (k.code().to_string(), json!(f.skipped.iter().filter(|s| s.kind == *k).count()))).collect::<serde_json::Map<_, _>>(),
                // What a skipped line holds may be personal data: withheld when masked.
                "skipped_lines": f.skipped.iter().map(|s| json!({
                    "line": s.line, "kind": s.kind.code(), "text": if masked { "" } else { s.text.as_str() },
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let per_stage = |value: &dyn Fn(&StageCost) -> Option<f64>| -> serde_json::Map<_, _> {
        run.stages
            .iter()
            .map(|s| (s.name.to_string(), json!(value(s).map(round))))
            .collect()
    };
    let doc = json!({
        "tool": "simaudit",
        "version": env!("CARGO_PKG_VERSION"),
        "rule_set": { "name": run.rules.name, "sha256": run.rules.sha256 },
        "points_registry": run.points_given,
        "masked": masked,
        "mask_level": mask.map(|m| m.code()),
        // Tells whether two masked runs used the same key (their pseudonyms then match), without
        // telling anything of the key: the pseudonym of a fixed label.
        "mask_key_check": privacy.key_check(),
        // Each enabled rule's severity in this run's rule set (what a later `compare` ranks by).
        "severities": crate::rules::RuleCode::ALL
            .iter()
            .filter(|r| run.rules.active().has(**r))
            .map(|r| (r.code().to_string(), json!(run.rules.severity(*r).code())))
            .collect::<serde_json::Map<_, _>>(),
        "inputs": inputs,
        "skipped_sheets": run.skipped_sheets.iter().map(|s| json!({
            "file": s.file, "sheet": s.sheet, "reason": s.reason,
        })).collect::<Vec<_>>(),
        "rows": {
            "read": run.files.iter().map(|f| f.rows_read).sum::<usize>(),
            "accepted": run.accepted,
            "rejected": run.rejects.len(),
            "skipped": run.files.iter().map(|f| f.rows_skipped).sum::<usize>(),
        },
        // The area every output is restricted to (`--point`, `--district`); null: the whole extract.
        "area": run.area.map(|a| json!({
            "points_asked": a.asked_points,
            "districts_asked": a.asked_districts,
            "district_texts": a.district_texts,
            "points": a.points.iter().map(|(c, p)| format!("{c}:{p}")).collect::<Vec<_>>(),
            "rows": a.rows,
        })),
        // How the run was held: in memory (1 shard) or shard by shard, and what `--shards auto`
        // chose it from.
        "shards": run.sharding.map(|s| json!({
            "count": s.shards,
            "chosen": if s.auto.is_some() { "auto" } else { "given" },
            "rows_estimated": s.auto.map(|a| a.rows),
            "memory_budget_bytes": s.auto.map(|a| a.budget),
        })),
        // A sharded run's spill: the parsed records written once and read back shard by shard.
        "spill": run.spill_bytes.map(|bytes| json!({
            "bytes": bytes,
            "bytes_per_row": if run.accepted == 0 { 0.0 } else { (bytes as f64 / run.accepted as f64 * 10.0).round() / 10.0 },
        })),
        "findings": run.findings,
        "started_at": rfc3339(started),
        "finished_at": rfc3339(finished),
        "elapsed_seconds": finished.duration_since(started).map(|d| d.as_secs_f64()).unwrap_or(0.0),
        "stage_seconds": per_stage(&|s| Some(s.wall_seconds)),
        "stage_cpu_seconds": per_stage(&|s| s.cpu_seconds),
        "stage_peak_rss_mib": per_stage(&|s| s.peak_rss_mib),
        "outputs": outputs.iter().map(|(name, _)| name.as_str()).chain(["manifest.json"]).collect::<Vec<_>>(),
        // Wall seconds of each writer; they run side by side, so these add up to more than the stage.
        "output_seconds": outputs.iter().map(|(name, s)| (name.clone(), json!(round(*s)))).collect::<serde_json::Map<_, _>>(),
    });
    let text = serde_json::to_string_pretty(&doc)
        .map_err(|e| Error::write(path, std::io::Error::other(e)))?;
    super::write::atomic(path, |w| std::io::Write::write_all(w, text.as_bytes()))
}

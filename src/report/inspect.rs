//! `simaudit inspect`: how each file (and sheet) is read, without auditing — what a user runs when a
//! file does not load as expected. Format, encoding, delimiter, where the header was found and what
//! was skipped, the profile chosen and how well each shipped profile matched, the header → column
//! mapping, the date orders and what decided them, line counts by kind, and the first records as
//! they will be read (personal values masked unless asked for).

use super::Privacy;
use crate::ingest::layout::SkipKind;
use crate::ingest::profile::Profile;
use crate::ingest::{Loaded, SourceFile, Table};
use serde_json::{json, Value};

/// How many records of each source are shown.
const SHOWN_RECORDS: usize = 5;

/// The inspection of every source of `loaded` as JSON (`"schema": "simaudit-inspect/1"`); fails only
/// when values are to be masked and the system gives no random key.
pub fn json(loaded: &Loaded, carrier_given: bool, show_values: bool) -> std::io::Result<Value> {
    let privacy = if show_values {
        Privacy::Clear
    } else {
        Privacy::masked_from_env(super::MaskLevel::Standard)?
    };
    let profiles = Profile::shipped();
    let sources: Vec<Value> = loaded
        .files
        .iter()
        .enumerate()
        .map(|(idx, f)| {
            source(
                f,
                idx as u16,
                &loaded.table,
                &profiles,
                carrier_given,
                &privacy,
            )
        })
        .collect();
    let skipped_sheets: Vec<Value> = loaded
        .skipped_sheets
        .iter()
        .map(|s| json!({"file": s.file, "sheet": s.sheet, "reason": s.reason}))
        .collect();
    Ok(json!({
        "schema": "simaudit-inspect/1",
        "values_shown": show_values,
        "sources": sources,
        "skipped_sheets": skipped_sheets,
    }))
}

fn source(
    f: &SourceFile,
    idx: u16,
    t: &Table,
    shipped: &[Profile],
    carrier_given: bool,
    privacy: &Privacy,
) -> Value {
    let profiles: Vec<Value> = shipped
        .iter()
        .map(|p| {
            let mapped = p.map_headers(&f.header);
            let missing: Vec<&str> = p
                .missing(&mapped, carrier_given)
                .iter()
                .map(|m| m.name())
                .collect();
            json!({"profile": p.name, "columns_mapped": mapped.len(), "missing_required": missing})
        })
        .collect();
    let skipped_by_kind: serde_json::Map<String, Value> = SkipKind::ALL
        .iter()
        .map(|k| {
            let n = f.skipped.iter().filter(|s| s.kind == *k).count();
            (k.code().to_string(), json!(n))
        })
        .collect();
    let title: Vec<Value> = f
        .skipped
        .iter()
        .filter(|s| s.kind == SkipKind::Title)
        .map(|s| json!({"line": s.line, "text": if privacy.is_masked() { "" } else { s.text.as_str() }}))
        .collect();
    json!({
        "file": f.name,
        "sheet": f.sheet,
        "format": f.format,
        "encoding": f.encoding,
        "delimiter": f.delimiter.map(|d| d.to_string()),
        "header_line": f.header_line,
        "header": f.header,
        "header_as_read": f.header_as_read,
        "title_lines": title,
        "profile": f.profile,
        "profiles": profiles,
        "columns": f.mapping.iter().map(|(h, c)| json!({"header": h, "column": c.map(|c| c.name())})).collect::<Vec<_>>(),
        "unmapped_headers": f.mapping.iter().filter(|(h, c)| c.is_none() && !h.is_empty()).map(|(h, _)| h.as_str()).collect::<Vec<_>>(),
        "date_orders": f.date_orders.iter().map(|d| json!({
            "column": d.column.name(), "order": d.order, "decided_by": d.decided_by,
            "example": if privacy.is_masked() { None } else { d.example.as_deref() },
        })).collect::<Vec<_>>(),
        "lines": {
            "read": f.rows_read, "accepted": f.rows_accepted, "rejected": f.rows_rejected,
            "skipped": f.rows_skipped, "skipped_by_kind": skipped_by_kind,
        },
        "first_records": first_records(t, idx, privacy),
    })
}

/// The first accepted records of source `idx`, as the audit reads them (canonical columns).
fn first_records(t: &Table, idx: u16, privacy: &Privacy) -> Vec<Value> {
    let from = t.file.partition_point(|&f| f < idx);
    (from..t.len())
        .take_while(|&i| t.file[i] == idx)
        .take(SHOWN_RECORDS)
        .map(|i| {
            let date = |c: crate::ingest::DateCell| match c.value() {
                Some(w) if privacy.is_masked() => w.year().to_string(),
                Some(w) => w.iso(),
                None => String::new(),
            };
            let number = t.msisdn.get(i);
            json!({
                "row": t.row[i],
                "carrier": t.carrier.get(i),
                "msisdn": if privacy.is_masked() { mask_number(number) } else { number.to_string() },
                "subscriber_type": t.subscriber_type[i].code(),
                "full_name": privacy.name(t.full_name.get(i)),
                "date_of_birth": date(t.date_of_birth[i]),
                "gender": t.gender[i].map(|s| s.code()),
                "id_type": t.id_type[i].map(|k| k.code()),
                "id_number": privacy.raw_id(t.id_number.get(i)),
                "activation_time": t.activation_time[i].value().map(|w| w.iso()),
                "status": t.status[i].code(),
                "point_id": t.point_id.get(i),
                "point_type": t.point_type[i].code(),
            })
        })
        .collect()
}

/// A phone number with its digits after the first three hidden.
fn mask_number(number: &str) -> String {
    number
        .chars()
        .enumerate()
        .map(|(k, c)| if k < 3 || !c.is_ascii_digit() { c } else { '*' })
        .collect()
}

/// When the files do not load: each one's first rows, and how many columns each shipped profile
/// maps in each — where a header was looked for, and what it lacked.
/// A row no profile knows a column of may be a record: its cells are shown only with `show_values`.
pub fn heads_text(
    heads: &[(String, Vec<crate::ingest::HeadRow>)],
    carrier_given: bool,
    show_values: bool,
) -> String {
    use std::fmt::Write;
    let profiles = Profile::shipped();
    let mut o = String::new();
    for (name, rows) in heads {
        let _ = writeln!(o, "{name}: the first rows, where a header is looked for");
        for row in rows {
            let best = profiles
                .iter()
                .map(|p| {
                    let mapped = p.map_headers(&row.cells);
                    (
                        mapped.len(),
                        p.name.as_str(),
                        p.missing(&mapped, carrier_given),
                    )
                })
                .max_by_key(|(n, _, _)| *n);
            let verdict = match best {
                Some((n, profile, missing)) if n > 0 => {
                    let missing: Vec<&str> = missing.iter().map(|f| f.name()).collect();
                    if missing.is_empty() {
                        format!("{profile}: {n} columns, a header")
                    } else {
                        format!("{profile}: {n} columns, missing {}", missing.join(", "))
                    }
                }
                _ => "no column a profile knows".to_string(),
            };
            let shown: String = if show_values || !verdict.starts_with("no column") {
                row.cells.join(" | ").chars().take(70).collect()
            } else {
                "(hidden; --show-values shows it)".to_string()
            };
            let _ = writeln!(o, "  line {:<4} {shown:<70}  [{verdict}]", row.line);
        }
    }
    o
}

/// The inspection as text for a person.
pub fn text(doc: &Value) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    };
    for src in doc["sources"].as_array().into_iter().flatten() {
        let _ = writeln!(o, "{}", s(&src["file"]));
        let _ = writeln!(
            o,
            "  format {}, encoding {}, delimiter {}",
            s(&src["format"]),
            s(&src["encoding"]),
            s(&src["delimiter"])
        );
        let titles = src["title_lines"].as_array().map_or(0, Vec::len);
        let _ = writeln!(
            o,
            "  header on line {} ({} title line(s) above it skipped)",
            s(&src["header_line"]),
            titles
        );
        if !src["header_as_read"].is_null() {
            let _ = writeln!(
                o,
                "  header repaired from a legacy encoding; as read: {}",
                src["header_as_read"]
            );
        }
        let _ = writeln!(
            o,
            "  profile {}; how each shipped profile matched:",
            s(&src["profile"])
        );
        for p in src["profiles"].as_array().into_iter().flatten() {
            let missing: Vec<String> = p["missing_required"]
                .as_array()
                .into_iter()
                .flatten()
                .map(s)
                .collect();
            let _ = writeln!(
                o,
                "    {:<14} {} columns mapped{}",
                s(&p["profile"]),
                s(&p["columns_mapped"]),
                if missing.is_empty() {
                    String::new()
                } else {
                    format!(", missing {}", missing.join(", "))
                }
            );
        }
        let _ = writeln!(o, "  columns:");
        for c in src["columns"].as_array().into_iter().flatten() {
            let column = match &c["column"] {
                Value::Null => "(extra column, carried into subscriptions.parquet)".to_string(),
                v => s(v),
            };
            let _ = writeln!(o, "    {:<28} → {column}", s(&c["header"]));
        }
        for d in src["date_orders"].as_array().into_iter().flatten() {
            let example = match &d["example"] {
                Value::String(e) => format!(" (e.g. {e})"),
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "  {}: {} decided by {}{example}",
                s(&d["column"]),
                s(&d["order"]),
                s(&d["decided_by"])
            );
        }
        let lines = &src["lines"];
        let kinds: Vec<String> = lines["skipped_by_kind"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, n)| n.as_u64().unwrap_or(0) > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let _ = writeln!(
            o,
            "  lines: {} read = {} accepted + {} rejected + {} skipped{}",
            s(&lines["read"]),
            s(&lines["accepted"]),
            s(&lines["rejected"]),
            s(&lines["skipped"]),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        );
        let _ = writeln!(
            o,
            "  first records as read{}:",
            if doc["values_shown"] == true {
                ""
            } else {
                " (personal values masked; --show-values shows them)"
            }
        );
        for r in src["first_records"].as_array().into_iter().flatten() {
            let fields: Vec<String> = r
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| k.as_str() != "row")
                .map(|(k, v)| format!("{k}={}", s(v)))
                .collect();
            let _ = writeln!(o, "    row {}: {}", s(&r["row"]), fields.join(" "));
        }
    }
    for sk in doc["skipped_sheets"].as_array().into_iter().flatten() {
        let _ = writeln!(
            o,
            "sheet {}[{}] skipped: {}",
            s(&sk["file"]),
            s(&sk["sheet"]),
            s(&sk["reason"])
        );
    }
    o
}

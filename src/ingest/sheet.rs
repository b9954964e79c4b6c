//! Excel workbooks (`.xlsx`, also `.xls`/`.xlsb`/`.ods`): their sheets' names, and one sheet as text
//! rows. Numbers stored as
//! numbers (phone and ID numbers often are) are written without a decimal part; dates stay Excel serials
//! (`45292`, `45292.375`), which the date reader understands.

use crate::error::{Error, Result};
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;
use std::path::Path;

/// A cell as text.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Float(f) => number_text(*f),
        Data::DateTime(d) if d.is_datetime() => date_text(d),
        Data::DateTime(d) => number_text(d.as_f64()),
    }
}

/// A date cell as an ISO date (`1904-06-15`), or date-time to the nearest second. As a bare serial it
/// would be misread: a date of birth in 1900–1927 has a serial below 10,000 (1628 is 15 June 1904,
/// not the year 1628). The workbook's date system (1900, with Excel's fictional 29 February 1900, or
/// 1904) is the workbook's own.
fn date_text(d: &calamine::ExcelDateTime) -> String {
    let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
    let Some(at) = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(day))
        .and_then(|date| date.and_hms_opt(u32::from(h), u32::from(mi), u32::from(s)))
    else {
        // 29 February 1900 exists only in Excel.
        return number_text(d.as_f64());
    };
    let at = if ms >= 500 {
        at + chrono::Duration::seconds(1)
    } else {
        at
    };
    if at.time() == chrono::NaiveTime::MIN {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// The workbook's sheets, in workbook order.
pub fn sheet_names(path: &Path, bytes: &[u8]) -> Result<Vec<String>> {
    let book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| Error::Input(format!("{}: not a readable workbook ({e})", path.display())))?;
    Ok(book.sheet_names())
}

/// The non-empty rows of the named sheet (default: the first), each with its row number as the
/// spreadsheet shows it. Empty rows are not records.
pub fn read(path: &Path, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Vec<(u32, Vec<String>)>> {
    let bad = |why: String| Error::Input(format!("{}: {why}", path.display()));
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable workbook ({e})")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| bad(format!("no sheet \"{s}\"; sheets: {}", names.join(", "))))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| bad("the workbook has no sheet".into()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| bad(format!("sheet \"{name}\": {e}")))?;
    let first = range.start().map_or(0, |(row, _)| row);
    let rows: Vec<(u32, Vec<String>)> = range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            (
                first + i as u32 + 1,
                r.iter().map(cell_text).collect::<Vec<String>>(),
            )
        })
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        return Err(bad(format!("sheet \"{name}\" has no header row")));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_text() {
        assert_eq!(number_text(912345678.0), "912345678");
        assert_eq!(number_text(45292.375), "45292.375");
        assert_eq!(cell_text(&Data::Empty), "");
    }
}

//! Files → canonical table (+ rejects). Format and encoding are decided by content; headers are mapped
//! through a column profile; coded values and dates are read per file (a date column's day/month order
//! is decided once per file). Every record ends up accepted or rejected, and counted.

pub mod decode;
pub mod profile;
mod sheet;
mod source;
pub use source::sniff_delimiter;
pub mod table;

use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::ident::{date, DateOrder, IdKind, Sex};
use crate::rules::RuleCode;
use crate::schema::{
    canonical_carrier, canonical_nationality, Coded, Field, PointType, Status, SubscriberType,
};
pub use decode::Encoding;
use profile::Profile;
use sha2::{Digest, Sha256};
use source::{Record, Source};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
pub use table::{DateCell, Reject, SourceFile, Table, TableBuilder, TextColumn};

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// `--profile NAME|FILE`; None: chosen per file from its headers.
    pub profile: Option<String>,
    /// `--carrier CODE` for files without a carrier column.
    pub carrier: Option<String>,
    /// `--encoding`; None: detected per file.
    pub encoding: Option<Encoding>,
    /// `--sheet` of Excel inputs; None: the first sheet.
    pub sheet: Option<String>,
}

/// The outcome of ingest: the accepted rows, the rejected records, and the findings ingest itself makes
/// (DQ001 for each reject, DQ002 for unreadable values).
pub struct Loaded {
    pub table: Table,
    pub files: Vec<SourceFile>,
    pub rejects: Vec<Reject>,
    pub findings: Vec<Finding>,
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Read every input; fails before any work when a file is unreadable or lacks a required column.
pub fn load(paths: &[PathBuf], opts: &IngestOptions) -> Result<Loaded> {
    if paths.is_empty() {
        return Err(Error::Input(
            "no input files: give at least one extract (CSV, Parquet)".into(),
        ));
    }
    if paths.len() > u16::MAX as usize {
        return Err(Error::Input(format!(
            "{} input files is too many (at most {})",
            paths.len(),
            u16::MAX
        )));
    }
    // Files are numbered in file-name order, so that order by file index is order by name.
    let mut paths: Vec<&PathBuf> = paths.iter().collect();
    paths.sort_by_key(|p| file_name(p));
    let mut seen = BTreeMap::new();
    for p in &paths {
        if let Some(other) = seen.insert(file_name(p), *p) {
            return Err(Error::Input(format!(
                "{} and {} have the same file name; outputs name rows by file name, so rename one",
                other.display(),
                p.display()
            )));
        }
    }
    let forced_profile = opts
        .profile
        .as_deref()
        .map(profile::resolve)
        .transpose()
        .map_err(Error::Input)?;
    let shipped = Profile::shipped();
    let carrier_given = opts.carrier.as_deref().map(canonical_carrier);

    // Open and map every file first, so a bad file fails the run before any work is done. The decoded
    // text is dropped again and re-read when its turn comes: only one file's text is held at a time.
    let mut opened = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        let mut info = SourceFile {
            name: file_name(path),
            path: path.display().to_string(),
            size: bytes.len() as u64,
            sha256: format!("{:x}", Sha256::digest(&bytes)),
            ..Default::default()
        };
        let encoding = match (
            opts.encoding,
            forced_profile.as_ref().and_then(|p| p.encoding.as_deref()),
        ) {
            (Some(e), _) => Some(e),
            (None, Some(name)) => Some(Encoding::parse(name).ok_or_else(|| {
                Error::Input(format!("profile encoding \"{name}\" is not supported"))
            })?),
            (None, None) => None,
        };
        let src = Source::open(path, bytes, encoding, opts.sheet.as_deref())?;
        info.format = src.format().into();
        info.encoding = src.encoding().into();
        info.delimiter = src.delimiter();
        let headers = src.headers().to_vec();
        let profile = match &forced_profile {
            Some(p) => {
                let missing = p.missing(&p.map_headers(&headers), carrier_given.is_some());
                if !missing.is_empty() {
                    return Err(missing_columns(path, p, &missing, &headers));
                }
                p.clone()
            }
            None => match profile::choose(&shipped, &headers, carrier_given.is_some()) {
                Ok(p) => p.clone(),
                Err((p, missing)) => return Err(missing_columns(path, p, &missing, &headers)),
            },
        };
        info.profile = profile.name.clone();
        opened.push((i as u16, info, *path, src.text_encoding(), profile));
    }

    let mut builder = TableBuilder::default();
    let mut rejects = Vec::new();
    let mut findings = Vec::new();
    let mut files = Vec::new();
    for (idx, mut info, path, encoding, profile) in opened {
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        let src = Source::open(path, bytes, encoding, opts.sheet.as_deref())?;
        let columns = profile.map_headers(src.headers());
        let fixed = carrier_given
            .clone()
            .or_else(|| profile.fixed_carrier.clone());
        let orders = date_orders(&src, &columns, &profile);
        let mut mapper = RowMapper {
            file: idx,
            profile: &profile,
            columns,
            fixed_carrier: fixed,
            orders,
            coded: HashMap::new(),
            spelled: HashMap::new(),
        };
        let first = builder.len();
        src.for_each(|rec| {
            info.rows_read += 1;
            match rec {
                Record::Fields { row, fields } => {
                    mapper.accept(&mut builder, &mut findings, row, fields);
                    info.rows_accepted += 1;
                }
                Record::Bad {
                    row,
                    line,
                    reason,
                    raw,
                } => {
                    findings.push(Finding {
                        file: idx,
                        row,
                        subject: None,
                        rule: RuleCode::DQ001,
                        detail: reason.clone(),
                    });
                    rejects.push(Reject {
                        file: idx,
                        row,
                        line,
                        reason,
                        raw: raw.to_string(),
                    });
                    info.rows_rejected += 1;
                }
            }
        });
        // A file's carrier, for attributing its rejected rows: the fixed one, else the only one seen.
        info.carrier = mapper
            .fixed_carrier
            .clone()
            .or_else(|| single_carrier(&builder, first));
        files.push(info);
    }
    Ok(Loaded {
        table: builder.finish(),
        files,
        rejects,
        findings,
    })
}

fn single_carrier(b: &TableBuilder, first: usize) -> Option<String> {
    let codes = &b.carrier_codes()[first..];
    let c = *codes.first()?;
    if codes.iter().all(|x| *x == c) {
        b.carrier_value(c).map(str::to_string)
    } else {
        None
    }
}

fn missing_columns(path: &Path, p: &Profile, missing: &[Field], headers: &[String]) -> Error {
    let names: Vec<&str> = missing.iter().map(|f| f.name()).collect();
    let hint = if missing.contains(&Field::Carrier) {
        " (or pass --carrier CODE)"
    } else {
        ""
    };
    Error::Input(format!(
        "{}: required column {} not found with profile \"{}\"{hint}. Headers seen: {}. Use --profile FILE with aliases for these headers.",
        path.display(),
        names.join(", "),
        p.name,
        headers.join(" | ")
    ))
}

const DATE_FIELDS: [Field; 3] = [
    Field::DateOfBirth,
    Field::IdIssueDate,
    Field::ActivationTime,
];

/// The day/month order of each date column of a file: the profile's, or decided from a sample.
fn date_orders(
    src: &Source,
    columns: &BTreeMap<Field, usize>,
    profile: &Profile,
) -> [DateOrder; 3] {
    if let Some(order) = profile.date_order {
        return [order; 3];
    }
    // One sampling pass for all three columns; a column the file lacks keeps the Vietnamese default.
    let present: Vec<usize> = DATE_FIELDS
        .iter()
        .map(|f| columns.get(f).copied().unwrap_or(usize::MAX))
        .collect();
    let samples = src.sample_columns(&present, 200_000);
    let mut orders = [DateOrder::Dmy; 3];
    for (order, values) in orders.iter_mut().zip(&samples) {
        *order = date::detect_order(values.iter().map(String::as_str));
    }
    orders
}

struct RowMapper<'a> {
    file: u16,
    profile: &'a Profile,
    columns: BTreeMap<Field, usize>,
    fixed_carrier: Option<String>,
    orders: [DateOrder; 3],
    /// Coded values are few: read each distinct one once per file.
    coded: HashMap<Field, HashMap<String, std::result::Result<Option<Coded>, ()>>>,
    /// Carrier and nationality spellings, read once each: (field, raw) → canonical.
    spelled: HashMap<Field, HashMap<String, String>>,
}

/// The cached value of `key` in `cache`, computed by `make` the first time (no allocation on a hit).
fn cached<'c, V>(cache: &'c mut HashMap<String, V>, key: &str, make: impl FnOnce() -> V) -> &'c V {
    if !cache.contains_key(key) {
        let v = make();
        cache.insert(key.to_string(), v);
    }
    &cache[key]
}

impl RowMapper<'_> {
    fn accept(
        &mut self,
        b: &mut TableBuilder,
        findings: &mut Vec<Finding>,
        row: u32,
        fields: &[&str],
    ) {
        let at = b.len();
        // Only ASCII white space is trimmed: a trailing U+00A0 may be half of a mis-decoded letter (Ã + U+00A0 = à).
        let get = |f: Field| {
            self.columns
                .get(&f)
                .and_then(|&i| fields.get(i))
                .map_or("", |s| s.trim_matches(|c: char| c.is_ascii_whitespace()))
        };
        let mut dq = |detail: String| {
            findings.push(Finding::on(at, self.file, row, RuleCode::DQ002, detail))
        };

        b.file.push(self.file);
        b.row.push(row);
        let carrier = get(Field::Carrier);
        match (carrier.is_empty(), &self.fixed_carrier) {
            (true, Some(fixed)) => b.carrier.push(fixed),
            _ => b.carrier.push(
                cached(
                    self.spelled.entry(Field::Carrier).or_default(),
                    carrier,
                    || canonical_carrier(carrier),
                )
                .as_str(),
            ),
        }
        b.msisdn.push(get(Field::Msisdn));
        b.full_name.push(get(Field::FullName));
        b.id_number.push(get(Field::IdNumber));
        b.id_issue_place.push(get(Field::IdIssuePlace));
        let nationality = get(Field::Nationality);
        b.nationality.push(
            cached(
                self.spelled.entry(Field::Nationality).or_default(),
                nationality,
                || canonical_nationality(nationality),
            )
            .as_str(),
        );
        b.point_id.push(get(Field::PointId));
        b.point_name.push(get(Field::PointName));
        b.district.push(get(Field::District));

        let mut coded = |field: Field| -> Option<Coded> {
            let raw = get(field);
            if raw.is_empty() {
                return None;
            }
            let profile = self.profile;
            let read = cached(self.coded.entry(field).or_default(), raw, || {
                profile.code(field, raw)
            });
            match read {
                Ok(c) => *c,
                Err(()) => {
                    let then = if field == Field::IdType {
                        "; the type is inferred from the number"
                    } else {
                        ""
                    };
                    dq(format!(
                        "{} '{}' is not a known value{then}",
                        field.name(),
                        raw
                    ));
                    None
                }
            }
        };
        b.subscriber_type.push(match coded(Field::SubscriberType) {
            Some(Coded::SubscriberType(t)) => t,
            _ => SubscriberType::Individual,
        });
        b.gender.push(match coded(Field::Gender) {
            Some(Coded::Sex(s)) => Some(s),
            _ => None::<Sex>,
        });
        b.id_type.push(match coded(Field::IdType) {
            Some(Coded::IdKind(k)) => Some(k),
            _ => None::<IdKind>,
        });
        b.status.push(match coded(Field::Status) {
            Some(Coded::Status(s)) => s,
            _ => Status::Active,
        });
        b.point_type.push(match coded(Field::PointType) {
            Some(Coded::PointType(p)) => p,
            _ => PointType::Unknown,
        });

        let mut dq = |detail: String| {
            findings.push(Finding::on(at, self.file, row, RuleCode::DQ002, detail))
        };
        let mut read_date = |f: Field, order: DateOrder| -> DateCell {
            let raw = get(f);
            match date::parse(raw, order) {
                Ok(None) => DateCell::Empty,
                Ok(Some(w)) => DateCell::Value(w),
                Err(()) => {
                    dq(format!("{} '{}' cannot be read as a date", f.name(), raw));
                    DateCell::Unreadable
                }
            }
        };
        let dob = read_date(Field::DateOfBirth, self.orders[0]);
        let issue = read_date(Field::IdIssueDate, self.orders[1]);
        let activation = read_date(Field::ActivationTime, self.orders[2]);
        b.date_of_birth.push(dob);
        b.id_issue_date.push(issue);
        b.activation_time.push(activation);
    }
}

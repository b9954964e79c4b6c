//! Column profiles: TOML files mapping a carrier's headers and codes onto the
//! canonical schema. Shipped profiles are embedded; `--profile` may name one or point at a file.

use crate::ident::DateOrder;
use crate::schema::{
    canonical_carrier, coded_from_canonical, fold_label, Coded, Field, BUILTIN_VALUES,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

pub const SHIPPED: &[(&str, &str)] = &[
    (
        "canonical",
        include_str!("../../rules/profiles/canonical.toml"),
    ),
    (
        "vn-upper",
        include_str!("../../rules/profiles/vn-upper.toml"),
    ),
    (
        "vn-diacritics",
        include_str!("../../rules/profiles/vn-diacritics.toml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    date_order: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    columns: BTreeMap<String, Vec<String>>,
    /// Fixed values for columns the file lacks, e.g. `carrier = "VIETTEL"`.
    #[serde(default)]
    fixed: BTreeMap<String, String>,
    /// Extra value maps per coded column: `[values.gender] "1" = "male"`.
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    /// Values that mean "no value" in this carrier's files (`missing = ["-", "N/A", "không có"]`);
    /// otherwise only an empty or white-space value is empty.
    #[serde(default)]
    missing: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub description: String,
    /// None: decided per file from the values.
    pub date_order: Option<DateOrder>,
    pub encoding: Option<String>,
    /// Canonical field → header aliases as written.
    pub aliases: BTreeMap<Field, Vec<String>>,
    folded: HashMap<String, Field>,
    pub fixed_carrier: Option<String>,
    values: HashMap<(Field, String), Coded>,
    /// The profile's missing markers, trimmed and lower-cased.
    pub missing: Vec<String>,
}

impl Profile {
    pub fn parse(text: &str, origin: &str) -> Result<Profile, String> {
        let file: ProfileFile =
            toml::from_str(text).map_err(|e| format!("profile {origin}: {e}"))?;
        let date_order = match file.date_order.as_deref() {
            None | Some("auto") => None,
            Some("dmy") => Some(DateOrder::Dmy),
            Some("mdy") => Some(DateOrder::Mdy),
            Some(o) => {
                return Err(format!(
                "profile {origin}: date_order must be \"auto\", \"dmy\" or \"mdy\", not \"{o}\""
            ))
            }
        };
        let mut aliases = BTreeMap::new();
        let mut folded = HashMap::new();
        // The canonical names are always understood, whatever the profile.
        for f in Field::ALL {
            folded.insert(fold_label(f.name()), *f);
        }
        for (col, names) in file.columns {
            let field = Field::parse(&col).ok_or_else(|| {
                format!("profile {origin}: [columns] names an unknown column \"{col}\"")
            })?;
            for n in &names {
                folded.insert(fold_label(n), field);
            }
            aliases.insert(field, names);
        }
        let mut fixed_carrier = None;
        for (col, value) in file.fixed {
            match col.as_str() {
                "carrier" => fixed_carrier = Some(canonical_carrier(&value)),
                other => {
                    return Err(format!(
                        "profile {origin}: [fixed] supports only carrier, not \"{other}\""
                    ))
                }
            }
        }
        let mut values = HashMap::new();
        for (field, (folded_word, word)) in BUILTIN_VALUES
            .iter()
            .map(|(f, a, w)| (*f, (a.to_string(), *w)))
        {
            values.insert(
                (field, folded_word),
                coded_from_canonical(field, word).expect("builtin values are canonical"),
            );
        }
        for (col, map) in file.values {
            let field = Field::parse(&col).ok_or_else(|| {
                format!("profile {origin}: [values] names an unknown column \"{col}\"")
            })?;
            for (raw, word) in map {
                let coded = coded_from_canonical(field, &word).ok_or_else(|| {
                    format!("profile {origin}: \"{word}\" is not a value of {col}")
                })?;
                values.insert((field, fold_label(&raw)), coded);
            }
        }
        Ok(Profile {
            name: file.name,
            description: file.description,
            date_order,
            encoding: file.encoding,
            aliases,
            folded,
            fixed_carrier,
            values,
            missing: file
                .missing
                .iter()
                .map(|m| m.trim().to_lowercase())
                .collect(),
        })
    }

    pub fn shipped() -> Vec<Profile> {
        SHIPPED
            .iter()
            .map(|(name, text)| Profile::parse(text, name).expect("shipped profiles are valid"))
            .collect()
    }

    /// Map each header to a canonical field (first header wins when two map to one field).
    pub fn map_headers(&self, headers: &[String]) -> BTreeMap<Field, usize> {
        let mut out = BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            if let Some(f) = self.folded.get(&fold_label(h)) {
                out.entry(*f).or_insert(i);
            }
        }
        out
    }

    /// Required columns the file lacks under this profile.
    pub fn missing(&self, mapped: &BTreeMap<Field, usize>, carrier_given: bool) -> Vec<Field> {
        Field::ALL
            .iter()
            .copied()
            .filter(|f| f.required() && !mapped.contains_key(f))
            .filter(|f| !(*f == Field::Carrier && (carrier_given || self.fixed_carrier.is_some())))
            .collect()
    }

    /// A coded value through this profile's maps; Err(()) when the value is present but unmapped.
    #[allow(clippy::result_unit_err)] // the caller reports the raw value itself (as unreadable)
    pub fn code(&self, field: Field, raw: &str) -> Result<Option<Coded>, ()> {
        let trimmed = raw.trim();
        // Missing markers were made empty when the record was read (every column, not only coded ones).
        if trimmed.is_empty() {
            return Ok(None);
        }
        // A value with nothing to fold (`?`, `-`, `x.`…) is not empty: it is a value no map knows.
        let known = |value: &str| self.values.get(&(field, fold_label(value))).copied();
        known(raw)
            // Written by a legacy program (`N÷` for `Nữ` in TCVN3): repaired as names are.
            .or_else(|| {
                (!trimmed.is_ascii())
                    .then(|| crate::text::repair(trimmed))
                    .flatten()
                    .and_then(|(fixed, _)| known(&fixed))
            })
            .map(Some)
            .ok_or(())
    }

    /// Whether a (trimmed) value is one of the profile's markers for "no value".
    pub fn is_missing_marker(&self, value: &str) -> bool {
        // Read for every field of a file whose profile has markers: ASCII values (nearly all) are
        // compared without lower-casing a copy.
        if value.is_ascii() {
            self.missing.iter().any(|m| m.eq_ignore_ascii_case(value))
        } else {
            self.missing.contains(&value.to_lowercase())
        }
    }
}

/// Resolve `--profile NAME|FILE`.
pub fn resolve(spec: &str) -> Result<Profile, String> {
    if let Some((name, text)) = SHIPPED.iter().find(|(n, _)| *n == spec) {
        return Profile::parse(text, name);
    }
    let text = std::fs::read_to_string(spec).map_err(|e| {
        let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
        format!(
            "--profile {spec}: not a shipped profile ({}) and not a readable file ({e})",
            names.join(", ")
        )
    })?;
    Profile::parse(&text, spec)
}

/// Pick the profile that covers every required column and maps the most headers (ties: the earlier one).
/// On failure, the closest profile and the columns it lacks.
pub fn choose<'a>(
    profiles: &'a [Profile],
    headers: &[String],
    carrier_given: bool,
) -> Result<&'a Profile, (&'a Profile, Vec<Field>)> {
    let folded_headers: Vec<String> = headers.iter().map(|h| fold_label(h)).collect();
    let (p, missing, _) = profiles
        .iter()
        .map(|p| {
            let mapped = p.map_headers(headers);
            let missing = p.missing(&mapped, carrier_given);
            // Headers written exactly as this profile's own aliases break ties between look-alike profiles.
            let own = folded_headers
                .iter()
                .filter(|h| p.aliases.values().flatten().any(|a| fold_label(a) == **h))
                .count();
            let key = (
                missing.is_empty(),
                std::cmp::Reverse(missing.len()),
                mapped.len(),
                own,
            );
            (p, missing, key)
        })
        .rev()
        .max_by(|a, b| a.2.cmp(&b.2))
        .expect("at least one profile");
    if missing.is_empty() {
        Ok(p)
    } else {
        Err((p, missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::IdKind;

    fn headers(s: &str, sep: char) -> Vec<String> {
        s.split(sep).map(String::from).collect()
    }

    #[test]
    fn automatic_choice() {
        let ps = Profile::shipped();
        let canonical = headers(
            "carrier,msisdn,full_name,date_of_birth,id_number,activation_time,point_id",
            ',',
        );
        assert_eq!(choose(&ps, &canonical, false).unwrap().name, "canonical");
        let upper = headers(
            "SO_THUE_BAO;HO_TEN;NGAY_SINH;SO_GIAY_TO;NGAY_KICH_HOAT;MA_DIEM;NHA_MANG",
            ';',
        );
        assert_eq!(choose(&ps, &upper, false).unwrap().name, "vn-upper");
        let dia = headers(
            "Số thuê bao,Họ và tên,Ngày sinh,Số giấy tờ,Ngày kích hoạt,Mã điểm,Nhà mạng",
            ',',
        );
        assert_eq!(choose(&ps, &dia, false).unwrap().name, "vn-diacritics");
        let lacking = headers("SO_THUE_BAO;HO_TEN;NGAY_SINH;NGAY_KICH_HOAT;MA_DIEM", ';');
        let (_, missing) = choose(&ps, &lacking, true).unwrap_err();
        assert_eq!(missing, vec![Field::IdNumber]);
    }

    #[test]
    fn header_matching_ignores_case_diacritics_spaces_underscores() {
        let p = resolve("vn-upper").unwrap();
        let m = p.map_headers(&headers("so thue bao|Họ_Tên|ngay sinh", '|'));
        assert_eq!(m.get(&Field::Msisdn), Some(&0));
        assert_eq!(m.get(&Field::FullName), Some(&1));
        assert_eq!(m.get(&Field::DateOfBirth), Some(&2));
    }

    #[test]
    fn value_maps() {
        let p = resolve("canonical").unwrap();
        assert_eq!(
            p.code(Field::IdType, "Hộ chiếu"),
            Ok(Some(Coded::IdKind(IdKind::Passport)))
        );
        assert_eq!(
            p.code(Field::Status, "Khóa 1 chiều"),
            Ok(Some(Coded::Status(crate::schema::Status::OneWayLocked)))
        );
        assert_eq!(p.code(Field::Gender, ""), Ok(None));
        assert_eq!(p.code(Field::Gender, "X"), Err(()));
        let custom = Profile::parse(
            "name='x'\n[columns]\n[fixed]\ncarrier='vnpt'\n[values.gender]\n'2' = 'female'\n",
            "x",
        )
        .unwrap();
        assert_eq!(custom.fixed_carrier.as_deref(), Some("VINAPHONE"));
        assert_eq!(
            custom.code(Field::Gender, "2"),
            Ok(Some(Coded::Sex(crate::ident::Sex::Female)))
        );
    }
}

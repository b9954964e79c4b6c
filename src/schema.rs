//! The canonical schema: the columns every input is mapped onto, and the coded values.

use crate::ident::{IdKind, Sex};

macro_rules! fields {
    ($($variant:ident = $name:literal, $required:literal;)*) => {
        /// A canonical column.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $($variant),* }
        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];
            pub fn name(self) -> &'static str { match self { $(Field::$variant => $name),* } }
            /// Required as a column (carrier may also come from the profile or `--carrier`).
            pub fn required(self) -> bool { match self { $(Field::$variant => $required),* } }
            pub fn parse(name: &str) -> Option<Field> { Field::ALL.iter().copied().find(|f| f.name() == name) }
        }
    };
}

fields! {
    Carrier = "carrier", true;
    Msisdn = "msisdn", true;
    SubscriberType = "subscriber_type", false;
    FullName = "full_name", true;
    DateOfBirth = "date_of_birth", true;
    Gender = "gender", false;
    IdType = "id_type", false;
    IdNumber = "id_number", true;
    IdIssueDate = "id_issue_date", false;
    IdIssuePlace = "id_issue_place", false;
    Nationality = "nationality", false;
    ActivationTime = "activation_time", true;
    Status = "status", false;
    PointId = "point_id", true;
    PointName = "point_name", false;
    PointType = "point_type", false;
    District = "district", false;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SubscriberType {
    #[default]
    Individual,
    Organisation,
    Device,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Status {
    #[default]
    Active,
    OneWayLocked,
    TwoWayLocked,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PointType {
    CarrierStore,
    Agent,
    Online,
    #[default]
    Unknown,
}

impl SubscriberType {
    /// Every variant, in declaration order (`ALL[v as usize] == v`).
    pub const ALL: [SubscriberType; 3] = [
        SubscriberType::Individual,
        SubscriberType::Organisation,
        SubscriberType::Device,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SubscriberType::Individual => "individual",
            SubscriberType::Organisation => "organisation",
            SubscriberType::Device => "device",
        }
    }
}

impl Status {
    /// Every variant, in declaration order (`ALL[v as usize] == v`).
    pub const ALL: [Status; 4] = [
        Status::Active,
        Status::OneWayLocked,
        Status::TwoWayLocked,
        Status::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::OneWayLocked => "one_way_locked",
            Status::TwoWayLocked => "two_way_locked",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn live(self) -> bool {
        self != Status::Cancelled
    }
}

impl PointType {
    /// Every type, in declaration order (`ALL[t as usize] == t`).
    pub const ALL: [PointType; 4] = [
        PointType::CarrierStore,
        PointType::Agent,
        PointType::Online,
        PointType::Unknown,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PointType::CarrierStore => "carrier_store",
            PointType::Agent => "agent",
            PointType::Online => "online",
            PointType::Unknown => "unknown",
        }
    }
}

/// A coded value as the value maps produce it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coded {
    SubscriberType(SubscriberType),
    Sex(Sex),
    IdKind(IdKind),
    Status(Status),
    PointType(PointType),
}

/// Canonical code words (English) of every coded column, for value maps written in profiles.
pub fn coded_from_canonical(field: Field, word: &str) -> Option<Coded> {
    use Coded as C;
    Some(match (field, word) {
        (Field::SubscriberType, "individual") => C::SubscriberType(SubscriberType::Individual),
        (Field::SubscriberType, "organisation") => C::SubscriberType(SubscriberType::Organisation),
        (Field::SubscriberType, "device") => C::SubscriberType(SubscriberType::Device),
        (Field::Gender, "male") => C::Sex(Sex::Male),
        (Field::Gender, "female") => C::Sex(Sex::Female),
        (Field::IdType, "CCCD") => C::IdKind(IdKind::Cccd),
        (Field::IdType, "CMND") => C::IdKind(IdKind::Cmnd),
        (Field::IdType, "PASSPORT") => C::IdKind(IdKind::Passport),
        (Field::IdType, "MST") => C::IdKind(IdKind::Mst),
        (Field::Status, "active") => C::Status(Status::Active),
        (Field::Status, "one_way_locked") => C::Status(Status::OneWayLocked),
        (Field::Status, "two_way_locked") => C::Status(Status::TwoWayLocked),
        (Field::Status, "cancelled") => C::Status(Status::Cancelled),
        (Field::PointType, "carrier_store") => C::PointType(PointType::CarrierStore),
        (Field::PointType, "agent") => C::PointType(PointType::Agent),
        (Field::PointType, "online") => C::PointType(PointType::Online),
        (Field::PointType, "unknown") => C::PointType(PointType::Unknown),
        _ => return None,
    })
}

/// The built-in Vietnamese and English spellings of coded values, as folded labels (see `fold_label`).
pub const BUILTIN_VALUES: &[(Field, &str, &str)] = &[
    (Field::SubscriberType, "individual", "individual"),
    (Field::SubscriberType, "canhan", "individual"),
    (Field::SubscriberType, "cn", "individual"),
    (Field::SubscriberType, "personal", "individual"),
    (Field::SubscriberType, "person", "individual"),
    (Field::SubscriberType, "organisation", "organisation"),
    (Field::SubscriberType, "organization", "organisation"),
    (Field::SubscriberType, "tochuc", "organisation"),
    (Field::SubscriberType, "tc", "organisation"),
    (Field::SubscriberType, "doanhnghiep", "organisation"),
    (Field::SubscriberType, "dn", "organisation"),
    (Field::SubscriberType, "enterprise", "organisation"),
    (Field::SubscriberType, "company", "organisation"),
    (Field::SubscriberType, "device", "device"),
    (Field::SubscriberType, "iot", "device"),
    (Field::SubscriberType, "m2m", "device"),
    (Field::SubscriberType, "thietbi", "device"),
    (Field::Gender, "male", "male"),
    (Field::Gender, "m", "male"),
    (Field::Gender, "nam", "male"),
    (Field::Gender, "1", "male"),
    (Field::Gender, "female", "female"),
    (Field::Gender, "f", "female"),
    (Field::Gender, "nu", "female"),
    (Field::Gender, "0", "female"),
    (Field::IdType, "cccd", "CCCD"),
    (Field::IdType, "cancuoc", "CCCD"),
    (Field::IdType, "cancuoccongdan", "CCCD"),
    (Field::IdType, "thecancuoc", "CCCD"),
    (Field::IdType, "thecancuoccongdan", "CCCD"),
    (Field::IdType, "cc", "CCCD"),
    (Field::IdType, "dinhdanhcanhan", "CCCD"),
    (Field::IdType, "cmnd", "CMND"),
    (Field::IdType, "chungminh", "CMND"),
    (Field::IdType, "chungminhnhandan", "CMND"),
    (Field::IdType, "giaychungminhnhandan", "CMND"),
    (Field::IdType, "cm", "CMND"),
    (Field::IdType, "passport", "PASSPORT"),
    (Field::IdType, "hochieu", "PASSPORT"),
    (Field::IdType, "hc", "PASSPORT"),
    (Field::IdType, "pp", "PASSPORT"),
    (Field::IdType, "mst", "MST"),
    (Field::IdType, "masothue", "MST"),
    (Field::IdType, "masodoanhnghiep", "MST"),
    (Field::IdType, "gpkd", "MST"),
    (Field::IdType, "dkkd", "MST"),
    (Field::IdType, "taxcode", "MST"),
    (Field::Status, "active", "active"),
    (Field::Status, "hoatdong", "active"),
    (Field::Status, "danghoatdong", "active"),
    (Field::Status, "onewaylocked", "one_way_locked"),
    (Field::Status, "khoa1chieu", "one_way_locked"),
    (Field::Status, "chan1chieu", "one_way_locked"),
    (Field::Status, "twowaylocked", "two_way_locked"),
    (Field::Status, "khoa2chieu", "two_way_locked"),
    (Field::Status, "chan2chieu", "two_way_locked"),
    (Field::Status, "cancelled", "cancelled"),
    (Field::Status, "canceled", "cancelled"),
    (Field::Status, "huy", "cancelled"),
    (Field::Status, "dahuy", "cancelled"),
    (Field::Status, "thuhoi", "cancelled"),
    (Field::PointType, "carrierstore", "carrier_store"),
    (Field::PointType, "store", "carrier_store"),
    (Field::PointType, "cuahang", "carrier_store"),
    (Field::PointType, "diemgiaodich", "carrier_store"),
    (
        Field::PointType,
        "diemgiaodichcuadoanhnghiep",
        "carrier_store",
    ),
    (Field::PointType, "gd", "carrier_store"),
    (Field::PointType, "agent", "agent"),
    (Field::PointType, "daily", "agent"),
    (Field::PointType, "diemuyquyen", "agent"),
    (Field::PointType, "dl", "agent"),
    (Field::PointType, "online", "online"),
    (Field::PointType, "app", "online"),
    (Field::PointType, "ekyc", "online"),
    (Field::PointType, "website", "online"),
    (Field::PointType, "tructuyen", "online"),
    (Field::PointType, "unknown", "unknown"),
];

/// Carrier spellings: anything else is kept as an upper-case code.
pub fn canonical_carrier(raw: &str) -> String {
    let folded = fold_label(raw);
    let known = match folded.as_str() {
        "viettel" | "vtl" => "VIETTEL",
        "vinaphone" | "vnpt" | "vina" | "vnp" => "VINAPHONE",
        "mobifone" | "mobi" | "vms" => "MOBIFONE",
        "vietnamobile" | "vnmobile" | "vnm" => "VIETNAMOBILE",
        "gmobile" | "gtel" | "beeline" => "GMOBILE",
        "itelecom" | "itel" => "ITELECOM",
        "reddi" => "REDDI",
        _ => return raw.trim().to_uppercase(),
    };
    known.to_string()
}

/// `VN` for every Vietnamese spelling; other values upper-cased as given.
pub fn canonical_nationality(raw: &str) -> String {
    match fold_label(raw).as_str() {
        "" => String::new(),
        "vn"
        | "vnm"
        | "vietnam"
        | "vietnamese"
        | "chxhcnvietnam"
        | "conghoaxahoichunghiavietnam" => "VN".into(),
        _ => raw.trim().to_uppercase(),
    }
}

/// Fold a header or code label: diacritics removed (đ→d), lower-cased, only letters and digits kept.
/// `Số thuê bao`, `SO_THUE_BAO` and `so thue bao` all fold to `sothuebao`.
pub fn fold_label(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter_map(|c| match c {
            'đ' | 'Đ' | 'Ð' | 'ð' => Some('d'),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold_label("Số thuê bao"), "sothuebao");
        assert_eq!(fold_label("SO_THUE_BAO"), "sothuebao");
        assert_eq!(fold_label("Khóa 1 chiều"), "khoa1chieu");
        assert_eq!(fold_label("Đại lý"), "daily");
        assert_eq!(canonical_carrier("VNPT"), "VINAPHONE");
        assert_eq!(canonical_carrier("itel"), "ITELECOM");
        assert_eq!(canonical_carrier("wintel"), "WINTEL");
        assert_eq!(canonical_nationality("Việt Nam"), "VN");
        assert_eq!(canonical_nationality("us"), "US");
    }

    #[test]
    fn builtin_values_name_canonical_words() {
        for (field, folded, word) in BUILTIN_VALUES {
            assert!(coded_from_canonical(*field, word).is_some(), "{word}");
            assert_eq!(fold_label(folded), *folded);
        }
    }
}

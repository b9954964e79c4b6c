//! The compact row model: every field is a small `Copy` spec that renders to the
//! exact text written for a layout, so planned rows cost ~100 bytes each.

use super::date::{Day, SECS_PER_DAY};
use super::names::NameSpec;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Layout {
    /// canonical English headers, comma, ISO dates
    A,
    /// SO_THUE_BAO…, semicolon, BOM, dd/mm/yyyy
    B,
    /// Vietnamese headers with diacritics, all quoted, d/m/yyyy
    C,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SubType {
    Individual,
    Organisation,
    Device,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Gender {
    Missing,
    Male,
    Female,
    /// a code no profile maps (DQ002)
    Bad,
}

impl Gender {
    pub(crate) fn of(female: bool) -> Gender {
        if female {
            Gender::Female
        } else {
            Gender::Male
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Status {
    Active,
    OneWay,
    TwoWay,
    Cancelled,
    Bad,
}

impl Status {
    pub(crate) fn live(self) -> bool {
        self != Status::Cancelled
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PointType {
    Unknown,
    Store,
    Agent,
    Online,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IdKind {
    Cccd,
    Cmnd,
    Passport,
    Mst,
}

/// A date field as written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DateSpec {
    Missing,
    Year(i32),
    Day(Day),
    /// an impossible calendar date such as 31/02/1990
    BadDay(i32, u32, u32),
    /// text that is no date
    BadText,
}

/// A date as the audit reads it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum DateVal {
    Missing,
    Bad,
    Year(i32),
    Day(Day),
}

impl DateSpec {
    pub(crate) fn val(self) -> DateVal {
        match self {
            DateSpec::Missing => DateVal::Missing,
            DateSpec::Year(y) => DateVal::Year(y),
            DateSpec::Day(d) => DateVal::Day(d),
            DateSpec::BadDay(..) | DateSpec::BadText => DateVal::Bad,
        }
    }
}

/// An activation time as written: seconds since 1970 (UTC-free local time).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ActSpec {
    Missing,
    At(i64),
    /// impossible date with a valid time of day (secs)
    BadDay(i32, u32, u32, u32),
    BadText,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ActVal {
    Missing,
    Bad,
    At(i64),
}

impl ActSpec {
    pub(crate) fn val(self) -> ActVal {
        match self {
            ActSpec::Missing => ActVal::Missing,
            ActSpec::At(t) => ActVal::At(t),
            ActSpec::BadDay(..) | ActSpec::BadText => ActVal::Bad,
        }
    }
    pub(crate) fn day(self) -> Option<Day> {
        match self {
            ActSpec::At(t) => Some(t.div_euclid(SECS_PER_DAY) as Day),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IdSpec {
    Empty,
    /// "-": empty once separators are removed (ID001)
    Dash,
    /// zero-padded to `len` digits
    Digits(u64, u8),
    /// `len` digits then one letter (ID002)
    DigitsLetter(u64, u8, u8),
    /// 10-digit tax code, optional 3-digit branch written `-NNN`
    Mst(u64, Option<u16>),
    /// letters (1 or 2) then `nd` digits
    Passport([u8; 2], u8, u64, u8),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MsisdnSpec {
    /// 9-digit national number after the trunk 0
    Mobile(u64),
    /// 11-digit pre-2018 form: old prefix (e.g. 166 for 0166) and 7 digits
    Legacy(u16, u32),
    /// written as these digits, zero-padded to `len` (not a mobile number)
    Raw(u64, u8),
    Empty,
}

/// How the record is laid out in the file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Shape {
    Normal,
    /// wrong field count: the audit rejects it (DQ001)
    Rejected,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Row {
    pub(crate) carrier: u8,
    pub(crate) sub: SubType,
    pub(crate) name: NameSpec,
    pub(crate) dob: DateSpec,
    pub(crate) gender: Gender,
    pub(crate) id_type: Option<IdKind>,
    pub(crate) id: IdSpec,
    pub(crate) issue: DateSpec,
    pub(crate) place: u8,
    /// None = VN; else index into FOREIGN
    pub(crate) foreign: Option<u8>,
    pub(crate) act: ActSpec,
    pub(crate) status: Status,
    /// index into the carrier's point table
    pub(crate) point: u32,
    pub(crate) msisdn: MsisdnSpec,
    pub(crate) shape: Shape,
}

/// A service point of one carrier.
pub(crate) struct Point {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) ptype: PointType,
    pub(crate) district: &'static str,
    pub(crate) role: Role,
    pub(crate) weight: u32,
    /// start offset of this point's day sequence
    pub(crate) day_off: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Role {
    /// registered, used by clean rows, plants and groups
    Ordinary,
    /// registered, hosts only planted bursts (PT001 and its near misses)
    Burst,
    /// missing from points.csv (PT004)
    Unregistered,
    /// the empty point id (PT005)
    Empty,
}

//! Building blocks shared by the planner and the per-file generators: people,
//! their documents and their numbers, always consistent unless a plant says otherwise.

use super::date::{add_years, age_at, from_ymd, no_feb29, year_of, Day, SECS_PER_DAY};
use super::ident::Alloc;
use super::model::*;
use super::names::{random_viet, NameSpec, NameWeights, VietName, NEW_TONE, UPPER};
use super::rng::Rng;
use super::tables::*;

/// First and last activation day (outputs of the generator stay in this range).
pub(crate) fn first_day() -> Day {
    from_ymd(2019, 1, 1)
}
pub(crate) fn last_day() -> Day {
    from_ymd(2026, 10, 31)
}
pub(crate) fn cmnd_end() -> Day {
    from_ymd(2025, 1, 1)
}
/// Cards for children under 14 exist only since the 2024 law took effect.
pub(crate) fn child_cards() -> Day {
    from_ymd(2024, 7, 1)
}

pub(crate) const HOUR: u32 = 3600;

/// Activation written for a layout: layout C keeps minutes only, so the value the
/// oracle sees is the value in the file.
pub(crate) fn at(layout: Layout, day: Day, secs: u32) -> ActSpec {
    let secs = if layout == Layout::C {
        secs - secs % 60
    } else {
        secs
    };
    ActSpec::At(day as i64 * SECS_PER_DAY + secs as i64)
}

/// A holder and the document they register with.
#[derive(Clone, Copy)]
pub(crate) struct Person {
    pub(crate) name: NameSpec,
    pub(crate) viet: Option<VietName>,
    pub(crate) female: bool,
    pub(crate) dob: Day,
    pub(crate) kind: IdKind,
    pub(crate) id: IdSpec,
    pub(crate) issue: Day,
    pub(crate) place: u8,
    pub(crate) foreign: Option<u8>,
}

pub(crate) struct Builder<'a> {
    pub(crate) rng: Rng,
    pub(crate) alloc: Alloc,
    pub(crate) t: &'a Tables,
    pub(crate) nw: NameWeights,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(rng: Rng, part: u64, t: &'a Tables) -> Builder<'a> {
        Builder {
            rng,
            alloc: Alloc::new(part),
            t,
            nw: NameWeights::new(),
        }
    }

    /// Birth-registration place: mostly Hưng Yên and Thái Bình, the rest anywhere.
    pub(crate) fn ppp(&mut self) -> u16 {
        match self.rng.below(100) {
            0..=44 => 33,
            45..=69 => 34,
            _ => self.rng.pick(&self.t.province_codes),
        }
    }

    /// A fresh 12-digit number for this place, birth year and sex (G and YY
    /// consistent unless the caller bends them).
    pub(crate) fn cccd_raw(&mut self, ppp: u16, g: u8, yy: u8) -> IdSpec {
        let mut ppp = ppp;
        loop {
            if let Some(v) = self.alloc.cccd(ppp, g, yy) {
                return IdSpec::Digits(v, 12);
            }
            // that place/year is used up in this partition: any other province will do
            ppp = self.rng.pick(&self.t.province_codes);
        }
    }

    pub(crate) fn cccd(&mut self, ppp: u16, dob: Day, female: bool) -> IdSpec {
        let (g, yy) = century_digit(year_of(dob), female);
        self.cccd_raw(ppp, g, yy)
    }

    /// Date of birth giving an age in `min..=max` at `day`, never 29 February.
    pub(crate) fn dob_for_age(&mut self, day: Day, min: i32, max: i32) -> Day {
        loop {
            let age = self.rng.range(min as i64, max as i64) as i32;
            let dob = no_feb29(add_years(day, -age) - self.rng.range(0, 364) as Day);
            let a = age_at(dob, day);
            if a >= min && a <= max {
                return dob;
            }
        }
    }

    /// A realistic adult age at activation, born 1940–2010.
    pub(crate) fn adult_dob(&mut self, day: Day) -> Day {
        loop {
            let dob = match self.rng.below(100) {
                0..=79 => self.dob_for_age(day, 18, 60),
                80..=87 => self.dob_for_age(day, 16, 17),
                _ => self.dob_for_age(day, 61, 84),
            };
            if (1940..=2010).contains(&year_of(dob)) {
                return dob;
            }
        }
    }

    pub(crate) fn viet_name(&mut self, female: bool) -> (NameSpec, VietName) {
        let v = random_viet(&mut self.rng, &self.nw, female);
        let style = match self.rng.below(100) {
            0..=29 => NEW_TONE,
            30..=33 => UPPER,
            _ => 0,
        };
        (NameSpec::Viet(v, style), v)
    }

    /// A clean Vietnamese holder activating on `day`; `cmnd_ok` allows an old 9-digit
    /// CMND (only before 2025). `ethnic` draws from the ethnic-minority names.
    pub(crate) fn vn_person(&mut self, day: Day, cmnd_ok: bool, ethnic: bool) -> Person {
        let (name, viet, female, ppp) = if ethnic {
            let i = self.rng.below(ETHNIC.len() as u64) as u8;
            let e = ETHNIC[i as usize];
            (NameSpec::Ethnic(i), None, e.1, e.2)
        } else {
            let female = self.rng.chance(0.5);
            let (name, v) = self.viet_name(female);
            (name, Some(v), female, self.ppp())
        };
        let dob = self.adult_dob(day);
        let mut p = Person {
            name,
            viet,
            female,
            dob,
            kind: IdKind::Cccd,
            id: IdSpec::Empty,
            issue: day,
            place: PLACE_CCCD,
            foreign: None,
        };
        if cmnd_ok && day < cmnd_end() && age_at(dob, day) >= 20 && self.rng.chance(0.12) {
            self.give_cmnd(&mut p, day, 14 * 365);
        } else {
            self.give_cccd(&mut p, ppp, day);
        }
        p
    }

    /// A 12-digit card issued less than two years before `day`: whatever milestone
    /// falls in between, the 2-year rule keeps it valid on `day` (no ID008).
    pub(crate) fn give_cccd(&mut self, p: &mut Person, ppp: u16, day: Day) {
        p.kind = IdKind::Cccd;
        p.id = self.cccd(ppp, p.dob, p.female);
        let earliest = add_years(p.dob, 14).max(day - 700);
        p.issue = day - self.rng.range(1, (day - earliest).max(1) as i64) as Day;
        p.place = if p.issue < from_ymd(2021, 7, 1) {
            PLACE_CCCD_OLD
        } else {
            PLACE_CCCD
        };
    }

    /// A 9-digit CMND issued at least 14 years after birth and at most `max_days`
    /// (< 15 years) before `day`.
    pub(crate) fn give_cmnd(&mut self, p: &mut Person, day: Day, max_days: i64) {
        p.kind = IdKind::Cmnd;
        p.id = IdSpec::Digits(self.alloc.cmnd(), 9);
        let earliest = (add_years(p.dob, 14) + 30).max(day - max_days as Day);
        p.issue = no_feb29(day - self.rng.range(30, (day - earliest).max(31) as i64) as Day);
        p.place = PLACE_CMND + self.rng.below(3) as u8;
    }

    pub(crate) fn foreign_person(&mut self, day: Day) -> Person {
        let i = self.rng.below(FOREIGN.len() as u64) as u8;
        let dob = self.dob_for_age(day, 20, 70);
        let (letter, digits) = self.alloc.passport();
        let earliest = add_years(dob, 18).max(day - 3000);
        let issue = day - self.rng.range(30, (day - earliest).max(31) as i64) as Day;
        Person {
            name: NameSpec::Foreign(i),
            viet: None,
            female: FOREIGN[i as usize].1,
            dob,
            kind: IdKind::Passport,
            id: IdSpec::Passport([letter, 0], 1, digits, 7),
            issue,
            place: PLACE_FOREIGN + i,
            foreign: Some(i),
        }
    }

    /// Live statuses for clean rows (cancelled rows are clean too).
    pub(crate) fn status(&mut self) -> Status {
        match self.rng.below(100) {
            0..=87 => Status::Active,
            88..=91 => Status::OneWay,
            92..=94 => Status::TwoWay,
            _ => Status::Cancelled,
        }
    }

    pub(crate) fn live_status(&mut self) -> Status {
        match self.rng.below(100) {
            0..=91 => Status::Active,
            92..=95 => Status::OneWay,
            _ => Status::TwoWay,
        }
    }

    /// Time of day inside business hours (06:00–21:59).
    pub(crate) fn business_secs(&mut self) -> u32 {
        self.rng.range(6 * HOUR as i64, 22 * HOUR as i64 - 1) as u32
    }

    /// Time of day well inside business hours, for planted groups.
    pub(crate) fn day_secs(&mut self) -> u32 {
        self.rng.range(7 * HOUR as i64, 21 * HOUR as i64 - 1) as u32
    }

    /// Off-hours but never within 10 minutes of midnight, so a burst window never
    /// spans two days.
    pub(crate) fn off_hours_secs(&mut self) -> u32 {
        if self.rng.chance(0.5) {
            self.rng.range(22 * HOUR as i64, 23 * HOUR as i64 + 49 * 60) as u32
        } else {
            self.rng.range(10 * 60, 6 * HOUR as i64 - 1) as u32
        }
    }
}

/// G and YY of a 12-digit number for a birth year and sex.
pub(crate) fn century_digit(year: i32, female: bool) -> (u8, u8) {
    let g = ((year - 1900).div_euclid(100) * 2) as u8 + female as u8;
    (g, year.rem_euclid(100) as u8)
}

/// A row for `p` activating at `act` at point `point`.
pub(crate) fn person_row(
    carrier: usize,
    p: &Person,
    act: ActSpec,
    status: Status,
    point: u32,
    msisdn: MsisdnSpec,
) -> Row {
    Row {
        carrier: carrier as u8,
        sub: SubType::Individual,
        name: p.name,
        dob: DateSpec::Day(p.dob),
        gender: Gender::of(p.female),
        id_type: Some(p.kind),
        id: p.id,
        issue: DateSpec::Day(p.issue),
        place: p.place,
        foreign: p.foreign,
        act,
        status,
        point,
        msisdn,
        shape: Shape::Normal,
    }
}

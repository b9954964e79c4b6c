//! Streams one carrier file: clean rows drawn on the fly, planted rows where the
//! plan put them, and the truth of every row from the oracle.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::build::*;
use super::date::{add_years, age_at, from_ymd, is_feb29, no_feb29, year_of, Day};
use super::ident::{digits_of, mst_check};
use super::model::*;
use super::names::{random_org, random_viet, Junk, NameSpec, OrgName, ASCII, UPPER};
use super::oracle::{row_rules, RowView, Scratch, DQ001};
#[cfg(test)]
use super::plan::GroupKind;
use super::plan::{day_count, Item, Plan, Token, CLEAN_CAP, DAY_MULT, EMPTY_CAP};
use super::rng::Rng;
use super::row::{write_header, write_record, Fields, F_ID, F_MSISDN, F_NAME, F_POINT_ID};
use super::tables::*;

/// What a row was made as (tests check plants against the truth).
#[cfg(test)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Meta {
    Clean,
    Token(Token),
    Group(GroupKind),
}

pub(crate) struct FileOut {
    /// (1-based row << 8) | rule bit
    pub(crate) truth: Vec<u64>,
    pub(crate) used: Vec<bool>,
    #[cfg(test)]
    pub(crate) meta: Vec<Meta>,
}

struct Picker {
    idx: Vec<u32>,
    cum: Vec<u64>,
}

impl Picker {
    fn new(points: &[Point], keep: impl Fn(&Point) -> bool) -> Picker {
        let mut idx = Vec::new();
        let mut cum = Vec::new();
        let mut total = 0;
        for (i, p) in points.iter().enumerate() {
            if keep(p) {
                total += p.weight.max(1) as u64;
                idx.push(i as u32);
                cum.push(total);
            }
        }
        Picker { idx, cum }
    }

    fn start(&self, rng: &mut Rng) -> usize {
        let x = rng.below(*self.cum.last().unwrap_or(&1));
        self.cum.partition_point(|&c| c <= x)
    }
}

#[derive(Clone, Copy)]
enum Which {
    All,
    Offline,
    Online,
    Unregistered,
}

struct Org {
    name: OrgName,
    mst: u64,
    branch: Option<u16>,
    reg: Day,
    base: u32,
    next: u32,
}

pub(crate) struct FileGen<'a> {
    b: Builder<'a>,
    plan: &'a Plan,
    c: usize,
    layout: Layout,
    points: &'a [Point],
    counters: Vec<u32>,
    used: Vec<bool>,
    all: Picker,
    offline: Picker,
    online: Picker,
    unreg: Picker,
    empty: u32,
    orgs: Vec<Org>,
    last_day_tokens: u32,
}

fn any_day(_: Day) -> bool {
    true
}

impl<'a> FileGen<'a> {
    pub(crate) fn new(plan: &'a Plan, c: usize, seed: u64, t: &'a Tables) -> FileGen<'a> {
        let points = &plan.points[c][..];
        let ordinary = |p: &Point| p.role == Role::Ordinary;
        let mut b = Builder::new(Rng::stream(seed, 0x100 + c as u64), c as u64, t);
        let n_orgs = (plan.files[c].rows * 55 / 1000 / 6).max(4);
        let offline = Picker::new(points, |p| ordinary(p) && p.ptype != PointType::Online);
        let orgs = (0..n_orgs)
            .map(|_| Org {
                name: random_org(&mut b.rng),
                mst: b.alloc.mst(),
                branch: if b.rng.chance(0.15) {
                    Some(1 + b.rng.below(30) as u16)
                } else {
                    None
                },
                reg: from_ymd(2000, 1, 1) + b.rng.below(6900) as Day,
                base: b.rng.below(offline.idx.len() as u64) as u32,
                next: 0,
            })
            .collect();
        FileGen {
            c,
            layout: plan.files[c].layout,
            points,
            counters: vec![0; points.len()],
            used: vec![false; points.len()],
            all: Picker::new(points, ordinary),
            offline,
            online: Picker::new(points, |p| ordinary(p) && p.ptype == PointType::Online),
            unreg: Picker::new(points, |p| p.role == Role::Unregistered),
            empty: points
                .iter()
                .position(|p| p.role == Role::Empty)
                .unwrap_or(0) as u32,
            orgs,
            last_day_tokens: 0,
            b,
            plan,
        }
    }

    fn picker(&self, w: Which) -> &Picker {
        match w {
            Which::All => &self.all,
            Which::Offline => &self.offline,
            Which::Online => &self.online,
            Which::Unregistered => &self.unreg,
        }
    }

    /// The point's next day in its scattered sequence that satisfies `ok`, or None
    /// once the point has had its cap of activations on every day.
    fn take_day(&mut self, p: u32, ok: &dyn Fn(Day) -> bool) -> Option<Day> {
        let nd = day_count();
        let point = &self.points[p as usize];
        let off = point.day_off as u64;
        let cap = if point.role == Role::Empty {
            EMPTY_CAP
        } else {
            CLEAN_CAP
        };
        loop {
            let k = self.counters[p as usize];
            if k >= cap * nd {
                return None;
            }
            self.counters[p as usize] += 1;
            let day = first_day() + ((DAY_MULT * k as u64 + off) % nd as u64) as Day;
            if ok(day) {
                return Some(day);
            }
        }
    }

    /// A weighted point from `w` with a day satisfying `ok` (probing on when full).
    fn slot(&mut self, w: Which, ok: &dyn Fn(Day) -> bool) -> (u32, Day) {
        let rng = &mut self.b.rng;
        let start = match w {
            Which::All => self.all.start(rng),
            Which::Offline => self.offline.start(rng),
            Which::Online => self.online.start(rng),
            Which::Unregistered => self.unreg.start(rng),
        };
        let n = self.picker(w).idx.len();
        for j in 0..n {
            let p = self.picker(w).idx[(start + j) % n];
            if let Some(d) = self.take_day(p, ok) {
                return (p, d);
            }
        }
        // Every point of this kind is full (impossible at the sizes make_points
        // chooses); fall back to any ordinary point so the file stays complete.
        let p = self.all.idx[0];
        (p, first_day())
    }

    fn mobile(&mut self, carrier: usize) -> MsisdnSpec {
        match self.b.alloc.mobile(carrier) {
            Some(n) => MsisdnSpec::Mobile(n),
            // this carrier's ranges are used up (only with absurd row counts): a
            // number of the largest carrier; the oracle then reports SB004
            None => MsisdnSpec::Mobile(self.b.alloc.mobile(0).unwrap_or(0)),
        }
    }

    fn at(&self, day: Day, secs: u32) -> ActSpec {
        at(self.layout, day, secs)
    }

    fn at_biz(&mut self, day: Day) -> ActSpec {
        let secs = self.b.business_secs();
        at(self.layout, day, secs)
    }

    fn individual(
        &mut self,
        w: Which,
        ok: &dyn Fn(Day) -> bool,
        status: Status,
    ) -> (Row, Person, Day) {
        self.individual_with(w, ok, status, true)
    }

    /// Same, always on a 12-digit card (for plants that rewrite its digits).
    fn individual_cccd(&mut self, status: Status) -> (Row, Person, Day) {
        self.individual_with(Which::All, &any_day, status, false)
    }

    fn individual_with(
        &mut self,
        w: Which,
        ok: &dyn Fn(Day) -> bool,
        status: Status,
        cmnd_ok: bool,
    ) -> (Row, Person, Day) {
        let (point, day) = self.slot(w, ok);
        let secs = self.b.business_secs();
        let p = self.b.vn_person(day, cmnd_ok, false);
        let act = self.at(day, secs);
        let msisdn = self.mobile(self.c);
        (person_row(self.c, &p, act, status, point, msisdn), p, day)
    }

    fn clean(&mut self) -> Row {
        let status = self.b.status();
        match self.b.rng.below(1000) {
            0..=29 => self.org_row(SubType::Organisation, status),
            30..=54 => self.org_row(SubType::Device, status),
            55..=62 => {
                let (point, day) = self.slot(Which::All, &any_day);
                let p = self.b.foreign_person(day);
                let act = self.at_biz(day);
                let msisdn = self.mobile(self.c);
                person_row(self.c, &p, act, status, point, msisdn)
            }
            63..=67 => self.ethnic(status),
            _ => self.individual(Which::All, &any_day, status).0,
        }
    }

    fn ethnic(&mut self, status: Status) -> Row {
        let (point, day) = self.slot(Which::All, &any_day);
        let p = self.b.vn_person(day, true, true);
        let act = self.at_biz(day);
        let msisdn = self.mobile(self.c);
        person_row(self.c, &p, act, status, point, msisdn)
    }

    /// An organisation's (or its devices') line. Each organisation walks the
    /// offline points in turn, so it never has two lines at one point: whatever
    /// an implementation does with organisations, PT003 cannot fire on them.
    fn org_row(&mut self, sub: SubType, status: Status) -> Row {
        let n_points = self.offline.idx.len() as u32;
        let start = self.b.rng.below(self.orgs.len() as u64) as usize;
        let mut chosen = None;
        for j in 0..self.orgs.len() {
            let o = (start + j) % self.orgs.len();
            if self.orgs[o].next < n_points {
                chosen = Some(o);
                break;
            }
        }
        let o = match chosen {
            Some(o) => o,
            None => {
                let org = Org {
                    name: random_org(&mut self.b.rng),
                    mst: self.b.alloc.mst(),
                    branch: None,
                    reg: from_ymd(2000, 1, 1) + self.b.rng.below(6900) as Day,
                    base: self.b.rng.below(n_points as u64) as u32,
                    next: 0,
                };
                self.orgs.push(org);
                self.orgs.len() - 1
            }
        };
        let org = &mut self.orgs[o];
        let p = self.offline.idx[((org.base + org.next) % n_points) as usize];
        org.next += 1;
        let (name, mst, branch, reg) = (org.name, org.mst, org.branch, org.reg);
        let (point, day) = match self.take_day(p, &any_day) {
            Some(d) => (p, d),
            None => self.slot(Which::Offline, &any_day),
        };
        let act = self.at_biz(day);
        let msisdn = self.mobile(self.c);
        Row {
            carrier: self.c as u8,
            sub,
            name: NameSpec::Org(name),
            dob: DateSpec::Missing,
            gender: Gender::Missing,
            id_type: Some(IdKind::Mst),
            id: IdSpec::Mst(mst, branch),
            issue: DateSpec::Day(reg),
            place: PLACE_MST + self.b.rng.below(3) as u8,
            foreign: None,
            act,
            status,
            point,
            msisdn,
            shape: Shape::Normal,
        }
    }

    fn token_status(&mut self) -> Status {
        if self.b.rng.chance(0.1) {
            Status::Cancelled
        } else {
            self.b.live_status()
        }
    }

    fn bad_day(&mut self, y: i32) -> (i32, u32, u32) {
        // impossible in dd/mm and in mm/dd order alike
        let (m, d) = self.b.rng.pick(&[
            (2, 30),
            (2, 31),
            (4, 31),
            (6, 31),
            (9, 31),
            (11, 31),
            (13, 15),
        ]);
        (y, m, d)
    }

    fn token(&mut self, token: Token) -> Row {
        let status = self.token_status();
        let c = self.c;
        match token {
            Token::Id001 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                r.id = if self.b.rng.chance(0.8) {
                    IdSpec::Empty
                } else {
                    IdSpec::Dash
                };
                r.issue = DateSpec::Missing;
                r.place = PLACE_NONE;
                r
            }
            Token::Id002 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                match self.b.rng.below(4) {
                    0 => {
                        r.id =
                            IdSpec::Digits(33 * 100_000_000 + self.b.alloc.junk(100_000_000, 8), 11)
                    }
                    1 => {
                        r.id_type = Some(IdKind::Cmnd);
                        r.id = IdSpec::Digits(
                            14 * 100_000_000 + self.b.alloc.junk(100_000_000, 8),
                            10,
                        );
                    }
                    2 => {
                        let letter = b'A' + self.b.rng.below(26) as u8;
                        r.id = IdSpec::DigitsLetter(
                            34 * 100_000_000 + self.b.alloc.junk(100_000_000, 8),
                            11,
                            letter,
                        );
                    }
                    _ => {
                        let day = r.act.day().unwrap_or(first_day());
                        let p = self.b.foreign_person(day);
                        let letter = b'B' + self.b.rng.below(10) as u8;
                        r = person_row(c, &p, r.act, status, r.point, r.msisdn);
                        r.id = IdSpec::Passport(
                            [letter, 0],
                            1,
                            self.b.alloc.junk(1_000_000_000, 9),
                            9,
                        );
                    }
                }
                r
            }
            Token::Id003 | Token::Id004 | Token::Id005 => {
                let (mut r, p, _) = self.individual_cccd(status);
                let (mut g, mut yy) = century_digit(year_of(p.dob), p.female);
                let mut ppp = self.b.ppp();
                match token {
                    Token::Id003 => {
                        ppp = self
                            .b
                            .rng
                            .pick(&[3u16, 5, 7, 9, 13, 97, 99, 100, 300, 500, 777])
                    }
                    Token::Id004 if g < 2 && self.b.rng.chance(0.2) => g += 2,
                    Token::Id004 => yy = (yy + self.b.rng.range(1, 5) as u8) % 100,
                    _ => g ^= 1,
                }
                r.id_type = Some(IdKind::Cccd);
                r.id = self.b.cccd_raw(ppp, g, yy);
                r
            }
            Token::Id007 => {
                let ok = |d: Day| d >= cmnd_end();
                let (point, day) = self.slot(Which::All, &ok);
                let mut p = self.b.vn_person(day, false, false);
                if age_at(p.dob, day) < 20 {
                    p.dob = self.b.dob_for_age(day, 25, 60);
                }
                self.b.give_cmnd(&mut p, day, 13 * 365);
                let act = self.at_biz(day);
                let msisdn = self.mobile(c);
                person_row(c, &p, act, status, point, msisdn)
            }
            Token::Id008 => {
                let (point, day) = self.slot(Which::All, &any_day);
                let female = self.b.rng.chance(0.5);
                let (name, v) = self.b.viet_name(female);
                let mut p = Person {
                    name,
                    viet: Some(v),
                    female,
                    dob: day,
                    kind: IdKind::Cccd,
                    id: IdSpec::Empty,
                    issue: day,
                    place: PLACE_CCCD,
                    foreign: None,
                };
                if day < cmnd_end() && self.b.rng.chance(0.5) {
                    // CMND issued more than 15 years ago
                    p.dob = self.b.dob_for_age(day, 35, 75);
                    p.kind = IdKind::Cmnd;
                    p.id = IdSpec::Digits(self.b.alloc.cmnd(), 9);
                    p.issue = no_feb29(add_years(day, -15) - self.b.rng.range(1, 1500) as Day);
                    p.place = PLACE_CMND;
                } else {
                    // 12-digit card past its milestone birthday
                    let m = self.b.rng.pick(&[25, 40, 60]);
                    let dob = no_feb29(add_years(day - self.b.rng.range(1, 400) as Day, -m));
                    let birthday = add_years(dob, m);
                    p.dob = dob;
                    p.issue = add_years(birthday, -2) - self.b.rng.range(30, 1200) as Day;
                    let ppp = self.b.ppp();
                    p.id = self.b.cccd(ppp, dob, female);
                }
                let act = self.at_biz(day);
                let msisdn = self.mobile(c);
                person_row(c, &p, act, status, point, msisdn)
            }
            Token::Id009 | Token::NmOrgDigits => {
                let mut r = self.org_row(SubType::Organisation, status);
                if let (Token::NmOrgDigits, NameSpec::Org(mut o)) = (token, r.name) {
                    o.special = self.b.rng.below(ORG_SPECIAL.len() as u64) as u8;
                    r.name = NameSpec::Org(o);
                    return r;
                }
                let mst = self.b.alloc.mst();
                r.id = match self.b.rng.below(3) {
                    0 => {
                        let wrong = (mst % 10 + 1 + self.b.rng.below(9)) % 10;
                        IdSpec::Mst(mst - mst % 10 + wrong, None)
                    }
                    1 => IdSpec::Mst(mst, Some(0)),
                    _ => {
                        let head = self.b.rng.pick(&[1u64, 9, 10, 3]);
                        let body = head * 10_000_000;
                        let check = mst_check(&digits_of(body, 9)[..9]).unwrap_or(0);
                        IdSpec::Mst(body * 10 + check as u64, None)
                    }
                };
                r
            }
            Token::Id010 => {
                let (point, day) = self.slot(Which::All, &any_day);
                let p = self.b.foreign_person(day);
                let act = self.at_biz(day);
                let msisdn = self.mobile(c);
                let mut r = person_row(c, &p, act, status, point, msisdn);
                let l1 = b'A' + self.b.rng.below(26) as u8;
                r.id = if self.b.rng.chance(0.5) {
                    let l2 = b'A' + self.b.rng.below(26) as u8;
                    IdSpec::Passport([l1, l2], 2, self.b.alloc.junk(10_000_000, 7), 7)
                } else {
                    IdSpec::Passport([l1, 0], 1, self.b.alloc.junk(100_000_000, 8), 8)
                };
                r
            }
            Token::Ps001 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                r.name = NameSpec::Empty;
                r
            }
            Token::Ps002 => {
                if self.b.rng.chance(0.1) {
                    let mut r = self.org_row(SubType::Organisation, status);
                    r.name = NameSpec::Placeholder(self.b.rng.pick(&[0u8, 1, 15, 16]));
                    return r;
                }
                let (mut r, p, _) = self.individual(Which::All, &any_day, status);
                let v = p
                    .viet
                    .unwrap_or_else(|| random_viet(&mut self.b.rng, &self.b.nw, p.female));
                r.name = match self.b.rng.below(6) {
                    0 | 1 => {
                        NameSpec::Placeholder(self.b.rng.below(PLACEHOLDER_NAMES.len() as u64) as u8)
                    }
                    2 => NameSpec::Junk(
                        v,
                        Junk::Digit(1 + self.b.rng.below(9) as u8, self.b.rng.chance(0.5)),
                    ),
                    3 => NameSpec::Junk(
                        v,
                        Junk::Symbol(self.b.rng.below(JUNK_SYMBOLS.len() as u64) as u8),
                    ),
                    4 => NameSpec::Junk(v, Junk::OneWord),
                    _ => NameSpec::Junk(v, Junk::Triple),
                };
                r
            }
            Token::Ps003 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                r.dob = DateSpec::Missing;
                r
            }
            Token::Ps004 => {
                let (point, day) = self.slot(Which::All, &any_day);
                let mut p = self.b.vn_person(day, false, false);
                let mut r;
                if day < cmnd_end() && self.b.rng.chance(0.5) {
                    // born before 1900, on an old 9-digit CMND
                    p.dob = no_feb29(from_ymd(1880, 1, 1) + self.b.rng.below(20 * 365) as Day);
                    self.b.give_cmnd(&mut p, day, 13 * 365);
                    let msisdn = self.mobile(c);
                    r = person_row(c, &p, self.at_biz(day), status, point, msisdn);
                } else {
                    // born after the activation (a typo in the year)
                    p.dob = no_feb29(day + self.b.rng.range(30, 1500) as Day);
                    let ppp = self.b.ppp();
                    p.id = self.b.cccd(ppp, p.dob, p.female);
                    let msisdn = self.mobile(c);
                    r = person_row(c, &p, self.at_biz(day), status, point, msisdn);
                    r.issue = DateSpec::Missing;
                    r.place = PLACE_NONE;
                }
                r
            }
            Token::Ps005 => {
                let ok = |d: Day| d >= child_cards() + 14;
                let (point, day) = self.slot(Which::All, &ok);
                let mut p = self.b.vn_person(day, false, false);
                p.dob = self.b.dob_for_age(day, 6, 13);
                let ppp = self.b.ppp();
                p.id = self.b.cccd(ppp, p.dob, p.female);
                p.issue = day - self.b.rng.range(1, (day - child_cards()) as i64) as Day;
                let msisdn = self.mobile(c);
                person_row(c, &p, self.at_biz(day), status, point, msisdn)
            }
            Token::Ps006 | Token::NmIssueSameDay => {
                let (mut r, _, day) = self.individual(Which::All, &any_day, status);
                let issue = if token == Token::Ps006 {
                    day + self.b.rng.range(10, 400) as Day
                } else {
                    day
                };
                r.issue = DateSpec::Day(issue);
                r
            }
            Token::Ps007 => {
                let (mut r, p, _) = self.individual(Which::All, &any_day, status);
                let mut v = random_viet(&mut self.b.rng, &self.b.nw, p.female);
                while !self.b.nw.listed(v.sur) {
                    v = random_viet(&mut self.b.rng, &self.b.nw, p.female);
                }
                let style = if self.b.rng.chance(0.1) {
                    ASCII | UPPER
                } else {
                    ASCII
                };
                r.name = NameSpec::Viet(v, style);
                r
            }
            Token::Sb001 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                r.msisdn = self.invalid_number();
                r
            }
            Token::Sb003 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                if let Some((old, rest)) = self.b.alloc.legacy(c) {
                    r.msisdn = MsisdnSpec::Legacy(old, rest);
                }
                r
            }
            Token::Sb004 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                let other = (c + 1 + self.b.rng.below(6) as usize) % 7;
                r.msisdn = self.mobile(other);
                r
            }
            Token::Pt002 => {
                let (mut r, _, day) = self.individual(Which::Offline, &any_day, status);
                let secs = self.b.off_hours_secs();
                r.act = self.at(day, secs);
                r
            }
            Token::NmOnlineLate => {
                let (mut r, _, day) = self.individual(Which::Online, &any_day, status);
                let secs = self.b.off_hours_secs();
                r.act = self.at(day, secs);
                r
            }
            Token::Nm2159 => {
                let (mut r, _, day) = self.individual(Which::Offline, &any_day, status);
                let secs = 21 * HOUR + 59 * 60 + self.b.rng.below(60) as u32;
                r.act = self.at(day, secs);
                r
            }
            // always live: rules.md's list of per-row rules that also cover cancelled
            // rows names PT002/5 but not PT004, so a cancelled one would be ambiguous
            Token::Pt004 => {
                let live = self.b.live_status();
                self.individual(Which::Unregistered, &any_day, live).0
            }
            Token::Pt005 => {
                let day = self.take_day(self.empty, &any_day).unwrap_or(first_day());
                let p = self.b.vn_person(day, true, false);
                let act = self.at_biz(day);
                let msisdn = self.mobile(c);
                person_row(c, &p, act, status, self.empty, msisdn)
            }
            Token::Dq001 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                r.shape = Shape::Rejected;
                r
            }
            Token::Dq002 => {
                let (mut r, p, day) = self.individual(Which::All, &any_day, status);
                match self.b.rng.below(7) {
                    6 => r.act = ActSpec::BadText,
                    0 => {
                        let (y, m, d) = self.bad_day(year_of(p.dob));
                        r.dob = DateSpec::BadDay(y, m, d);
                    }
                    1 => r.dob = DateSpec::BadText,
                    2 => {
                        let (y, m, d) = self.bad_day(year_of(p.issue));
                        r.issue = DateSpec::BadDay(y, m, d);
                    }
                    3 => {
                        let (y, m, d) = self.bad_day(year_of(day));
                        let secs = self.b.business_secs();
                        r.act = ActSpec::BadDay(y, m, d, secs);
                    }
                    4 => r.gender = Gender::Bad,
                    _ => r.status = Status::Bad,
                }
                r
            }
            Token::Dq004 => {
                let (mut r, ..) = self.individual(Which::All, &any_day, status);
                r.act = ActSpec::Missing;
                r
            }
            Token::NmYearDob => {
                let (point, day) = self.slot(Which::All, &any_day);
                let mut p = self.b.vn_person(day, false, false);
                p.dob = self.b.dob_for_age(day, 20, 70);
                let ppp = self.b.ppp();
                self.b.give_cccd(&mut p, ppp, day);
                let msisdn = self.mobile(c);
                let mut r = person_row(c, &p, self.at_biz(day), status, point, msisdn);
                r.dob = DateSpec::Year(year_of(p.dob));
                r
            }
            Token::NmAge14 => {
                let ok = |d: Day| d >= child_cards() + 14 && !is_feb29(d);
                let (point, day) = self.slot(Which::All, &ok);
                let mut p = self.b.vn_person(day, false, false);
                p.dob = add_years(day, -14);
                let ppp = self.b.ppp();
                p.id = self.b.cccd(ppp, p.dob, p.female);
                // issued shortly before the 14th birthday: valid until 25
                let earliest = child_cards().max(day - 600);
                p.issue = day - self.b.rng.range(1, (day - earliest) as i64) as Day;
                let msisdn = self.mobile(c);
                person_row(c, &p, self.at_biz(day), status, point, msisdn)
            }
            Token::NmEthnic => self.ethnic(status),
            Token::NmPlain => {
                let (mut r, p, _) = self.individual_cccd(status);
                let i = self.b.rng.below(PLAIN_OK.len() as u64) as u8;
                let female = PLAIN_OK[i as usize].1;
                r.name = NameSpec::PlainOk(i);
                r.gender = Gender::of(female);
                r.id_type = Some(IdKind::Cccd);
                let ppp = self.b.ppp();
                r.id = self.b.cccd(ppp, p.dob, female);
                r.dob = DateSpec::Day(p.dob);
                r
            }
            Token::NmDevice => {
                let mut r = self.org_row(SubType::Device, status);
                r.msisdn = self.invalid_number();
                r
            }
            Token::NmCardExtended => {
                let (point, day) = self.slot(Which::All, &any_day);
                let mut p = self.b.vn_person(day, false, false);
                let m = self.b.rng.pick(&[25, 40]);
                let birthday = day - self.b.rng.range(10, 300) as Day;
                p.dob = no_feb29(add_years(birthday, -m));
                let birthday = add_years(p.dob, m);
                p.issue = birthday - self.b.rng.range(30, 700) as Day;
                let ppp = self.b.ppp();
                p.id = self.b.cccd(ppp, p.dob, p.female);
                let msisdn = self.mobile(c);
                person_row(c, &p, self.at_biz(day), status, point, msisdn)
            }
            Token::NmCmndLastDay => {
                let n = self.offline.idx.len() as u32;
                let j = self.last_day_tokens;
                self.last_day_tokens += 1;
                let day = from_ymd(2024, 12, 31);
                // one such row per point at most: the day's cap stays ≤ 10
                let (point, day) = if j < n {
                    (self.offline.idx[j as usize], day)
                } else {
                    self.slot(Which::Offline, &|d| d < cmnd_end())
                };
                let mut p = self.b.vn_person(day, false, false);
                if age_at(p.dob, day) < 20 {
                    p.dob = self.b.dob_for_age(day, 25, 60);
                }
                self.b.give_cmnd(&mut p, day, 13 * 365);
                let msisdn = self.mobile(c);
                person_row(c, &p, self.at_biz(day), status, point, msisdn)
            }
        }
    }

    fn invalid_number(&mut self) -> MsisdnSpec {
        let (lead, rest) = MOBILE_BLOCKS[self.c][0];
        match self.b.rng.below(4) {
            // landline of Hưng Yên (0221) or Thái Bình (0227)
            0 => MsisdnSpec::Raw(
                self.b.rng.pick(&[221u64, 227]) * 10_000_000 + self.b.rng.below(10_000_000),
                11,
            ),
            // one digit short, own carrier's prefix
            1 => {
                let tail = 10u64.pow(rest - 1);
                let lead_len = if lead >= 100 { 3 } else { 2 };
                MsisdnSpec::Raw(
                    lead * tail + self.b.rng.below(tail),
                    (1 + lead_len + rest - 1) as u8,
                )
            }
            // 0992 is not a mobile range
            2 => MsisdnSpec::Raw(992 * 1_000_000 + self.b.rng.below(1_000_000), 10),
            _ => MsisdnSpec::Empty,
        }
    }

    pub(crate) fn run(mut self, dir: &Path) -> std::io::Result<FileOut> {
        let spec = &self.plan.files[self.c];
        let file = File::create(dir.join(&spec.name))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let mut line = Vec::with_capacity(1024);
        write_header(self.layout, &mut line);
        w.write_all(&line)?;
        let mut fields = Fields::default();
        let mut scratch = Scratch::default();
        let mut truth = Vec::new();
        #[cfg(test)]
        let mut meta = Vec::with_capacity(spec.rows);
        let items = &self.plan.items[self.c];
        let mut next = 0;
        for r in 0..spec.rows as u32 {
            let (row, cross) = match items.get(next) {
                Some(&(at_row, item)) if at_row == r => {
                    next += 1;
                    match item {
                        Item::Token(t) => {
                            #[cfg(test)]
                            meta.push(Meta::Token(t));
                            (self.token(t), 0)
                        }
                        Item::Group(g) => {
                            #[cfg(test)]
                            meta.push(Meta::Group(self.plan.group_kind[g as usize]));
                            (
                                self.plan.group_rows[g as usize],
                                self.plan.group_cross[g as usize],
                            )
                        }
                    }
                }
                _ => {
                    #[cfg(test)]
                    meta.push(Meta::Clean);
                    (self.clean(), 0)
                }
            };
            let point = &self.points[row.point as usize];
            self.used[row.point as usize] = true;
            fields.render(&row, self.layout, point);
            line.clear();
            let refs: [&str; 17] = std::array::from_fn(|i| fields.f[i].as_str());
            write_record(self.layout, &refs, row.shape, &mut line);
            w.write_all(&line)?;
            let mask = if row.shape == Shape::Rejected {
                DQ001
            } else {
                let view = RowView {
                    carrier: self.c,
                    sub: row.sub,
                    name: &fields.f[F_NAME],
                    dob: row.dob.val(),
                    gender: row.gender,
                    id_type: row.id_type,
                    id_raw: &fields.f[F_ID],
                    issue: row.issue.val(),
                    vn: row.foreign.is_none(),
                    act: row.act.val(),
                    status: row.status,
                    point_id: &fields.f[F_POINT_ID],
                    point_type: point.ptype,
                    registered: point.role != Role::Unregistered,
                    msisdn_raw: &fields.f[F_MSISDN],
                };
                row_rules(&view, self.b.t, &mut scratch) | cross
            };
            let mut m = mask;
            while m != 0 {
                let bit = m.trailing_zeros() as u64;
                truth.push(((r as u64 + 1) << 8) | bit);
                m &= m - 1;
            }
        }
        w.flush()?;
        Ok(FileOut {
            truth,
            used: self.used,
            #[cfg(test)]
            meta,
        })
    }
}

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

    /// A planted row: the token's status first, then the token's own plant.
    fn token(&mut self, token: Token) -> Row {
        let status = self.token_status();
        plant(token)(self, token, status)
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

/// Makes one planted row of a token, given the status drawn for it.
type Plant = fn(&mut FileGen, Token, Status) -> Row;

/// The plant of each token.
fn plant(token: Token) -> Plant {
    match token {
        Token::Id001 => id001,
        Token::Id002 => id002,
        Token::Id003 => id003_4_5,
        Token::Id004 => id003_4_5,
        Token::Id005 => id003_4_5,
        Token::Id007 => id007,
        Token::Id008 => id008,
        Token::Id009 => id009,
        Token::Id010 => id010,
        Token::Ps001 => ps001,
        Token::Ps002 => ps002,
        Token::Ps003 => ps003,
        Token::Ps004 => ps004,
        Token::Ps005 => ps005,
        Token::Ps006 => ps006_or_issue_same_day,
        Token::Ps007 => ps007,
        Token::Sb001 => sb001,
        Token::Sb003 => sb003,
        Token::Sb004 => sb004,
        Token::Pt002 => pt002,
        Token::Pt004 => pt004,
        Token::Pt005 => pt005,
        Token::Dq001 => dq001,
        Token::Dq002 => dq002,
        Token::Dq004 => dq004,
        Token::NmYearDob => nm_year_dob,
        Token::NmAge14 => nm_age14,
        Token::Nm2159 => nm_2159,
        Token::NmOnlineLate => nm_online_late,
        Token::NmEthnic => nm_ethnic,
        Token::NmPlain => nm_plain,
        Token::NmOrgDigits => nm_org_digits,
        Token::NmDevice => nm_device,
        Token::NmCardExtended => nm_card_extended,
        Token::NmCmndLastDay => nm_cmnd_last_day,
        Token::NmIssueSameDay => ps006_or_issue_same_day,
    }
}

/// ID001: an individual with no ID number (empty or a dash), issue date or place.
fn id001(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    r.id = if g.b.rng.chance(0.8) {
        IdSpec::Empty
    } else {
        IdSpec::Dash
    };
    r.issue = DateSpec::Missing;
    r.place = PLACE_NONE;
    r
}

/// ID002: an ID that does not fit its type (11 digits, 10-digit CMND, letter suffix, passport).
fn id002(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    match g.b.rng.below(4) {
        0 => r.id = IdSpec::Digits(33 * 100_000_000 + g.b.alloc.junk(100_000_000, 8), 11),
        1 => {
            r.id_type = Some(IdKind::Cmnd);
            r.id = IdSpec::Digits(14 * 100_000_000 + g.b.alloc.junk(100_000_000, 8), 10);
        }
        2 => {
            let letter = b'A' + g.b.rng.below(26) as u8;
            r.id = IdSpec::DigitsLetter(
                34 * 100_000_000 + g.b.alloc.junk(100_000_000, 8),
                11,
                letter,
            );
        }
        _ => {
            let day = r.act.day().unwrap_or(first_day());
            let p = g.b.foreign_person(day);
            let letter = b'B' + g.b.rng.below(10) as u8;
            r = person_row(c, &p, r.act, status, r.point, r.msisdn);
            r.id = IdSpec::Passport([letter, 0], 1, g.b.alloc.junk(1_000_000_000, 9), 9);
        }
    }
    r
}

/// ID003/ID004/ID005: a 12-digit card with a bad province, a wrong birth year or the other sex.
fn id003_4_5(g: &mut FileGen, token: Token, status: Status) -> Row {
    let (mut r, p, _) = g.individual_cccd(status);
    let (mut century, mut yy) = century_digit(year_of(p.dob), p.female);
    let mut ppp = g.b.ppp();
    match token {
        Token::Id003 => {
            ppp =
                g.b.rng
                    .pick(&[3u16, 5, 7, 9, 13, 97, 99, 100, 300, 500, 777])
        }
        Token::Id004 if century < 2 && g.b.rng.chance(0.2) => century += 2,
        Token::Id004 => yy = (yy + g.b.rng.range(1, 5) as u8) % 100,
        _ => century ^= 1,
    }
    r.id_type = Some(IdKind::Cccd);
    r.id = g.b.cccd_raw(ppp, century, yy);
    r
}

/// ID007: a 9-digit CMND used after its last valid day, 2024-12-31.
fn id007(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let ok = |d: Day| d >= cmnd_end();
    let (point, day) = g.slot(Which::All, &ok);
    let mut p = g.b.vn_person(day, false, false);
    if age_at(p.dob, day) < 20 {
        p.dob = g.b.dob_for_age(day, 25, 60);
    }
    g.b.give_cmnd(&mut p, day, 13 * 365);
    let act = g.at_biz(day);
    let msisdn = g.mobile(c);
    person_row(c, &p, act, status, point, msisdn)
}

/// ID008: an expired document (CMND over 15 years old, or a card past a milestone birthday).
fn id008(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let (point, day) = g.slot(Which::All, &any_day);
    let female = g.b.rng.chance(0.5);
    let (name, v) = g.b.viet_name(female);
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
    if day < cmnd_end() && g.b.rng.chance(0.5) {
        // CMND issued more than 15 years ago
        p.dob = g.b.dob_for_age(day, 35, 75);
        p.kind = IdKind::Cmnd;
        p.id = IdSpec::Digits(g.b.alloc.cmnd(), 9);
        p.issue = no_feb29(add_years(day, -15) - g.b.rng.range(1, 1500) as Day);
        p.place = PLACE_CMND;
    } else {
        // 12-digit card past its milestone birthday
        let m = g.b.rng.pick(&[25, 40, 60]);
        let dob = no_feb29(add_years(day - g.b.rng.range(1, 400) as Day, -m));
        let birthday = add_years(dob, m);
        p.dob = dob;
        p.issue = add_years(birthday, -2) - g.b.rng.range(30, 1200) as Day;
        let ppp = g.b.ppp();
        p.id = g.b.cccd(ppp, dob, female);
    }
    let act = g.at_biz(day);
    let msisdn = g.mobile(c);
    person_row(c, &p, act, status, point, msisdn)
}

/// ID009: an organisation's tax code with a wrong check digit, branch 000 or an all-zero serial.
fn id009(g: &mut FileGen, _: Token, status: Status) -> Row {
    let mut r = g.org_row(SubType::Organisation, status);
    let mst = g.b.alloc.mst();
    r.id = match g.b.rng.below(3) {
        0 => {
            let wrong = (mst % 10 + 1 + g.b.rng.below(9)) % 10;
            IdSpec::Mst(mst - mst % 10 + wrong, None)
        }
        1 => IdSpec::Mst(mst, Some(0)),
        _ => {
            let head = g.b.rng.pick(&[1u64, 9, 10, 3]);
            let body = head * 10_000_000;
            let check = mst_check(&digits_of(body, 9)[..9]).unwrap_or(0);
            IdSpec::Mst(body * 10 + check as u64, None)
        }
    };
    r
}

/// Near miss of PS002: an organisation name with digits or symbols (fine outside individuals).
fn nm_org_digits(g: &mut FileGen, _: Token, status: Status) -> Row {
    let mut r = g.org_row(SubType::Organisation, status);
    if let NameSpec::Org(mut o) = r.name {
        o.special = g.b.rng.below(ORG_SPECIAL.len() as u64) as u8;
        r.name = NameSpec::Org(o);
    }
    r
}

/// ID010: a foreigner's passport of 9 letters and digits, not the usual letter and 7 digits.
fn id010(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let (point, day) = g.slot(Which::All, &any_day);
    let p = g.b.foreign_person(day);
    let act = g.at_biz(day);
    let msisdn = g.mobile(c);
    let mut r = person_row(c, &p, act, status, point, msisdn);
    let l1 = b'A' + g.b.rng.below(26) as u8;
    r.id = if g.b.rng.chance(0.5) {
        let l2 = b'A' + g.b.rng.below(26) as u8;
        IdSpec::Passport([l1, l2], 2, g.b.alloc.junk(10_000_000, 7), 7)
    } else {
        IdSpec::Passport([l1, 0], 1, g.b.alloc.junk(100_000_000, 8), 8)
    };
    r
}

/// PS001: an individual with an empty name.
fn ps001(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    r.name = NameSpec::Empty;
    r
}

/// PS002: a placeholder or junk name (digit, symbol, one word, tripled letter).
fn ps002(g: &mut FileGen, _: Token, status: Status) -> Row {
    if g.b.rng.chance(0.1) {
        let mut r = g.org_row(SubType::Organisation, status);
        r.name = NameSpec::Placeholder(g.b.rng.pick(&[0u8, 1, 15, 16]));
        return r;
    }
    let (mut r, p, _) = g.individual(Which::All, &any_day, status);
    let v = p
        .viet
        .unwrap_or_else(|| random_viet(&mut g.b.rng, &g.b.nw, p.female));
    r.name = match g.b.rng.below(6) {
        0 | 1 => NameSpec::Placeholder(g.b.rng.below(PLACEHOLDER_NAMES.len() as u64) as u8),
        2 => NameSpec::Junk(
            v,
            Junk::Digit(1 + g.b.rng.below(9) as u8, g.b.rng.chance(0.5)),
        ),
        3 => NameSpec::Junk(
            v,
            Junk::Symbol(g.b.rng.below(JUNK_SYMBOLS.len() as u64) as u8),
        ),
        4 => NameSpec::Junk(v, Junk::OneWord),
        _ => NameSpec::Junk(v, Junk::Triple),
    };
    r
}

/// PS003: an individual with no date of birth.
fn ps003(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    r.dob = DateSpec::Missing;
    r
}

/// PS004: an implausible date of birth (before 1900 on an old CMND, or after the activation).
fn ps004(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let (point, day) = g.slot(Which::All, &any_day);
    let mut p = g.b.vn_person(day, false, false);
    let mut r;
    if day < cmnd_end() && g.b.rng.chance(0.5) {
        // born before 1900, on an old 9-digit CMND
        p.dob = no_feb29(from_ymd(1880, 1, 1) + g.b.rng.below(20 * 365) as Day);
        g.b.give_cmnd(&mut p, day, 13 * 365);
        let msisdn = g.mobile(c);
        r = person_row(c, &p, g.at_biz(day), status, point, msisdn);
    } else {
        // born after the activation (a typo in the year)
        p.dob = no_feb29(day + g.b.rng.range(30, 1500) as Day);
        let ppp = g.b.ppp();
        p.id = g.b.cccd(ppp, p.dob, p.female);
        let msisdn = g.mobile(c);
        r = person_row(c, &p, g.at_biz(day), status, point, msisdn);
        r.issue = DateSpec::Missing;
        r.place = PLACE_NONE;
    }
    r
}

/// PS005: a holder under 14 at activation, on a child's 12-digit card.
fn ps005(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let ok = |d: Day| d >= child_cards() + 14;
    let (point, day) = g.slot(Which::All, &ok);
    let mut p = g.b.vn_person(day, false, false);
    p.dob = g.b.dob_for_age(day, 6, 13);
    let ppp = g.b.ppp();
    p.id = g.b.cccd(ppp, p.dob, p.female);
    p.issue = day - g.b.rng.range(1, (day - child_cards()) as i64) as Day;
    let msisdn = g.mobile(c);
    person_row(c, &p, g.at_biz(day), status, point, msisdn)
}

/// PS006: an issue date after the activation; NmIssueSameDay (near miss): on the activation day.
fn ps006_or_issue_same_day(g: &mut FileGen, token: Token, status: Status) -> Row {
    let (mut r, _, day) = g.individual(Which::All, &any_day, status);
    let issue = if token == Token::Ps006 {
        day + g.b.rng.range(10, 400) as Day
    } else {
        day
    };
    r.issue = DateSpec::Day(issue);
    r
}

/// PS007: a name written without diacritics whose surname carries them.
fn ps007(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, p, _) = g.individual(Which::All, &any_day, status);
    let mut v = random_viet(&mut g.b.rng, &g.b.nw, p.female);
    while !g.b.nw.listed(v.sur) {
        v = random_viet(&mut g.b.rng, &g.b.nw, p.female);
    }
    let style = if g.b.rng.chance(0.1) {
        ASCII | UPPER
    } else {
        ASCII
    };
    r.name = NameSpec::Viet(v, style);
    r
}

/// SB001: an individual's number that is no mobile number (landline, too short, 0992, empty).
fn sb001(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    r.msisdn = g.invalid_number();
    r
}

/// SB003: a legacy 11-digit number of the own carrier.
fn sb003(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    if let Some((old, rest)) = g.b.alloc.legacy(c) {
        r.msisdn = MsisdnSpec::Legacy(old, rest);
    }
    r
}

/// SB004: a mobile number of another carrier's range.
fn sb004(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    let other = (c + 1 + g.b.rng.below(6) as usize) % 7;
    r.msisdn = g.mobile(other);
    r
}

/// PT002: an offline activation outside 06:00–22:00.
fn pt002(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, _, day) = g.individual(Which::Offline, &any_day, status);
    let secs = g.b.off_hours_secs();
    r.act = g.at(day, secs);
    r
}

/// Near miss of PT002: an online activation at night (PT002 spares online points).
fn nm_online_late(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, _, day) = g.individual(Which::Online, &any_day, status);
    let secs = g.b.off_hours_secs();
    r.act = g.at(day, secs);
    r
}

/// Near miss of PT002: an offline activation at 21:59.
fn nm_2159(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, _, day) = g.individual(Which::Offline, &any_day, status);
    let secs = 21 * HOUR + 59 * 60 + g.b.rng.below(60) as u32;
    r.act = g.at(day, secs);
    r
}

/// PT004: an activation at an unregistered point.
fn pt004(g: &mut FileGen, _: Token, _: Status) -> Row {
    // always live: the per-row rules that also cover cancelled
    // rows names PT002/5 but not PT004, so a cancelled one would be ambiguous
    let live = g.b.live_status();
    g.individual(Which::Unregistered, &any_day, live).0
}

/// PT005: an activation with an empty point ID.
fn pt005(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let day = g.take_day(g.empty, &any_day).unwrap_or(first_day());
    let p = g.b.vn_person(day, true, false);
    let act = g.at_biz(day);
    let msisdn = g.mobile(c);
    person_row(c, &p, act, status, g.empty, msisdn)
}

/// DQ001: a record with the wrong field count, which the audit rejects.
fn dq001(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    r.shape = Shape::Rejected;
    r
}

/// DQ002: an unparseable date, gender or status.
fn dq002(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, p, day) = g.individual(Which::All, &any_day, status);
    match g.b.rng.below(7) {
        6 => r.act = ActSpec::BadText,
        0 => {
            let (y, m, d) = g.bad_day(year_of(p.dob));
            r.dob = DateSpec::BadDay(y, m, d);
        }
        1 => r.dob = DateSpec::BadText,
        2 => {
            let (y, m, d) = g.bad_day(year_of(p.issue));
            r.issue = DateSpec::BadDay(y, m, d);
        }
        3 => {
            let (y, m, d) = g.bad_day(year_of(day));
            let secs = g.b.business_secs();
            r.act = ActSpec::BadDay(y, m, d, secs);
        }
        4 => r.gender = Gender::Bad,
        _ => r.status = Status::Bad,
    }
    r
}

/// DQ004: a record with no activation time.
fn dq004(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, ..) = g.individual(Which::All, &any_day, status);
    r.act = ActSpec::Missing;
    r
}

/// Near miss of PS003/ID004: a year-only date of birth matching the card.
fn nm_year_dob(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let (point, day) = g.slot(Which::All, &any_day);
    let mut p = g.b.vn_person(day, false, false);
    p.dob = g.b.dob_for_age(day, 20, 70);
    let ppp = g.b.ppp();
    g.b.give_cccd(&mut p, ppp, day);
    let msisdn = g.mobile(c);
    let mut r = person_row(c, &p, g.at_biz(day), status, point, msisdn);
    r.dob = DateSpec::Year(year_of(p.dob));
    r
}

/// Near miss of PS005: activated on the 14th birthday, on a card still valid.
fn nm_age14(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let ok = |d: Day| d >= child_cards() + 14 && !is_feb29(d);
    let (point, day) = g.slot(Which::All, &ok);
    let mut p = g.b.vn_person(day, false, false);
    p.dob = add_years(day, -14);
    let ppp = g.b.ppp();
    p.id = g.b.cccd(ppp, p.dob, p.female);
    // issued shortly before the 14th birthday: valid until 25
    let earliest = child_cards().max(day - 600);
    p.issue = day - g.b.rng.range(1, (day - earliest) as i64) as Day;
    let msisdn = g.mobile(c);
    person_row(c, &p, g.at_biz(day), status, point, msisdn)
}

/// Near miss of PS002: an ethnic-minority name (apostrophes and unusual syllables are genuine).
fn nm_ethnic(g: &mut FileGen, _: Token, status: Status) -> Row {
    g.ethnic(status)
}

/// Near miss of PS007: a name without diacritics whose surname is not on its list.
fn nm_plain(g: &mut FileGen, _: Token, status: Status) -> Row {
    let (mut r, p, _) = g.individual_cccd(status);
    let i = g.b.rng.below(PLAIN_OK.len() as u64) as u8;
    let female = PLAIN_OK[i as usize].1;
    r.name = NameSpec::PlainOk(i);
    r.gender = Gender::of(female);
    r.id_type = Some(IdKind::Cccd);
    let ppp = g.b.ppp();
    r.id = g.b.cccd(ppp, p.dob, female);
    r.dob = DateSpec::Day(p.dob);
    r
}

/// Near miss of SB001: an IoT device line without a mobile number (SB001 exempts devices).
fn nm_device(g: &mut FileGen, _: Token, status: Status) -> Row {
    let mut r = g.org_row(SubType::Device, status);
    r.msisdn = g.invalid_number();
    r
}

/// Near miss of ID008: a card issued within 2 years before a milestone, used after it.
fn nm_card_extended(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let (point, day) = g.slot(Which::All, &any_day);
    let mut p = g.b.vn_person(day, false, false);
    let m = g.b.rng.pick(&[25, 40]);
    let birthday = day - g.b.rng.range(10, 300) as Day;
    p.dob = no_feb29(add_years(birthday, -m));
    let birthday = add_years(p.dob, m);
    p.issue = birthday - g.b.rng.range(30, 700) as Day;
    let ppp = g.b.ppp();
    p.id = g.b.cccd(ppp, p.dob, p.female);
    let msisdn = g.mobile(c);
    person_row(c, &p, g.at_biz(day), status, point, msisdn)
}

/// Near miss of ID007: a 9-digit CMND used on its last valid day, 2024-12-31.
fn nm_cmnd_last_day(g: &mut FileGen, _: Token, status: Status) -> Row {
    let c = g.c;
    let n = g.offline.idx.len() as u32;
    let j = g.last_day_tokens;
    g.last_day_tokens += 1;
    let day = from_ymd(2024, 12, 31);
    // one such row per point at most: the day's cap stays ≤ 10
    let (point, day) = if j < n {
        (g.offline.idx[j as usize], day)
    } else {
        g.slot(Which::Offline, &|d| d < cmnd_end())
    };
    let mut p = g.b.vn_person(day, false, false);
    if age_at(p.dob, day) < 20 {
        p.dob = g.b.dob_for_age(day, 25, 60);
    }
    g.b.give_cmnd(&mut p, day, 13 * 365);
    let msisdn = g.mobile(c);
    person_row(c, &p, g.at_biz(day), status, point, msisdn)
}

//! The plan made before any file is written: files and their sizes, service
//! points, cross-record groups (built in full, their truth computed by the oracle)
//! and where every planted row goes.

use super::build::*;
use super::date::{age_at, from_ymd, no_feb29, year_of, Day};
use super::ident::{id_key, normalize_msisdn, render_id, render_msisdn, FxMap, PLANNER_PART};
use super::model::*;
use super::names::{name_key, render_name, NameSpec, NEW_TONE, UPPER};
use super::oracle::{cross_rules, XRow};
use super::rng::{scatter, Rng};
use super::tables::*;

/// Per-row plants. Each gets a row of its own with fresh, unique keys.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum Token {
    Id001,
    Id002,
    Id003,
    Id004,
    Id005,
    Id007,
    Id008,
    Id009,
    Id010,
    Ps001,
    Ps002,
    Ps003,
    Ps004,
    Ps005,
    Ps006,
    Ps007,
    Sb001,
    Sb003,
    Sb004,
    Pt002,
    Pt004,
    Pt005,
    Dq001,
    Dq002,
    Dq004,
    /// year-only date of birth matching the card
    NmYearDob,
    /// activated on the 14th birthday
    NmAge14,
    /// activated at 21:59
    Nm2159,
    /// online channel at night (PT002 spares online points)
    NmOnlineLate,
    NmEthnic,
    /// names without diacritics whose surname is not on PS007's list
    NmPlain,
    NmOrgDigits,
    /// IoT line without a mobile number (SB001 exempts devices)
    NmDevice,
    /// card issued within 2 years before a milestone, used after it
    NmCardExtended,
    /// 9-digit CMND on its last valid day, 2024-12-31
    NmCmndLastDay,
    /// issued on the activation day
    NmIssueSameDay,
}

/// Share of rows per plant.
pub(crate) const TOKEN_RATES: &[(Token, f64)] = &[
    (Token::Id001, 0.005),
    (Token::Id002, 0.005),
    (Token::Id003, 0.005),
    (Token::Id004, 0.006),
    (Token::Id005, 0.005),
    (Token::Id007, 0.005),
    (Token::Id008, 0.006),
    (Token::Id009, 0.005),
    (Token::Id010, 0.005),
    (Token::Ps001, 0.005),
    (Token::Ps002, 0.007),
    (Token::Ps003, 0.005),
    (Token::Ps004, 0.005),
    (Token::Ps005, 0.005),
    (Token::Ps006, 0.005),
    (Token::Ps007, 0.008),
    (Token::Sb001, 0.006),
    (Token::Sb003, 0.006),
    (Token::Sb004, 0.008),
    (Token::Pt002, 0.006),
    (Token::Pt004, 0.005),
    (Token::Pt005, 0.005),
    (Token::Dq001, 0.005),
    (Token::Dq002, 0.007),
    (Token::Dq004, 0.005),
    (Token::NmYearDob, 0.001),
    (Token::NmAge14, 0.0005),
    (Token::Nm2159, 0.001),
    (Token::NmOnlineLate, 0.0005),
    (Token::NmEthnic, 0.0005),
    (Token::NmPlain, 0.0005),
    (Token::NmOrgDigits, 0.0005),
    (Token::NmDevice, 0.0005),
    (Token::NmCardExtended, 0.0005),
    (Token::NmCmndLastDay, 0.0002),
    (Token::NmIssueSameDay, 0.0005),
];

/// Cross-record plants: groups closed under every key the rules group by.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum GroupKind {
    Sb002,
    /// same number twice, one row cancelled
    Sb002Cancelled,
    Xr001,
    Xr002,
    Xr003,
    Xr004,
    Pt003,
    Burst,
    /// exactly 10 activations in 10 minutes
    Burst10,
    /// 11 activations at s, s+1 min, …, s+10 min: no half-open window holds 11
    BurstSpan,
    /// 10 live + 1 cancelled in 5 minutes
    BurstCancelled,
    /// 3 live at one carrier (2 at one point)
    Three,
    /// 3 live + 1 cancelled at one carrier
    ThreePlusCancelled,
    /// one holder, names differing only in case and tone placement
    Tone,
    /// many people behind one placeholder ID number (ID006 and its consequences)
    Placeholder,
}

/// (kind, share of rows in such groups, typical group size)
const GROUP_RATES: &[(GroupKind, f64, f64)] = &[
    (GroupKind::Sb002, 0.006, 2.3),
    (GroupKind::Sb002Cancelled, 0.001, 2.0),
    (GroupKind::Xr001, 0.008, 6.0),
    (GroupKind::Xr002, 0.006, 5.0),
    (GroupKind::Xr003, 0.006, 11.0),
    (GroupKind::Xr004, 0.006, 3.0),
    (GroupKind::Pt003, 0.005, 5.0),
    (GroupKind::Burst, 0.012, 14.0),
    (GroupKind::Burst10, 0.0005, 10.0),
    (GroupKind::BurstSpan, 0.0005, 11.0),
    (GroupKind::BurstCancelled, 0.0005, 11.0),
    (GroupKind::Three, 0.002, 3.0),
    (GroupKind::ThreePlusCancelled, 0.002, 4.0),
    (GroupKind::Tone, 0.002, 2.5),
];
const PLACEHOLDER_RATE: f64 = 0.004;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Item {
    Token(Token),
    Group(u32),
}

pub(crate) struct FileSpec {
    pub(crate) carrier: usize,
    pub(crate) layout: Layout,
    pub(crate) rows: usize,
    pub(crate) name: String,
}

pub(crate) struct Plan {
    pub(crate) files: Vec<FileSpec>,
    pub(crate) points: Vec<Vec<Point>>,
    pub(crate) group_rows: Vec<Row>,
    pub(crate) group_cross: Vec<u64>,
    #[cfg(test)]
    pub(crate) group_kind: Vec<GroupKind>,
    /// per file: (0-based row, item), sorted by row
    pub(crate) items: Vec<Vec<(u32, Item)>>,
    /// points used by planned group rows
    pub(crate) used: Vec<Vec<bool>>,
}

/// Days in the activation range and the day-sequence multiplier: each point walks
/// the days in a scattered order, k-th activation on day (MULT·k + off) mod ND.
pub(crate) fn day_count() -> u32 {
    (last_day() - first_day() + 1) as u32
}
pub(crate) const DAY_MULT: u64 = 1_009;
/// Clean and per-row plant activations per point and day (≤ 4) plus planted group
/// rows per point and day (≤ 5) stay ≤ 10 < burst_max + 1, and NmCmndLastDay adds at
/// most one: no ordinary point can ever show more than 10 activations in a day,
/// hence no PT001 outside the planted bursts.
pub(crate) const CLEAN_CAP: u32 = 4;
/// The empty point id hosts only PT005 rows (never groups): up to 10 a day, so
/// even an audit that treats "" as a point sees no burst there.
pub(crate) const EMPTY_CAP: u32 = 10;
const GROUP_CAP: u8 = 5;
/// Bursts per dedicated burst point (each on its own day).
const BURSTS_PER_POINT: u32 = 300;

pub(crate) fn layout_of(i: usize) -> Layout {
    [Layout::A, Layout::B, Layout::C][i % 3]
}

fn split_rows(rows: usize, k: usize) -> Vec<usize> {
    let total: u64 = CARRIER_WEIGHTS[..k].iter().sum();
    let mut sizes: Vec<usize> = CARRIER_WEIGHTS[..k]
        .iter()
        .map(|&w| (rows as u128 * w as u128 / total as u128) as usize)
        .collect();
    let rest = rows - sizes.iter().sum::<usize>();
    sizes[0] += rest;
    sizes
}

struct PointMaker {
    rng: Rng,
    next: u32,
    width: usize,
    /// per carrier, so two carriers' codes differ (a code may still repeat
    /// across carriers: a point is the pair carrier + code)
    salt: u64,
}

impl PointMaker {
    fn number(&mut self) -> u32 {
        let n = 10u64.pow(self.width as u32);
        let v = scatter(self.next as u64, n - 1, self.salt) as u32 + 1;
        self.next += 1;
        v
    }

    fn district(&mut self) -> (&'static str, &'static str) {
        if self.rng.chance(0.7) {
            ("HY", self.rng.pick(DISTRICTS_HY))
        } else {
            ("TB", self.rng.pick(DISTRICTS_TB))
        }
    }

    fn physical(&mut self, c: usize, ptype: PointType, role: Role) -> Point {
        let (region, district) = self.district();
        let id = format!("{}-{:0w$}", region, self.number(), w = self.width);
        let name = match ptype {
            PointType::Store => format!("Cửa hàng {} {}", CARRIER_BRAND[c], district),
            _ => {
                let who = self.rng.pick(AGENT_NAMES);
                match self.rng.below(50) {
                    // a quoted line break inside a field must not start a new record
                    0 => format!("Đại lý {}\nThôn 3, {}", who, district),
                    1..=5 => format!("Đại lý {}, {}", who, district),
                    6..=15 => format!("ĐL {}", who),
                    _ => format!("Đại lý {}", who),
                }
            }
        };
        Point {
            id,
            name,
            ptype,
            district,
            role,
            weight: match ptype {
                PointType::Store => 3,
                _ => 1 + self.rng.below(2) as u32,
            },
            day_off: self.rng.below(day_count() as u64) as u32,
        }
    }
}

fn make_points(seed: u64, c: usize, rows: usize) -> (Vec<Point>, PointMaker) {
    let n_ord = (rows / 1500).clamp(20, 60_000);
    let n_online = (n_ord / 20).max(2);
    // keep in step with the PT004 room in Plan::build
    let n_unreg = 2 + rows / 300_000;
    let width = if n_ord + n_unreg + 200 < 8000 { 4 } else { 5 };
    let mut pm = PointMaker {
        rng: Rng::stream(seed, 0x9000 + c as u64),
        next: 0,
        width,
        salt: seed ^ (c as u64 + 1).wrapping_mul(0x9E37_79B9),
    };
    let mut points = Vec::new();
    for _ in 0..n_ord {
        let ptype = if pm.rng.chance(0.12) {
            PointType::Store
        } else {
            PointType::Agent
        };
        points.push(pm.physical(c, ptype, Role::Ordinary));
    }
    for i in 0..n_online {
        points.push(Point {
            id: format!("ONL-{:02}", i + 1),
            name: if i % 2 == 0 {
                format!("Ứng dụng {}", CARRIER_APP[c])
            } else {
                format!("Website {}", CARRIER_BRAND[c])
            },
            ptype: PointType::Online,
            district: "",
            role: Role::Ordinary,
            weight: 3,
            day_off: pm.rng.below(day_count() as u64) as u32,
        });
    }
    for _ in 0..n_unreg {
        points.push(pm.physical(c, PointType::Agent, Role::Unregistered));
    }
    points.push(Point {
        id: String::new(),
        name: String::new(),
        ptype: PointType::Unknown,
        district: "",
        role: Role::Empty,
        weight: 0,
        day_off: pm.rng.below(day_count() as u64) as u32,
    });
    (points, pm)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Offline,
    Online,
    At(u32),
}

struct Ctx<'a> {
    b: Builder<'a>,
    files: Vec<FileSpec>,
    points: Vec<Vec<Point>>,
    makers: Vec<PointMaker>,
    offline: Vec<Vec<u32>>,
    online: Vec<Vec<u32>>,
    caps: FxMap<u64, u8>,
    budget: Vec<usize>,
    bursts: Vec<Vec<(u32, u32)>>,
    rows: Vec<Row>,
    cross: Vec<u64>,
    kinds: Vec<GroupKind>,
    members: Vec<Vec<u32>>,
    used: Vec<Vec<bool>>,
}

impl Plan {
    pub(crate) fn build(
        rows: usize,
        seed: u64,
        carriers: usize,
        profile: super::Profile,
        t: &Tables,
    ) -> Plan {
        let rates = profile.rates();
        let sizes = split_rows(rows, carriers);
        let files: Vec<FileSpec> = sizes
            .iter()
            .enumerate()
            .map(|(c, &n)| FileSpec {
                carrier: c,
                layout: layout_of(c),
                rows: n,
                name: format!("{}.csv", CARRIERS[c].to_lowercase()),
            })
            .collect();
        let mut points = Vec::new();
        let mut makers = Vec::new();
        for f in &files {
            let (p, m) = make_points(seed, f.carrier, f.rows);
            points.push(p);
            makers.push(m);
        }
        let select = |pts: &Vec<Point>, online: bool| {
            pts.iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.role == Role::Ordinary && (p.ptype == PointType::Online) == online
                })
                .map(|(i, _)| i as u32)
                .collect::<Vec<u32>>()
        };
        let offline = points.iter().map(|p| select(p, false)).collect();
        let online = points.iter().map(|p| select(p, true)).collect();
        let used = points.iter().map(|p| vec![false; p.len()]).collect();
        let mut ctx = Ctx {
            b: Builder::new(Rng::stream(seed, 0x5EED), PLANNER_PART, t),
            budget: files
                .iter()
                .map(|f| f.rows * rates.group_room / 100)
                .collect(),
            members: vec![Vec::new(); files.len()],
            files,
            points,
            makers,
            offline,
            online,
            caps: FxMap::default(),
            bursts: vec![Vec::new(); carriers],
            rows: Vec::new(),
            cross: Vec::new(),
            kinds: Vec::new(),
            used,
        };
        let big = rows >= 2000;
        for &(kind, rate, size) in GROUP_RATES {
            let mut n = (rows as f64 * rate * rates.groups / size).round() as usize;
            if big {
                n = n.max(1);
            }
            let mut made = 0;
            let mut tries = 0;
            // a group that does not fit (a small file's budget) is retried, so every
            // kind is planted at least once in extracts of 2000 rows or more
            while made < n && tries < n + 20 {
                made += usize::from(ctx.group(kind));
                tries += 1;
            }
        }
        ctx.placeholders(rows, big);

        // Per-row plants, spread over files by size.
        let mut items: Vec<Vec<Item>> = ctx
            .members
            .iter()
            .map(|m| m.iter().map(|&g| Item::Group(g)).collect())
            .collect();
        let limit: Vec<usize> = ctx
            .files
            .iter()
            .map(|f| f.rows * rates.plant_room / 100)
            .collect();
        let weights: Vec<u64> = ctx.files.iter().map(|f| f.rows as u64).collect();
        for &(token, rate) in TOKEN_RATES {
            let mut n = (rows as f64 * rate * rates.plants).round() as usize;
            if big {
                n = n.max(1);
            }
            let mut per_file = vec![0usize; ctx.files.len()];
            // rows the dedicated points of a file can take without crowding a day
            let room = |c: usize| match token {
                Token::Pt005 => (EMPTY_CAP * day_count()) as usize,
                Token::Pt004 => {
                    (2 + ctx.files[c].rows / 300_000) * (CLEAN_CAP * day_count()) as usize / 2
                }
                _ => usize::MAX,
            };
            for _ in 0..n {
                let start = weighted_u64(&mut ctx.b.rng, &weights);
                let k = ctx.files.len();
                for probe in 0..k {
                    let c = (start + probe) % k;
                    let fits = token != Token::Sb003 || LEGACY_BLOCK[c].is_some();
                    if fits && items[c].len() < limit[c] && per_file[c] < room(c) {
                        items[c].push(Item::Token(token));
                        per_file[c] += 1;
                        break;
                    }
                }
            }
        }

        // Rows for the planted items: uniform positions (selection sampling).
        let mut placed = Vec::new();
        for (c, list) in items.iter_mut().enumerate() {
            let n = ctx.files[c].rows;
            let mut rng = Rng::stream(seed, 0x7000 + c as u64);
            rng.shuffle(list);
            let mut need = list.len();
            let mut rows_at = Vec::with_capacity(need);
            for i in 0..n {
                if need == 0 {
                    break;
                }
                if rng.below((n - i) as u64) < need as u64 {
                    rows_at.push(i as u32);
                    need -= 1;
                }
            }
            placed.push(rows_at.into_iter().zip(list.iter().copied()).collect());
        }
        Plan {
            files: ctx.files,
            points: ctx.points,
            group_rows: ctx.rows,
            group_cross: ctx.cross,
            #[cfg(test)]
            group_kind: ctx.kinds,
            items: placed,
            used: ctx.used,
        }
    }
}

fn weighted_u64(rng: &mut Rng, w: &[u64]) -> usize {
    let total: u64 = w.iter().sum();
    let mut x = rng.below(total.max(1));
    for (i, &v) in w.iter().enumerate() {
        if x < v {
            return i;
        }
        x -= v;
    }
    0
}

/// The row as the cross-record rules will read it from the file.
pub(crate) fn xrow_of(
    row: &Row,
    layout: Layout,
    point: &Point,
    t: &Tables,
    file: u32,
    n: u32,
) -> XRow {
    let mut s = String::new();
    render_id(&row.id, &mut s);
    let mut key = String::new();
    id_key(&s, &mut key);
    s.clear();
    render_name(&row.name, &mut s);
    let mut nk = String::new();
    name_key(s.trim(), &mut nk);
    s.clear();
    render_msisdn(&row.msisdn, layout, &mut s);
    XRow {
        file,
        row: n,
        carrier: row.carrier as usize,
        live: row.status.live(),
        individual: row.sub == SubType::Individual,
        id_key: key,
        name_key: nk,
        dob: row.dob.val(),
        msisdn: normalize_msisdn(&s, t).national,
        act: match row.act.val() {
            ActVal::At(x) => Some(x),
            _ => None,
        },
        point: if point.id.is_empty() {
            None
        } else {
            Some(((row.carrier as u64) << 32) | row.point as u64)
        },
        online: point.ptype == PointType::Online,
    }
}

impl Ctx<'_> {
    /// A carrier for a planted row, in proportion to the room its file has left
    /// (which starts proportional to its size), so small files do not overflow.
    fn carrier(&mut self) -> usize {
        let w: Vec<u64> = self.budget.iter().map(|&b| b as u64).collect();
        weighted_u64(&mut self.b.rng, &w)
    }

    fn layout(&self, c: usize) -> Layout {
        self.files[c].layout
    }

    /// A point of carrier `c` with room for one more planted activation on `day`.
    fn place(&mut self, c: usize, want: Want, day: Day) -> Option<u32> {
        for _ in 0..64 {
            let p = match want {
                Want::Offline => self.b.rng.pick(&self.offline[c]),
                Want::Online => self.b.rng.pick(&self.online[c]),
                Want::At(p) => p,
            };
            let key = ((c as u64) << 48) | ((p as u64) << 16) | (day - first_day()) as u64;
            let n = self.caps.entry(key).or_insert(0);
            if *n < GROUP_CAP {
                *n += 1;
                return Some(p);
            }
            if let Want::At(_) = want {
                return None;
            }
        }
        None
    }

    /// `n` activation moments inside [lo, hi], sorted, on distinct minutes (so
    /// the holder order never depends on tie-breaks).
    fn moments(&mut self, n: usize, lo: Day, hi: Day) -> Vec<(Day, u32)> {
        let mut out: Vec<(Day, u32)> = Vec::with_capacity(n);
        while out.len() < n {
            let d = self.b.rng.range(lo as i64, hi as i64) as Day;
            let s = self.b.day_secs();
            if !out.iter().any(|&(d2, s2)| d2 == d && s2 / 60 == s / 60) {
                out.push((d, s));
            }
        }
        out.sort_unstable();
        out
    }

    /// A year-long window for one holder's activations.
    fn era(&mut self, cmnd: bool) -> (Day, Day) {
        let hi_limit = if cmnd { cmnd_end() - 1 } else { last_day() };
        let lo = first_day() + self.b.rng.below((hi_limit - 365 - first_day()) as u64) as Day;
        (lo, (lo + 365).min(hi_limit))
    }

    /// A holder whose one document stays valid through the whole era.
    fn holder(&mut self, era_lo: Day, cmnd: bool) -> Person {
        let female = self.b.rng.chance(0.5);
        let (name, v) = self.b.viet_name(female);
        let dob = self.b.dob_for_age(era_lo, 22, 65);
        let mut p = Person {
            name,
            viet: Some(v),
            female,
            dob,
            kind: IdKind::Cccd,
            id: IdSpec::Empty,
            issue: era_lo,
            place: PLACE_CCCD,
            foreign: None,
        };
        if cmnd {
            self.b.give_cmnd(&mut p, era_lo, 12 * 365);
        } else {
            let ppp = self.b.ppp();
            p.id = self.b.cccd(ppp, dob, female);
            // < 2 years before any activation of the era: no milestone can expire it
            p.issue = era_lo - self.b.rng.range(10, 300) as Day;
        }
        p
    }

    fn mobile(&mut self, c: usize) -> MsisdnSpec {
        match self.b.alloc.mobile(c) {
            Some(n) => MsisdnSpec::Mobile(n),
            None => MsisdnSpec::Mobile(self.b.alloc.mobile(0).unwrap_or(0)),
        }
    }

    /// Rows for one holder: (carrier, want, status) per row, moments in the era.
    fn holder_rows(
        &mut self,
        p: &Person,
        plan: &[(usize, Want, Status)],
        era: (Day, Day),
    ) -> Option<Vec<Row>> {
        let moments = self.moments(plan.len(), era.0, era.1);
        let mut rows = Vec::with_capacity(plan.len());
        for (&(c, want, status), &(day, secs)) in plan.iter().zip(&moments) {
            let point = self.place(c, want, day)?;
            let act = at(self.layout(c), day, secs);
            let msisdn = self.mobile(c);
            rows.push(person_row(c, p, act, status, point, msisdn));
        }
        Some(rows)
    }

    /// Adds a group if every file it touches has room; its cross-record truth comes
    /// from the oracle run on the group alone (the group is closed under all keys).
    fn commit(&mut self, kind: GroupKind, rows: Vec<Row>) -> bool {
        let mut per_file = vec![0usize; self.files.len()];
        for r in &rows {
            per_file[r.carrier as usize] += 1;
        }
        if rows.is_empty() || per_file.iter().zip(&self.budget).any(|(n, b)| n > b) {
            return false;
        }
        let xrows: Vec<XRow> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let c = r.carrier as usize;
                xrow_of(
                    r,
                    self.layout(c),
                    &self.points[c][r.point as usize],
                    self.b.t,
                    c as u32,
                    i as u32,
                )
            })
            .collect();
        let cross = cross_rules(&xrows);
        for (r, x) in rows.into_iter().zip(cross) {
            let c = r.carrier as usize;
            self.budget[c] -= 1;
            self.used[c][r.point as usize] = true;
            self.members[c].push(self.rows.len() as u32);
            self.rows.push(r);
            self.cross.push(x);
            self.kinds.push(kind);
        }
        true
    }

    fn other_carrier(&mut self, c0: usize) -> usize {
        let k = self.files.len();
        if k == 1 {
            return c0;
        }
        (c0 + 1 + self.b.rng.below(k as u64 - 1) as usize) % k
    }

    fn group(&mut self, kind: GroupKind) -> bool {
        let rows = match kind {
            GroupKind::Sb002 | GroupKind::Sb002Cancelled => {
                self.sb002(kind == GroupKind::Sb002Cancelled)
            }
            GroupKind::Xr001 => self.xr001(),
            GroupKind::Xr002 => self.xr002(),
            GroupKind::Xr003 => self.xr003(),
            GroupKind::Xr004 => self.xr004(),
            GroupKind::Pt003 => self.pt003(),
            GroupKind::Burst
            | GroupKind::Burst10
            | GroupKind::BurstSpan
            | GroupKind::BurstCancelled => self.burst(kind),
            GroupKind::Three => self.three(false),
            GroupKind::ThreePlusCancelled => self.three(true),
            GroupKind::Tone => self.tone(),
            GroupKind::Placeholder => None,
        };
        match rows {
            Some(rows) => self.commit(kind, rows),
            None => false,
        }
    }

    fn sb002(&mut self, cancelled: bool) -> Option<Vec<Row>> {
        let c0 = self.carrier();
        let number = self.mobile(c0);
        let k = if !cancelled && self.b.rng.chance(0.3) {
            3
        } else {
            2
        };
        let mut rows = Vec::new();
        for i in 0..k {
            // a second row at another carrier is a ported or re-sold number (SB004 too)
            let c = if i > 0 && self.b.rng.chance(0.5) {
                self.other_carrier(c0)
            } else {
                c0
            };
            let day = self.b.rng.range(first_day() as i64, last_day() as i64) as Day;
            let point = self.place(c, Want::Offline, day)?;
            let p = self.b.vn_person(day, true, false);
            let secs = self.b.day_secs();
            let status = if cancelled && i == 0 {
                Status::Cancelled
            } else {
                self.b.live_status()
            };
            rows.push(person_row(
                c,
                &p,
                at(self.layout(c), day, secs),
                status,
                point,
                number,
            ));
        }
        Some(rows)
    }

    fn xr001(&mut self) -> Option<Vec<Row>> {
        let cmnd = self.b.rng.chance(0.2);
        let era = self.era(cmnd);
        let p = self.holder(era.0, cmnd);
        let c0 = self.carrier();
        let mut plan = Vec::new();
        for _ in 0..self.b.rng.range(4, 6) {
            plan.push((c0, Want::Offline, self.b.live_status()));
        }
        for _ in 0..self.b.rng.range(0, 2) {
            let c = self.other_carrier(c0);
            plan.push((c, Want::Offline, self.b.live_status()));
        }
        if self.b.rng.chance(0.3) {
            plan.push((c0, Want::Offline, Status::Cancelled));
        }
        self.b.rng.shuffle(&mut plan);
        self.holder_rows(&p, &plan, era)
    }

    fn xr002(&mut self) -> Option<Vec<Row>> {
        let era = self.era(false);
        let p = self.holder(era.0, false);
        let c0 = self.carrier();
        let k = self.b.rng.range(4, 6) as usize;
        let online_tail = self.b.rng.range(1, 2) as usize;
        let first_online = self.b.rng.chance(0.3);
        // rows come out in time order, so the last ones are the 4th and later
        let plan: Vec<_> = (0..k)
            .map(|i| {
                let want = if i + online_tail >= k || (i == 0 && first_online) {
                    Want::Online
                } else {
                    Want::Offline
                };
                (c0, want, Status::Active)
            })
            .collect();
        self.holder_rows(&p, &plan, era)
    }

    fn xr003(&mut self) -> Option<Vec<Row>> {
        let era = self.era(false);
        let p = self.holder(era.0, false);
        let plan: Vec<_> = (0..self.b.rng.range(10, 12))
            .map(|_| (self.carrier(), Want::Offline, Status::Active))
            .collect();
        self.holder_rows(&p, &plan, era)
    }

    /// Another person: same sex and birth year (so the card's digits still agree),
    /// different name and day of birth.
    fn impostor(&mut self, p: &Person) -> Person {
        let mut q = *p;
        loop {
            let (name, v) = self.b.viet_name(p.female);
            let (mut a, mut b) = (String::new(), String::new());
            render_name(&name, &mut a);
            render_name(&p.name, &mut b);
            let (mut ka, mut kb) = (String::new(), String::new());
            name_key(&a, &mut ka);
            name_key(&b, &mut kb);
            if ka != kb {
                q.name = name;
                q.viet = Some(v);
                break;
            }
        }
        q.dob = self.other_dob(p.dob);
        q
    }

    /// Another day of the same year (an adult's card stays consistent and valid).
    fn other_dob(&mut self, dob: Day) -> Day {
        let y = year_of(dob);
        loop {
            let d = no_feb29(from_ymd(y, 1, 1) + self.b.rng.below(365) as Day);
            if d != dob && year_of(d) == y {
                return d;
            }
        }
    }

    fn xr004(&mut self) -> Option<Vec<Row>> {
        let era = self.era(false);
        let a = self.holder(era.0, false);
        let variant = self.b.rng.below(5);
        let b = if variant == 1 {
            let mut q = a;
            q.dob = self.other_dob(a.dob);
            q
        } else {
            self.impostor(&a)
        };
        let mut a2 = a;
        if variant == 2 {
            if let (NameSpec::Viet(v, _), Some(_)) = (a.name, a.viet) {
                a2.name = NameSpec::Viet(v, NEW_TONE | UPPER);
            }
        }
        let people: Vec<(Person, Status)> = match variant {
            0 => vec![
                (a, Status::Active),
                (a, Status::Active),
                (b, Status::Active),
            ],
            1 => vec![(a, Status::Active), (b, Status::Active)],
            2 => vec![
                (a, Status::Active),
                (a2, Status::Active),
                (b, Status::Active),
            ],
            3 => vec![
                (a, Status::Active),
                (a, Status::OneWay),
                (b, Status::Active),
                (b, Status::Active),
            ],
            _ => vec![
                (a, Status::Active),
                (a, Status::Active),
                (b, Status::Cancelled),
            ],
        };
        let moments = self.moments(people.len(), era.0, era.1);
        let mut rows = Vec::new();
        for ((person, status), (day, secs)) in people.iter().zip(moments) {
            let c = self.carrier();
            let point = self.place(c, Want::Offline, day)?;
            let act = at(self.layout(c), day, secs);
            let msisdn = self.mobile(c);
            rows.push(person_row(c, person, act, *status, point, msisdn));
        }
        Some(rows)
    }

    fn pt003(&mut self) -> Option<Vec<Row>> {
        let era = self.era(false);
        let p = self.holder(era.0, false);
        let c0 = self.carrier();
        let point = self.b.rng.pick(&self.offline[c0]);
        let mut plan: Vec<_> = (0..self.b.rng.range(4, 5))
            .map(|_| (c0, Want::At(point), Status::Active))
            .collect();
        if self.b.rng.chance(0.5) {
            plan.push((c0, Want::Offline, Status::Active));
        }
        self.b.rng.shuffle(&mut plan);
        self.holder_rows(&p, &plan, era)
    }

    fn three(&mut self, with_cancelled: bool) -> Option<Vec<Row>> {
        let era = self.era(false);
        let p = self.holder(era.0, false);
        let c0 = self.carrier();
        let point = self.b.rng.pick(&self.offline[c0]);
        let mut plan = vec![
            (c0, Want::At(point), Status::Active),
            (c0, Want::At(point), Status::Active),
            (c0, Want::Offline, Status::OneWay),
        ];
        if with_cancelled {
            plan.push((c0, Want::At(point), Status::Cancelled));
        }
        self.b.rng.shuffle(&mut plan);
        self.holder_rows(&p, &plan, era)
    }

    fn tone(&mut self) -> Option<Vec<Row>> {
        let era = self.era(false);
        let mut p = self.holder(era.0, false);
        // a given name whose tone mark moves between the two styles (Hòa/Hoà)
        let list = super::names::givens(p.female);
        let variants: Vec<u8> = (0..list.len() as u8)
            .filter(|&i| list[i as usize].0 != list[i as usize].1)
            .collect();
        let mut v = p.viet?;
        v.given = self.b.rng.pick(&variants);
        p.name = NameSpec::Viet(v, 0);
        p.viet = Some(v);
        let styles = [0, NEW_TONE | UPPER, NEW_TONE];
        // at most 3 rows: never more than 3 at one carrier or point
        let n = self.b.rng.range(2, 3) as usize;
        let moments = self.moments(n, era.0, era.1);
        let mut rows = Vec::new();
        for (i, (day, secs)) in moments.into_iter().enumerate() {
            let c = self.carrier();
            let point = self.place(c, Want::Offline, day)?;
            let mut q = p;
            q.name = NameSpec::Viet(v, styles[i]);
            let msisdn = self.mobile(c);
            rows.push(person_row(
                c,
                &q,
                at(self.layout(c), day, secs),
                Status::Active,
                point,
                msisdn,
            ));
        }
        Some(rows)
    }

    /// A burst point of carrier `c` and a day no other burst there uses.
    fn burst_slot(&mut self, c: usize) -> (u32, Day) {
        let need_new = self.bursts[c]
            .last()
            .is_none_or(|&(_, used)| used >= BURSTS_PER_POINT);
        if need_new {
            let p = self.makers[c].physical(c, PointType::Agent, Role::Burst);
            self.points[c].push(p);
            self.used[c].push(false);
            self.bursts[c].push(((self.points[c].len() - 1) as u32, 0));
        }
        let last = self.bursts[c].len() - 1;
        let (p, slot) = self.bursts[c][last];
        self.bursts[c][last].1 += 1;
        let day = first_day() + scatter(slot as u64, day_count() as u64, p as u64) as Day;
        (p, day)
    }

    fn burst(&mut self, kind: GroupKind) -> Option<Vec<Row>> {
        let c = self.carrier();
        let (point, day) = self.burst_slot(c);
        let layout = self.layout(c);
        let start = self.b.rng.range(8 * 60, 19 * 60 + 30) as u32 * 60;
        let fine = layout != Layout::C;
        let mut offsets: Vec<(u32, Status)> = Vec::new();
        let within = |rng: &mut Rng, max: u32| {
            if fine {
                rng.below(max as u64) as u32
            } else {
                rng.below((max / 60) as u64) as u32 * 60
            }
        };
        match kind {
            GroupKind::Burst => {
                for _ in 0..self.b.rng.range(11, 14) {
                    offsets.push((within(&mut self.b.rng, 540), Status::Active));
                }
                if self.b.rng.chance(0.3) {
                    offsets.push((within(&mut self.b.rng, 540), Status::Cancelled));
                }
                for _ in 0..self.b.rng.range(0, 2) {
                    offsets.push((1200 + within(&mut self.b.rng, 2400), Status::Active));
                }
            }
            GroupKind::Burst10 => {
                for _ in 0..10 {
                    offsets.push((within(&mut self.b.rng, 600), Status::Active));
                }
            }
            GroupKind::BurstSpan => {
                for i in 0..=10 {
                    offsets.push((60 * i, Status::Active));
                }
            }
            _ => {
                for _ in 0..10 {
                    offsets.push((within(&mut self.b.rng, 300), Status::Active));
                }
                offsets.push((within(&mut self.b.rng, 300), Status::Cancelled));
            }
        }
        let mut rows = Vec::new();
        for (off, status) in offsets {
            let p = self.b.vn_person(day, true, false);
            let msisdn = self.mobile(c);
            rows.push(person_row(
                c,
                &p,
                at(layout, day, start + off),
                status,
                point,
                msisdn,
            ));
        }
        Some(rows)
    }

    /// Placeholder ID numbers shared by unrelated people: each value is one group.
    fn placeholders(&mut self, rows: usize, big: bool) {
        const VALUES: &[(&str, IdKind)] = &[
            ("111111111111", IdKind::Cccd),
            ("000000000", IdKind::Cmnd),
            ("123456789", IdKind::Cmnd),
            ("012345678901", IdKind::Cccd),
            ("999999999999", IdKind::Cccd),
            ("111111111", IdKind::Cmnd),
            ("987654321", IdKind::Cmnd),
            ("000000000000", IdKind::Cccd),
            ("123456789012", IdKind::Cccd),
        ];
        let mut total = (rows as f64 * PLACEHOLDER_RATE).round() as usize;
        if big {
            total = total.max(3);
        }
        if total == 0 {
            return;
        }
        let groups = (total / 8).clamp(1, VALUES.len());
        for (g, &(value, kind)) in VALUES.iter().take(groups).enumerate() {
            let n = total / groups + usize::from(g < total % groups);
            // a group that does not fit a small file's budget is drawn again
            for _ in 0..if big { 5 } else { 1 } {
                let list = self.placeholder_rows(value, kind, n);
                if self.commit(GroupKind::Placeholder, list) {
                    break;
                }
            }
        }
    }

    fn placeholder_rows(&mut self, value: &str, kind: IdKind, n: usize) -> Vec<Row> {
        let mut list = Vec::new();
        for _ in 0..n {
            let c = self.carrier();
            let day = self.b.rng.range(first_day() as i64, last_day() as i64) as Day;
            let Some(point) = self.place(c, Want::Offline, day) else {
                continue;
            };
            let mut p = self.b.vn_person(day, kind == IdKind::Cmnd, false);
            if kind == IdKind::Cmnd && p.kind != IdKind::Cmnd {
                if age_at(p.dob, day) < 20 {
                    p.dob = self.b.dob_for_age(day, 25, 60);
                }
                self.b.give_cmnd(&mut p, day, 14 * 365);
            }
            p.kind = kind;
            p.id = IdSpec::Digits(value.parse().unwrap_or(0), value.len() as u8);
            let secs = self.b.day_secs();
            let status = self.b.status();
            let msisdn = self.mobile(c);
            list.push(person_row(
                c,
                &p,
                at(self.layout(c), day, secs),
                status,
                point,
                msisdn,
            ));
        }
        list
    }
}

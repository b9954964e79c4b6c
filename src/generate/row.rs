//! Rendering rows to the three file layouts.

use super::date::{ymd, SECS_PER_DAY};
use super::ident::{push_num, render_id, render_msisdn};
use super::model::*;
use super::names::render_name;
use super::tables::{issue_place, CARRIERS, FOREIGN};

pub(crate) const HEADER_A: [&str; 17] = [
    "carrier",
    "msisdn",
    "subscriber_type",
    "full_name",
    "date_of_birth",
    "gender",
    "id_type",
    "id_number",
    "id_issue_date",
    "id_issue_place",
    "nationality",
    "activation_time",
    "status",
    "point_id",
    "point_name",
    "point_type",
    "district",
];
pub(crate) const HEADER_B: [&str; 17] = [
    "SO_THUE_BAO",
    "HO_TEN",
    "NGAY_SINH",
    "GIOI_TINH",
    "LOAI_GIAY_TO",
    "SO_GIAY_TO",
    "NGAY_CAP",
    "NOI_CAP",
    "QUOC_TICH",
    "NGAY_KICH_HOAT",
    "TRANG_THAI",
    "MA_DIEM",
    "TEN_DIEM",
    "LOAI_DIEM",
    "HUYEN",
    "NHA_MANG",
    "LOAI_THUE_BAO",
];
pub(crate) const HEADER_C: [&str; 17] = [
    "Số thuê bao",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Loại giấy tờ",
    "Số giấy tờ",
    "Ngày cấp",
    "Nơi cấp",
    "Quốc tịch",
    "Ngày kích hoạt",
    "Trạng thái",
    "Mã điểm",
    "Tên điểm",
    "Loại điểm",
    "Huyện",
    "Nhà mạng",
    "Loại thuê bao",
];

/// Canonical column index for each written column.
pub(crate) const ORDER_A: [usize; 17] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
pub(crate) const ORDER_BC: [usize; 17] = [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 2];

pub(crate) const F_MSISDN: usize = 1;
pub(crate) const F_NAME: usize = 3;
pub(crate) const F_ID: usize = 7;
pub(crate) const F_POINT_ID: usize = 13;
pub(crate) const F_POINT_NAME: usize = 14;

pub(crate) fn header(layout: Layout) -> &'static [&'static str; 17] {
    match layout {
        Layout::A => &HEADER_A,
        Layout::B => &HEADER_B,
        Layout::C => &HEADER_C,
    }
}

pub(crate) fn order(layout: Layout) -> &'static [usize; 17] {
    match layout {
        Layout::A => &ORDER_A,
        _ => &ORDER_BC,
    }
}

pub(crate) fn delimiter(layout: Layout) -> u8 {
    if layout == Layout::B {
        b';'
    } else {
        b','
    }
}

fn line_end(layout: Layout) -> &'static [u8] {
    if layout == Layout::B {
        b"\r\n"
    } else {
        b"\n"
    }
}

pub(crate) const BAD_TEXT: &str = "abc";
/// A point name written without quotes around its comma (DQ001 in layout A).
pub(crate) const UNQUOTED_POINT_NAME: &str = "Đại lý Thu Hà, Khoái Châu";

fn date_text(layout: Layout, y: i32, m: u32, d: u32, out: &mut String) {
    let (y, m, d) = (y as u64, m as u64, d as u64);
    match layout {
        Layout::A => {
            push_num(out, y, 4);
            out.push('-');
            push_num(out, m, 2);
            out.push('-');
            push_num(out, d, 2);
        }
        Layout::B => {
            push_num(out, d, 2);
            out.push('/');
            push_num(out, m, 2);
            out.push('/');
            push_num(out, y, 4);
        }
        Layout::C => {
            push_num(out, d, 1);
            out.push('/');
            push_num(out, m, 1);
            out.push('/');
            push_num(out, y, 4);
        }
    }
}

pub(crate) fn render_date(spec: DateSpec, layout: Layout, out: &mut String) {
    match spec {
        DateSpec::Missing => {}
        DateSpec::Year(y) => push_num(out, y as u64, 4),
        DateSpec::Day(d) => {
            let (y, m, dd) = ymd(d);
            date_text(layout, y, m, dd, out);
        }
        DateSpec::BadDay(y, m, d) => date_text(layout, y, m, d, out),
        DateSpec::BadText => out.push_str(BAD_TEXT),
    }
}

fn act_text(layout: Layout, y: i32, m: u32, d: u32, secs: u32, out: &mut String) {
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    // the date part of activations is zero-padded in every layout
    date_text(
        if layout == Layout::C {
            Layout::B
        } else {
            layout
        },
        y,
        m,
        d,
        out,
    );
    out.push(' ');
    push_num(out, h as u64, 2);
    out.push(':');
    push_num(out, mi as u64, 2);
    if layout != Layout::C {
        out.push(':');
        push_num(out, s as u64, 2);
    }
}

pub(crate) fn render_act(spec: ActSpec, layout: Layout, out: &mut String) {
    match spec {
        ActSpec::Missing => {}
        ActSpec::At(t) => {
            let (y, m, d) = ymd(t.div_euclid(SECS_PER_DAY) as i32);
            act_text(layout, y, m, d, t.rem_euclid(SECS_PER_DAY) as u32, out);
        }
        ActSpec::BadDay(y, m, d, secs) => act_text(layout, y, m, d, secs, out),
        ActSpec::BadText => out.push_str(BAD_TEXT),
    }
}

pub(crate) fn sub_text(s: SubType, layout: Layout) -> &'static str {
    match (s, layout) {
        (SubType::Individual, Layout::A) => "individual",
        (SubType::Organisation, Layout::A) => "organisation",
        (SubType::Device, Layout::A) => "device",
        (SubType::Individual, _) => "Cá nhân",
        (SubType::Organisation, _) => "Tổ chức",
        (SubType::Device, _) => "IoT",
    }
}

pub(crate) fn gender_text(g: Gender, layout: Layout) -> &'static str {
    match (g, layout) {
        (Gender::Missing, _) => "",
        (Gender::Male, Layout::A) => "male",
        (Gender::Female, Layout::A) => "female",
        (Gender::Bad, Layout::A) => "other",
        (Gender::Male, _) => "Nam",
        (Gender::Female, _) => "Nữ",
        (Gender::Bad, _) => "Khác",
    }
}

pub(crate) fn kind_text(k: Option<IdKind>, layout: Layout) -> &'static str {
    match (k, layout) {
        (None, _) => "",
        (Some(IdKind::Cccd), _) => "CCCD",
        (Some(IdKind::Cmnd), _) => "CMND",
        (Some(IdKind::Mst), _) => "MST",
        (Some(IdKind::Passport), Layout::A) => "PASSPORT",
        (Some(IdKind::Passport), _) => "Hộ chiếu",
    }
}

pub(crate) fn status_text(s: Status, layout: Layout) -> &'static str {
    match (s, layout) {
        (Status::Active, Layout::A) => "active",
        (Status::OneWay, Layout::A) => "one_way_locked",
        (Status::TwoWay, Layout::A) => "two_way_locked",
        (Status::Cancelled, Layout::A) => "cancelled",
        (Status::Bad, Layout::A) => "archived",
        (Status::Active, _) => "Hoạt động",
        (Status::OneWay, _) => "Khóa 1 chiều",
        (Status::TwoWay, _) => "Khóa 2 chiều",
        (Status::Cancelled, _) => "Hủy",
        (Status::Bad, _) => "Lưu trữ",
    }
}

pub(crate) fn point_type_text(p: PointType, layout: Layout) -> &'static str {
    match (p, layout) {
        (PointType::Unknown, _) => "",
        (PointType::Store, Layout::A) => "carrier_store",
        (PointType::Agent, Layout::A) => "agent",
        (PointType::Online, Layout::A) => "online",
        (PointType::Store, _) => "Cửa hàng",
        (PointType::Agent, _) => "Đại lý",
        (PointType::Online, _) => "Trực tuyến",
    }
}

pub(crate) fn nationality_text(foreign: Option<u8>, layout: Layout) -> &'static str {
    match (foreign, layout) {
        (Some(i), _) => FOREIGN[i as usize].2,
        (None, Layout::A) => "VN",
        (None, _) => "Việt Nam",
    }
}

/// The 17 canonical fields of one row, as text.
#[derive(Default)]
pub(crate) struct Fields {
    pub(crate) f: [String; 17],
}

impl Fields {
    pub(crate) fn render(&mut self, row: &Row, layout: Layout, point: &Point) {
        for s in self.f.iter_mut() {
            s.clear();
        }
        let f = &mut self.f;
        f[0].push_str(CARRIERS[row.carrier as usize]);
        render_msisdn(&row.msisdn, layout, &mut f[1]);
        f[2].push_str(sub_text(row.sub, layout));
        render_name(&row.name, &mut f[3]);
        render_date(row.dob, layout, &mut f[4]);
        f[5].push_str(gender_text(row.gender, layout));
        f[6].push_str(kind_text(row.id_type, layout));
        render_id(&row.id, &mut f[7]);
        render_date(row.issue, layout, &mut f[8]);
        f[9].push_str(issue_place(row.place));
        f[10].push_str(nationality_text(row.foreign, layout));
        render_act(row.act, layout, &mut f[11]);
        f[12].push_str(status_text(row.status, layout));
        f[13].push_str(&point.id);
        f[14].push_str(&point.name);
        f[15].push_str(point_type_text(point.ptype, layout));
        f[16].push_str(point.district);
        if row.shape == Shape::Rejected && layout == Layout::A {
            f[14].clear();
            f[14].push_str(UNQUOTED_POINT_NAME);
        }
    }
}

/// Free-text columns (name, issue place, point name, district): only these can
/// hold a delimiter, a quote or a line break; codes, numbers and dates never do.
const FREE_TEXT: [bool; 17] = [
    false, false, false, true, false, false, false, false, false, true, false, false, false, false,
    true, false, true,
];

fn push_field(out: &mut Vec<u8>, s: &str, delim: u8, always: bool) {
    let special = |b: &u8| *b == delim || *b == b'"' || *b == b'\n' || *b == b'\r';
    let needs = s.as_bytes().iter().any(special);
    if !needs && !always {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    if s.contains('"') {
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
    } else {
        out.extend_from_slice(s.as_bytes());
    }
    out.push(b'"');
}

/// Appends one record (RFC 4180 quoting) to `out`.
pub(crate) fn write_record(layout: Layout, fields: &[&str], shape: Shape, out: &mut Vec<u8>) {
    let delim = delimiter(layout);
    let always = layout == Layout::C;
    let idx = order(layout);
    // Rejected records: layout A leaves a comma unquoted in the point name, B loses
    // its last field, C gains an empty one.
    let n = if shape == Shape::Rejected && layout == Layout::B {
        16
    } else {
        17
    };
    for (k, &i) in idx.iter().take(n).enumerate() {
        if k > 0 {
            out.push(delim);
        }
        if (shape == Shape::Rejected && layout == Layout::A && i == F_POINT_NAME)
            || (!always && !FREE_TEXT[i])
        {
            out.extend_from_slice(fields[i].as_bytes());
        } else if !FREE_TEXT[i] {
            out.push(b'"');
            out.extend_from_slice(fields[i].as_bytes());
            out.push(b'"');
        } else {
            push_field(out, fields[i], delim, always);
        }
    }
    if shape == Shape::Rejected && layout == Layout::C {
        out.extend_from_slice(b",\"\"");
    }
    out.extend_from_slice(line_end(layout));
}

pub(crate) fn write_header(layout: Layout, out: &mut Vec<u8>) {
    if layout == Layout::B {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let delim = delimiter(layout);
    for (k, h) in header(layout).iter().enumerate() {
        if k > 0 {
            out.push(delim);
        }
        push_field(out, h, delim, layout == Layout::C);
    }
    out.extend_from_slice(line_end(layout));
}

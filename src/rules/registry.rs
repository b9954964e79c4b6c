//! The rule catalogue: the single source of truth for each rule's code, name, default severity, scope
//! and evaluator, legal basis and explanations. Evaluation runs the evaluators this table names (for
//! the rules the rule set enables); `simaudit rules`, the summary column order, the xlsx explanation
//! sheet and the README table all read it too.

use super::cross::{self, HolderRule};
use super::row::{self, RowCheck};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Violation,
    Warning,
    Info,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Violation => "violation",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    /// A subscription is flagged by a violation or a warning, never by info alone.
    pub fn flags(self) -> bool {
        self != Severity::Info
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where a rule is evaluated, and by what.
#[derive(Clone, Copy)]
pub enum Scope {
    /// From what ingest reports: rejected records (DQ001) and unreadable values (DQ002).
    Ingest,
    /// On one accepted row (cancelled rows too).
    Row(RowCheck),
    /// On one accepted row, in words that quote the row's own values (nearly one text per finding):
    /// its findings keep no text, and the check is run on the row again to word them as the outputs
    /// are written. Its check reads the row alone: not the name verdicts, not the points registry.
    RowQuoting(RowCheck),
    /// On one holder's live individual rows (grouped by ID key).
    Holder(HolderRule),
    /// On live rows grouped by normalised number.
    Number,
    /// On live timed activations grouped by point.
    Point,
}

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// The rule's name in Vietnamese, for reports in Vietnamese.
    pub vi_name: &'static str,
    pub severity: Severity,
    pub scope: Scope,
    pub basis: &'static str,
    pub en: &'static str,
    pub vi: &'static str,
}

impl Rule {
    /// Whether the rule's findings keep no text, worded from their row when written
    /// ([`Scope::RowQuoting`]).
    pub fn quotes_row(&self) -> bool {
        matches!(self.scope, Scope::RowQuoting(_))
    }
}

macro_rules! catalogue {
    ($( $code:ident, $name:literal, $vi_name:literal, $sev:ident, $scope:ident $(($eval:path))?, $basis:literal, $en:literal, $vi:literal; )*) => {
        /// Rule codes in catalogue order; `RuleCode as usize` indexes [`RULES`].
        #[allow(clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        pub enum RuleCode { $($code),* }

        pub static RULES: &[Rule] = &[
            $(Rule { code: stringify!($code), name: $name, vi_name: $vi_name, severity: Severity::$sev, scope: Scope::$scope $(($eval))?,
                     basis: $basis, en: $en, vi: $vi }),*
        ];

        impl RuleCode {
            pub const ALL: &'static [RuleCode] = &[$(RuleCode::$code),*];
        }
    };
}

/// A set of rules, one bit per rule in catalogue order (bit `i` is `RuleCode::ALL[i]`).
pub type RuleMask = u64;

// Every rule needs a bit of its own in a `RuleMask`.
const _: () = assert!(RuleCode::ALL.len() <= RuleMask::BITS as usize);

/// The positions of the set bits of a rule mask (bit `i` is `RuleCode::ALL[i]`), lowest first, which
/// is the registry's order; most masks are 0.
pub fn set_bits(mut mask: RuleMask) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let bit = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            bit
        })
    })
}

catalogue! {
    ID001, "id-missing", "Thiếu số giấy tờ", Violation, Row(row::id::missing), "Decree 49/2017/NĐ-CP; Circular 08/2026/TT-BKHCN",
        "The ID number is empty. Every subscription must be registered on an identity document.",
        "Số giấy tờ tùy thân bị trống. Mọi thuê bao phải được đăng ký bằng giấy tờ tùy thân.";
    ID002, "id-format", "Số giấy tờ sai định dạng", Violation, RowQuoting(row::id::format), "Law on Identification 26/2023/QH15 (12-digit number); Circular 105/2020/TT-BTC (tax code of 10 or 13 digits)",
        "The ID number fits no pattern of its type (CCCD 12 digits, CMND 9 or 12, MST 10 or 10+3, passport letter + 7 digits); with no type, no known shape fits.",
        "Số giấy tờ không đúng định dạng của loại giấy tờ (CCCD 12 số, CMND 9 hoặc 12 số, MST 10 hoặc 10+3 số, hộ chiếu 1 chữ + 7 số); nếu không ghi loại thì không khớp hình dạng nào.";
    ID003, "id-place-code", "Mã nơi đăng ký khai sinh không hợp lệ", Violation, RowQuoting(row::id::place_code), "Law on Identification 26/2023/QH15; province codes of Decision 124/2004/QĐ-TTg",
        "A 12-digit number whose first 3 digits are neither a province code nor a code for births registered abroad (101–295).",
        "Số định danh 12 số có 3 số đầu không phải mã tỉnh/thành phố, cũng không thuộc dải 101–295 (khai sinh ở nước ngoài).";
    ID004, "id-birth-year-mismatch", "Năm sinh không khớp số định danh", Violation, Row(row::id::birth_year_mismatch), "Law on Identification 26/2023/QH15 (number structure)",
        "The century digit and year digits of the 12-digit number give a birth year different from the date of birth.",
        "Mã thế kỷ và năm sinh trong số định danh 12 số cho năm sinh khác với ngày sinh đã khai.";
    ID005, "id-sex-mismatch", "Giới tính không khớp số định danh", Violation, Row(row::id::sex_mismatch), "Law on Identification 26/2023/QH15 (number structure)",
        "The century digit of the 12-digit number encodes a sex that disagrees with the gender given.",
        "Mã thế kỷ/giới tính trong số định danh 12 số không khớp với giới tính đã khai.";
    ID006, "id-placeholder", "Số giấy tờ là dãy số mẫu (lặp/liên tiếp)", Violation, Row(row::id::placeholder), "Circular 04/2012/TT-BTTTT (registering on false papers)",
        "The number is a placeholder: all digits equal, or one ascending or descending run.",
        "Số giấy tờ là số giả: tất cả chữ số giống nhau hoặc là một dãy tăng/giảm liên tiếp.";
    ID007, "cmnd-after-2024", "Dùng CMND 9 số sau khi hết hiệu lực", Violation, Row(row::id::cmnd_after_2024), "Law on Identification 26/2023/QH15: CMND usable until 31 Dec 2024",
        "A 9-digit CMND was used for a subscription activated on or after 1 January 2025.",
        "Dùng CMND 9 số để đăng ký thuê bao kích hoạt từ ngày 01/01/2025, khi CMND không còn giá trị.";
    ID008, "id-expired", "Giấy tờ hết hạn khi kích hoạt", Warning, RowQuoting(row::id::expired), "Law on Identification 26/2023/QH15 (milestones 14, 25, 40, 60); CMND valid 15 years",
        "The document had expired on the activation day: a CMND 15 years after issue, a 12-digit card at the first milestone birthday (14, 25, 40, 60) after issue unless issued within the 2 years before it.",
        "Giấy tờ đã hết hạn vào ngày kích hoạt: CMND sau 15 năm kể từ ngày cấp; thẻ 12 số ở mốc tuổi 14, 25, 40, 60 đầu tiên sau ngày cấp, trừ khi cấp trong vòng 2 năm trước mốc đó.";
    ID009, "mst-checksum", "Mã số thuế sai chữ số kiểm tra", Violation, RowQuoting(row::id::mst_checksum), "Circular 105/2020/TT-BTC (tax code structure); check digit as python-stdnum vn.mst computes it",
        "The tax code's check digit is wrong, its digits 3–9 are all zero, or its branch suffix is 000.",
        "Mã số thuế sai số kiểm tra, có chữ số 3–9 đều bằng 0, hoặc mã chi nhánh là 000.";
    ID010, "passport-unverified", "Số hộ chiếu không theo mẫu thông thường", Warning, RowQuoting(row::id::passport_unverified), "Usual passport form, one letter + 7 digits (a convention, not a published rule)",
        "A passport number of 8–9 letters/digits that is not the usual letter + 7 digits: check the document.",
        "Số hộ chiếu 8–9 ký tự không theo dạng thông thường 1 chữ + 7 số: cần kiểm tra giấy tờ.";
    PS001, "name-missing", "Thiếu họ tên", Violation, Row(row::holder::name_missing), "Decree 49/2017/NĐ-CP; Circular 08/2026/TT-BKHCN",
        "The holder's full name is empty.",
        "Họ tên chủ thuê bao bị trống.";
    PS002, "name-junk", "Họ tên không hợp lệ", Violation, Row(row::holder::name_junk), "Circular 04/2012/TT-BTTTT; Circular 08/2026/TT-BKHCN",
        "The name is a placeholder (such as 'khach hang', 'test'), or an individual's name holds a digit or symbol, has fewer than 2 words, or repeats a letter 3+ times.",
        "Họ tên là tên giả (như 'khach hang', 'test'), hoặc tên cá nhân chứa chữ số/ký hiệu, ít hơn 2 từ, hay lặp một chữ cái từ 3 lần liên tiếp.";
    PS003, "dob-missing", "Thiếu ngày sinh", Violation, Row(row::holder::dob_missing), "Circular 08/2026/TT-BKHCN (date of birth must match the population DB)",
        "An individual's date of birth is empty.",
        "Ngày sinh của thuê bao cá nhân bị trống.";
    PS004, "dob-implausible", "Ngày sinh không hợp lý", Violation, RowQuoting(row::holder::dob_implausible), "Circular 08/2026/TT-BKHCN",
        "An individual born after activation, before 1900, or over 120 years old at activation.",
        "Cá nhân sinh sau ngày kích hoạt, trước năm 1900, hoặc trên 120 tuổi khi kích hoạt.";
    PS005, "underage", "Chủ thuê bao dưới 14 tuổi", Warning, Row(row::holder::underage), "Decree 49/2017/NĐ-CP: under 14 needs a parent or guardian",
        "The holder was under 14 at activation: the registration needs a parent's or guardian's signature.",
        "Chủ thuê bao chưa đủ 14 tuổi khi kích hoạt: cần cha mẹ hoặc người giám hộ đăng ký.";
    PS006, "issue-date-invalid", "Ngày cấp giấy tờ không hợp lệ", Violation, RowQuoting(row::holder::issue_date_invalid), "Circular 08/2026/TT-BKHCN",
        "The ID issue date is after the activation or before the date of birth.",
        "Ngày cấp giấy tờ sau ngày kích hoạt hoặc trước ngày sinh.";
    PS007, "name-without-diacritics", "Họ tên không dấu", Info, Row(row::holder::name_without_diacritics), "Circular 08/2026/TT-BKHCN (name must match the population DB)",
        "A Vietnamese individual's name has no diacritic although its surname is always written with one (Nguyen for Nguyễn).",
        "Họ tên công dân Việt Nam không có dấu dù họ luôn viết có dấu (Nguyen thay vì Nguyễn).";
    SB001, "msisdn-invalid", "Số thuê bao không hợp lệ", Violation, RowQuoting(row::subscription::msisdn_invalid), "libphonenumber 9.0.35 Vietnamese mobile pattern",
        "The subscriber number is not a Vietnamese mobile number after normalisation (devices are exempt).",
        "Số thuê bao sau chuẩn hóa không phải số di động Việt Nam (trừ thuê bao thiết bị).";
    SB002, "msisdn-duplicate", "Số thuê bao trùng lặp", Violation, Number, "One number belongs to one subscription",
        "The same number is on more than one live row (any file, any carrier).",
        "Cùng một số thuê bao xuất hiện trên nhiều dòng đang hoạt động (bất kỳ tệp, nhà mạng nào).";
    SB003, "msisdn-legacy-form", "Số thuê bao dạng 11 số cũ", Info, RowQuoting(row::subscription::msisdn_legacy_form), "2018 conversion of 11-digit numbers",
        "The number was written in the 11-digit pre-2018 form and was converted.",
        "Số thuê bao ghi theo dạng 11 số trước năm 2018 và đã được chuyển đổi.";
    SB004, "prefix-other-carrier", "Đầu số của nhà mạng khác", Info, Row(row::subscription::prefix_other_carrier), "Prefix allocation; number portability since 16 Nov 2018",
        "The number's prefix was originally allocated to another carrier (ported, or a data error).",
        "Đầu số ban đầu được cấp cho nhà mạng khác (đã chuyển mạng giữ số, hoặc sai dữ liệu).";
    XR001, "sims-per-id", "Từ thuê bao thứ 4 của một giấy tờ tại nhà mạng", Warning, Holder(cross::SIMS_PER_ID), "Decree 49/2017/NĐ-CP: from the 4th number a standard contract",
        "The holder's 4th and later live subscription at one carrier: a signed contract is needed; check it exists.",
        "Thuê bao thứ 4 trở đi của một giấy tờ tại một nhà mạng: cần hợp đồng theo mẫu; kiểm tra hợp đồng.";
    XR002, "sims-per-id-online", "Đăng ký trực tuyến vượt số lượng cho phép", Violation, Holder(cross::SIMS_PER_ID_ONLINE), "Decree 163/2024/NĐ-CP: the online channel only for the first 3 numbers",
        "A 4th or later subscription of one ID at one carrier registered through the online channel.",
        "Thuê bao thứ 4 trở đi của một giấy tờ tại một nhà mạng được đăng ký qua kênh trực tuyến.";
    XR003, "sims-per-id-high", "Một giấy tờ đứng tên từ 10 thuê bao", Warning, Holder(cross::SIMS_PER_ID_HIGH), "Ministry review Sep 2023 (≥10 SIMs per person)",
        "The ID holds 10 or more live subscriptions across all carriers in the input.",
        "Một giấy tờ đứng tên từ 10 thuê bao đang hoạt động trở lên trên tất cả nhà mạng.";
    XR004, "identity-conflict", "Thông tin chủ thuê bao mâu thuẫn", Violation, Holder(cross::IDENTITY_CONFLICT), "Circular 08/2026/TT-BKHCN",
        "Rows of one ID disagree on name or date of birth: rows differing from the most frequent identity fire (all rows on a tie).",
        "Các dòng cùng số giấy tờ khác nhau về họ tên hoặc ngày sinh: dòng khác thông tin phổ biến nhất bị đánh dấu (hòa thì tất cả).";
    PT001, "burst-activation", "Kích hoạt hàng loạt tại điểm", Warning, Point, "Circular 04/2012/TT-BTTTT (pre-activated SIMs)",
        "More than 10 live activations at one point within 10 minutes: a sign of pre-activated SIMs.",
        "Hơn 10 thuê bao được kích hoạt tại một điểm trong vòng 10 phút: dấu hiệu SIM kích hoạt sẵn.";
    PT002, "off-hours", "Kích hoạt ngoài giờ", Warning, Row(row::point::off_hours), "Inspection practice: registrations need the holder present",
        "Activated before 06:00 or from 22:00 at a point that is not online.",
        "Kích hoạt trước 06:00 hoặc từ 22:00 tại điểm không phải kênh trực tuyến.";
    PT003, "same-id-at-point", "Nhiều thuê bao cùng giấy tờ tại một điểm", Warning, Holder(cross::SAME_ID_AT_POINT), "Decree 49/2017/NĐ-CP",
        "The holder's 4th and later live subscription at one point.",
        "Thuê bao thứ 4 trở đi của một giấy tờ tại cùng một điểm.";
    PT004, "point-unregistered", "Điểm không có trong danh sách được phép", Violation, Row(row::point::point_unregistered), "Official letter 978/2023 (list of service points)",
        "The row's point is not in the registry of authorised points given with --points.",
        "Điểm đăng ký không có trong danh sách điểm được ủy quyền (--points).";
    PT005, "point-missing", "Thiếu mã điểm đăng ký", Violation, Row(row::point::point_missing), "Decree 49/2017/NĐ-CP (points of service)",
        "The point code is empty.",
        "Mã điểm đăng ký bị trống.";
    DQ001, "row-rejected", "Dòng không đọc được", Violation, Ingest, "Data quality",
        "A record could not be read (wrong field count, undecodable bytes); it is in rejects.csv.",
        "Bản ghi không đọc được (sai số cột, lỗi mã hóa); xem rejects.csv.";
    DQ002, "value-unparseable", "Giá trị không đọc được", Violation, Ingest, "Data quality",
        "A date is present but unreadable, or a coded column holds a value the profile does not map.",
        "Ngày tháng không đọc được, hoặc cột mã hóa chứa giá trị không có trong bảng ánh xạ.";
    DQ003, "text-repaired", "Văn bản sửa từ bảng mã cũ", Info, Row(row::quality::text_repaired), "Data quality (legacy encodings)",
        "Text was repaired from a legacy encoding (TCVN3, VNI, VIQR, Windows-1258, double-encoded UTF-8).",
        "Văn bản được sửa từ bảng mã cũ (TCVN3, VNI, VIQR, Windows-1258, UTF-8 bị mã hóa hai lần).";
    DQ004, "activation-missing", "Thiếu thời điểm kích hoạt", Violation, Row(row::quality::activation_missing), "Data quality",
        "The activation time is empty.",
        "Thời điểm kích hoạt bị trống.";
}

impl RuleCode {
    pub fn info(self) -> &'static Rule {
        &RULES[self as usize]
    }
    pub fn code(self) -> &'static str {
        self.info().code
    }
    pub fn parse(code: &str) -> Option<RuleCode> {
        let code = code.trim().to_ascii_uppercase();
        RuleCode::ALL.iter().copied().find(|r| r.code() == code)
    }
}

impl fmt::Display for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The catalogue as a Markdown table (the README embeds this exactly; a test keeps them in step).
pub fn markdown_table() -> String {
    let mut s = String::from("| code | name | severity | basis |\n|---|---|---|---|\n");
    for r in RULES {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.code, r.name, r.severity, r.basis
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_bits_lists_each_rule_bit() {
        assert_eq!(set_bits(0).count(), 0);
        assert_eq!(
            set_bits((1 << 0) | (1 << 5) | (1 << 63)).collect::<Vec<_>>(),
            [0, 5, 63]
        );
    }

    /// Rules of the scopes without an evaluator function are wired by code into their passes: the
    /// ingest facts (`row::quality`), the pass by number and the pass by point (`cross`, and the scan
    /// of `crate::sharded`). A new rule of one of these scopes needs its pass first.
    #[test]
    fn rules_without_an_evaluator_function_are_the_wired_ones() {
        let wired: Vec<&str> = RULES
            .iter()
            .filter(|r| matches!(r.scope, Scope::Ingest | Scope::Number | Scope::Point))
            .map(|r| r.code)
            .collect();
        assert_eq!(wired, ["SB002", "PT001", "DQ001", "DQ002"]);
    }

    #[test]
    fn codes_match_enum_order() {
        assert_eq!(RULES.len(), RuleCode::ALL.len());
        for (i, r) in RuleCode::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
            assert_eq!(format!("{r:?}"), RULES[i].code);
            assert_eq!(RuleCode::parse(&RULES[i].code.to_lowercase()), Some(*r));
        }
    }
}

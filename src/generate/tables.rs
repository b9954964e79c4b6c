//! Reference tables (embedded from rules/reference) and the word lists the
//! generator draws realistic values from.

const MOBILE_PREFIXES: &str = include_str!("../../rules/reference/mobile-prefixes.csv");
const LEGACY_PREFIXES: &str = include_str!("../../rules/reference/legacy-11-digit-prefixes.csv");
const PROVINCES: &str = include_str!("../../rules/reference/provinces-2024.csv");

/// Carriers in the order `--carriers K` takes them.
pub(crate) const CARRIERS: [&str; 7] = [
    "VIETTEL",
    "VINAPHONE",
    "MOBIFONE",
    "VIETNAMOBILE",
    "GMOBILE",
    "ITELECOM",
    "REDDI",
];
/// Relative file sizes: 50/30/20 for the big three, small shares for the rest.
/// Reddi has a single range (0559, a million numbers shared by 8 allocation
/// partitions), so its share stays small enough for 10 M-row extracts.
pub(crate) const CARRIER_WEIGHTS: [u64; 7] = [50, 30, 20, 8, 3, 4, 1];
pub(crate) const CARRIER_BRAND: [&str; 7] = [
    "Viettel",
    "VinaPhone",
    "MobiFone",
    "Vietnamobile",
    "Gmobile",
    "Itel",
    "Reddi",
];
pub(crate) const CARRIER_APP: [&str; 7] = [
    "My Viettel",
    "My VNPT",
    "My MobiFone",
    "Vietnamobile",
    "Gmobile",
    "Itel",
    "Reddi",
];

/// Number blocks handed out to ordinary subscribers, per carrier:
/// (leading digits after the trunk 0, digits that follow). Every block is a valid
/// mobile range whose longest prefix in mobile-prefixes.csv is the carrier itself.
/// The legacy-conversion targets (036, 083, 070, 056, 059) are kept out so converted
/// 11-digit numbers can never collide with ordinary ones.
pub(crate) const MOBILE_BLOCKS: [&[(u64, u32)]; 7] = [
    &[
        (32, 7),
        (33, 7),
        (34, 7),
        (35, 7),
        (37, 7),
        (38, 7),
        (39, 7),
        (86, 7),
        (96, 7),
        (97, 7),
        (98, 7),
    ],
    &[
        (81, 7),
        (82, 7),
        (84, 7),
        (85, 7),
        (88, 7),
        (91, 7),
        (94, 7),
    ],
    &[
        (76, 7),
        (77, 7),
        (78, 7),
        (79, 7),
        (896, 6),
        (897, 6),
        (898, 6),
        (899, 6),
        (90, 7),
        (93, 7),
    ],
    &[(522, 6), (523, 6), (528, 6), (58, 7), (92, 7)],
    &[(993, 6), (994, 6), (995, 6), (996, 6), (997, 6)],
    &[(87, 7), (998, 6), (999, 6)],
    &[(559, 6)],
];

/// Per carrier: (old 11-digit prefix without the 0, new 10-digit prefix without the 0)
/// used for SB003 numbers; checked against legacy-11-digit-prefixes.csv by a test.
pub(crate) const LEGACY_BLOCK: [Option<(u64, u64)>; 7] = [
    Some((166, 36)),
    Some((123, 83)),
    Some((120, 70)),
    Some((186, 56)),
    Some((199, 59)),
    None,
    None,
];

pub(crate) struct Tables {
    /// (prefix with its leading 0, carrier index or None for a code we do not generate)
    prefixes: Vec<(String, Option<usize>)>,
    /// (old 4-digit prefix, new 3-digit prefix)
    pub(crate) legacy: Vec<(String, String)>,
    provinces: Vec<bool>,
    /// longest-prefix answer for every 4-digit start `0ddd` (prefixes are ≤ 4 long)
    by_head: Vec<Option<Option<usize>>>,
    /// Province codes in table order, for drawing CCCD place codes.
    pub(crate) province_codes: Vec<u16>,
}

impl Tables {
    pub(crate) fn load() -> Tables {
        let rows = |text: &'static str| {
            text.lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.split(',').map(str::trim).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        let prefixes: Vec<(String, Option<usize>)> = rows(MOBILE_PREFIXES)
            .into_iter()
            .map(|f| (f[0].to_string(), CARRIERS.iter().position(|c| *c == f[1])))
            .collect();
        let legacy = rows(LEGACY_PREFIXES)
            .into_iter()
            .map(|f| (f[0].to_string(), f[1].to_string()))
            .collect();
        let mut provinces = vec![false; 1000];
        let mut province_codes = Vec::new();
        for f in rows(PROVINCES) {
            if let Ok(code) = f[0].parse::<u16>() {
                provinces[code as usize] = true;
                province_codes.push(code);
            }
        }
        let by_head = (0..10_000)
            .map(|h: usize| {
                let head = format!("{:04}", h);
                longest(&prefixes, &head)
            })
            .collect();
        Tables {
            by_head,
            prefixes,
            legacy,
            provinces,
            province_codes,
        }
    }

    pub(crate) fn is_province(&self, code: u16) -> bool {
        self.provinces.get(code as usize).copied().unwrap_or(false)
    }

    /// Carrier of original allocation of a 10-digit `0…` number: longest prefix wins.
    /// `Some(None)` = a carrier code outside our seven (never produced here).
    pub(crate) fn carrier_of(&self, number: &str) -> Option<Option<usize>> {
        match number.get(..4).and_then(|h| h.parse::<usize>().ok()) {
            Some(h)
                if number.len() >= 4 && number.as_bytes()[..4].iter().all(u8::is_ascii_digit) =>
            {
                self.by_head[h]
            }
            _ => longest(&self.prefixes, number),
        }
    }

    #[cfg(test)]
    pub(crate) fn max_prefix_len(&self) -> usize {
        self.prefixes.iter().map(|p| p.0.len()).max().unwrap_or(0)
    }
}

fn longest(prefixes: &[(String, Option<usize>)], number: &str) -> Option<Option<usize>> {
    prefixes
        .iter()
        .filter(|(p, _)| number.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, c)| *c)
}

// ---------------------------------------------------------------------------
// Names. Weights follow published surname shares (Nguyễn ~38 %, Trần ~11 %, Lê ~9.5 %, …).

pub(crate) const SURNAMES: &[(&str, u32)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 40),
    ("Huỳnh", 18),
    ("Phan", 45),
    ("Vũ", 32),
    ("Võ", 20),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 8),
    ("Trịnh", 6),
    ("Đoàn", 6),
    ("Lương", 5),
    ("Trương", 5),
    ("Lưu", 4),
    ("Hà", 5),
    ("Đào", 5),
    ("Cao", 4),
    ("Mai", 3),
    ("Tạ", 3),
    ("Vương", 2),
    ("Chu", 2),
    ("Lại", 2),
    ("Tô", 2),
    ("Nghiêm", 1),
    ("Khúc", 1),
    ("Quách", 1),
];

/// (old tone style, new tone style, weight); both styles are correct Vietnamese.
pub(crate) type Part = (&'static str, &'static str, u32);

pub(crate) const MIDDLE_M: &[Part] = &[
    ("Văn", "Văn", 45),
    ("Đức", "Đức", 10),
    ("Hữu", "Hữu", 6),
    ("Minh", "Minh", 8),
    ("Quang", "Quang", 6),
    ("Xuân", "Xuân", 4),
    ("Công", "Công", 5),
    ("Đình", "Đình", 5),
    ("Mạnh", "Mạnh", 3),
    ("Trọng", "Trọng", 3),
    ("Thành", "Thành", 4),
    ("Ngọc", "Ngọc", 3),
    ("Thanh", "Thanh", 3),
    ("Tiến", "Tiến", 3),
    ("Duy", "Duy", 3),
    ("Việt", "Việt", 2),
    ("Anh", "Anh", 2),
];

pub(crate) const MIDDLE_F: &[Part] = &[
    ("Thị", "Thị", 55),
    ("Ngọc", "Ngọc", 8),
    ("Thu", "Thu", 7),
    ("Thanh", "Thanh", 6),
    ("Phương", "Phương", 3),
    ("Minh", "Minh", 3),
    ("Hồng", "Hồng", 4),
    ("Kim", "Kim", 3),
    ("Diệu", "Diệu", 2),
    ("Bích", "Bích", 2),
    ("Khánh", "Khánh", 2),
    ("Thùy", "Thuỳ", 3),
];

pub(crate) const GIVEN_M: &[Part] = &[
    ("Hùng", "Hùng", 1),
    ("Dũng", "Dũng", 1),
    ("Tuấn", "Tuấn", 1),
    ("Nam", "Nam", 1),
    ("Long", "Long", 1),
    ("Hải", "Hải", 1),
    ("Sơn", "Sơn", 1),
    ("Quân", "Quân", 1),
    ("Huy", "Huy", 1),
    ("Khánh", "Khánh", 1),
    ("Phúc", "Phúc", 1),
    ("Thắng", "Thắng", 1),
    ("Cường", "Cường", 1),
    ("Đạt", "Đạt", 1),
    ("Hiếu", "Hiếu", 1),
    ("Trung", "Trung", 1),
    ("Việt", "Việt", 1),
    ("Tùng", "Tùng", 1),
    ("Bình", "Bình", 1),
    ("Hòa", "Hoà", 1),
    ("Thành", "Thành", 1),
    ("Minh", "Minh", 1),
    ("Đức", "Đức", 1),
    ("Quang", "Quang", 1),
    ("Hưng", "Hưng", 1),
    ("Phong", "Phong", 1),
    ("Kiên", "Kiên", 1),
    ("Lâm", "Lâm", 1),
    ("Toàn", "Toàn", 1),
    ("Vinh", "Vinh", 1),
    ("Thịnh", "Thịnh", 1),
    ("Tâm", "Tâm", 1),
    ("Hậu", "Hậu", 1),
    ("Lợi", "Lợi", 1),
    ("Tú", "Tú", 1),
    ("Hoàng", "Hoàng", 1),
    ("An", "An", 1),
    ("Duy", "Duy", 1),
    ("Khoa", "Khoa", 1),
    ("Lộc", "Lộc", 1),
    ("Chiến", "Chiến", 1),
    ("Nghĩa", "Nghĩa", 1),
    ("Quý", "Quý", 1),
    ("Tài", "Tài", 1),
    ("Thái", "Thái", 1),
    ("Thiện", "Thiện", 1),
    ("Khôi", "Khôi", 1),
    ("Thụy", "Thuỵ", 1),
];

pub(crate) const GIVEN_F: &[Part] = &[
    ("Lan", "Lan", 1),
    ("Hương", "Hương", 1),
    ("Hoa", "Hoa", 1),
    ("Mai", "Mai", 1),
    ("Linh", "Linh", 1),
    ("Trang", "Trang", 1),
    ("Thảo", "Thảo", 1),
    ("Hằng", "Hằng", 1),
    ("Nga", "Nga", 1),
    ("Hạnh", "Hạnh", 1),
    ("Yến", "Yến", 1),
    ("Nhung", "Nhung", 1),
    ("Hà", "Hà", 1),
    ("Huyền", "Huyền", 1),
    ("Thủy", "Thuỷ", 1),
    ("Vân", "Vân", 1),
    ("Oanh", "Oanh", 1),
    ("Ngân", "Ngân", 1),
    ("Phương", "Phương", 1),
    ("Hòa", "Hoà", 1),
    ("Loan", "Loan", 1),
    ("Dung", "Dung", 1),
    ("Thúy", "Thuý", 1),
    ("Quỳnh", "Quỳnh", 1),
    ("Anh", "Anh", 1),
    ("Chi", "Chi", 1),
    ("Giang", "Giang", 1),
    ("Hiền", "Hiền", 1),
    ("Liên", "Liên", 1),
    ("Ly", "Ly", 1),
    ("Nhi", "Nhi", 1),
    ("Tâm", "Tâm", 1),
    ("Thơm", "Thơm", 1),
    ("Thư", "Thư", 1),
    ("Tuyết", "Tuyết", 1),
    ("Xuân", "Xuân", 1),
    ("Duyên", "Duyên", 1),
    ("Hồng", "Hồng", 1),
    ("Nhàn", "Nhàn", 1),
    ("Quyên", "Quyên", 1),
    ("Ánh", "Ánh", 1),
    ("Huệ", "Huệ", 1),
    ("Nguyệt", "Nguyệt", 1),
    ("Phượng", "Phượng", 1),
    ("Trinh", "Trinh", 1),
];

/// Ethnic-minority full names: (name, female, CCCD place code). Apostrophes and
/// unusual syllables are genuine, never junk.
pub(crate) const ETHNIC: &[(&str, bool, u16)] = &[
    ("Ksor H'Yâm", true, 64),
    ("Hơ Niê Thị Lan", true, 66),
    ("Rơ Mah Hiền", true, 64),
    ("Siu H'Mai", true, 64),
    ("Y Bhin Niê", false, 66),
    ("Ksor Y Nhơn", false, 64),
    ("Rcom H'Duôn", true, 64),
    ("H'Hen Niê", true, 66),
    ("Lò Văn Páo", false, 14),
    ("Giàng A Pháo", false, 10),
    ("Sùng Thị Mỷ", true, 2),
    ("Vàng A Chứ", false, 2),
    ("Bàn Văn Sìn", false, 8),
    ("Nông Thị Nhàn", true, 4),
    ("A Lăng Thị Mai", true, 49),
];

/// Names without any diacritic that PS007 must leave alone (surname not on its list).
pub(crate) const PLAIN_OK: &[(&str, bool)] = &[
    ("Phan Trung Huy", false),
    ("Siu H'Mai", true),
    ("Cao Minh Anh", true),
    ("Mai Thanh Long", false),
];

/// Foreign holders: (name, female, nationality code, passport issuer).
pub(crate) const FOREIGN: &[(&str, bool, &str, &str)] = &[
    ("John Smith", false, "US", "United States"),
    ("Emily Johnson", true, "US", "United States"),
    ("Michael Brown", false, "AU", "Australia"),
    ("Kim Min-jun", false, "KR", "Republic of Korea"),
    ("Lee Ji-eun", true, "KR", "Republic of Korea"),
    ("Park Seo-yeon", true, "KR", "Republic of Korea"),
    ("Choi Woo-shik", false, "KR", "Republic of Korea"),
    ("Wang Wei", false, "CN", "China"),
    ("Zhang Xiuying", true, "CN", "China"),
    ("Liu Yang", false, "CN", "China"),
    ("Tanaka Hiroshi", false, "JP", "Japan"),
    ("Sato Yuki", true, "JP", "Japan"),
    ("Somchai Sukjai", false, "TH", "Thailand"),
    ("Anna Schmidt", true, "DE", "Germany"),
    ("David Wilson", false, "GB", "United Kingdom"),
];

/// Names whose name key is on PS002's placeholder list.
pub(crate) const PLACEHOLDER_NAMES: &[&str] = &[
    "Khách hàng",
    "Khách lẻ",
    "KH",
    "Test",
    "TEST",
    "Thử nghiệm",
    "Chưa có tên",
    "Không tên",
    "Không rõ",
    "Unknown",
    "Nguyễn Văn A",
    "Nguyen Thi B",
    "Trần Văn A",
    "Lê Văn A",
    "Sim số đẹp",
    "Đại lý",
    "Cửa hàng",
    "abc",
    "xyz",
];

/// Suffixes that turn a name into PS002 junk through a symbol.
pub(crate) const JUNK_SYMBOLS: &[&str] = &["*", " @", " (KH)", "#", "!", " /"];

// ---------------------------------------------------------------------------
// Organisations.

pub(crate) const ORG_FORMS: &[&str] = &[
    "Công ty TNHH",
    "Công ty Cổ phần",
    "Công ty TNHH MTV",
    "Hợp tác xã",
    "Doanh nghiệp tư nhân",
    "Chi nhánh Công ty Cổ phần",
];
pub(crate) const ORG_TRADES: &[&str] = &[
    "Thương mại",
    "Dịch vụ",
    "Thương mại và Dịch vụ",
    "Xây dựng",
    "Vận tải",
    "May mặc",
    "Điện tử",
    "Nông nghiệp",
    "Sản xuất",
    "Đầu tư",
    "Logistics",
    "Công nghệ",
];
pub(crate) const ORG_BRANDS: &[&str] = &[
    "Hưng Phát",
    "Minh Long",
    "Phú Cường",
    "Thành Công",
    "An Bình",
    "Đại Việt",
    "Hoàng Gia",
    "Tân Phát",
    "Phúc Thịnh",
    "Nam Hải",
    "Việt Hưng",
    "Kim Ngân",
    "Sao Mai",
    "Hồng Hà",
    "Phố Hiến",
];
pub(crate) const ORG_SUFFIXES: &[&str] = &["", " Hưng Yên", " Việt Nam", " Thái Bình"];
/// Real-looking organisation names with digits and symbols (allowed for organisations).
pub(crate) const ORG_SPECIAL: &[&str] = &[
    "Công ty Cổ phần May 10",
    "Công ty TNHH 3A Việt Nam",
    "Công ty TNHH Thương mại 368",
    "Công ty TNHH A&T",
    "Công ty CP Đầu tư 8/3",
    "Công ty TNHH Minh Long, chi nhánh Văn Lâm",
    "Công ty TNHH Giải pháp IoT 4.0",
];

/// First four digits of tax codes (Hà Nội 01…, Hưng Yên 09…, Thái Bình 10…, HCM 03…).
pub(crate) const MST_HEADS: &[u64] = &[
    100, 101, 102, 104, 105, 106, 107, 108, 109, 900, 901, 1000, 1001, 300, 301, 302, 303, 304,
    305, 309, 310, 311, 312, 313, 314, 315, 316,
];

// ---------------------------------------------------------------------------
// Places.

pub(crate) const DISTRICTS_HY: &[&str] = &[
    "Thành phố Hưng Yên",
    "Văn Lâm",
    "Văn Giang",
    "Yên Mỹ",
    "Thị xã Mỹ Hào",
    "Ân Thi",
    "Khoái Châu",
    "Kim Động",
    "Tiên Lữ",
    "Phù Cừ",
];
pub(crate) const DISTRICTS_TB: &[&str] = &[
    "Thành phố Thái Bình",
    "Quỳnh Phụ",
    "Hưng Hà",
    "Đông Hưng",
    "Thái Thụy",
    "Tiền Hải",
    "Kiến Xương",
    "Vũ Thư",
];

/// Issuing authorities; indices are stored in rows.
pub(crate) const ISSUE_PLACES: &[&str] = &[
    "Cục Cảnh sát QLHC về TTXH",
    "Cục CS ĐKQL cư trú và DLQG về dân cư",
    "Công an tỉnh Hưng Yên",
    "Công an tỉnh Thái Bình",
    "Công an TP Hà Nội",
    "Sở Kế hoạch và Đầu tư tỉnh Hưng Yên",
    "Sở KH&ĐT tỉnh Thái Bình",
    "Sở KH&ĐT TP Hà Nội",
];
pub(crate) const PLACE_CCCD: u8 = 0;
pub(crate) const PLACE_CCCD_OLD: u8 = 1;
pub(crate) const PLACE_CMND: u8 = 2;
pub(crate) const PLACE_MST: u8 = 5;
/// Passport issuers live in FOREIGN; rows mark them with this offset.
pub(crate) const PLACE_FOREIGN: u8 = 100;
pub(crate) const PLACE_NONE: u8 = 255;

pub(crate) fn issue_place(i: u8) -> &'static str {
    match i {
        PLACE_NONE => "",
        i if i >= PLACE_FOREIGN => FOREIGN[(i - PLACE_FOREIGN) as usize].3,
        i => ISSUE_PLACES[i as usize],
    }
}

pub(crate) const AGENT_NAMES: &[&str] = &[
    "Minh Anh",
    "Thu Hà",
    "Hùng Dũng",
    "Hoàng Long",
    "Hải Yến",
    "Phúc An",
    "Ngọc Lan",
    "Tuấn Phát",
    "Bình Minh",
    "Đức Thịnh",
    "Kim Oanh",
    "Quang Huy",
];

//! Every label a person reads, in Vietnamese and English: column and sheet names, stage names.
//! Machine-readable files keep their English snake_case names whatever the language.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// The area a run is restricted to (`--point`, `--district`), as label / text pairs for the reports'
/// summaries: what was asked for, the points and rows it holds, and what stays whole.
pub fn area_lines(
    area: &crate::area::Selection,
    accepted: usize,
    lang: Lang,
) -> Vec<(String, String)> {
    let mut asked = Vec::new();
    if !area.asked_districts.is_empty() {
        let mut districts = format!(
            "{} {}",
            lang.pick("quận/huyện", "district"),
            area.asked_districts.join(", ")
        );
        // As the extract writes them: shows what the names were matched to.
        if !area.district_texts.is_empty() {
            districts += &format!(" ({})", area.district_texts.join("; "));
        }
        asked.push(districts);
    }
    if !area.asked_points.is_empty() {
        asked.push(format!(
            "{} {}",
            lang.pick("điểm", "point"),
            area.asked_points.join(", ")
        ));
    }
    vec![
        (lang.pick("Địa bàn", "Area").into(), asked.join("; ")),
        (
            lang.pick("Số điểm trong địa bàn", "Points in the area").into(),
            area.points.len().to_string(),
        ),
        (
            lang.pick("Dòng trong địa bàn", "Rows in the area").into(),
            format!(
                "{} / {accepted} {}",
                area.rows,
                lang.pick("dòng được nhận", "accepted rows")
            ),
        ),
        (
            lang.pick("Phạm vi", "Scope").into(),
            lang.pick(
                "Quy tắc chạy trên toàn bộ tệp; báo cáo chỉ gồm các thuê bao của địa bàn. Số liệu của giấy tờ vượt hạn mức và chi tiết các phát hiện đối chiếu giữa các dòng (số trùng, kích hoạt dồn dập, số thuê bao trên một giấy tờ) tính trên toàn bộ tệp. Dòng bị loại được giữ lại hết: không xác định được điểm của chúng.",
                "The rules ran on the whole extract; the reports hold the area's subscriptions only. The figures of IDs over the limit and the details of findings across rows (duplicate numbers, bursts, SIMs per ID) are over the whole extract. Rejected rows are all kept: their point is not known.",
            )
            .into(),
        ),
    ]
}

/// A machine column name as the inspection team reads it.
pub fn label(column: &str, lang: Lang) -> String {
    let (vi, en) = match column {
        "carrier" => ("Nhà mạng", "Carrier"),
        "subscriptions" => ("Tổng thuê bao", "Subscriptions"),
        "live" => ("Đang hoạt động", "Live"),
        "flagged" => ("Bị đánh dấu", "Flagged"),
        "flagged_pct" => ("Tỷ lệ bị đánh dấu", "Flagged %"),
        "with_violation" => ("Có vi phạm", "With violation"),
        "with_warning" => ("Có cảnh báo", "With warning"),
        "rejected_rows" => ("Dòng bị loại", "Rejected rows"),
        "distinct_ids" => ("Số giấy tờ", "Distinct IDs"),
        "ids_over_limit" => ("Giấy tờ vượt hạn mức", "IDs over limit"),
        "rank" => ("Hạng", "Rank"),
        "point_id" => ("Mã điểm", "Point"),
        "point_name" => ("Tên điểm", "Point name"),
        "point_type" => ("Loại điểm", "Point type"),
        "district" => ("Huyện", "District"),
        "rule" => ("Quy tắc", "Rule"),
        "name" => ("Tên quy tắc", "Name"),
        "severity" => ("Mức độ", "Severity"),
        "rows" => ("Số dòng", "Rows"),
        "carriers" => ("Số nhà mạng", "Carriers"),
        "points" => ("Số điểm", "Points"),
        "id_number" => ("Số giấy tờ", "ID number"),
        "id_type" => ("Loại giấy tờ", "ID type"),
        "live_subscriptions" => ("Thuê bao đang hoạt động", "Live subscriptions"),
        "per_carrier" => ("Theo nhà mạng", "Per carrier"),
        "names_seen" => ("Số họ tên khác nhau", "Names seen"),
        "first_activation" => ("Kích hoạt đầu tiên", "First activation"),
        "last_activation" => ("Kích hoạt gần nhất", "Last activation"),
        "file" => ("Tệp", "File"),
        "row" => ("Dòng", "Row"),
        "msisdn" => ("Số thuê bao", "Number"),
        "subscriber_type" => ("Loại thuê bao", "Subscriber type"),
        "full_name" => ("Họ tên", "Full name"),
        "detail" => ("Chi tiết", "Detail"),
        "basis" => ("Căn cứ", "Basis"),
        "status" => ("Trạng thái", "Status"),
        "resolved_by" => ("Lý do không còn", "Resolved by"),
        "old_file" => ("Tệp trước", "File then"),
        "old_row" => ("Dòng trước", "Row then"),
        "old_status" => ("Trạng thái thuê bao trước", "Subscription then"),
        "new_file" => ("Tệp nay", "File now"),
        "new_row" => ("Dòng nay", "Row now"),
        "new_status" => ("Trạng thái thuê bao nay", "Subscription now"),
        "findings_then" => ("Phát hiện trước", "Findings then"),
        "findings_now" => ("Phát hiện nay", "Findings now"),
        "resolved" => ("Đã khắc phục", "Resolved"),
        "resolved_absent" => (
            "Trong đó: không còn trong tệp",
            "Of which: not in the extract",
        ),
        "new" => ("Mới", "New"),
        "persisting" => ("Còn tồn tại", "Persisting"),
        "persisting_violations" => ("Vi phạm còn tồn tại", "Persisting violations"),
        "resolved_pct" => ("Tỷ lệ đã khắc phục", "Resolved %"),
        "explanation" => ("Giải thích", "Explanation"),
        other => (other, other), // rule codes stay codes
    };
    lang.pick(vi, en).to_string()
}

pub fn sheet_name(key: &str, lang: Lang) -> &'static str {
    let (vi, en) = match key {
        "summary" => ("Tổng hợp", "Summary"),
        "by_carrier" => ("Theo nhà mạng", "By carrier"),
        "by_point" => ("Theo điểm", "By point"),
        "by_rule" => ("Theo quy tắc", "By rule"),
        "ids_over_limit" => ("Giấy tờ vượt hạn mức", "IDs over limit"),
        "findings" => ("Phát hiện", "Findings"),
        _ => ("Giải thích quy tắc", "Rule explanations"),
    };
    lang.pick(vi, en)
}

/// What a stage is called on the terminal.
pub fn stage_label(stage: &str, lang: Lang) -> &'static str {
    let (vi, en) = match stage {
        "ingest" => ("Đọc tệp đầu vào", "Reading the extracts"),
        "normalise" => (
            "Chuẩn hóa tên, giấy tờ, số thuê bao",
            "Normalising names, IDs and numbers",
        ),
        "row_rules" => ("Kiểm tra từng dòng", "Checking each row"),
        "cross_rules" => ("Đối chiếu giữa các dòng", "Checking across rows"),
        "sort" => ("Sắp xếp phát hiện", "Sorting findings"),
        "shard" => (
            "Đọc phần này từ tệp tạm và kiểm tra",
            "Reading this shard back from the spill and checking",
        ),
        _ => ("Ghi báo cáo", "Writing the reports"),
    };
    lang.pick(vi, en)
}

/// A coded value of `column` as people read it in `lang`: severities, point types, statuses,
/// subscriber types, sexes and ID types spelled out, a rule's name in the report's language. Other
/// values, and every value in a machine-readable file, stay as they are.
pub fn value<'a>(column: &str, value: &'a str, lang: Lang) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    let pair = match (column, value) {
        ("severity", "violation") => ("vi phạm", "violation"),
        ("severity", "warning") => ("cảnh báo", "warning"),
        ("severity", "info") => ("thông tin", "info"),
        ("point_type", "carrier_store") => ("Cửa hàng nhà mạng", "Carrier store"),
        ("point_type", "agent") => ("Đại lý", "Agent"),
        ("point_type", "online") => ("Trực tuyến", "Online"),
        ("point_type", "unknown") => ("Không rõ", "Unknown"),
        ("status" | "old_status" | "new_status", "active") => ("Đang hoạt động", "Active"),
        ("status" | "old_status" | "new_status", "one_way_locked") => {
            ("Khóa một chiều", "One-way locked")
        }
        ("status" | "old_status" | "new_status", "two_way_locked") => {
            ("Khóa hai chiều", "Two-way locked")
        }
        ("status" | "old_status" | "new_status", "cancelled") => ("Đã hủy", "Cancelled"),
        ("old_status" | "new_status", "absent") => ("Không có trong tệp", "Not in the extract"),
        ("status", "new") => ("mới", "new"),
        ("status", "persisting") => ("còn tồn tại", "persisting"),
        ("status", "resolved") => ("đã khắc phục", "resolved"),
        ("resolved_by", "fixed") => ("không còn phát hiện", "fixed"),
        ("resolved_by", "cancelled") => ("đã hủy thuê bao", "cancelled"),
        ("resolved_by", "absent") => ("không còn trong tệp", "no longer in the extract"),
        ("subscriber_type", "individual") => ("Cá nhân", "Individual"),
        ("subscriber_type", "organisation") => ("Tổ chức", "Organisation"),
        ("subscriber_type", "device") => ("Thiết bị", "Device"),
        ("gender", "male") => ("Nam", "Male"),
        ("gender", "female") => ("Nữ", "Female"),
        ("id_type", "PASSPORT") => ("Hộ chiếu", "Passport"),
        ("name", slug) => {
            return match crate::rules::RULES.iter().find(|r| r.name == slug) {
                Some(rule) if lang == Lang::Vi => Cow::Borrowed(rule.vi_name),
                _ => Cow::Borrowed(value),
            };
        }
        _ => return Cow::Borrowed(value),
    };
    Cow::Borrowed(lang.pick(pair.0, pair.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coded_values_read_in_each_language() {
        assert_eq!(value("severity", "violation", Lang::Vi), "vi phạm");
        assert_eq!(
            value("point_type", "carrier_store", Lang::En),
            "Carrier store"
        );
        assert_eq!(value("name", "id-missing", Lang::Vi), "Thiếu số giấy tờ");
        assert_eq!(value("name", "id-missing", Lang::En), "id-missing");
        assert_eq!(value("carrier", "VIETTEL", Lang::Vi), "VIETTEL");
        // Every rule has a Vietnamese name of its own.
        let names: std::collections::BTreeSet<&str> =
            crate::rules::RULES.iter().map(|r| r.vi_name).collect();
        assert_eq!(names.len(), crate::rules::RULES.len());
    }
}

//! report.html: one self-contained page with the totals, the worst-points chart, the flagged share per
//! carrier and the tables. This checks the document; tests/browser.rs checks it in headless Chromium.

mod common;
use common::*;
use std::path::Path;

fn audit_to(out: &Path, extra: &[&str]) -> String {
    let args = audit_args(&sample_extracts(), out, extra);
    run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    std::fs::read_to_string(out.join("report.html")).unwrap()
}

fn table_rows(html: &str, id: &str) -> usize {
    let start = html
        .find(&format!("<table id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end].matches("<tr>").count() - 1
}

#[test]
fn report_html_is_self_contained_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let html = audit_to(dir.path(), &[]);
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"vi\">"));
    for external in ["http://", "https://", "src=", "@import", "url("] {
        assert!(
            !html.contains(external),
            "report.html must not load anything ({external})"
        );
    }
    assert_eq!(
        table_rows(&html, "by-rule"),
        read_csv(&dir.path().join("by_rule.csv")).len()
    );
    assert_eq!(
        table_rows(&html, "by-carrier"),
        read_csv(&dir.path().join("by_carrier.csv")).len()
    );
    assert_eq!(
        table_rows(&html, "by-point"),
        read_csv(&dir.path().join("by_point.csv")).len().min(1000)
    );
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "worst points and carrier share charts"
    );
    assert_eq!(
        html.matches("class=\"bar hot\"").count(),
        20 + 4,
        "20 worst points + 4 carriers"
    );
    assert!(html.contains("Tỷ lệ bị đánh dấu") && html.contains("table.sortable"));
    // Values in Vietnamese, not codes: severities, point types, rule names.
    for shown in [
        ">vi phạm<",
        ">cảnh báo<",
        ">thông tin<",
        ">Đại lý<",
        ">Thiếu số giấy tờ<",
    ] {
        assert!(html.contains(shown), "no {shown} in the Vietnamese page");
    }
    for code in [
        ">violation<",
        ">warning<",
        ">agent<",
        ">carrier_store<",
        ">id-missing<",
    ] {
        assert!(
            !html.contains(code),
            "{code} shown as a code in the Vietnamese page"
        );
    }
    let en = audit_to(&dir.path().join("en"), &["--lang", "en", "--mask"]);
    assert!(en.starts_with("<!DOCTYPE html><html lang=\"en\">") && en.contains("Worst 20 points"));
    assert!(en.contains(">violation<") && en.contains(">Agent<") && en.contains(">id-missing<"));
    let ids = read_csv(&dir.path().join("ids_over_limit.csv"));
    assert!(!ids.is_empty());
    for r in &ids {
        assert!(
            !en.contains(&format!(">{}<", r["id_number"])),
            "masked report shows a raw ID"
        );
    }
}

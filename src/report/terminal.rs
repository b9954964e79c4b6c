//! The short end-of-run summary on the terminal, in Vietnamese or English.

use super::i18n::Lang;
use super::summary::{Cell, Summaries};
use std::fmt::Write;

fn int(c: &Cell) -> u64 {
    match c {
        Cell::Int(n) => *n,
        _ => 0,
    }
}

fn text(c: &Cell) -> String {
    c.csv()
}

pub fn render(
    run: super::RunView,
    s: &Summaries,
    out: Option<&std::path::Path>,
    lang: Lang,
) -> String {
    let mut o = String::new();
    let read: usize = run.files.iter().map(|f| f.rows_read).sum();
    let _ = writeln!(
        o,
        "{}: {read}   {}: {}   {}: {}",
        lang.pick("Dòng đã đọc", "Rows read"),
        lang.pick("bị loại", "rejected"),
        run.rejects.len(),
        lang.pick("phát hiện", "findings"),
        run.findings
    );
    let skipped: usize = run.files.iter().map(|f| f.rows_skipped).sum();
    if skipped > 0 {
        let by_kind: Vec<String> = crate::ingest::layout::SkipKind::ALL
            .iter()
            .filter_map(|k| {
                let n: usize = run
                    .files
                    .iter()
                    .map(|f| f.skipped.iter().filter(|s| s.kind == *k).count())
                    .sum();
                (n > 0).then(|| format!("{} {n}", k.code()))
            })
            .collect();
        let _ = writeln!(
            o,
            "{}: {skipped} ({}; manifest.json)",
            lang.pick(
                "Dòng bỏ qua (không phải bản ghi)",
                "Lines skipped (not records)"
            ),
            by_kind.join(", ")
        );
    }
    for skipped in run.skipped_sheets {
        let _ = writeln!(
            o,
            "{} {}[{}]: {}",
            lang.pick("Bỏ qua trang tính:", "Sheet skipped:"),
            skipped.file,
            skipped.sheet,
            skipped.reason
        );
    }
    let _ = writeln!(
        o,
        "\n{}",
        lang.pick(
            "Theo nhà mạng (thuê bao / bị đánh dấu / %):",
            "By carrier (subscriptions / flagged / %):"
        )
    );
    for r in &s.by_carrier.rows {
        let _ = writeln!(
            o,
            "  {:<14} {:>10} {:>10} {:>7}%",
            text(&r[0]),
            int(&r[1]),
            int(&r[3]),
            text(&r[4])
        );
    }
    let mut rules: Vec<&Vec<Cell>> = s.by_rule.rows.iter().filter(|r| int(&r[3]) > 0).collect();
    rules.sort_by(|a, b| {
        int(&b[3])
            .cmp(&int(&a[3]))
            .then_with(|| text(&a[0]).cmp(&text(&b[0])))
    });
    let _ = writeln!(
        o,
        "\n{}",
        lang.pick("5 quy tắc vi phạm nhiều nhất:", "Top 5 rules:")
    );
    for r in rules.iter().take(5) {
        let _ = writeln!(
            o,
            "  {} {:<26} {:<9} {:>10}",
            text(&r[0]),
            text(&r[1]),
            text(&r[2]),
            int(&r[3])
        );
    }
    let _ = writeln!(
        o,
        "\n{}",
        lang.pick("5 điểm đăng ký đáng chú ý nhất:", "Top 5 points:")
    );
    for r in s.by_point.rows.iter().take(5).filter(|r| int(&r[7]) > 0) {
        let _ = writeln!(
            o,
            "  #{:<3} {:<12} {:<14} {} {:>6}  {} {:>6}",
            int(&r[0]),
            text(&r[1]),
            text(&r[2]),
            lang.pick("vi phạm", "violations"),
            int(&r[9]),
            lang.pick("bị đánh dấu", "flagged"),
            int(&r[7])
        );
    }
    if let Some(out) = out {
        let _ = writeln!(
            o,
            "\n{} {}",
            lang.pick("Kết quả đã ghi vào", "Outputs written to"),
            out.display()
        );
    }
    o
}

/// A spinner on stderr naming the running stage; hidden when stderr is not a terminal or with `--quiet`.
pub fn progress(quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

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
    if let Some(area) = run.area {
        // The scope note is for the reports; the terminal says what was kept.
        for (k, v) in super::i18n::area_lines(area, run.accepted, lang)
            .into_iter()
            .take(3)
        {
            let _ = writeln!(o, "{k}: {v}");
        }
    }
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
            "  {} {:<47} {:<9} {:>10}",
            text(&r[0]),
            super::i18n::value("name", &text(&r[1]), lang),
            super::i18n::value("severity", &text(&r[2]), lang),
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

/// What `compare` prints: findings new, persisting and resolved, per carrier worst first.
pub fn compared(c: &super::compare::Compared, out: &std::path::Path, lang: Lang) -> String {
    let mut o = String::new();
    let [new, persisting, resolved] = c.counts;
    let _ = writeln!(
        o,
        "{}: {new}   {}: {persisting}   {}: {resolved}",
        lang.pick("Phát hiện mới", "New findings"),
        lang.pick("còn tồn tại", "persisting"),
        lang.pick("đã khắc phục", "resolved"),
    );
    let _ = writeln!(
        o,
        "\n{}",
        lang.pick(
            "Theo nhà mạng (trước → nay, đã khắc phục, vi phạm còn tồn tại):",
            "By carrier (then → now, resolved, persisting violations):"
        )
    );
    for r in c.by_carrier.records() {
        let _ = writeln!(
            o,
            "  {:<14} {:>8} → {:<8} {:>8} ({}%) {:>8}",
            r.text("carrier"),
            r.int("findings_then"),
            r.int("findings_now"),
            r.int("resolved"),
            r.text("resolved_pct"),
            r.int("persisting_violations"),
        );
    }
    if c.unnumbered.iter().any(|n| *n > 0) {
        let _ = writeln!(
            o,
            "\n{}: {} → {}",
            lang.pick(
                "Dòng không có số thuê bao (không theo dõi được)",
                "Rows without a number (not followed)"
            ),
            c.unnumbered[0],
            c.unnumbered[1]
        );
    }
    let _ = writeln!(
        o,
        "\n{} {}",
        lang.pick("Kết quả đã ghi vào", "Outputs written to"),
        out.display()
    );
    o
}

/// The progress display on stderr: one bar per stage, named in the run's language. Reading shows
/// input bytes done, rate and time left; writing shows outputs done; the other stages (a few
/// seconds each) a spinner and the time spent. Hidden when stderr is not a terminal or with `--quiet`.
pub struct Progress {
    bar: indicatif::ProgressBar,
    lang: Lang,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    poll: Option<std::thread::JoinHandle<()>>,
}

/// What a stage's bar counts.
enum Unit {
    Bytes,
    Outputs,
    Nothing,
}

impl Progress {
    pub fn new(quiet: bool, lang: Lang) -> Progress {
        use std::io::IsTerminal;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: indicatif::ProgressBar::hidden(),
                lang,
                stop,
                poll: None,
            };
        }
        let bar = indicatif::ProgressBar::new(0);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        // The stages count into a shared meter; this thread copies it into the bar.
        let poll = {
            let (bar, stop) = (bar.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let (done, total) = crate::usage::PROGRESS.read();
                    bar.set_length(total);
                    bar.set_position(done.min(total));
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            })
        };
        Progress {
            bar,
            lang,
            stop,
            poll: Some(poll),
        }
    }

    /// A stage starts (one of the pipeline's stage names), in shard `shard` = (k, n) of a sharded run.
    pub fn stage(&self, stage: &'static str, shard: Option<(usize, usize)>) {
        let unit = match stage {
            "ingest" => Unit::Bytes,
            "report" => Unit::Outputs,
            // A shard pass reads its records again before it checks them.
            _ if shard.is_some() => Unit::Bytes,
            _ => Unit::Nothing,
        };
        let template = match unit {
            Unit::Bytes => {
                "{msg} [{bar:28}] {bytes}/{total_bytes}  {binary_bytes_per_sec}  ~{eta} {left}"
            }
            Unit::Outputs => "{spinner} {msg} [{bar:28}] {pos}/{len} {files}  [{elapsed}]",
            Unit::Nothing => "{spinner} {msg}  [{elapsed}]",
        };
        let (left, files) = (
            self.lang.pick("còn lại", "left"),
            self.lang.pick("tệp", "files"),
        );
        let style = indicatif::ProgressStyle::with_template(
            &template.replace("{left}", left).replace("{files}", files),
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
        .progress_chars("=> ");
        let label = super::i18n::stage_label(stage, self.lang);
        let message = match shard {
            Some((k, n)) => format!(
                "{} {}/{n} · {label}",
                self.lang.pick("phần", "shard"),
                k + 1
            ),
            None => label.to_string(),
        };
        // The stage's own work sets the meter's total when it starts.
        crate::usage::PROGRESS.start(0);
        self.bar.reset();
        self.bar.set_style(style);
        self.bar.set_message(message);
    }

    /// Removes the display (before the end-of-run summary is printed).
    pub fn finish(self) {}
}

impl Drop for Progress {
    /// The display is gone whether the run succeeded or failed.
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(poll) = self.poll.take() {
            let _ = poll.join();
        }
        self.bar.finish_and_clear();
    }
}

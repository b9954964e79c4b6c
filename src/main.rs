//! Thin binary: parse the command line, run one command, map errors to exit codes
//! (0 done, 1 `check` failed, 2 error).

mod cli;

use clap::Parser;
use cli::{
    CheckFormat, Cli, Command, FailOn, GenerateFormat, GenerateProfile, InputArgs, NormalizeField,
    ToneStyleArg,
};
use simaudit::area::Area;
use simaudit::ident::{date, id, phone, DateOrder};
use simaudit::ingest::PointRegistry;
use simaudit::ingest::{Encoding, IngestOptions};
use simaudit::pipeline::Sharding;
use simaudit::report::{self, i18n::Lang, Formats, Privacy};
use simaudit::rules::{RuleCode, RuleSet, RULES};
use simaudit::{text, Error, Result};
use std::io::{BufRead, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    // A reader that closes early (`simaudit rules | head`) ends the program quietly, as it ends grep,
    // instead of a failed write to stdout becoming a panic.
    // SAFETY: restores the default action of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    on_bus_error_explain();
    let cli = Cli::parse_from(cli::join_mask_level(std::env::args_os()));
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("simaudit: {e}");
            ExitCode::from(2)
        }
    }
}

/// Inputs are read through memory maps: if another program cuts a file short during a run, touching
/// the lost pages raises SIGBUS. Say what happened, instead of dying with "Bus error".
fn on_bus_error_explain() {
    extern "C" fn explain(_: libc::c_int) {
        const MSG: &[u8] = b"simaudit: bus error: an input file was probably cut short while it \
was being read; audit a copy that nothing writes to\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, MSG.as_ptr().cast(), MSG.len());
            libc::_exit(2);
        }
    }
    // SAFETY: installs a handler that only calls async-signal-safe functions.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = explain as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}

struct Prepared {
    rules: RuleSet,
    ingest: IngestOptions,
    points: Option<PointRegistry>,
    lang: Lang,
}

fn prepare(input: &InputArgs) -> Result<Prepared> {
    if let Some(n) = input.threads {
        // Ignore the error of a pool already built (only one run per process).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let rules = match &input.rules {
        None => RuleSet::default_set(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
            RuleSet::parse(&text)
                .map_err(|e| Error::Input(format!("--rules {}: {e}", path.display())))?
        }
    };
    let encoding = input
        .encoding
        .as_deref()
        .map(|e| {
            Encoding::parse(e).ok_or_else(|| {
                Error::Input(format!(
                    "--encoding {e}: use utf-8, utf-16le, utf-16be, windows-1258 or windows-1252"
                ))
            })
        })
        .transpose()?;
    let points = input
        .points
        .as_deref()
        .map(PointRegistry::read)
        .transpose()?;
    Ok(Prepared {
        rules,
        ingest: IngestOptions {
            profile: input.profile.clone(),
            carrier: input.carrier.clone(),
            encoding,
            sheets: input.sheet.clone(),
            header_row: input.header_row,
        },
        points,
        lang: Lang::parse(&input.lang).unwrap_or_default(),
    })
}

/// The pipeline with the progress display on stderr (hidden when `quiet`); the display is returned
/// so the caller can keep it through the report stage.
fn run_with_progress(
    input: &InputArgs,
    p: &Prepared,
    area: Option<&Area>,
    quiet: bool,
) -> Result<(simaudit::Audit, report::terminal::Progress)> {
    let progress = report::terminal::Progress::new(quiet, p.lang);
    let audit = simaudit::pipeline::run_with_progress(
        &input.files,
        &p.ingest,
        p.rules.clone(),
        p.points.as_ref(),
        area,
        &|stage| progress.stage(stage, None),
    )?;
    Ok((audit, progress))
}

/// `--shards` (with `--memory-limit`); a split chosen by `auto` is said on stderr unless `--quiet`.
fn shards_of(input: &InputArgs, quiet: bool, lang: Lang) -> Result<Sharding> {
    let limit = input
        .memory_limit
        .as_deref()
        .map(simaudit::sharded::parse_memory)
        .transpose()?;
    let budget = simaudit::sharded::memory_budget(limit);
    let shards = simaudit::sharded::parse_shards(&input.shards, &input.files, budget)?;
    if let (Some(auto), false) = (shards.auto, quiet) {
        if auto
            .rows
            .saturating_mul(simaudit::sharded::SCAN_BYTES_PER_ROW)
            > auto.budget
            || shards.shards == 255
        {
            eprintln!(
                "{}",
                lang.pick(
                    "Cảnh báo: bộ nhớ cho phép (--memory-limit) quá nhỏ cho số dòng này; lần chạy có thể dùng nhiều hơn",
                    "Warning: the memory budget (--memory-limit) is too small for this many rows; the run may use more"
                )
            );
        }
        if shards.shards > 1 {
            let gib = auto.budget as f64 / f64::from(1u32 << 30);
            let (n, rows) = (shards.shards, auto.rows);
            eprintln!(
                "{}",
                lang.pick(
                    &format!("Chia làm {n} phần theo giấy tờ (tự động: khoảng {rows} dòng, bộ nhớ cho phép {gib:.1} GiB)"),
                    &format!("Splitting into {n} shards by ID (auto: about {rows} rows, memory budget {gib:.1} GiB)"),
                )
            );
        }
    }
    Ok(shards)
}

/// [`simaudit::sharded::run`] with the same display, each shard pass named "shard k/n".
fn run_sharded_with_progress(
    input: &InputArgs,
    p: &Prepared,
    shards: Sharding,
    output: &simaudit::sharded::Output,
    quiet: bool,
) -> Result<simaudit::sharded::Finished> {
    let progress = report::terminal::Progress::new(quiet, p.lang);
    simaudit::sharded::run(
        &input.files,
        &p.ingest,
        p.rules.clone(),
        p.points.as_ref(),
        shards,
        output,
        &|stage, shard| progress.stage(stage, shard),
    )
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Audit {
            input,
            out,
            format,
            mask,
            dossiers,
            point,
            district,
        } => {
            let started = std::time::SystemTime::now();
            let mut formats = Formats::parse(&format).map_err(Error::Input)?;
            if dossiers {
                formats.dossiers = true;
                formats.parquet = true;
            }
            let p = prepare(&input)?;
            let area = Area::parse(&point, &district)?;
            let privacy = match mask {
                None => Privacy::Clear,
                Some(level) => Privacy::masked_from_env(match level {
                    cli::MaskLevel::Standard => report::MaskLevel::Standard,
                    cli::MaskLevel::Strict => report::MaskLevel::Strict,
                })
                .map_err(|e| Error::Input(format!("--mask: {e}")))?,
            };
            let shards = shards_of(&input, input.quiet, p.lang)?;
            // Outputs go to a staging folder and into `out` only when all are complete.
            // Owner-only outputs unless nothing in them can be read back to a person.
            let private = privacy.level() != Some(report::MaskLevel::Strict);
            let staging = report::staging::Staging::open(&out, private)?;
            if shards.shards > 1 {
                let output = simaudit::sharded::Output {
                    out: staging.dir(),
                    area: area.as_ref(),
                    spill: input.spill.as_deref(),
                    formats,
                    privacy: &privacy,
                    lang: p.lang,
                    started,
                };
                let done = run_sharded_with_progress(&input, &p, shards, &output, input.quiet)?;
                staging.publish(&done.written)?;
                if !input.quiet {
                    print!(
                        "{}",
                        report::terminal::render(done.view(), &done.summaries, Some(&out), p.lang)
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            let (mut audit, progress) = run_with_progress(&input, &p, area.as_ref(), input.quiet)?;
            audit.sharding = Some(shards);
            let (summaries, written) = report::write_all(
                &mut audit,
                staging.dir(),
                formats,
                &privacy,
                started,
                p.lang,
            )?;
            staging.publish(&written)?;
            progress.finish();
            if !input.quiet {
                print!(
                    "{}",
                    report::terminal::render(audit.view(), &summaries, Some(&out), p.lang)
                );
            }
            // The process ends here: the system takes the run's memory back at once, where freeing
            // its millions of allocations one by one would take a noticeable part of the run.
            std::mem::forget(audit);
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            input,
            fail_on,
            format,
        } => check(&input, fail_on, format),
        Command::Rules { code, markdown } => {
            rules_command(code.as_deref(), markdown)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Normalize { field, tone_style } => {
            let style = match tone_style {
                ToneStyleArg::Old => text::ToneStyle::Old,
                ToneStyleArg::New => text::ToneStyle::New,
            };
            normalize(field, style).map_err(|e| Error::Input(format!("normalize: {e}")))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            rows,
            out,
            seed,
            carriers,
            format,
            profile,
        } => {
            if !(1..=7).contains(&carriers) {
                return Err(Error::Input("--carriers must be between 1 and 7".into()));
            }
            let opts = simaudit::generate::GenerateOptions {
                rows,
                seed,
                carriers,
                out: out.clone(),
                profile: match profile {
                    GenerateProfile::Standard => simaudit::generate::Profile::Standard,
                    GenerateProfile::Heavy => simaudit::generate::Profile::Heavy,
                },
            };
            let mut r = simaudit::generate::generate(&opts).map_err(|e| Error::write(&out, e))?;
            if format == GenerateFormat::Parquet {
                r = simaudit::generate::parquet::convert_all(&out, &r)
                    .map_err(|e| Error::write(&out, e))?;
            }
            println!(
                "wrote {} rows in {} files, {} planted findings, into {}",
                r.rows_written,
                r.files.len(),
                r.planted_findings,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect {
            input,
            show_values,
            format,
        } => {
            let p = prepare(&input)?;
            let loaded = match simaudit::ingest::load(&input.files, &p.ingest) {
                Ok(loaded) => loaded,
                Err(e) => {
                    // What could not be read, and where a header was looked for in each file.
                    let why = e.to_string();
                    let why = why.split("\nRun `simaudit inspect").next().unwrap_or(&why);
                    eprintln!("simaudit: {why}");
                    let heads = simaudit::ingest::heads(&input.files, &p.ingest)?;
                    print!(
                        "{}",
                        report::inspect::heads_text(&heads, input.carrier.is_some(), show_values)
                    );
                    return Ok(ExitCode::from(2));
                }
            };
            let doc = report::inspect::json(&loaded, input.carrier.is_some(), show_values)
                .map_err(|e| Error::Input(format!("inspect: {e}")))?;
            match format {
                CheckFormat::Json => {
                    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default())
                }
                CheckFormat::Text => print!("{}", report::inspect::text(&doc)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare {
            old,
            new,
            out,
            allow_rule_change,
            lang,
            quiet,
        } => {
            let lang = Lang::parse(&lang)
                .ok_or_else(|| Error::Input(format!("--lang {lang}: use vi or en")))?;
            let options = report::compare::Options {
                allow_rule_change,
                lang,
                started: std::time::SystemTime::now(),
                old: &old,
                new: &new,
            };
            report::compare::check_out(&out, &old, &new)?;
            // Owner-only: the outputs name subscriptions by their numbers.
            let staging = report::staging::Staging::open(&out, true)?;
            let (compared, written) = report::compare::run(&options, staging.dir())?;
            staging.publish(&written)?;
            if !quiet {
                print!("{}", report::terminal::compared(&compared, &out, lang));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Profiles => {
            for p in simaudit::ingest::profile::Profile::shipped() {
                println!("{} — {}", p.name, p.description);
                for (field, aliases) in &p.aliases {
                    println!("  {:<16} {}", field.name(), aliases.join(" | "));
                }
                println!();
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn rules_command(code: Option<&str>, markdown: bool) -> Result<()> {
    if markdown {
        print!("{}", simaudit::rules::registry::markdown_table());
        return Ok(());
    }
    let rules = RuleSet::default_set();
    match code {
        None => {
            for r in RULES {
                println!("{}  {:<24} {:<9} {}", r.code, r.name, r.severity, r.basis);
            }
        }
        Some(c) => {
            let r = RuleCode::parse(c)
                .ok_or_else(|| Error::Input(format!("no rule {c}; `simaudit rules` lists them")))?;
            let info = r.info();
            println!("{} {} ({})", info.code, info.name, rules.severity(r));
            println!("Tên / Name: {}", info.vi_name);
            println!("Basis / Căn cứ: {}\n", info.basis);
            println!("vi: {}\n", info.vi);
            println!("en: {}", info.en);
        }
    }
    Ok(())
}

/// Rule codes in order, each once, comma-separated.
fn codes(rules: impl Iterator<Item = RuleCode>) -> String {
    let mut seen: Vec<RuleCode> = rules.collect();
    seen.dedup();
    seen.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

fn normalize(field: NormalizeField, style: text::ToneStyle) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut buf = Vec::new();
    let mut input = stdin.lock();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let value = line.trim_end_matches(['\n', '\r']);
        let fields: Vec<String> = match field {
            NormalizeField::Name => {
                let (canonical, repaired) = text::canonical_name_with_repair(value, style);
                let key = text::name_key(&canonical);
                vec![
                    canonical,
                    key,
                    repaired.map_or("", |r| r.code()).to_string(),
                ]
            }
            NormalizeField::Id => {
                let f = id::analyse(value, None);
                if f.key.is_empty() {
                    vec![String::new(); 5]
                } else {
                    let p = f.personal;
                    vec![
                        f.key.to_string(),
                        f.kind.map_or("UNKNOWN", |k| k.code()).to_string(),
                        p.map_or_else(String::new, |p| p.birth_year.to_string()),
                        p.map_or("", |p| p.sex.code()).to_string(),
                        codes(f.problems.iter().map(simaudit::rules::row::id::rule_of)),
                    ]
                }
            }
            NormalizeField::Msisdn => {
                if value.trim().is_empty() {
                    vec![String::new(); 3]
                } else {
                    let m = phone::parse(value);
                    vec![
                        m.normalised.clone(),
                        m.carrier.unwrap_or("").to_string(),
                        codes(
                            m.problems()
                                .into_iter()
                                .map(simaudit::rules::row::subscription::rule_of),
                        ),
                    ]
                }
            }
            NormalizeField::Date => match date::parse(value, DateOrder::Dmy) {
                Ok(Some(w)) => vec![w.iso(), w.precision.code().to_string()],
                _ => vec![String::new(); 2],
            },
        };
        writeln!(out, "{}", fields.join("\t"))?;
    }
    out.flush()
}

fn check(input: &InputArgs, fail_on: FailOn, format: CheckFormat) -> Result<ExitCode> {
    let p = prepare(input)?;
    let quiet = input.quiet || format == CheckFormat::Json;
    let shards = shards_of(input, quiet, p.lang)?;
    if shards.shards > 1 {
        // A sharded run writes as it goes: into a scratch folder of its own (a new name, readable by
        // this user only: it holds personal data), removed afterwards.
        let scratch = private_scratch()?;
        let output = simaudit::sharded::Output {
            out: &scratch,
            area: None,
            spill: input.spill.as_deref(),
            formats: Formats::parse("csv").map_err(Error::Input)?,
            privacy: &Privacy::Clear,
            lang: p.lang,
            started: std::time::SystemTime::now(),
        };
        let done = run_sharded_with_progress(input, &p, shards, &output, quiet);
        let _ = std::fs::remove_dir_all(&scratch);
        let done = done?;
        return check_report(
            input,
            &p,
            (done.view(), &done.summaries, done.by_severity),
            fail_on,
            format,
        );
    }
    let (mut audit, progress) = run_with_progress(input, &p, None, quiet)?;
    progress.finish();
    let over_limit = std::mem::take(&mut audit.ids_over_limit);
    let marks = report::RowMarks::compute(audit.checked());
    // `check` writes no table of IDs: nothing to mask.
    let s = report::summary::summarise(
        audit.checked(),
        &audit.rejects,
        &marks,
        over_limit,
        &report::Privacy::Clear,
    );
    let by_severity = simaudit::rules::finding::by_severity(&audit.findings, &audit.rules);
    let code = check_report(input, &p, (audit.view(), &s, by_severity), fail_on, format);
    std::mem::forget(audit); // as after an audit: the process ends, the system frees it at once
    code
}

/// What `check` prints and its exit code, from a run's facts, summaries and findings per severity
/// (violation, warning, info).
fn check_report(
    input: &InputArgs,
    p: &Prepared,
    (run, s, [violations, warnings, infos]): (report::RunView, &report::Summaries, [usize; 3]),
    fail_on: FailOn,
    format: CheckFormat,
) -> Result<ExitCode> {
    let failed = match fail_on {
        FailOn::Violation => violations > 0,
        FailOn::Warning => violations + warnings > 0,
        FailOn::Never => false,
    };
    match format {
        CheckFormat::Json => {
            let rules: Vec<_> = s
                .by_rule
                .records()
                .filter(|r| r.int("rows") > 0)
                .map(|r| {
                    serde_json::json!({
                        "rule": r.text("rule"),
                        "name": r.text("name"),
                        "severity": r.text("severity"),
                        "rows": r.int("rows"),
                    })
                })
                .collect();
            let points: Vec<_> = s
                .by_point
                .records()
                .filter(|r| r.int("flagged") > 0)
                .take(10)
                .map(|r| {
                    serde_json::json!({
                        "rank": r.int("rank"),
                        "carrier": r.text("carrier"),
                        "point_id": r.text("point_id"),
                        "subscriptions": r.int("subscriptions"),
                        "flagged": r.int("flagged"),
                        "with_violation": r.int("with_violation"),
                        "with_warning": r.int("with_warning"),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "schema": "simaudit-check/1",
                "rows_read": run.files.iter().map(|f| f.rows_read).sum::<usize>(),
                "rows_rejected": run.rejects.len(),
                "findings": {"violation": violations, "warning": warnings, "info": infos},
                "rules": rules,
                "worst_points": points,
                "fail_on": format!("{fail_on:?}").to_lowercase(),
                "passed": !failed,
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        CheckFormat::Text => {
            if !input.quiet {
                print!("{}", report::terminal::render(run, s, None, p.lang));
            }
            println!(
                "\n{violations} violation(s), {warnings} warning(s): {}",
                if failed { "FAILED" } else { "passed" }
            );
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A new folder in the system's temporary folder, readable by this user only.
fn private_scratch() -> Result<std::path::PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let suffix = getrandom::u64()
        .map_err(|e| Error::Input(format!("no random name for a scratch folder: {e}")))?;
    let path = std::env::temp_dir().join(format!("simaudit-check-{suffix:016x}"));
    // Not recursive: an existing path (even a planted link) is an error, never reused.
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&path)
        .map_err(|e| Error::write(&path, e))?;
    Ok(path)
}

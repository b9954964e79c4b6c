//! Command-line definitions (clap) only; the work happens in the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "simaudit",
    version,
    about = "Audit Vietnamese mobile subscriber-registration extracts for junk-SIM signs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Extract files: CSV/TSV (any of , ; tab |, also gzip-compressed), Excel (.xlsx), Parquet.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Rule set TOML (default: the shipped rules/vn-2024.toml, embedded).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Column profile: a shipped name (canonical, vn-upper, vn-diacritics) or a TOML file. Default: chosen per file.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Carrier code for files without a carrier column.
    #[arg(long, value_name = "CODE")]
    pub carrier: Option<String>,
    /// Registry of authorised points: CSV with carrier and point_id columns (enables PT004).
    #[arg(long, value_name = "FILE")]
    pub points: Option<PathBuf>,
    /// Input encoding (utf-8, utf-16le, utf-16be, windows-1258, windows-1252). Default: detected.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Read only this sheet of workbooks (repeatable). Default: every sheet whose header matches;
    /// the others are skipped and named.
    #[arg(long, value_name = "NAME")]
    pub sheet: Vec<String>,
    /// The header's line (a text file's line, a sheet's row, as an editor or a spreadsheet numbers
    /// them). Default: the first of the first 50 non-empty rows that a profile matches; the rows above
    /// it are a title block, skipped and listed.
    #[arg(long, value_name = "N")]
    pub header_row: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Labels of the terminal summary (and of xlsx/html reports).
    #[arg(long, default_value = "vi", value_parser = ["vi", "en"])]
    pub lang: String,
    /// No progress or summary on the terminal.
    #[arg(long)]
    pub quiet: bool,
    /// Split the rows into N shards by ID key and hold one shard at a time, for extracts too big
    /// for memory (each file is still read once: its records are spilled, see --spill). auto: from
    /// the inputs' sizes and the memory the run may use (--memory-limit): 1 when they fit.
    #[arg(long, default_value = "auto", value_name = "N|auto")]
    pub shards: String,
    /// Folder for a sharded run's spill: every record, parsed and compressed, written once by the
    /// first read and read back shard by shard (its files are unlinked at once: nothing stays).
    /// Default: the system's temporary folder.
    #[arg(long, value_name = "DIR")]
    pub spill: Option<PathBuf>,
    /// The memory `--shards auto` plans for, e.g. 6GiB. Default: half of what the machine has
    /// available.
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Ingest, normalise, run every rule and write all outputs.
    ///
    /// Example: simaudit audit sample-data/*.csv --points sample-data/points.csv --out out
    Audit {
        #[command(flatten)]
        input: InputArgs,
        /// Output folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Comma-separated: csv, parquet, xlsx, html (default all).
        #[arg(long, default_value = "csv,parquet,xlsx,html")]
        format: String,
        /// Pseudonymise ID numbers and names in every output (key: SIMAUDIT_MASK_KEY, else random).
        /// `--mask` keeps the ID's first 3 and last 2 characters, initials, date of birth and sex
        /// (for the inspection team); `--mask strict` keeps only the pseudonym and the year of birth
        /// (for anyone else).
        #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "standard", value_name = "LEVEL")]
        mask: Option<MaskLevel>,
        /// Also write dossiers/<carrier>/<point>.xlsx, print-ready, for each point with a violation
        /// or a warning, and dossiers/index.csv (writes the Parquet outputs too: they are made from them).
        #[arg(long)]
        dossiers: bool,
        /// Report only on this service point (repeatable): CARRIER:ID, e.g. VIETTEL:HY-1664. The rules
        /// still run on every row; every output is then restricted to the chosen points' rows.
        #[arg(long, value_name = "CARRIER:ID")]
        point: Vec<String>,
        /// Report only on the points of this district (repeatable): a point is in it when the district
        /// most often written on its rows names it ("Văn Lâm" matches "Huyện Văn Lâm", "H. Van Lam").
        #[arg(long, value_name = "NAME")]
        district: Vec<String>,
    },
    /// A carrier's pre-submission check: same rules, no report files; exit code 1 on failure.
    ///
    /// Example: simaudit check viettel.csv --fail-on warning --format json
    Check {
        #[command(flatten)]
        input: InputArgs,
        /// Which findings make the check fail (exit code 1).
        #[arg(long, value_enum, default_value = "violation")]
        fail_on: FailOn,
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// List the rule catalogue, or explain one rule in Vietnamese and English.
    ///
    /// Example: simaudit rules XR001
    Rules {
        /// A rule code such as XR001.
        code: Option<String>,
        /// Print the catalogue as a Markdown table.
        #[arg(long)]
        markdown: bool,
    },
    /// Normalise one value per line from stdin; one tab-separated line out per line in.
    ///
    /// Example: printf '0912.345.678\n' | simaudit normalize --field msisdn
    Normalize {
        #[arg(long, value_enum)]
        field: NormalizeField,
        /// Tone placement for names: old (hòa, thủy) or new (hoà, thuỷ).
        #[arg(long, value_enum, default_value = "old")]
        tone_style: ToneStyleArg,
    },
    /// Show how each file (and sheet) is read, without auditing: format, encoding, delimiter, header
    /// row and title lines skipped, profile chosen and how well the others matched, header → column,
    /// date orders and what decided them, line counts by kind, the first records as read.
    ///
    /// Example: simaudit inspect report-sept.xlsx --format json
    Inspect {
        #[command(flatten)]
        input: InputArgs,
        /// Show the first records' personal values (masked by default).
        #[arg(long)]
        show_values: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// Write a realistic synthetic extract with truth.csv of every planted finding.
    ///
    /// Example: simaudit generate --rows 100000 --seed 7 --out /tmp/gen
    Generate {
        #[arg(long)]
        rows: usize,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of carriers (1–7).
        #[arg(long, default_value_t = 3)]
        carriers: usize,
        #[arg(long, value_enum, default_value = "csv")]
        format: GenerateFormat,
        /// How many rows carry findings: standard (about one finding per five rows) or heavy (over
        /// one per two rows, over a quarter of rows in groups sharing an ID, a number or a point's
        /// burst). Not the column profiles of `audit --profile`.
        #[arg(long, value_enum, default_value = "standard")]
        profile: GenerateProfile,
    },
    /// List the shipped column profiles and their header aliases.
    ///
    /// Example: simaudit profiles
    Profiles,
    /// What changed between two audits of the same carriers (a follow-up audit): which findings are
    /// new, which persist and which were resolved, per subscription, point and carrier.
    ///
    /// Example: simaudit compare out-2024-09 out-2024-12 --out follow-up
    Compare {
        /// The earlier audit's output folder.
        old: PathBuf,
        /// The later audit's output folder.
        new: PathBuf,
        /// Output folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Compare audits made with different rule sets.
        #[arg(long)]
        allow_rule_change: bool,
        /// Language of compare.xlsx, compare.html and the terminal: vi or en.
        #[arg(long, default_value = "vi")]
        lang: String,
        /// No summary on the terminal.
        #[arg(long)]
        quiet: bool,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Violation,
    Warning,
    Never,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormalizeField {
    Name,
    Id,
    Msisdn,
    Date,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToneStyleArg {
    Old,
    New,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenerateProfile {
    Standard,
    Heavy,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenerateFormat {
    Csv,
    /// Parquet extracts (records planted with a wrong field count cannot exist there and are left out).
    Parquet,
}

/// How much `--mask` hides.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskLevel {
    /// ID's first 3 and last 2 characters, initials, date of birth, sex.
    Standard,
    /// The pseudonym and the year of birth only.
    Strict,
}

/// The command line with `--mask strict` (or `--mask standard`) joined into `--mask=strict`. Clap takes
/// the level only after `=`, so that `--mask a.csv` still reads `a.csv` as an input; a level written
/// after a space is joined here. Nothing after `--` is touched.
pub fn join_mask_level(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    let mut rest = args.into_iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            out.push(arg);
            out.extend(rest);
            break;
        }
        let is_mask = arg == "--mask";
        out.push(arg);
        if is_mask {
            let Some(next) = rest.next() else { break };
            if next == "strict" || next == "standard" {
                if let Some(last) = out.last_mut() {
                    last.push("=");
                    last.push(&next);
                }
            } else {
                out.push(next);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(args: &[&str]) -> Vec<String> {
        join_mask_level(args.iter().map(std::ffi::OsString::from))
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn a_mask_level_after_a_space_is_joined_and_a_file_is_not() {
        assert_eq!(
            joined(&["audit", "--mask", "strict", "a.csv"]),
            ["audit", "--mask=strict", "a.csv"]
        );
        assert_eq!(
            joined(&["audit", "--mask", "a.csv"]),
            ["audit", "--mask", "a.csv"]
        );
        assert_eq!(
            joined(&["audit", "a.csv", "--mask"]),
            ["audit", "a.csv", "--mask"]
        );
        assert_eq!(
            joined(&["audit", "--", "--mask", "strict"]),
            ["audit", "--", "--mask", "strict"]
        );
        let cli = Cli::parse_from(joined(&[
            "simaudit", "audit", "--mask", "a.csv", "--out", "o",
        ]));
        let Command::Audit { mask, input, .. } = cli.command else {
            panic!()
        };
        assert_eq!(mask, Some(MaskLevel::Standard));
        assert_eq!(input.files, [std::path::PathBuf::from("a.csv")]);
        let cli = Cli::parse_from(joined(&[
            "simaudit", "audit", "a.csv", "--mask", "strict", "--out", "o",
        ]));
        let Command::Audit { mask, .. } = cli.command else {
            panic!()
        };
        assert_eq!(mask, Some(MaskLevel::Strict));
    }
}

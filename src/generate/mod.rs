//! `simaudit generate`: a synthetic subscriber-registration extract with planted
//! truth.
//!
//! One CSV per carrier, `points.csv` (the registry of authorised points, minus the
//! ones planted as unregistered) and `truth.csv` (`file,row,rule`: every finding
//! the audit must produce with `--points <out>/points.csv` and the default rule
//! set, nothing else). Layouts: A canonical English headers, comma, ISO dates;
//! B `SO_THUE_BAO;…`, UTF-8 with BOM, dd/mm/yyyy; C Vietnamese headers with
//! diacritics, every field quoted, d/m/yyyy and minutes-only activation times.
//!
//! How the truth stays exact:
//! - every row's per-row findings come from an oracle (`oracle.rs`) that reads the
//!   values exactly as written;
//! - clean rows never share an ID key or a number with anything (counters, not
//!   random draws), and no ordinary point ever gets more than 10 activations in a
//!   day, so cross-record rules can only fire inside planted groups;
//! - each planted group is closed under the keys the rules group by, so the oracle
//!   evaluates its cross-record rules on the group alone.
//!
//! Deterministic for a seed: every file is generated from its own random stream and
//! its own partition of the ID/number counters, so files can be written in parallel
//! and still come out byte-identical.

mod build;
mod date;
mod file;
mod ident;
mod model;
mod names;
mod oracle;
pub mod parquet;
mod plan;
mod rng;
mod row;
mod rule_set;
mod tables;
#[cfg(test)]
mod tests;

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use file::{FileGen, FileOut};
use model::Role;
use oracle::CODES;
use plan::Plan;
use tables::{Tables, CARRIERS};

/// What to generate.
pub struct GenerateOptions {
    /// Records over all carrier files (rejected records included).
    pub rows: usize,
    /// Same seed, byte-identical files.
    pub seed: u64,
    /// 1..=7 carriers, taken in the order VIETTEL, VINAPHONE, MOBIFONE,
    /// VIETNAMOBILE, GMOBILE, ITELECOM, REDDI; layouts cycle A, B, C.
    pub carriers: usize,
    /// Folder to write into (created when missing).
    pub out: PathBuf,
    /// How many rows carry findings.
    pub profile: Profile,
}

/// How much of the extract is planted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Profile {
    /// About one finding per five rows, 6% of rows in cross-record groups: an ordinary extract.
    #[default]
    Standard,
    /// Over one finding per two rows, over a quarter of rows in cross-record groups (IDs held 2 to
    /// 11 times, numbers registered twice, bursts at one point): an extract from a point or carrier
    /// with many violations, where the findings, not the rows, fill the memory.
    Heavy,
}

/// How much a profile plants, against the standard profile's rates.
pub(crate) struct Rates {
    /// Multiplier of every cross-record group's share of rows.
    pub(crate) groups: f64,
    /// Multiplier of every per-row plant's share of rows.
    pub(crate) plants: f64,
    /// Percent of a file's rows that groups may take.
    pub(crate) group_room: usize,
    /// Percent of a file's rows that all plants may take.
    pub(crate) plant_room: usize,
}

impl Profile {
    pub(crate) fn rates(self) -> Rates {
        let (groups, plants, group_room, plant_room) = match self {
            Profile::Standard => (1.0, 1.0, 15, 45),
            Profile::Heavy => (5.0, 2.5, 45, 90),
        };
        Rates {
            groups,
            plants,
            group_room,
            plant_room,
        }
    }
}

/// What was written.
pub struct GenerateReport {
    /// The carrier files, then `points.csv` and `truth.csv`.
    pub files: Vec<PathBuf>,
    /// Records written over all carrier files.
    pub rows_written: usize,
    /// Lines of `truth.csv` (one per expected finding).
    pub planted_findings: usize,
}

/// Writes one CSV per carrier, `points.csv` and `truth.csv` into `opts.out`.
pub fn generate(opts: &GenerateOptions) -> std::io::Result<GenerateReport> {
    Ok(run(opts)?.0)
}

fn run(opts: &GenerateOptions) -> std::io::Result<(GenerateReport, Plan, Vec<FileOut>)> {
    if !(1..=CARRIERS.len()).contains(&opts.carriers) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "--carriers must be between 1 and {}, got {}",
                CARRIERS.len(),
                opts.carriers
            ),
        ));
    }
    fs::create_dir_all(&opts.out)?;
    let t = Tables::load();
    let plan = Plan::build(opts.rows, opts.seed, opts.carriers, opts.profile, &t);

    // One thread per carrier file; each owns its stream and counter partition.
    let outs: Vec<std::io::Result<FileOut>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..plan.files.len())
            .map(|c| {
                let (plan, t, dir) = (&plan, &t, &opts.out);
                s.spawn(move || FileGen::new(plan, c, opts.seed, t).run(dir))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("generator thread panicked")))
            })
            .collect()
    });
    let outs = outs.into_iter().collect::<std::io::Result<Vec<_>>>()?;

    let mut files: Vec<PathBuf> = plan.files.iter().map(|f| opts.out.join(&f.name)).collect();
    let points_path = opts.out.join("points.csv");
    write_points(&plan, &outs, &points_path)?;
    let truth_path = opts.out.join("truth.csv");
    let planted = write_truth(&plan, &outs, &truth_path)?;
    files.push(points_path);
    files.push(truth_path);
    let report = GenerateReport {
        files,
        rows_written: plan.files.iter().map(|f| f.rows).sum(),
        planted_findings: planted,
    };
    Ok((report, plan, outs))
}

fn write_points(plan: &Plan, outs: &[FileOut], path: &std::path::Path) -> std::io::Result<()> {
    let mut list: Vec<(&str, &str)> = Vec::new();
    for (c, out) in outs.iter().enumerate() {
        for (i, p) in plan.points[c].iter().enumerate() {
            let used = out.used[i] || plan.used[c][i];
            if used && matches!(p.role, Role::Ordinary | Role::Burst) {
                list.push((CARRIERS[plan.files[c].carrier], p.id.as_str()));
            }
        }
    }
    list.sort_unstable();
    let mut w = BufWriter::new(File::create(path)?);
    w.write_all(b"carrier,point_id\n")?;
    for (carrier, id) in list {
        writeln!(w, "{},{}", carrier, id)?;
    }
    w.flush()
}

fn write_truth(plan: &Plan, outs: &[FileOut], path: &std::path::Path) -> std::io::Result<usize> {
    // Sorted by file name, row, rule: bits are numbered in code order.
    let mut order: Vec<usize> = (0..plan.files.len()).collect();
    order.sort_by(|&a, &b| plan.files[a].name.cmp(&plan.files[b].name));
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    w.write_all(b"file,row,rule\n")?;
    let mut n = 0;
    for c in order {
        // already sorted: rows are written in order, rule bits in code order
        for &v in &outs[c].truth {
            writeln!(
                w,
                "{},{},{}",
                plan.files[c].name,
                v >> 8,
                CODES[(v & 0xff) as usize]
            )?;
            n += 1;
        }
    }
    w.flush()?;
    Ok(n)
}

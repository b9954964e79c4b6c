//! The rows of the findings are made once, a block of consecutive findings at a time, and each block is
//! handed to every findings writer (findings.csv, findings.parquet, report.xlsx's findings sheet) side by
//! side: a row's lookups (name, number, detail, masking) are paid once, not once per file.

use super::write::{FindingRow, FindingRows, FINDING_COLUMNS};
use crate::error::{Error, Result};
use crate::ingest::Strings;
use rayon::prelude::*;

/// The output rows of consecutive findings, column by column (the `row` column as numbers apart).
pub struct FindingBlock {
    columns: Vec<Strings>,
    rows: Vec<u32>,
}

/// Which column holds the row number (kept as numbers, not text).
const ROW: usize = 1;

impl Default for FindingBlock {
    fn default() -> FindingBlock {
        FindingBlock {
            columns: vec![Strings::default(); FINDING_COLUMNS.len()],
            rows: Vec::new(),
        }
    }
}

impl FindingBlock {
    pub fn push(&mut self, r: &FindingRow) {
        for (c, (column, value)) in self.columns.iter_mut().zip(r.fields("")).enumerate() {
            if c != ROW {
                column.push(value);
            }
        }
        self.rows.push(r.row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row number of row `i`.
    pub fn row(&self, i: usize) -> u32 {
        self.rows[i]
    }

    pub fn rows(&self) -> &[u32] {
        &self.rows
    }

    /// Column `c` of [`FINDING_COLUMNS`] (empty for the row number: see [`FindingBlock::rows`]).
    pub fn column(&self, c: usize) -> &Strings {
        &self.columns[c]
    }

    /// The texts of row `i` in [`FINDING_COLUMNS`] order, its row number given as `row` (each writer
    /// writes it its own way).
    pub fn fields<'s>(&'s self, i: usize, row: &'s str) -> [&'s str; 12] {
        std::array::from_fn(|c| {
            if c == ROW {
                row
            } else {
                self.columns[c].get(i)
            }
        })
    }

    fn clear(&mut self) {
        *self = FindingBlock::default();
    }
}

/// One file made from the findings' rows, a block at a time.
pub trait BlockWriter: Send {
    /// The file's name among the outputs.
    fn name(&self) -> &'static str;
    fn write(&mut self, block: &FindingBlock) -> Result<()>;
    /// Completes the file and moves it into place.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Rows per block: a findings.parquet row group.
pub fn rows_per_block() -> usize {
    super::parquet::group_rows()
}

/// Makes the rows of `findings` in blocks and hands each block to every writer, side by side; then
/// finishes every writer. Returns each writer's name and seconds of its own work (the rows are made
/// once for all of them). Every writer gets at least one block, empty when there are no findings.
pub fn write_blocks(
    findings: &dyn FindingRows,
    mut writers: Vec<Box<dyn BlockWriter>>,
) -> Result<Vec<(String, f64)>> {
    let mut seconds = vec![0.0; writers.len()];
    let mut hand = |block: &FindingBlock| -> Result<()> {
        let done: Vec<Result<f64>> = writers
            .par_iter_mut()
            .map(|w| {
                let clock = std::time::Instant::now();
                w.write(block)?;
                Ok(clock.elapsed().as_secs_f64())
            })
            .collect();
        for (total, s) in seconds.iter_mut().zip(done) {
            *total += s?;
        }
        Ok(())
    };
    let per_block = rows_per_block();
    let mut block = FindingBlock::default();
    let mut handed = false;
    let mut failed: Option<Error> = None;
    let visited = findings.visit(usize::MAX, &mut |r| {
        block.push(r);
        if block.len() == per_block {
            hand(&block).map_err(|e| {
                let stop = std::io::Error::other(e.to_string());
                failed = Some(e);
                stop
            })?;
            handed = true;
            block.clear();
        }
        Ok(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    visited.map_err(|e| Error::Input(format!("reading the findings: {e}")))?;
    if !block.is_empty() || !handed {
        hand(&block)?;
    }
    let names: Vec<&'static str> = writers.iter().map(|w| w.name()).collect();
    let finished: Vec<Result<f64>> = writers
        .into_par_iter()
        .map(|w| {
            let clock = std::time::Instant::now();
            w.finish()?;
            Ok(clock.elapsed().as_secs_f64())
        })
        .collect();
    names
        .into_iter()
        .zip(seconds)
        .zip(finished)
        .map(|((name, s), f)| Ok((name.to_string(), s + f?)))
        .collect()
}
